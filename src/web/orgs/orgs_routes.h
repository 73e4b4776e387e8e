// Marketplaces' AWS organizations on the web (docs/api.md, "AWS organizations"), for marketplace
// admins only (members and other organizations get 404/403 as Auth says):
//  - the page /marketplaces/{mp}/settings/aws: what to prepare first, the list (account, region,
//    masked key, pattern, default, last check), Add Organization with example addresses, edit,
//    remove, check again; /orgs/{org}/settings/aws leads there ("Settings → AWS organizations");
//  - the JSON API /api/v1/marketplaces/{mp}/aws-organizations (GET, POST), …/{id} (PATCH,
//    DELETE) and …/{id}/checks (POST). A failed check answers 422 with the checks.
// The secret is never returned, rendered or logged. Call once at start-up; everything referenced
// must outlive the router.
#pragma once

#include "core/result.h"
#include "http/router.h"
#include "orgs/aws_organizations.h"
#include "web/auth.h"
#include "web/pages.h"

namespace web {

core::Status add_orgs_routes(http::Router& router, Pages& pages, const Auth& auth,
                             orgs::AwsOrganizations& organizations);

}  // namespace web
