// MarketplaceCustomerResolver: saas::CustomerResolver over AWS Marketplace Metering's
// ResolveCustomer, called with the seller's credentials (against AWS or the simulator). A buyer's
// browser waits on it, so it retries briefly (kResolveRetry) and answers aws_unavailable after.
// The token is sent to AWS only: never logged, never in an error. Safe for concurrent use.
#pragma once

#include <memory>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "saas/customer_resolver.h"

namespace app {

// A few attempts within about two seconds.
inline constexpr aws::RetrySettings kResolveRetry = {.max_attempts = 3,
                                                     .base_delay = std::chrono::milliseconds(100),
                                                     .max_delay = std::chrono::milliseconds(800),
                                                     .max_total = std::chrono::milliseconds(2000)};

class MarketplaceCustomerResolver final : public saas::CustomerResolver {
 public:
  // `credentials` null: no seller credentials are configured; every resolve answers
  // aws_unavailable saying so. `context` must outlive this object.
  MarketplaceCustomerResolver(const aws::ClientContext& context,
                              std::shared_ptr<aws::CredentialsProvider> credentials,
                              aws::ClientSettings settings);

  core::Result<saas::ResolvedBuyer> resolve(const std::string& token) override;

 private:
  std::unique_ptr<aws::AwsClient> client_;
};

}  // namespace app
