// Private to src/web: what the account pool's JSON API (pool_api.cpp) and its pages
// (pool_pages.cpp) read from requests the same way: the actor the pool's history records and the
// list filters of the query string.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "http/message.h"
#include "identity/audit_log.h"
#include "pool/pool.h"
#include "web/request_context.h"

namespace web {

// The organizations the pool's routes serve.
inline const std::vector<identity::OrgKind> kProviderOrgs = {identity::OrgKind::kProvider};

// Writes a change made through the pool's pages or API to the organization's audit log
// (target "account" with an account id, else "pool"). The change is made and in the pool's
// history already: a failed audit write is logged and does not turn the answer into an error.
void record_pool_change(identity::AuditLog& audit, const http::Request& request,
                        const RequestContext& ctx, const std::string& action,
                        const std::string& account_id, const std::string& detail);

// Who the pool's history records: "user:<id>" for a signed-in user, "token:<id>" for an API token.
std::string pool_actor(const RequestContext& ctx);

// The list filters of a query string: status, marketplace_id, model and q (the digits an account
// id starts with). Empty values mean no filter. An invalid error names the bad field in `details`.
core::Result<pool::AccountFilter> pool_list_filter(const http::Request& request);

}  // namespace web
