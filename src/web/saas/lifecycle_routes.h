// What AWS tells the seller, and what the seller's application asks (docs/api.md, "SaaS"):
//  - POST /aws/events: EventBridge's API destination. The shared secret header
//    X-Marketlink-Events-Secret must equal LifecycleWebSettings::events_secret (compared in
//    constant time): 401 without it or when wrong; 503 when no secret is configured (never
//    accepted then). A valid event is stored and answered 202 at once; the job applies it.
//  - POST /aws/sns: SNS's HTTP(S) subscription (legacy listings), through saas::SnsIntake: 200
//    for a notification stored (or seen before) and a subscription confirmed; 400 malformed; 403
//    refused (topic, certificate URL, signature); 503 when a fetch failed (SNS delivers again).
//    Not registered when `sns` is null.
//  - GET /api/v1/orgs/{org}/entitlements?product_code=: from the database only. The
//    organization's members and tokens, and the platform operator's, may ask; anyone else gets
//    404 as for a missing organization.
// Everything referenced must outlive the router.
#pragma once

#include <string>

#include "http/router.h"
#include "saas/lifecycle.h"
#include "saas/sns_intake.h"
#include "web/auth.h"

namespace web {

struct LifecycleWebSettings {
  std::string events_secret;  // MARKETLINK_EVENTS_SECRET; "" refuses every event (503)
};

inline constexpr const char* kEventsSecretHeader = "X-Marketlink-Events-Secret";

void add_lifecycle_routes(http::Router& router, const Auth& auth, saas::LifecycleService& lifecycle,
                          saas::SnsIntake* sns, const LifecycleWebSettings& settings);

// Equal texts, in a time that depends on their lengths only.
bool constant_time_equal(const std::string& a, const std::string& b);

}  // namespace web
