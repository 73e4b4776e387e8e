// Usage metering on the API (docs/api.md, "Usage metering"):
//   POST /api/v1/usage            the seller's application reports usage (operator token)
//   POST /api/v1/usage/import     a CSV file of usage (operator admins)
//   POST /api/v1/metering/run     meter every closed hour now, as the hourly job does
//   GET  /api/v1/metering/late    late usage, newest first (operator members)
//   GET  /api/v1/orgs/{org}/usage an organization's usage this hour and this month
// Everything referenced must outlive the router.
#pragma once

#include "http/router.h"
#include "saas/metering.h"
#include "web/auth.h"

namespace web {

void add_metering_routes(http::Router& router, const Auth& auth, saas::MeteringService& metering);

}  // namespace web
