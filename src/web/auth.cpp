#include "web/auth.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/ids.h"
#include "http/multipart.h"
#include "identity/secrets.h"
#include "web/pages.h"

namespace web {

namespace {

const std::string kEmpty;

bool is_safe_method(http::Method m) {
  return m == http::Method::kGet || m == http::Method::kHead || m == http::Method::kOptions;
}

std::optional<std::string> bearer_token(const http::Request& r) {
  const std::string* h = r.header("authorization");
  if (h == nullptr) return std::nullopt;
  constexpr std::string_view kPrefix = "Bearer ";
  if (h->size() <= kPrefix.size() ||
      !std::equal(kPrefix.begin(), kPrefix.end(), h->begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) ==
               std::tolower(static_cast<unsigned char>(b));
      })) {
    return std::string();
  }
  std::string token = h->substr(kPrefix.size());
  while (!token.empty() && token.back() == ' ') token.pop_back();
  return token;
}

// The CSRF token a request carries: header first, then the form field.
std::string presented_csrf(const http::Request& r) {
  if (const std::string* h = r.header("x-csrf-token")) return *h;
  const std::string* type = r.header("content-type");
  if (type != nullptr && type->find("application/x-www-form-urlencoded") != std::string::npos) {
    for (auto& [k, v] : http::parse_form(r.body)) {
      if (k == "csrf_token") return v;
    }
  }
  // File uploads. The parts are views into the body: nothing is copied but the token.
  if (type != nullptr && type->find("multipart/form-data") != std::string::npos) {
    auto parts = http::parse_multipart(*type, r.body);
    if (parts.ok()) {
      if (const http::MultipartPart* p = http::find_part(*parts, "csrf_token")) {
        return std::string(p->body);
      }
    }
  }
  return "";
}

bool org_matches(const identity::Organization& org, const std::string& key) {
  return org.id == key || org.slug == key;
}

}  // namespace

const std::string& RequestContext::org_id() const { return org ? org->id : kEmpty; }

identity::Actor RequestContext::actor(const http::Request& request) const {
  if (user) {
    return identity::Actor{.user_id = user->id,
                           .label = identity::normalize_email(user->email),
                           .ip = request.remote_ip};
  }
  if (token) {
    return identity::Actor{
        .user_id = "", .label = "API token " + token->token.name, .ip = request.remote_ip};
  }
  return identity::Actor{.user_id = "", .label = "anonymous", .ip = request.remote_ip};
}

std::string safe_next(std::string_view next) {
  if (next.empty() || next.front() != '/' || next.size() > 2048) return "/";
  if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return "/";
  for (const char c : next) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '\\') return "/";
  }
  return std::string(next);
}

Auth::Auth(identity::IdentityService& identity, const Pages& pages, AuthSettings settings)
    : identity_(identity), pages_(pages), settings_(settings) {}

std::string Auth::cookie(const std::string& name, const std::string& value, int max_age) const {
  std::string c = fmt::format("{}={}; Path=/; HttpOnly; SameSite=Lax", name, value);
  if (max_age >= 0) c += fmt::format("; Max-Age={}", max_age);
  if (settings_.secure_cookies) c += "; Secure";
  return c;
}

void Auth::set_session_cookie(http::Response& response, const identity::Session& session) const {
  // No Max-Age: the server decides when a session ends; the cookie lives with the browser.
  response.add_header("Set-Cookie", cookie(kSessionCookie, session.token, -1));
}

void Auth::clear_session_cookie(http::Response& response) const {
  response.add_header("Set-Cookie", cookie(kSessionCookie, "", 0));
}

http::Response Auth::redirect_with_flash(const std::string& location, const std::string& message,
                                         const std::string& kind) const {
  http::Response r = http::Response::redirect(location);
  r.add_header("Set-Cookie", cookie(kFlashCookie, http::url_encode(kind + ":" + message), 60));
  return r;
}

http::Response Auth::error(const http::Request& request, const core::Error& e,
                           const RequestContext* ctx) const {
  http::Response r = http::error_response(
      request, e, [&](int status, const core::Error& err, const std::string& request_id) {
        return pages_.error_html(status, err, request_id, ctx);
      });
  if (e.code == core::ErrorCode::kRateLimited) {
    for (const auto& d : e.details) {
      if (d.field == "retry_after") r.set_header("Retry-After", d.message);
    }
  }
  return r;
}

