// CustomerResolver: who a marketplace token belongs to. The saas domain asks it once per landing
// (and again only after AWS did not answer); the app implements it with aws::MeteringClient's
// ResolveCustomer, against AWS or the simulator, with the seller's own credentials. Tests use
// saas::testing::FakeResolver (saas_test_support.h).
//
// Contract for implementations:
//  - Retry throttling and AWS's internal errors briefly (a few attempts within about two
//    seconds: a buyer's browser is waiting), then answer unavailable.
//  - Never log, store or echo the token, not even in an error message.
//  - Safe for concurrent use from many threads.
#pragma once

#include <string>

#include "core/result.h"

namespace saas {

// What ResolveCustomer answers.
struct ResolvedBuyer {
  std::string product_code;
  std::string customer_identifier;      // "" for listings with concurrent agreements
  std::string customer_aws_account_id;  // 12 digits
  std::string license_arn;              // "" when AWS sends none (legacy listings)
};

// Errors (core::Error code / slug) an implementation answers with:
inline constexpr const char* kInvalidTokenSlug = "invalid_token";  // invalid: unknown/garbage
inline constexpr const char* kExpiredTokenSlug = "expired_token";  // invalid: older than 4 hours
inline constexpr const char* kAwsUnavailableSlug = "aws_unavailable";  // unavailable: after retries
// (throttled, AWS failing or unreachable, the API disabled for the seller, refused credentials).
// Any other error is treated as aws_unavailable.

class CustomerResolver {
 public:
  virtual ~CustomerResolver() = default;
  virtual core::Result<ResolvedBuyer> resolve(const std::string& token) = 0;
};

}  // namespace saas
