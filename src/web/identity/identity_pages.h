// Private to web/identity: identity's pages — sign-up, e-mail verification, sign-in/out, password
// reset, invitations, and per organization the overview, members, API tokens and audit log. One
// method per route; add_routes() is their table.
#pragma once

#include "http/router.h"
#include "http/templates.h"
#include "identity/audit_log.h"
#include "identity/identity_service.h"
#include "web/auth.h"
#include "web/pages.h"

namespace web {

struct IdentityPages {
  Pages& pages;
  const Auth& auth;
  identity::AuditLog& audit;
  identity::IdentityService& identity;

  // Sign in and out.
  http::Response login_form(http::Request& r, RequestContext& ctx) const;
  http::Response login(http::Request& r, RequestContext& ctx) const;
  http::Response logout(http::Request& r, RequestContext& ctx) const;
  // Sign-up and e-mail verification.
  http::Response signup_form(http::Request& r, RequestContext& ctx) const;
  http::Response signup(http::Request& r, RequestContext& ctx) const;
  http::Response check_email(http::Request& r, RequestContext& ctx) const;
  http::Response verify_email(http::Request& r, RequestContext& ctx) const;
  http::Response resend_verification_form(http::Request& r, RequestContext& ctx) const;
  http::Response resend_verification(http::Request& r, RequestContext& ctx) const;
  // Password reset and invitations (both end with choosing a password).
  http::Response reset_request_form(http::Request& r, RequestContext& ctx) const;
  http::Response reset_request(http::Request& r, RequestContext& ctx) const;
  http::Response new_password_form(http::Request& r, RequestContext& ctx) const;
  http::Response new_password(http::Request& r, RequestContext& ctx) const;
  http::Response invitation_form(http::Request& r, RequestContext& ctx) const;
  http::Response accept_invitation(http::Request& r, RequestContext& ctx) const;
  // An organization's pages.
  http::Response overview(http::Request& r, RequestContext& ctx) const;
  http::Response members(http::Request& r, RequestContext& ctx) const;
  http::Response invite(http::Request& r, RequestContext& ctx) const;
  http::Response change_role(http::Request& r, RequestContext& ctx) const;
  http::Response remove_member(http::Request& r, RequestContext& ctx) const;
  http::Response tokens(http::Request& r, RequestContext& ctx) const;
  http::Response create_token(http::Request& r, RequestContext& ctx) const;
  http::Response revoke_token(http::Request& r, RequestContext& ctx) const;
  http::Response audit_log(http::Request& r, RequestContext& ctx) const;

  void add_routes(http::Router& router) const;

 private:
  http::Response login_page(http::Request& r, RequestContext& ctx, http::TemplateData d,
                            int status = 200) const;
  http::Response members_page(http::Request& r, RequestContext& ctx, http::TemplateData d,
                              int status = 200) const;
  http::Response tokens_page(http::Request& r, RequestContext& ctx, http::TemplateData d,
                             int status = 200) const;
  // The form that ends a password reset (invitation false) or an invitation.
  http::Response password_form(http::Request& r, RequestContext& ctx, bool invitation) const;
  http::Response set_password(http::Request& r, RequestContext& ctx, bool invitation) const;
  http::Response password_page(http::Request& r, RequestContext& ctx, bool invitation,
                               http::TemplateData d, int status) const;
  http::Response bad_link(http::Request& r, RequestContext& ctx, const core::Error& e,
                          bool invitation) const;
};

}  // namespace web
