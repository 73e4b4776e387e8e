// Private to web/identity: identity's JSON API (docs/api.md): /api/v1/me, /api/v1/orgs/{org} and
// its members, tokens and audit log. One method per route; add_routes() is their table.
#pragma once

#include "http/router.h"
#include "identity/audit_log.h"
#include "identity/identity_service.h"
#include "web/auth.h"

namespace web {

struct IdentityApi {
  const Auth& auth;
  identity::AuditLog& audit;
  identity::IdentityService& identity;

  http::Response me(http::Request& r, RequestContext& ctx) const;
  http::Response organization(http::Request& r, RequestContext& ctx) const;
  http::Response members(http::Request& r, RequestContext& ctx) const;
  http::Response invite(http::Request& r, RequestContext& ctx) const;
  http::Response change_role(http::Request& r, RequestContext& ctx) const;
  http::Response remove_member(http::Request& r, RequestContext& ctx) const;
  http::Response tokens(http::Request& r, RequestContext& ctx) const;
  http::Response create_token(http::Request& r, RequestContext& ctx) const;
  http::Response revoke_token(http::Request& r, RequestContext& ctx) const;
  http::Response audit_log(http::Request& r, RequestContext& ctx) const;

  void add_routes(http::Router& router) const;
};

}  // namespace web
