// The /_sim control API (JSON, no authentication, loopback only): what tests and the sandbox use
// to set the simulator up and to read what it holds and received.
#include <fmt/format.h>

#include "http/errors.h"
#include "sim/sim_routes.h"
#include "sim/sim_state.h"

namespace sim {

namespace {

using http::Request;
using http::Response;

Response json(int status, const Json& body) { return Response::json(status, body.dump(2)); }

// The request body as a JSON object ({} when empty); nullopt with an error response otherwise.
std::optional<Json> body_of(const Request& request, Response& error) {
  if (request.body.empty()) return Json::object();
  Json j = Json::parse(request.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = http::error_response(request, core::invalid("The body must be a JSON object."));
    return std::nullopt;
  }
  return j;
}

template <typename Fn>
http::Handler with_body(Fn fn, int status = 200) {
  return [fn, status](Request& request) {
    Response error;
    auto body = body_of(request, error);
    if (!body) return error;
    core::Result<Json> result = fn(*body, request);
    if (!result.ok()) return http::error_response(request, result.error());
    return json(status, *result);
  };
}

}  // namespace

void add_control_routes(http::Router& router, Simulator& sim) {
  router.get("/_sim/sns/SimpleNotificationService.pem", [&sim](Request&) {
    return Response::text(200, sim.sns_certificate_pem(), "application/x-pem-file");
  });

  router.post("/_sim/accounts",
              with_body([&sim](const Json& b, Request&) { return sim.create_account(b); }, 201));
  router.get("/_sim/accounts", [&sim](Request&) { return json(200, sim.accounts_json()); });
  router.get("/_sim/accounts/{id}", [&sim](Request& r) {
    auto a = sim.account_json(r.param("id"));
    return a.ok() ? json(200, *a) : http::error_response(r, a.error());
  });
  router.post("/_sim/accounts/{id}/keys", [&sim](Request& r) {
    auto k = sim.create_access_key(r.param("id"));
    return k.ok() ? json(201, *k) : http::error_response(r, k.error());
  });

  router.post("/_sim/products",
              with_body([&sim](const Json& b, Request&) { return sim.create_product(b); }, 201));
  router.get("/_sim/products", [&sim](Request&) { return json(200, sim.products_json()); });

  router.post("/_sim/subscriptions",
              with_body([&sim](const Json& b, Request&) { return sim.subscribe(b); }, 201));
  router.get("/_sim/subscriptions",
             [&sim](Request&) { return json(200, sim.subscriptions_json()); });
  router.post("/_sim/subscriptions/{id}/cancel", [&sim](Request& r) {
    auto c = sim.cancel_subscription(r.param("id"));
    return c.ok() ? json(200, *c) : http::error_response(r, c.error());
  });
  router.post("/_sim/subscriptions/{id}/entitlements", with_body([&sim](const Json& b, Request& r) {
                return sim.set_entitlements(r.param("id"), b);
              }));
  router.post("/_sim/subscriptions/{id}/token", [&sim](Request& r) {
    auto t = sim.new_registration_token(r.param("id"));
    return t.ok() ? json(201, Json{{"registration_token", *t}})
                  : http::error_response(r, t.error());
  });

  router.post(
      "/_sim/notifications/subscribe",
      with_body([&sim](const Json& b, Request&) { return sim.subscribe_notifications(b); }, 201));
  router.get("/_sim/notifications",
             [&sim](Request&) { return json(200, sim.notification_subscriptions_json()); });
  router.post(
      "/_sim/eventbridge/destinations",
      with_body([&sim](const Json& b, Request&) { return sim.add_event_destination(b); }, 201));
  router.get("/_sim/deliveries", [&sim](Request&) { return json(200, sim.deliveries_json()); });

  router.get("/_sim/clock", [&sim](Request&) {
    return json(200, Json{{"now", iso8601_millis(sim.now())}});
  });
  router.post(
      "/_sim/clock/advance", with_body([&sim](const Json& b, Request&) -> core::Result<Json> {
        if (!b.contains("seconds") || !b["seconds"].is_number_integer() ||
            b["seconds"].get<long long>() < 0) {
          return core::invalid("seconds must be a non-negative integer.");
        }
        const auto now = sim.advance_clock(std::chrono::seconds(b["seconds"].get<long long>()));
        return Json{{"now", iso8601_millis(now)}};
      }));

  router.post("/_sim/faults", with_body(
                                  [&sim](const Json& b, Request&) -> core::Result<Json> {
                                    auto s = sim.add_fault(b);
                                    if (!s.ok()) return s.error();
                                    return Json{{"added", true}};
                                  },
                                  201));
  router.del("/_sim/faults", [&sim](Request&) {
    sim.clear_faults();
    return Response::no_content();
  });

  router.get("/_sim/settings",
             [&sim](Request&) { return json(200, settings_to_json(sim.settings())); });
  router.post("/_sim/settings", with_body([&sim](const Json& b, Request&) -> core::Result<Json> {
                SimulatorSettings s = sim.settings();
                auto st = apply_settings_json(b, s);
                if (!st.ok()) return st.error();
                sim.set_settings(s);
                return settings_to_json(s);
              }));

  router.get("/_sim/metering-records",
             [&sim](Request&) { return json(200, sim.metering_records_json()); });
  router.get("/_sim/calls", [&sim](Request& r) {
    return json(200, sim.calls_json(r.query("operation").value_or("")));
  });
  router.get("/_sim/state", [&sim](Request&) { return json(200, sim.save_json()); });
  router.post("/_sim/state", with_body([&sim](const Json& b, Request&) -> core::Result<Json> {
                auto s = sim.load_json(b);
                if (!s.ok()) return s.error();
                return Json{{"loaded", true}};
              }));
}

}  // namespace sim