http::RouteHandler Auth::anyone(ContextHandler h) const {
  return wrap(Need::kNothing, {}, std::move(h));
}
http::RouteHandler Auth::signed_in(ContextHandler h) const {
  return wrap(Need::kSession, {}, std::move(h));
}
http::RouteHandler Auth::member(ContextHandler h, std::vector<identity::OrgKind> kinds) const {
  return wrap(Need::kMember, std::move(kinds), std::move(h));
}
http::RouteHandler Auth::admin(ContextHandler h, std::vector<identity::OrgKind> kinds) const {
  return wrap(Need::kAdmin, std::move(kinds), std::move(h));
}

http::RouteHandler Auth::external(ContextHandler h) const {
  return wrap(Need::kExternal, {}, std::move(h));
}
http::RouteHandler Auth::operator_member(ContextHandler h) const {
  return wrap(Need::kOperatorMember, {}, std::move(h));
}
http::RouteHandler Auth::operator_admin(ContextHandler h) const {
  return wrap(Need::kOperatorAdmin, {}, std::move(h));
}

http::RouteHandler Auth::wrap(Need need, std::vector<identity::OrgKind> kinds,
                              ContextHandler handler) const {
  http::HeaderCheck check;
  if (need != Need::kNothing && need != Need::kExternal) {
    check = [this, need, kinds](const http::Request& request) -> std::optional<http::Response> {
      RequestContext ctx;
      auto refusal = admit(need, kinds, request, ctx, /*body_read=*/false);
      if (!refusal) return std::nullopt;
      return finish(ctx, std::move(*refusal));
    };
  }
  http::Handler run = [this, need, kinds = std::move(kinds),
                       handler = std::move(handler)](http::Request& request) -> http::Response {
    RequestContext ctx;
    // Flash from the previous redirect: shown once.
    if (auto flash = request.cookie(kFlashCookie); flash && !flash->empty()) {
      const std::string text = http::url_decode(*flash);
      const auto colon = text.find(':');
      if (colon != std::string::npos) {
        ctx.flash_kind = text.substr(0, colon);
        ctx.flash_message = text.substr(colon + 1);
        if (ctx.flash_kind != "ok" && ctx.flash_kind != "fail") ctx.flash_kind = "info";
      }
      ctx.set_cookies.push_back(cookie(kFlashCookie, "", 0));
    }
    if (auto refusal = admit(need, kinds, request, ctx, /*body_read=*/true)) {
      return finish(ctx, std::move(*refusal));
    }
    return finish(ctx, handler(request, ctx));
  };
  return {std::move(run), std::move(check)};
}

http::Response Auth::finish(RequestContext& ctx, http::Response response) const {
  for (auto& c : ctx.set_cookies) response.add_header("Set-Cookie", std::move(c));
  ctx.set_cookies.clear();
  if (ctx.user || ctx.token) response.set_header("Cache-Control", "no-store");
  return response;
}

