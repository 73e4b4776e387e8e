// Identity on the web: the pages of sign-up, e-mail verification, sign-in/out, password reset and
// invitations, each organization's overview, members, API tokens and audit log, and identity's
// JSON API (docs/api.md). Registers identity's templates and the "Organization" navigation on
// `pages`, then its routes. Call once at start-up; everything referenced must outlive the router.
#pragma once

#include "core/result.h"
#include "http/router.h"
#include "identity/audit_log.h"
#include "web/auth.h"
#include "web/pages.h"

namespace web {

core::Status add_identity_routes(http::Router& router, Pages& pages, const Auth& auth,
                                 identity::AuditLog& audit);

}  // namespace web
