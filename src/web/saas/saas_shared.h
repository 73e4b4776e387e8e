// Private to web/saas: the parts saas_routes.cpp registers, and what they share.
#pragma once

#include <string>

#include "core/result.h"
#include "http/message.h"
#include "http/router.h"
#include "saas/saas.h"
#include "web/auth.h"
#include "web/pages.h"
#include "web/saas/saas_routes.h"

namespace web {

// The routes of each part (see saas_routes.h); each adds its own templates and navigation.
// Everything referenced must outlive the router.
// The buyer's path: /aws/fulfillment and /onboarding/…  (saas_onboarding_pages.cpp)
core::Status add_onboarding_routes(http::Router& router, Pages& pages, const Auth& auth,
                                   saas::SaasService& saas, const SaasWebSettings& settings);
// /operator/products and /operator/registrations  (saas_operator_pages.cpp)
core::Status add_operator_pages(http::Router& router, Pages& pages, const Auth& auth,
                                saas::SaasService& saas);
// /orgs/{org}/subscription and /orgs/{org}/billing  (saas_billing_pages.cpp)
core::Status add_billing_pages(http::Router& router, Pages& pages, const Auth& auth,
                               saas::SaasService& saas, const SaasWebSettings& settings);
// /api/v1/products…, /api/v1/registrations…, /api/v1/orgs/{org}/subscription  (saas_api.cpp)
void add_saas_api(http::Router& router, const Auth& auth, saas::SaasService& saas,
                  const saas::MeteringService* metering = nullptr);

}  // namespace web
