// UsageMeter: what metering needs from AWS Marketplace — one BatchMeterUsage call. Declared by
// saas, implemented in app/ with the aws client and the seller's credentials (and by fakes in
// tests). No AWS wire type crosses it.
//
// Thread safety: implementations are safe for concurrent use.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace saas {

// One hour of one dimension of one buyer. Legacy listings name the buyer by
// customer_identifier; concurrent-agreement listings by customer_aws_account_id + license_arn.
struct MeterRecord {
  std::string customer_identifier;
  std::string customer_aws_account_id;
  std::string license_arn;
  std::string dimension;
  core::TimePoint hour;  // the hour's start: the record's timestamp
  long long quantity = 0;
};

// At most kMaxMeterBatch records of one product.
struct MeterBatch {
  std::string product_code;
  // true: records carry account id + license ARN and the call carries no product code.
  bool concurrent_agreements = true;
  std::vector<MeterRecord> records;
};
inline constexpr size_t kMaxMeterBatch = 25;

enum class MeterStatus { kSuccess, kCustomerNotSubscribed, kDuplicateRecord, kUnknown };

struct MeterResult {
  size_t index = 0;  // of the record in the batch
  MeterStatus status = MeterStatus::kUnknown;
  std::string status_text;  // as AWS wrote it
  std::string metering_record_id;
  long long quantity = 0;  // the record's quantity as AWS echoed it
};

// Every record of the batch is in exactly one of the two lists.
struct MeterAnswer {
  std::vector<MeterResult> results;
  std::vector<size_t> unprocessed;  // indexes of records AWS asks to send again
};

class UsageMeter {
 public:
  virtual ~UsageMeter() = default;
  // Errors: unavailable (throttling or AWS down, after the client's own retries; the message
  // names AWS's error code), invalid (AWS refused the whole batch, e.g.
  // TimestampOutOfBoundsException), internal.
  virtual core::Result<MeterAnswer> meter(const MeterBatch& batch) = 0;
};

}  // namespace saas
