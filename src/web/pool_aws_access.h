// A provider's AWS access for its pool: the keys and role Marketlink uses in pool accounts, and
// the access check. JSON: GET/PUT/DELETE /api/v1/orgs/{org}/pool/aws-access and
// POST /api/v1/orgs/{org}/pool/access-checks; page: /orgs/{org}/pool/settings. Provider admins
// only; the secret is never returned or shown.
#pragma once

#include "http/router.h"
#include "pool/aws_access.h"
#include "web/auth.h"
#include "web/pages.h"

namespace web {

// `access` must outlive the router.
void add_pool_aws_access_routes(http::Router& router, const Pages& pages, const Auth& auth,
                                pool::AwsAccess& access);

}  // namespace web
