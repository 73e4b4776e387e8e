// Identity's pages and JSON API: sign-up, e-mail verification, sign-in/out, password reset,
// invitations, and per organization the overview, members, API tokens and audit log. Also
// registers the "Organization" navigation items. Call once at start-up.
#pragma once

#include "http/router.h"
#include "identity/audit_log.h"
#include "web/auth.h"
#include "web/pages.h"

namespace web {

// Pages: /login, /logout, /signup, /verify-email, /password-reset, /invitations/accept,
// /orgs/{org}, /orgs/{org}/members, /orgs/{org}/tokens, /orgs/{org}/audit.
void add_identity_pages(http::Router& router, Pages& pages, const Auth& auth,
                        identity::AuditLog& audit);
// JSON: /api/v1/me, /api/v1/orgs/{org}, …/members, …/tokens, …/audit (see docs/api.md).
void add_identity_api(http::Router& router, const Auth& auth, identity::AuditLog& audit);

}  // namespace web
