#include "web/identity/identity_pages.h"

#include <fmt/format.h>

#include "web/handlers.h"
#include "web/page_support.h"

namespace web {

namespace {

using http::TemplateData;

std::string user_agent(const http::Request& r) {
  const std::string* ua = r.header("user-agent");
  return ua == nullptr ? "" : *ua;
}

TemplateData notice(const std::string& heading, const std::string& message,
                    const std::string& icon) {
  TemplateData d;
  d.set("heading", heading);
  d.set("message", message);
  d.set("icon_" + icon, true);
  return d;
}

std::string members_path(const RequestContext& ctx) {
  return "/orgs/" + ctx.org->slug + "/members";
}

}  // namespace

// --- Sign in / out ---

http::Response IdentityPages::login_page(http::Request& r, RequestContext& ctx, TemplateData d,
                                         int status) const {
  return pages.render(r, ctx, "login", Frame{.title = "Sign in"}, std::move(d), status);
}

http::Response IdentityPages::login_form(http::Request& r, RequestContext& ctx) const {
  const std::string next = safe_next(r.query("next").value_or("/"));
  if (ctx.signed_in()) return http::Response::redirect(next);
  TemplateData d;
  d.set("next", next);
  d.set("email", r.query("email").value_or(""));
  return login_page(r, ctx, d);
}

http::Response IdentityPages::login(http::Request& r, RequestContext& ctx) const {
  const Form f(r);
  const std::string next = safe_next(f["next"]);
  auto session =
      identity.sign_in(f["email"], f["password"], r.remote_ip, user_agent(r), ctx.session_token);
  if (!session.ok()) {
    TemplateData d;
    d.set("next", next);
    d.set("email", f["email"]);
    set_errors(d, session.error());
    if (std::string(session.error().code_slug()) == "email_not_verified") {
      d.set("resend_verification", true);
    }
    http::Response res = login_page(r, ctx, d, status_of(session.error()));
    for (const auto& detail : session.error().details) {
      if (detail.field == "retry_after") res.set_header("Retry-After", detail.message);
    }
    return res;
  }
  http::Response res = http::Response::redirect(next);
  auth.set_session_cookie(res, *session);
  return res;
}

http::Response IdentityPages::logout(http::Request& r, RequestContext& ctx) const {
  if (!ctx.session_token.empty()) {
    auto done = identity.sign_out(ctx.session_token, r.remote_ip);
    if (!done.ok()) return auth.error(r, done.error(), &ctx);
  }
  http::Response res = auth.redirect_with_flash("/login", "You are signed out.", "info");
  auth.clear_session_cookie(res);
  return res;
}

// --- Sign up and e-mail verification ---

http::Response IdentityPages::signup_form(http::Request& r, RequestContext& ctx) const {
  if (ctx.signed_in()) return http::Response::redirect("/");
  return pages.render(r, ctx, "signup", Frame{.title = "Create an account"}, TemplateData{});
}

http::Response IdentityPages::signup(http::Request& r, RequestContext& ctx) const {
  const Form f(r);
  auto created = identity.sign_up({.email = f["email"],
                                   .name = f["name"],
                                   .password = f["password"],
                                   .organization_name = f["organization_name"]},
                                  r.remote_ip);
  if (!created.ok()) {
    TemplateData d;
    d.set("email", f["email"]);
    d.set("name", f["name"]);
    d.set("organization_name", f["organization_name"]);
    set_errors(d, created.error());
    return pages.render(r, ctx, "signup", Frame{.title = "Create an account"}, d,
                        status_of(created.error()));
  }
  return http::Response::redirect("/signup/check-email?email=" +
                                  http::url_encode(created->user.email));
}

http::Response IdentityPages::check_email(http::Request& r, RequestContext& ctx) const {
  const std::string email = r.query("email").value_or("");
  TemplateData d =
      notice("Check your inbox",
             email.empty() ? "We sent you a link to confirm your e-mail address."
                           : "We sent a link to " + email + " to confirm your e-mail address.",
             "mail");
  d.set("detail",
        "Open it within 24 hours, then sign in. Nothing arrived? Check your spam folder, or "
        "send a new link.");
  d.set("resend", true);
  d.set("email", email);
  return pages.render(r, ctx, "notice", Frame{.title = "Check your inbox"}, d);
}

http::Response IdentityPages::verify_email(http::Request& r, RequestContext& ctx) const {
  auto verified = identity.verify_email(r.query("token").value_or(""), r.remote_ip);
  if (verified.ok()) {
    TemplateData d = notice("E-mail address confirmed",
                            "Thank you. Your account is ready: sign in to continue.", "ok");
    // A sign-up that started elsewhere (an AWS Marketplace setup) goes on there after sign-in.
    const std::string next = r.query("next").value_or("");
    d.set("action_href", "/login?email=" + http::url_encode(verified->email) +
                             (next.empty() ? "" : "&next=" + http::url_encode(safe_next(next))));
    d.set("action_label", "Sign in");
    return pages.render(r, ctx, "notice", Frame{.title = "E-mail address confirmed"}, d);
  }
  const bool expired = std::string(verified.error().code_slug()) == "token_expired";
  TemplateData d = notice(expired ? "This link has expired" : "This link does not work",
                          expired ? "Confirmation links work for 24 hours. Ask for a new one "
                                    "below and use it within a day."
                                  : verified.error().message +
                                        " If your address is not confirmed yet, ask for a "
                                        "new link.",
                          "fail");
  d.set("resend", true);
  return pages.render(r, ctx, "notice", Frame{.title = "Confirm your e-mail address"}, d,
                      expired ? 410 : 400);
}

http::Response IdentityPages::resend_verification_form(http::Request& r,
                                                       RequestContext& ctx) const {
  TemplateData d =
      notice("Send a new confirmation link", "Enter the address you signed up with.", "mail");
  d.set("resend", true);
  d.set("email", r.query("email").value_or(""));
  return pages.render(r, ctx, "notice", Frame{.title = "Confirm your e-mail address"}, d);
}

http::Response IdentityPages::resend_verification(http::Request& r, RequestContext& ctx) const {
  const Form f(r);
  auto sent = identity.resend_verification(f["email"], r.remote_ip);
  if (!sent.ok()) return auth.error(r, sent.error(), &ctx);
  return auth.redirect_with_flash(
      "/login?email=" + http::url_encode(f["email"]),
      "If that address has an account waiting for confirmation, a new link is on its way.", "info");
}

// --- Password reset and invitations ---

http::Response IdentityPages::reset_request_form(http::Request& r, RequestContext& ctx) const {
  TemplateData d;
  d.set("email", r.query("email").value_or(""));
  return pages.render(r, ctx, "password_reset_request", Frame{.title = "Reset your password"}, d);
}

http::Response IdentityPages::reset_request(http::Request& r, RequestContext& ctx) const {
  const Form f(r);
  auto sent = identity.request_password_reset(f["email"], r.remote_ip);
  if (!sent.ok()) return auth.error(r, sent.error(), &ctx);
  return auth.redirect_with_flash(
      "/login",
      "If an account uses that address, a link to reset its password is on its way. "
      "It works once, for one hour.",
      "info");
}

http::Response IdentityPages::new_password_form(http::Request& r, RequestContext& ctx) const {
  return password_form(r, ctx, false);
}
http::Response IdentityPages::new_password(http::Request& r, RequestContext& ctx) const {
  return set_password(r, ctx, false);
}
http::Response IdentityPages::invitation_form(http::Request& r, RequestContext& ctx) const {
  return password_form(r, ctx, true);
}
http::Response IdentityPages::accept_invitation(http::Request& r, RequestContext& ctx) const {
  return set_password(r, ctx, true);
}

http::Response IdentityPages::password_page(http::Request& r, RequestContext& ctx, bool invitation,
                                            TemplateData d, int status) const {
  d.set("heading", invitation ? "Join your team on Marketlink" : "Choose a new password");
  d.set("intro", invitation ? "Choose your name and a password to finish setting up your "
                              "account."
                            : "Signing in with the new password ends every other session.");
  d.set("action", invitation ? "/invitations/accept" : "/password-reset/new");
  d.set("ask_name", invitation);
  d.set("submit_label", invitation ? "Join" : "Set password");
  return pages.render(r, ctx, "password_reset_new",
                      Frame{.title = invitation ? "Accept invitation" : "New password"}, d, status);
}

http::Response IdentityPages::bad_link(http::Request& r, RequestContext& ctx, const core::Error& e,
                                       bool invitation) const {
  const bool expired = std::string(e.code_slug()) == "token_expired";
  TemplateData d = notice(expired ? "This link has expired" : "This link does not work",
                          invitation ? e.message +
                                           " Ask an admin of the organization to "
                                           "invite you again."
                                     : e.message + " Ask for a new link.",
                          "fail");
  if (!invitation) {
    d.set("action_href", "/password-reset");
    d.set("action_label", "Ask for a new link");
  }
  return pages.render(r, ctx, "notice", Frame{.title = "Link not valid"}, d, expired ? 410 : 400);
}

http::Response IdentityPages::password_form(http::Request& r, RequestContext& ctx,
                                            bool invitation) const {
  const std::string token = r.query("token").value_or("");
  auto usable = identity.check_email_token(token, invitation);
  if (!usable.ok()) return bad_link(r, ctx, usable.error(), invitation);
  TemplateData d;
  d.set("token", token);
  return password_page(r, ctx, invitation, d, 200);
}

http::Response IdentityPages::set_password(http::Request& r, RequestContext& ctx,
                                           bool invitation) const {
  const Form f(r);
  auto done = invitation
                  ? identity.accept_invitation(f["token"], f["name"], f["password"], r.remote_ip)
                  : identity.reset_password(f["token"], f["password"], r.remote_ip);
  if (!done.ok()) {
    const std::string slug = done.error().code_slug();
    if (slug == "token_expired" || slug == "token_invalid") {
      return bad_link(r, ctx, done.error(), invitation);
    }
    TemplateData d;
    d.set("token", f["token"]);
    d.set("name", f["name"]);
    set_errors(d, done.error());
    return password_page(r, ctx, invitation, d, status_of(done.error()));
  }
  return auth.redirect_with_flash("/login?email=" + http::url_encode(done->email),
                                  invitation
                                      ? "Welcome to Marketlink. Sign in with your new password."
                                      : "Your password is changed. Sign in with the new one.");
}

// --- Organization pages ---

http::Response IdentityPages::overview(http::Request& r, RequestContext& ctx) const {
  TemplateData d = org_page_data(ctx);
  const identity::Organization& org = *ctx.org;
  d.set("is_customer", org.kind == identity::OrgKind::kCustomer);
  const char* chip = "neutral";
  const char* label = "No plan";
  switch (org.subscription) {
    case identity::SubscriptionStatus::kNone: break;
    case identity::SubscriptionStatus::kTrial:
      chip = "wait";
      label = "Free trial";
      break;
    case identity::SubscriptionStatus::kActive:
      chip = "ok";
      label = "Active";
      break;
    case identity::SubscriptionStatus::kExpired:
      chip = "fail";
      label = "Expired";
      break;
  }
  d.set("subscription_chip", chip);
  d.set("subscription_label", label);
  if (org.subscription == identity::SubscriptionStatus::kTrial && org.trial_ends_at) {
    d.set("trial_ends", display_time(*org.trial_ends_at));
  }
  auto listed = identity.members(ctx.org_id());
  if (!listed.ok()) return auth.error(r, listed.error(), &ctx);
  int admins = 0;
  for (const auto& m : *listed) admins += m.role == identity::Role::kAdmin ? 1 : 0;
  d.set("member_count", std::to_string(listed->size()));
  d.set("admin_count", std::to_string(admins));
  d.set("one_admin", admins == 1);
  return pages.render(r, ctx, "org_overview", Frame{.title = org.name}, d);
}

http::Response IdentityPages::members_page(http::Request& r, RequestContext& ctx, TemplateData d,
                                           int status) const {
  auto listed = identity.members(ctx.org_id());
  if (!listed.ok()) return auth.error(r, listed.error(), &ctx);
  TemplateData list{TemplateData::type::list};
  for (const auto& m : *listed) {
    TemplateData row;
    row.set("user_id", m.user.id);
    row.set("name", m.user.name);
    row.set("email", m.user.email);
    row.set("role_label", identity::display_name(m.role));
    row.set("is_admin_role", m.role == identity::Role::kAdmin);
    row.set("is_you", ctx.user && ctx.user->id == m.user.id);
    row.set("joined", display_time(m.joined_at));
    row.set("can_edit", ctx.is_admin());
    if (!m.user.has_password) {
      row.set("status_label", "Invited");
      row.set("status_chip", "wait");
    } else if (!m.user.verified) {
      row.set("status_label", "Unconfirmed e-mail");
      row.set("status_chip", "wait");
    } else {
      row.set("status_label", "Active");
      row.set("status_chip", "ok");
    }
    list.push_back(row);
  }
  d.set("org", org_data(*ctx.org));
  d.set("is_admin", ctx.is_admin());
  d.set("members", list);
  d.set("member_count", std::to_string(listed->size()));
  d.set("one_member", listed->size() == 1);
  return pages.render(r, ctx, "members", Frame{.title = "Members", .breadcrumbs = org_crumbs(ctx)},
                      std::move(d), status);
}

http::Response IdentityPages::members(http::Request& r, RequestContext& ctx) const {
  return members_page(r, ctx, TemplateData{});
}

http::Response IdentityPages::invite(http::Request& r, RequestContext& ctx) const {
  const Form f(r);
  const auto role = identity::parse_role(f["role"]).value_or(identity::Role::kMember);
  auto invited = identity.invite(ctx.org_id(), f["email"], role, ctx.actor(r));
  if (!invited.ok()) {
    TemplateData d;
    d.set("invite_email", f["email"]);
    d.set("invite_admin", role == identity::Role::kAdmin);
    set_errors(d, invited.error());
    return members_page(r, ctx, d, status_of(invited.error()));
  }
  return auth.redirect_with_flash(
      members_path(ctx), invited->new_user
                             ? fmt::format("Invitation sent to {}.", invited->member.user.email)
                             : fmt::format("{} now has access as {}.", invited->member.user.email,
                                           identity::display_name(role)));
}

http::Response IdentityPages::change_role(http::Request& r, RequestContext& ctx) const {
  const Form f(r);
  const std::string back = members_path(ctx);
  const auto role = identity::parse_role(f["role"]);
  if (!role) return auth.redirect_with_flash(back, "Choose a role.", "fail");
  auto changed = identity.change_role(ctx.org_id(), r.param("user_id"), *role, ctx.actor(r));
  if (!changed.ok()) {
    if (changed.error().code == core::ErrorCode::kNotFound) {
      return auth.error(r, changed.error(), &ctx);
    }
    return auth.redirect_with_flash(back, changed.error().message, "fail");
  }
  return auth.redirect_with_flash(
      back, fmt::format("{} is now {}.", changed->user.email,
                        *role == identity::Role::kAdmin ? "an admin" : "a member"));
}

http::Response IdentityPages::remove_member(http::Request& r, RequestContext& ctx) const {
  const std::string back = members_path(ctx);
  auto removed = identity.remove_member(ctx.org_id(), r.param("user_id"), ctx.actor(r));
  if (!removed.ok()) {
    if (removed.error().code == core::ErrorCode::kNotFound) {
      return auth.error(r, removed.error(), &ctx);
    }
    return auth.redirect_with_flash(back, removed.error().message, "fail");
  }
  const bool self = ctx.user && ctx.user->id == r.param("user_id");
  return auth.redirect_with_flash(self ? "/" : back,
                                  self ? "You left " + ctx.org->name + "." : "Member removed.");
}

http::Response IdentityPages::tokens_page(http::Request& r, RequestContext& ctx, TemplateData d,
                                          int status) const {
  auto listed = identity.api_tokens(ctx.org_id());
  if (!listed.ok()) return auth.error(r, listed.error(), &ctx);
  TemplateData list{TemplateData::type::list};
  for (const auto& t : *listed) {
    TemplateData row;
    row.set("id", t.id);
    row.set("name", t.name);
    row.set("hint", t.hint);
    row.set("created_by", t.created_by);
    row.set("created_at", display_time(t.created_at));
    row.set("last_used", t.last_used_at ? display_time(*t.last_used_at) : "Never");
    row.set("revoked", t.revoked);
    row.set("status_label", t.revoked ? "Revoked" : "Active");
    row.set("status_chip", t.revoked ? "neutral" : "ok");
    list.push_back(row);
  }
  d.set("org", org_data(*ctx.org));
  d.set("tokens", list);
  d.set("has_tokens", !listed->empty());
  return pages.render(r, ctx, "tokens",
                      Frame{.title = "API tokens", .breadcrumbs = org_crumbs(ctx)}, std::move(d),
                      status);
}

http::Response IdentityPages::tokens(http::Request& r, RequestContext& ctx) const {
  return tokens_page(r, ctx, TemplateData{});
}

http::Response IdentityPages::create_token(http::Request& r, RequestContext& ctx) const {
  const Form f(r);
  auto created = identity.create_api_token(ctx.org_id(), f["name"], ctx.actor(r));
  TemplateData d;
  if (!created.ok()) {
    d.set("name", f["name"]);
    set_errors(d, created.error());
    return tokens_page(r, ctx, d, status_of(created.error()));
  }
  d.set("new_secret", created->secret);
  d.set("new_name", created->token.name);
  http::Response res = tokens_page(r, ctx, d, 201);
  res.set_header("Cache-Control", "no-store");
  return res;
}

http::Response IdentityPages::revoke_token(http::Request& r, RequestContext& ctx) const {
  auto revoked = identity.revoke_api_token(ctx.org_id(), r.param("token_id"), ctx.actor(r));
  if (!revoked.ok()) return auth.error(r, revoked.error(), &ctx);
  return auth.redirect_with_flash("/orgs/" + ctx.org->slug + "/tokens",
                                  "Token revoked. Requests using it now fail.");
}

http::Response IdentityPages::audit_log(http::Request& r, RequestContext& ctx) const {
  const std::string cursor = r.query("cursor").value_or("");
  auto page = audit.list(ctx.org_id(), 50, cursor);
  if (!page.ok()) return auth.error(r, page.error(), &ctx);
  TemplateData list{TemplateData::type::list};
  for (const auto& e : page->events) {
    TemplateData row;
    row.set("at", display_time(e.at));
    row.set("actor", e.actor_label);
    row.set("action", e.action);
    const bool bad = e.action.find("failed") != std::string::npos ||
                     e.action.find("blocked") != std::string::npos ||
                     e.action.find("throttled") != std::string::npos;
    row.set("chip", bad ? "fail" : "neutral");
    row.set("detail", e.detail);
    row.set("ip", e.ip.empty() ? "—" : e.ip);
    list.push_back(row);
  }
  TemplateData d = org_page_data(ctx);
  d.set("events", list);
  d.set("has_events", !page->events.empty());
  d.set("is_later_page", !cursor.empty());
  if (!page->next_cursor.empty()) d.set("next_cursor", http::url_encode(page->next_cursor));
  return pages.render(r, ctx, "audit", Frame{.title = "Audit log", .breadcrumbs = org_crumbs(ctx)},
                      d);
}

void IdentityPages::add_routes(http::Router& router) const {
  const IdentityPages& p = *this;
  using P = IdentityPages;
  router.get("/login", auth.anyone(to(p, &P::login_form)));
  router.post("/login", auth.anyone(to(p, &P::login)));
  router.post("/logout", auth.anyone(to(p, &P::logout)));
  router.get("/signup", auth.anyone(to(p, &P::signup_form)));
  router.post("/signup", auth.anyone(to(p, &P::signup)));
  router.get("/signup/check-email", auth.anyone(to(p, &P::check_email)));
  router.get("/verify-email", auth.anyone(to(p, &P::verify_email)));
  router.get("/verify-email/resend", auth.anyone(to(p, &P::resend_verification_form)));
  router.post("/verify-email/resend", auth.anyone(to(p, &P::resend_verification)));
  router.get("/password-reset", auth.anyone(to(p, &P::reset_request_form)));
  router.post("/password-reset", auth.anyone(to(p, &P::reset_request)));
  router.get("/password-reset/new", auth.anyone(to(p, &P::new_password_form)));
  router.post("/password-reset/new", auth.anyone(to(p, &P::new_password)));
  router.get("/invitations/accept", auth.anyone(to(p, &P::invitation_form)));
  router.post("/invitations/accept", auth.anyone(to(p, &P::accept_invitation)));

  router.get("/orgs/{org}", auth.member(to(p, &P::overview)));
  router.get("/orgs/{org}/members", auth.member(to(p, &P::members)));
  router.post("/orgs/{org}/members", auth.admin(to(p, &P::invite)));
  router.post("/orgs/{org}/members/{user_id}/role", auth.admin(to(p, &P::change_role)));
  router.post("/orgs/{org}/members/{user_id}/remove", auth.admin(to(p, &P::remove_member)));
  router.get("/orgs/{org}/tokens", auth.admin(to(p, &P::tokens)));
  router.post("/orgs/{org}/tokens", auth.admin(to(p, &P::create_token)));
  router.post("/orgs/{org}/tokens/{token_id}/revoke", auth.admin(to(p, &P::revoke_token)));
  router.get("/orgs/{org}/audit", auth.admin(to(p, &P::audit_log)));
}

}  // namespace web
