// Auth: the one place where a request's credentials become a RequestContext, and where access
// rules are enforced, before any handler runs. Every module registers its routes through it:
//
//   router.get("/orgs/{org}/pool", auth.member([&](http::Request& r, web::RequestContext& ctx) {
//     // ctx.org is the organization named by {org}, and ctx.user (or ctx.token) belongs to it.
//     return pages.render(r, ctx, "pool", {.title = "Account pool"}, data);
//   }, {identity::OrgKind::kProvider}));
//
// Credentials: the session cookie (browsers) or `Authorization: Bearer mlk_…` (API tokens, which
// act as an admin of their own organization only). Rules:
//  - {org} routes (member/admin) answer 404 when the organization does not exist, is of another
//    kind than the route allows, or the caller does not belong to it — exactly alike, so another
//    tenant's resources cannot be told from missing ones. A member on an admin route gets 403.
//    Routes with {mp} instead of {org} name the marketplace organization whose marketplace id
//    is {mp} ("MP-0000"), under the same rules.
//  - No credentials on a route that needs them (signed_in, member, admin): browsers are sent to
//    /login?next=…, API clients get 401 — before any CSRF check, whatever the method. An unknown
//    or revoked bearer token is 401 on every route.
//  - Every state-changing request (not GET/HEAD/OPTIONS) made with a session must carry the
//    session's CSRF token (form field `csrf_token` or header `X-CSRF-Token`), else 403. On
//    anyone() routes, requests without credentials (sign-in, sign-up forms) must carry the token
//    of the `ml_csrf` cookie set when the form was shown, else 403. Bearer requests need no CSRF
//    token.
//  - signed_in, member and admin routes also carry a header check (http::HeaderCheck): for a
//    request sent with `Expect: 100-continue` the server runs the credential and access rules
//    above on the headers alone, and a refused request gets its 401/303/403/404 without its body
//    being read. The CSRF token may be in the body, so it is checked once the body is in.
// Thread safety: an Auth is read-only after construction; safe from every worker thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "http/message.h"
#include "http/router.h"
#include "identity/identity_service.h"
#include "web/request_context.h"

namespace web {

class Pages;

using ContextHandler = std::function<http::Response(http::Request&, RequestContext&)>;

struct AuthSettings {
  // Adds `Secure` to every cookie (set when MARKETLINK_PUBLIC_URL is https).
  bool secure_cookies = false;
};

inline constexpr const char* kSessionCookie = "ml_session";
inline constexpr const char* kCsrfCookie = "ml_csrf";
inline constexpr const char* kFlashCookie = "ml_flash";

class Auth {
 public:
  Auth(identity::IdentityService& identity, const Pages& pages, AuthSettings settings = {});

  // Each returns the handler for the router, with its header check (none for anyone()).
  // Credentials are resolved when present but not required.
  http::RouteHandler anyone(ContextHandler handler) const;
  // A form another site posts (AWS Marketplace's "Set up product"): as anyone(), without the
  // CSRF check, which such a form cannot pass. The handler must not act for the signed-in user.
  http::RouteHandler external(ContextHandler handler) const;
  // A signed-in browser session (not a bearer token).
  http::RouteHandler signed_in(ContextHandler handler) const;
  // Routes with {org}: a member of that organization (any role), or a token of it. `kinds`
  // limits the organization kinds the route exists for (empty: every kind).
  http::RouteHandler member(ContextHandler handler,
                            std::vector<identity::OrgKind> kinds = {}) const;
  // As member(), with the admin role.
  http::RouteHandler admin(ContextHandler handler, std::vector<identity::OrgKind> kinds = {}) const;
  // The platform operator's routes (/operator/…, operator APIs), which have no {org}: a member
  // of an organization of kind operator, or a token of one; ctx.org is that organization. Anyone
  // else gets 404, as for another tenant's {org}.
  http::RouteHandler operator_member(ContextHandler handler) const;
  // As operator_member(), with the admin role.
  http::RouteHandler operator_admin(ContextHandler handler) const;

  // Sets the session cookie of a new session on `response`.
  void set_session_cookie(http::Response& response, const identity::Session& session) const;
  void clear_session_cookie(http::Response& response) const;
  // A 303 to `location` that shows `message` on the next page (kind: ok, fail or info).
  http::Response redirect_with_flash(const std::string& location, const std::string& message,
                                     const std::string& kind = "ok") const;
  // An error as JSON (API clients) or the error page (browsers), in the frame of `ctx`'s viewer
  // when given.
  http::Response error(const http::Request& request, const core::Error& error,
                       const RequestContext* ctx = nullptr) const;

  identity::IdentityService& identity() const { return identity_; }

 private:
  enum class Need {
    kNothing,
    kExternal,
    kSession,
    kMember,
    kAdmin,
    kOperatorMember,
    kOperatorAdmin
  };
  http::RouteHandler wrap(Need need, std::vector<identity::OrgKind> kinds,
                          ContextHandler handler) const;
  // Resolves the credentials into `ctx` and applies the rules above (the CSRF token only when
  // `body_read`). Returns the answer that ends the request, or nullopt when the handler may run.
  std::optional<http::Response> admit(Need need, const std::vector<identity::OrgKind>& kinds,
                                      const http::Request& request, RequestContext& ctx,
                                      bool body_read) const;
  // Adds ctx's cookies (and Cache-Control: no-store for a known caller) to `response`.
  http::Response finish(RequestContext& ctx, http::Response response) const;
  std::string cookie(const std::string& name, const std::string& value, int max_age) const;

  identity::IdentityService& identity_;
  const Pages& pages_;
  AuthSettings settings_;
};

// `next` when it is a path on this site ("/orgs/acme?x=1"); "/" for anything else (absolute
// URLs, "//host", backslashes, control characters): sign-in never redirects off-site.
std::string safe_next(std::string_view next);

}  // namespace web
