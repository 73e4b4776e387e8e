// Private to web/pool: what the account pool's pages (pool_pages.cpp), its JSON API
// (pool_api.cpp) and its AWS access routes (pool_aws_access.cpp) share — who makes a change, the
// list filters of a query string — and the functions pool_routes.cpp registers them with.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "http/message.h"
#include "http/router.h"
#include "pool/aws_access.h"
#include "pool/pool.h"
#include "web/auth.h"
#include "web/pages.h"
#include "web/request_context.h"

namespace web {

// The organizations the pool's routes serve.
inline const std::vector<identity::OrgKind> kProviderOrgs = {identity::OrgKind::kProvider};

// Who makes a change through the pool's pages or API: "user:<id>" for a signed-in user,
// "token:<id>" for an API token in the pool's history, and the request's actor in the audit log.
pool::ChangedBy changed_by(const http::Request& request, const RequestContext& ctx);

// The list filters of a query string: status, marketplace_id, model and q (the digits an account
// id starts with). Empty values mean no filter. An invalid error names the bad field in `details`.
core::Result<pool::AccountFilter> pool_list_filter(const http::Request& request);

// The routes of each part (see pool_routes.h). Everything referenced must outlive the router.
void add_pool_pages(http::Router& router, Pages& pages, const Auth& auth, pool::Pool& pool);
void add_pool_api(http::Router& router, const Auth& auth, pool::Pool& pool);
void add_aws_access_routes(http::Router& router, const Pages& pages, const Auth& auth,
                           pool::AwsAccess& access);

}  // namespace web
