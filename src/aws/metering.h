// AWS Marketplace Metering Service (json 1.1, X-Amz-Target AWSMPMeteringService.<Op>, signing
// name aws-marketplace, regional): ResolveCustomer, BatchMeterUsage, MeterUsage.
// Structs mirror the botocore model field for field; an empty string or list is "absent".
// Facade methods are safe for concurrent use and fail as AwsClient::call does (aws_client.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aws/aws_client.h"
#include "aws/codec.h"
#include "core/clock.h"

namespace aws::metering {

struct Tag {
  std::string key;
  std::string value;
};

struct UsageAllocation {
  int allocated_usage_quantity = 0;
  std::vector<Tag> tags;
};

// One hour of one dimension for one customer. The buyer is either the legacy
// customer_identifier or customer_aws_account_id plus license_arn.
struct UsageRecord {
  core::TimePoint timestamp;  // the usage hour, not "now"
  std::string customer_identifier;
  std::string customer_aws_account_id;
  std::string license_arn;
  std::string dimension;
  std::optional<int> quantity;
  std::vector<UsageAllocation> usage_allocations;
};

struct ResolveCustomerRequest {
  std::string registration_token;  // x-amzn-marketplace-token from the fulfillment form
};
struct ResolveCustomerResponse {
  std::string customer_identifier;  // empty for listings that identify by account and license
  std::string product_code;
  std::string customer_aws_account_id;
  std::string license_arn;
};

// At most 25 records (1 MB), one product per call.
struct BatchMeterUsageRequest {
  std::vector<UsageRecord> usage_records;
  std::string product_code;
};
struct UsageRecordResult {
  UsageRecord usage_record;
  std::string metering_record_id;
  std::string status;  // "Success", "CustomerNotSubscribed" or "DuplicateRecord"
};
struct BatchMeterUsageResponse {
  std::vector<UsageRecordResult> results;
  std::vector<UsageRecord> unprocessed_records;  // to be sent again
};

struct MeterUsageRequest {
  std::string product_code;
  core::TimePoint timestamp;
  std::string usage_dimension;
  std::optional<int> usage_quantity;
  std::optional<bool> dry_run;
  std::vector<UsageAllocation> usage_allocations;
  std::string client_token;
};
struct MeterUsageResponse {
  std::string metering_record_id;
};

struct ResolveCustomer {
  using Request = ResolveCustomerRequest;
  using Response = ResolveCustomerResponse;
  static constexpr Service kService = Service::kMetering;
  static constexpr std::string_view kName = "ResolveCustomer";
};
struct BatchMeterUsage {
  using Request = BatchMeterUsageRequest;
  using Response = BatchMeterUsageResponse;
  static constexpr Service kService = Service::kMetering;
  static constexpr std::string_view kName = "BatchMeterUsage";
};
struct MeterUsage {
  using Request = MeterUsageRequest;
  using Response = MeterUsageResponse;
  static constexpr Service kService = Service::kMetering;
  static constexpr std::string_view kName = "MeterUsage";
};

class MeteringClient {
 public:
  explicit MeteringClient(AwsClient client) : client_(std::move(client)) {}

  core::Result<ResolveCustomerResponse> resolve_customer(const ResolveCustomerRequest& r) const {
    return client_.call<ResolveCustomer>(r);
  }
  core::Result<BatchMeterUsageResponse> batch_meter_usage(const BatchMeterUsageRequest& r) const {
    return client_.call<BatchMeterUsage>(r);
  }
  core::Result<MeterUsageResponse> meter_usage(const MeterUsageRequest& r) const {
    return client_.call<MeterUsage>(r);
  }

 private:
  AwsClient client_;
};

}  // namespace aws::metering

namespace aws {
extern template struct Codec<metering::ResolveCustomer>;
extern template struct Codec<metering::BatchMeterUsage>;
extern template struct Codec<metering::MeterUsage>;
}  // namespace aws