std::optional<http::Response> Auth::admit(Need need, const std::vector<identity::OrgKind>& kinds,
                                          const http::Request& request, RequestContext& ctx,
                                          bool body_read) const {
  const auto fail = [&](const core::Error& e) { return error(request, e, &ctx); };
  const auto sign_in_first = [&](const char* message) {
    if (request.wants_html() && !ctx.token) {
      return http::Response::redirect("/login?next=" + http::url_encode(request.target));
    }
    return fail(core::unauthenticated(message, "unauthenticated"));
  };

  // 1. Credentials.
  const auto bearer = bearer_token(request);
  if (bearer) {
    auto principal = identity_.authenticate_token(*bearer);
    if (!principal.ok()) {
      http::Response r = error(request, principal.error());
      r.set_header("WWW-Authenticate", "Bearer");
      return r;
    }
    ctx.token = std::move(principal).value();
  } else if (auto session_cookie = request.cookie(kSessionCookie);
             session_cookie && !session_cookie->empty()) {
    auto session = identity_.resume_session(*session_cookie);
    if (session.ok()) {
      ctx.user = session->user;
      ctx.csrf_token = session->csrf_token;
      ctx.session_token = *session_cookie;
      auto memberships = identity_.memberships(ctx.user->id);
      if (!memberships.ok()) return fail(memberships.error());
      ctx.memberships = std::move(memberships).value();
    } else if (session.error().code == core::ErrorCode::kUnauthenticated) {
      ctx.set_cookies.push_back(cookie(kSessionCookie, "", 0));
    } else {
      return fail(session.error());
    }
  }
  const bool anonymous = !ctx.user && !ctx.token;
  if (anonymous && body_read) {
    // Forms shown before sign-in carry the token of this cookie.
    if (auto c = request.cookie(kCsrfCookie); c && c->size() >= 32) {
      ctx.csrf_token = *c;
    } else {
      ctx.csrf_token = identity::new_secret();
      ctx.set_cookies.push_back(cookie(kCsrfCookie, ctx.csrf_token, -1));
    }
  }

  // 2. A route that needs credentials asks for them first: a request without any is not a
  // forged form of a signed-in user, and must learn to sign in, not that a form expired.
  if (anonymous && need == Need::kSession) return sign_in_first("Sign in to continue.");
  if (anonymous && need != Need::kNothing && need != Need::kExternal)
    return sign_in_first("Sign in or send an API token.");

  // 3. CSRF on state-changing requests that a browser could be tricked into sending. The token
  // may be in the body: the header check leaves it to the handler.
  if (body_read && !is_safe_method(request.method) && !ctx.token && need != Need::kExternal) {
    const std::string presented = presented_csrf(request);
    const bool have_expected = request.cookie(kCsrfCookie).has_value() || ctx.user.has_value();
    if (!have_expected || presented.empty() ||
        !identity::constant_time_equal(presented, ctx.csrf_token)) {
      return fail(core::forbidden(
          "This form has expired or did not come from Marketlink. Reload the page and try "
          "again.",
          "csrf_failed"));
    }
  }

  // 4. Access.
  if (need == Need::kSession && !ctx.user) return sign_in_first("Sign in to continue.");
  if (need == Need::kMember || need == Need::kAdmin) {
    const core::Error missing = core::not_found("There is nothing at this address.");
    // {org} names an organization by id or slug; {mp} a marketplace by its marketplace id.
    const std::string& key = request.param("org");
    const std::string& marketplace = request.param("mp");
    const auto org_matches = [&](const identity::Organization& org, const std::string&) {
      if (!key.empty()) return web::org_matches(org, key);
      return !marketplace.empty() && org.kind == identity::OrgKind::kMarketplace &&
             org.marketplace_id == marketplace;
    };
    if (ctx.token) {
      if (!org_matches(ctx.token->org, key)) return fail(missing);
      ctx.org = ctx.token->org;
      ctx.role = identity::Role::kAdmin;
    } else if (ctx.user) {
      for (const auto& m : ctx.memberships) {
        if (org_matches(m.org, key)) {
          ctx.org = m.org;
          ctx.role = m.role;
          break;
        }
      }
      if (!ctx.org) return fail(missing);
    } else {
      return sign_in_first("Sign in or send an API token.");
    }
    if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), ctx.org->kind) == kinds.end()) {
      return fail(missing);
    }
    if (need == Need::kAdmin && ctx.role != identity::Role::kAdmin) {
      return fail(core::forbidden("Only an admin of this organization can do this."));
    }
  }
  if (need == Need::kOperatorMember || need == Need::kOperatorAdmin) {
    const auto is_operator = [](const identity::Organization& o) {
      return o.kind == identity::OrgKind::kOperator;
    };
    if (ctx.token && is_operator(ctx.token->org)) {
      ctx.org = ctx.token->org;
      ctx.role = identity::Role::kAdmin;
    }
    for (const auto& m : ctx.memberships) {
      if (ctx.org) break;
      if (is_operator(m.org)) {
        ctx.org = m.org;
        ctx.role = m.role;
      }
    }
    if (!ctx.org) return fail(core::not_found("There is nothing at this address."));
    if (need == Need::kOperatorAdmin && ctx.role != identity::Role::kAdmin) {
      return fail(core::forbidden("Only an admin of the operator's organization can do this."));
    }
  }
  return std::nullopt;
}

}  // namespace web
