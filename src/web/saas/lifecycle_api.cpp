#include <nlohmann/json.hpp>

#include "web/handlers.h"
#include "web/json_support.h"
#include "web/saas/lifecycle_routes.h"

namespace web {

namespace {

using nlohmann::json;

json value_json(const saas::Entitlement& e) {
  switch (e.kind) {
    case saas::EntitlementValueKind::kInteger: try { return json(std::stoll(e.value));
      } catch (const std::exception&) {
        return json(e.value);
      }
    case saas::EntitlementValueKind::kDouble: try { return json(std::stod(e.value));
      } catch (const std::exception&) {
        return json(e.value);
      }
    case saas::EntitlementValueKind::kBoolean: return json(e.value == "true");
    case saas::EntitlementValueKind::kString: return json(e.value);
  }
  return json(e.value);
}

struct LifecycleApi {
  const Auth& auth;
  saas::LifecycleService& lifecycle;
  saas::SnsIntake* sns;
  LifecycleWebSettings settings;

  static http::Response error(int status, const std::string& code, const std::string& message) {
    return json_response(status, {{"error", {{"code", code}, {"message", message}}}});
  }

  http::Response events(http::Request& r) const {
    if (settings.events_secret.empty()) {
      return error(503, "events_not_configured",
                   "No events secret is configured (MARKETLINK_EVENTS_SECRET): events are "
                   "refused.");
    }
    const std::string* given = r.header(kEventsSecretHeader);
    if (!given || !constant_time_equal(*given, settings.events_secret)) {
      return error(401, "unauthenticated",
                   std::string("The ") + kEventsSecretHeader + " header is missing or wrong.");
    }
    auto event = saas::parse_eventbridge_event(r.body);
    if (!event.ok()) return error(400, "invalid_event", event.error().message);
    auto received = lifecycle.receive(*event);
    if (!received.ok()) return auth.error(r, received.error());
    return json_response(202,
                         {{"event_id", received->event_id}, {"duplicate", received->duplicate}});
  }

  http::Response sns_message(http::Request& r) const {
    auto handled = sns->handle(r.body);
    if (!handled.ok()) {
      const core::Error& e = handled.error();
      const int status = e.code == core::ErrorCode::kInvalid     ? 400
                         : e.code == core::ErrorCode::kForbidden ? 403
                                                                 : 503;
      return error(status, e.slug.empty() ? std::string("sns_refused") : e.slug, e.message);
    }
    const char* outcome = "received";
    switch (handled->outcome) {
      case saas::SnsOutcome::kReceived: outcome = "received"; break;
      case saas::SnsOutcome::kDuplicate: outcome = "duplicate"; break;
      case saas::SnsOutcome::kConfirmed: outcome = "confirmed"; break;
      case saas::SnsOutcome::kUnsubscribeAcknowledged: outcome = "unsubscribed"; break;
    }
    return json_response(200, {{"outcome", outcome}});
  }

  // The organization the caller may read entitlements of; nullopt: 404 as for a missing one.
  std::optional<std::string> readable_org(const RequestContext& ctx, const std::string& org) const {
    const auto names = [&](const identity::Organization& o) {
      return o.id == org || o.slug == org;
    };
    bool operator_caller = false;
    if (ctx.token) {
      if (names(ctx.token->org)) return ctx.token->org.id;
      operator_caller = ctx.token->org.kind == identity::OrgKind::kOperator;
    } else {
      for (const identity::Membership& m : ctx.memberships) {
        if (names(m.org)) return m.org.id;
        operator_caller = operator_caller || m.org.kind == identity::OrgKind::kOperator;
      }
    }
    if (!operator_caller) return std::nullopt;
    auto id = lifecycle.organization_id(org);
    if (!id.ok()) return std::nullopt;
    return *id;
  }

  http::Response entitlements(http::Request& r, RequestContext& ctx) const {
    if (!ctx.token && !ctx.user) {
      return auth.error(r, core::unauthenticated("Sign in or send an API token."));
    }
    const auto org_id = readable_org(ctx, r.param("org"));
    if (!org_id) {
      return auth.error(
          r, core::not_found("There is no such organization.", "organization_not_found"));
    }
    const std::string product_code = r.query("product_code").value_or("");
    if (product_code.empty()) {
      return auth.error(r, invalid_field("product_code", "product_code is required."));
    }
    auto view = lifecycle.entitlements(*org_id, product_code);
    if (!view.ok()) return auth.error(r, view.error());
    json list = json::array();
    for (const saas::Entitlement& e : view->entitlements) {
      list.push_back({{"dimension", e.dimension},
                      {"value", value_json(e)},
                      {"expires_at",
                       e.expires_at ? json(core::format_rfc3339(*e.expires_at)) : json(nullptr)}});
    }
    return json_response(200, {{"entitled", view->entitled},
                               {"status", view->status ? json(saas::link_status_name(*view->status))
                                                       : json(nullptr)},
                               {"product_code", product_code},
                               {"entitlements", list}});
  }
};

}  // namespace

bool constant_time_equal(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::string& longer = a.size() >= b.size() ? a : b;
  for (size_t i = 0; i < longer.size(); ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

void add_lifecycle_routes(http::Router& router, const Auth& auth, saas::LifecycleService& lifecycle,
                          saas::SnsIntake* sns, const LifecycleWebSettings& settings) {
  auto api = std::make_shared<LifecycleApi>(LifecycleApi{auth, lifecycle, sns, settings});
  router.post("/aws/events", [api](http::Request& r) { return api->events(r); });
  if (sns) router.post("/aws/sns", [api](http::Request& r) { return api->sns_message(r); });
  router.get("/api/v1/orgs/{org}/entitlements",
             auth.anyone([api](http::Request& r, RequestContext& ctx) {
               return api->entitlements(r, ctx);
             }));
}

}  // namespace web
