// The account pool's pages for provider organizations: /orgs/{org}/pool (the list with counts,
// filters, paging, selection and the stuck-provisioning report), adding, importing a CSV file,
// editing one account (with its status history) and deleting. Members see everything; only
// admins change anything. Registers the "Reselling → Account pool" navigation item.
#pragma once

#include "http/router.h"
#include "identity/audit_log.h"
#include "pool/pool.h"
#include "web/auth.h"
#include "web/pages.h"

namespace web {

// Everything referenced must outlive the router. Admin changes made here are also written to
// `audit` (imports, deletions, status moves, stuck resolutions).
void add_pool_pages(http::Router& router, Pages& pages, const Auth& auth, pool::Pool& pool,
                    identity::AuditLog& audit);

}  // namespace web
