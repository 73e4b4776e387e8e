// The webhooks JSON API (docs/api.md, "Webhooks"): the operator's endpoints, their deliveries,
// replay and test events. The signing secret is in the creation answer only.
#include <nlohmann/json.hpp>

#include <charconv>

#include "web/handlers.h"
#include "web/json_support.h"
#include "web/saas/webhook_shared.h"

namespace web {

namespace {

using nlohmann::json;

json endpoint_json(const saas::WebhookEndpoint& e) {
  json events = json::array();
  for (saas::OutboxEvent ev : e.events) events.push_back(saas::outbox_event_name(ev));
  return {{"id", e.id},
          {"url", e.url},
          {"events", events},
          {"secret_hint", e.secret_hint},
          {"created_by", e.created_by},
          {"created_at", core::format_rfc3339(e.created_at)}};
}

json delivery_json(const saas::WebhookDelivery& d) {
  json log = json::array();
  for (const saas::DeliveryAttempt& a : d.attempt_log) {
    log.push_back({{"attempt", a.attempt},
                   {"at", core::format_rfc3339(a.at)},
                   {"status_code", a.status_code == 0 ? json(nullptr) : json(a.status_code)},
                   {"response_excerpt", a.response_excerpt},
                   {"error", a.error.empty() ? json(nullptr) : json(a.error)},
                   {"duration_ms", a.duration_ms}});
  }
  json body = json::parse(d.body, nullptr, false);
  return {{"id", d.id},
          {"endpoint_id", d.endpoint_id},
          {"event_id", d.event_id},
          {"type", d.event_type},
          {"status", saas::delivery_status_name(d.status)},
          {"attempts", d.attempts},
          {"replay_of", d.replay_of.empty() ? json(nullptr) : json(d.replay_of)},
          {"last_status_code", d.last_status_code == 0 ? json(nullptr) : json(d.last_status_code)},
          {"last_error", d.last_error.empty() ? json(nullptr) : json(d.last_error)},
          {"created_at", core::format_rfc3339(d.created_at)},
          {"updated_at", core::format_rfc3339(d.updated_at)},
          {"delivered_at",
           d.delivered_at ? json(core::format_rfc3339(*d.delivered_at)) : json(nullptr)},
          {"body", body.is_discarded() ? json(d.body) : body},
          {"log", log}};
}

struct WebhookApi {
  const Auth& auth;
  saas::WebhookService& webhooks;

  http::Response list(http::Request& r, RequestContext&) const {
    auto listed = webhooks.endpoints();
    if (!listed.ok()) return auth.error(r, listed.error());
    json out = json::array();
    for (const saas::WebhookEndpoint& e : *listed) out.push_back(endpoint_json(e));
    return json_response(200, {{"webhooks", out}});
  }

  http::Response create(http::Request& r, RequestContext& ctx) const {
    auto body = body_object(r);
    if (!body.ok()) return auth.error(r, body.error());
    for (const auto& [key, ignored] : body->items()) {
      if (key != "url" && key != "events") {
        return auth.error(r, invalid_field(key, "Unknown field \"" + key + "\"."));
      }
    }
    auto url = required_string(*body, "url");
    if (!url.ok()) return auth.error(r, url.error());
    saas::NewEndpoint request{.url = *url, .events = {}};
    const auto events = body->find("events");
    if (events == body->end() || !events->is_array()) {
      return auth.error(r, invalid_field("events", "events must be a list of event names."));
    }
    for (const json& name : *events) {
      std::optional<saas::OutboxEvent> event;
      if (name.is_string()) event = saas::parse_outbox_event(name.get<std::string>());
      if (!event) {
        return auth.error(r,
                          invalid_field("events",
                                        "events must be among linked, active, unsubscribe_pending, "
                                        "cancelled, entitlements_changed, metering_failed."));
      }
      request.events.push_back(*event);
    }
    auto created = webhooks.create_endpoint(ctx.org_id(), request, ctx.actor(r));
    if (!created.ok()) return auth.error(r, created.error());
    json out = endpoint_json(created->endpoint);
    out["secret"] = created->secret;
    http::Response response = json_response(201, out);
    response.set_header("Location", "/api/v1/webhooks/" + created->endpoint.id);
    return response;
  }

  http::Response show(http::Request& r, RequestContext&) const {
    auto found = webhooks.endpoint(r.param("id"));
    if (!found.ok()) return auth.error(r, found.error());
    return json_response(200, endpoint_json(*found));
  }

  http::Response remove(http::Request& r, RequestContext& ctx) const {
    if (auto s = webhooks.delete_endpoint(ctx.org_id(), r.param("id"), ctx.actor(r)); !s.ok()) {
      return auth.error(r, s.error());
    }
    return http::Response::no_content();
  }

  http::Response deliveries(http::Request& r, RequestContext&) const {
    int limit = 50;
    if (auto l = r.query("limit"); l && !l->empty()) {
      const auto [end, ec] = std::from_chars(l->data(), l->data() + l->size(), limit);
      if (ec != std::errc() || end != l->data() + l->size() || limit < 1 || limit > 200) {
        return auth.error(r, invalid_field("limit", "limit must be a number from 1 to 200."));
      }
    }
    auto listed = webhooks.deliveries(r.param("id"), limit);
    if (!listed.ok()) return auth.error(r, listed.error());
    json out = json::array();
    for (const saas::WebhookDelivery& d : *listed) out.push_back(delivery_json(d));
    return json_response(200, {{"deliveries", out}});
  }

  http::Response replay(http::Request& r, RequestContext&) const {
    auto replayed = webhooks.replay(r.param("id"), r.param("delivery"));
    if (!replayed.ok()) return auth.error(r, replayed.error());
    return json_response(202, delivery_json(*replayed));
  }

  http::Response test(http::Request& r, RequestContext&) const {
    auto sent = webhooks.send_test(r.param("id"));
    if (!sent.ok()) return auth.error(r, sent.error());
    return json_response(202, delivery_json(*sent));
  }

  void add_routes(http::Router& router) const {
    const WebhookApi& a = *this;
    using A = WebhookApi;
    const auto member = [&](auto method) { return auth.operator_member(to(a, method)); };
    const auto admin = [&](auto method) { return auth.operator_admin(to(a, method)); };
    router.get("/api/v1/webhooks", member(&A::list));
    router.post("/api/v1/webhooks", admin(&A::create));
    router.get("/api/v1/webhooks/{id}", member(&A::show));
    router.del("/api/v1/webhooks/{id}", admin(&A::remove));
    router.get("/api/v1/webhooks/{id}/deliveries", member(&A::deliveries));
    router.post("/api/v1/webhooks/{id}/deliveries/{delivery}/replay", admin(&A::replay));
    router.post("/api/v1/webhooks/{id}/test", admin(&A::test));
  }
};

}  // namespace

void add_webhook_api(http::Router& router, const Auth& auth, saas::WebhookService& webhooks) {
  WebhookApi{auth, webhooks}.add_routes(router);
}

}  // namespace web
