#include "web/identity/identity_api.h"

#include <nlohmann/json.hpp>

#include "web/handlers.h"
#include "web/json_support.h"

namespace web {

namespace {

using nlohmann::json;

std::string time_json(core::TimePoint t) { return core::format_rfc3339(t); }

json org_json(const identity::Organization& o) {
  json j = {{"id", o.id},
            {"slug", o.slug},
            {"name", o.name},
            {"kind", identity::to_string(o.kind)},
            {"marketplace_id", o.marketplace_id.empty() ? json(nullptr) : json(o.marketplace_id)},
            {"subscription", identity::to_string(o.subscription)},
            {"created_at", time_json(o.created_at)}};
  j["trial_ends_at"] = o.trial_ends_at ? json(time_json(*o.trial_ends_at)) : json(nullptr);
  return j;
}

std::string member_status(const identity::User& u) {
  if (!u.has_password) return "invited";
  if (!u.verified) return "unverified";
  return "active";
}

json member_json(const identity::Member& m) {
  return {{"user_id", m.user.id},
          {"email", m.user.email},
          {"name", m.user.name},
          {"role", identity::to_string(m.role)},
          {"status", member_status(m.user)},
          {"joined_at", time_json(m.joined_at)}};
}

json token_json(const identity::ApiToken& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"hint", t.hint},
          {"created_by", t.created_by},
          {"created_at", time_json(t.created_at)},
          {"last_used_at", t.last_used_at ? json(time_json(*t.last_used_at)) : json(nullptr)},
          {"revoked", t.revoked}};
}

std::string string_field(const json& body, const char* name) {
  const auto it = body.find(name);
  return it != body.end() && it->is_string() ? it->get<std::string>() : "";
}

core::Result<identity::Role> role_field(const json& body) {
  auto role = identity::parse_role(string_field(body, "role"));
  if (!role) {
    core::Error e = core::invalid("role must be \"admin\" or \"member\".", "invalid_form");
    e.details.push_back({.field = "role", .message = "Use admin or member."});
    return e;
  }
  return *role;
}

}  // namespace

http::Response IdentityApi::me(http::Request& r, RequestContext& ctx) const {
  if (ctx.token) {
    json o = org_json(ctx.token->org);
    o["role"] = "admin";
    return json_response(
        200, {{"token", token_json(ctx.token->token)}, {"organizations", json::array({o})}});
  }
  if (!ctx.user) {
    return auth.error(r, core::unauthenticated("Sign in or send an API token.", "unauthenticated"));
  }
  json orgs = json::array();
  for (const auto& m : ctx.memberships) {
    json o = org_json(m.org);
    o["role"] = identity::to_string(m.role);
    orgs.push_back(o);
  }
  return json_response(200, {{"user",
                              {{"id", ctx.user->id},
                               {"email", ctx.user->email},
                               {"name", ctx.user->name},
                               {"verified", ctx.user->verified}}},
                             {"organizations", orgs},
                             {"csrf_token", ctx.csrf_token}});
}

http::Response IdentityApi::organization(http::Request&, RequestContext& ctx) const {
  json o = org_json(*ctx.org);
  o["role"] = identity::to_string(ctx.role);
  return json_response(200, o);
}

http::Response IdentityApi::members(http::Request& r, RequestContext& ctx) const {
  auto listed = identity.members(ctx.org_id());
  if (!listed.ok()) return auth.error(r, listed.error());
  json list = json::array();
  for (const auto& m : *listed) list.push_back(member_json(m));
  return json_response(200, {{"members", list}});
}

http::Response IdentityApi::invite(http::Request& r, RequestContext& ctx) const {
  auto body = body_object(r);
  if (!body.ok()) return auth.error(r, body.error());
  auto role = role_field(*body);
  if (!role.ok()) return auth.error(r, role.error());
  auto invited = identity.invite(ctx.org_id(), string_field(*body, "email"), *role, ctx.actor(r));
  if (!invited.ok()) return auth.error(r, invited.error());
  json m = member_json(invited->member);
  m["invited"] = invited->new_user;
  return json_response(201, m);
}

