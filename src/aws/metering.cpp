#include "aws/metering.h"

#include "aws/codec_internal.h"

namespace aws::detail {

using namespace aws::metering;

template <>
struct Shape<Tag> {
  static constexpr auto kFields =
      std::make_tuple(field("Key", &Tag::key, kRequired), field("Value", &Tag::value, kRequired));
};

template <>
struct Shape<UsageAllocation> {
  static constexpr auto kFields = std::make_tuple(
      field("AllocatedUsageQuantity", &UsageAllocation::allocated_usage_quantity, kRequired),
      field("Tags", &UsageAllocation::tags));
};

template <>
struct Shape<UsageRecord> {
  static constexpr auto kFields =
      std::make_tuple(field("Timestamp", &UsageRecord::timestamp, kRequired),
                      field("CustomerIdentifier", &UsageRecord::customer_identifier),
                      field("Dimension", &UsageRecord::dimension, kRequired),
                      field("Quantity", &UsageRecord::quantity),
                      field("UsageAllocations", &UsageRecord::usage_allocations),
                      field("CustomerAWSAccountId", &UsageRecord::customer_aws_account_id),
                      field("LicenseArn", &UsageRecord::license_arn));
};

template <>
struct Shape<ResolveCustomerRequest> {
  static constexpr auto kFields = std::make_tuple(
      field("RegistrationToken", &ResolveCustomerRequest::registration_token, kRequired));
};

template <>
struct Shape<ResolveCustomerResponse> {
  static constexpr auto kFields = std::make_tuple(
      field("CustomerIdentifier", &ResolveCustomerResponse::customer_identifier),
      field("ProductCode", &ResolveCustomerResponse::product_code),
      field("CustomerAWSAccountId", &ResolveCustomerResponse::customer_aws_account_id),
      field("LicenseArn", &ResolveCustomerResponse::license_arn));
};

template <>
struct Shape<BatchMeterUsageRequest> {
  static constexpr auto kFields =
      std::make_tuple(field("UsageRecords", &BatchMeterUsageRequest::usage_records, kRequired),
                      field("ProductCode", &BatchMeterUsageRequest::product_code));
};

template <>
struct Shape<UsageRecordResult> {
  static constexpr auto kFields =
      std::make_tuple(field("UsageRecord", &UsageRecordResult::usage_record),
                      field("MeteringRecordId", &UsageRecordResult::metering_record_id),
                      field("Status", &UsageRecordResult::status));
};

template <>
struct Shape<BatchMeterUsageResponse> {
  static constexpr auto kFields =
      std::make_tuple(field("Results", &BatchMeterUsageResponse::results),
                      field("UnprocessedRecords", &BatchMeterUsageResponse::unprocessed_records));
};

template <>
struct Shape<MeterUsageRequest> {
  static constexpr auto kFields =
      std::make_tuple(field("ProductCode", &MeterUsageRequest::product_code, kRequired),
                      field("Timestamp", &MeterUsageRequest::timestamp, kRequired),
                      field("UsageDimension", &MeterUsageRequest::usage_dimension, kRequired),
                      field("UsageQuantity", &MeterUsageRequest::usage_quantity),
                      field("DryRun", &MeterUsageRequest::dry_run),
                      field("UsageAllocations", &MeterUsageRequest::usage_allocations),
                      field("ClientToken", &MeterUsageRequest::client_token));
};

template <>
struct Shape<MeterUsageResponse> {
  static constexpr auto kFields =
      std::make_tuple(field("MeteringRecordId", &MeterUsageResponse::metering_record_id));
};

}  // namespace aws::detail

namespace aws {
template struct Codec<metering::ResolveCustomer>;
template struct Codec<metering::BatchMeterUsage>;
template struct Codec<metering::MeterUsage>;
}  // namespace aws
