// Selling on AWS Marketplace on the web (docs/api.md, "SaaS"):
//  - the buyer's path: POST/GET /aws/fulfillment (AWS Marketplace's "Set up product"), the
//    onboarding steps at /onboarding/{id}… (existing or new account, authorize, done) and their
//    error pages with a support reference;
//  - the platform operator's pages and API: /operator/products, /operator/registrations,
//    /api/v1/products…, /api/v1/registrations…;
//  - an organization's subscription and billing: /orgs/{org}/subscription, /orgs/{org}/billing,
//    GET /api/v1/orgs/{org}/subscription.
// Registers the templates and navigation items of each. Call once at start-up; everything
// referenced must outlive the router.
#pragma once

#include <string>

#include "core/result.h"
#include "http/router.h"
#include "saas/metering.h"
#include "saas/saas.h"
#include "web/auth.h"
#include "web/pages.h"

namespace web {

struct SaasWebSettings {
  // Where a customer organization manages its payment method with the seller (the Billing
  // page's payment-method section); "" shows no link.
  std::string billing_url;
  // Where buyers find their AWS Marketplace subscriptions, to start again from "Set up product"
  // when the product is not known (the sandbox: the simulator's console).
  std::string subscriptions_url = "https://aws.amazon.com/marketplace/library";
  // Adds `Secure` to the onboarding cookie (set when the public URL is https).
  bool secure_cookies = false;
  // Usage metering: each subscription of GET /api/v1/orgs/{org}/subscription then carries its
  // usage this hour and this month. Null: no usage shown.
  const saas::MeteringService* metering = nullptr;
};

core::Status add_saas_routes(http::Router& router, Pages& pages, const Auth& auth,
                             saas::SaasService& saas, const SaasWebSettings& settings);

}  // namespace web