http::Response IdentityApi::change_role(http::Request& r, RequestContext& ctx) const {
  auto body = body_object(r);
  if (!body.ok()) return auth.error(r, body.error());
  auto role = role_field(*body);
  if (!role.ok()) return auth.error(r, role.error());
  auto changed = identity.change_role(ctx.org_id(), r.param("user_id"), *role, ctx.actor(r));
  if (!changed.ok()) return auth.error(r, changed.error());
  return json_response(200, member_json(*changed));
}

http::Response IdentityApi::remove_member(http::Request& r, RequestContext& ctx) const {
  auto removed = identity.remove_member(ctx.org_id(), r.param("user_id"), ctx.actor(r));
  if (!removed.ok()) return auth.error(r, removed.error());
  return http::Response::no_content();
}

http::Response IdentityApi::tokens(http::Request& r, RequestContext& ctx) const {
  auto listed = identity.api_tokens(ctx.org_id());
  if (!listed.ok()) return auth.error(r, listed.error());
  json list = json::array();
  for (const auto& t : *listed) list.push_back(token_json(t));
  return json_response(200, {{"tokens", list}});
}

http::Response IdentityApi::create_token(http::Request& r, RequestContext& ctx) const {
  auto body = body_object(r);
  if (!body.ok()) return auth.error(r, body.error());
  auto created = identity.create_api_token(ctx.org_id(), string_field(*body, "name"), ctx.actor(r));
  if (!created.ok()) return auth.error(r, created.error());
  json t = token_json(created->token);
  t["token"] = created->secret;
  http::Response res = json_response(201, t);
  res.set_header("Cache-Control", "no-store");
  return res;
}

http::Response IdentityApi::revoke_token(http::Request& r, RequestContext& ctx) const {
  auto revoked = identity.revoke_api_token(ctx.org_id(), r.param("token_id"), ctx.actor(r));
  if (!revoked.ok()) return auth.error(r, revoked.error());
  return http::Response::no_content();
}

http::Response IdentityApi::audit_log(http::Request& r, RequestContext& ctx) const {
  int limit = 50;
  if (auto l = r.query("limit")) {
    try {
      limit = std::stoi(*l);
    } catch (const std::exception&) {
      return auth.error(r, core::invalid("limit must be a number from 1 to 200."));
    }
  }
  auto page = audit.list(ctx.org_id(), limit, r.query("cursor").value_or(""));
  if (!page.ok()) return auth.error(r, page.error());
  json events = json::array();
  for (const auto& e : page->events) {
    events.push_back(
        {{"id", e.id},
         {"at", time_json(e.at)},
         {"actor", e.actor_label},
         {"actor_user_id", e.actor_user_id.empty() ? json(nullptr) : json(e.actor_user_id)},
         {"action", e.action},
         {"target_type", e.target_type},
         {"target_id", e.target_id},
         {"detail", e.detail},
         {"ip", e.ip}});
  }
  return json_response(
      200, {{"events", events},
            {"next_cursor", page->next_cursor.empty() ? json(nullptr) : json(page->next_cursor)}});
}

void IdentityApi::add_routes(http::Router& router) const {
  const IdentityApi& a = *this;
  using A = IdentityApi;
  router.get("/api/v1/me", auth.anyone(to(a, &A::me)));
  router.get("/api/v1/orgs/{org}", auth.member(to(a, &A::organization)));
  router.get("/api/v1/orgs/{org}/members", auth.member(to(a, &A::members)));
  router.post("/api/v1/orgs/{org}/members", auth.admin(to(a, &A::invite)));
  router.patch("/api/v1/orgs/{org}/members/{user_id}", auth.admin(to(a, &A::change_role)));
  router.del("/api/v1/orgs/{org}/members/{user_id}", auth.admin(to(a, &A::remove_member)));
  router.get("/api/v1/orgs/{org}/tokens", auth.admin(to(a, &A::tokens)));
  router.post("/api/v1/orgs/{org}/tokens", auth.admin(to(a, &A::create_token)));
  router.del("/api/v1/orgs/{org}/tokens/{token_id}", auth.admin(to(a, &A::revoke_token)));
  router.get("/api/v1/orgs/{org}/audit", auth.admin(to(a, &A::audit_log)));
}

}  // namespace web
