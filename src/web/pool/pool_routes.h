// The account pool on the web, for provider organizations (docs/api.md, "Account pool"):
//  - add_pool_routes: the pages at /orgs/{org}/pool (the list with counts, filters, paging,
//    selection and stuck accounts; adding, importing a CSV file, editing with the account's
//    history, deleting) and the JSON API /api/v1/orgs/{org}/pool/accounts… and …/allocations….
//    Registers the pool's templates and the "Reselling → Account pool" navigation item.
//  - add_pool_aws_access_routes: the provider's AWS access and the access check, at
//    /orgs/{org}/pool/settings and /api/v1/orgs/{org}/pool/aws-access, …/access-checks.
// Members read; admins (and API tokens) change; the secret is never returned or shown. Call once
// each at start-up; everything referenced must outlive the router.
#pragma once

#include "core/result.h"
#include "http/router.h"
#include "pool/aws_access.h"
#include "pool/pool.h"
#include "web/auth.h"
#include "web/pages.h"

namespace web {

core::Status add_pool_routes(http::Router& router, Pages& pages, const Auth& auth,
                             pool::Pool& pool);
core::Status add_pool_aws_access_routes(http::Router& router, Pages& pages, const Auth& auth,
                                        pool::AwsAccess& access);

}  // namespace web
