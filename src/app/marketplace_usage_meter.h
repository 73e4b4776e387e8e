// MarketplaceUsageMeter: saas::UsageMeter over AWS Marketplace Metering's BatchMeterUsage, called
// with the seller's credentials (against AWS or the simulator). Concurrent-agreement batches
// carry no ProductCode (AWS refuses it beside LicenseArn); legacy ones carry it. Results are
// matched to the batch's records by customer, dimension and hour. The client retries throttling
// and 5xx a few times (kMeterRetry); after that the call answers unavailable and the job retries
// later. Safe for concurrent use.
#pragma once

#include <memory>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "saas/usage_meter.h"

namespace app {

inline constexpr aws::RetrySettings kMeterRetry = {.max_attempts = 4,
                                                   .base_delay = std::chrono::milliseconds(200),
                                                   .max_delay = std::chrono::milliseconds(5000),
                                                   .max_total = std::chrono::milliseconds(20000)};

class MarketplaceUsageMeter final : public saas::UsageMeter {
 public:
  // `credentials` null: no seller credentials; every call answers unavailable saying so.
  // `kill_after_call_for_test`: the process kills itself with SIGKILL right after a call took
  // effect, before its answer is returned (MARKETLINK_TEST_KILL_AFTER_METER, crash tests only).
  MarketplaceUsageMeter(const aws::ClientContext& context,
                        std::shared_ptr<aws::CredentialsProvider> credentials,
                        aws::ClientSettings settings, bool kill_after_call_for_test = false);

  core::Result<saas::MeterAnswer> meter(const saas::MeterBatch& batch) override;

 private:
  std::unique_ptr<aws::AwsClient> client_;
  bool kill_after_call_;
};

}  // namespace app
