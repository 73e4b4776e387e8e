#include "app/marketplace_usage_meter.h"

#include <signal.h>
#include <unistd.h>

#include <map>
#include <tuple>

#include "aws/metering.h"

namespace app {

namespace {

using Key = std::tuple<std::string, std::string, std::string, std::string, long long>;

Key key_of(const std::string& customer_identifier, const std::string& account,
           const std::string& license, const std::string& dimension, core::TimePoint t) {
  return {customer_identifier, account, license, dimension, core::unix_seconds(t)};
}

saas::MeterStatus status_of(const std::string& s) {
  if (s == "Success") return saas::MeterStatus::kSuccess;
  if (s == "CustomerNotSubscribed") return saas::MeterStatus::kCustomerNotSubscribed;
  if (s == "DuplicateRecord") return saas::MeterStatus::kDuplicateRecord;
  return saas::MeterStatus::kUnknown;
}

}  // namespace

MarketplaceUsageMeter::MarketplaceUsageMeter(const aws::ClientContext& context,
                                             std::shared_ptr<aws::CredentialsProvider> credentials,
                                             aws::ClientSettings settings,
                                             bool kill_after_call_for_test)
    : kill_after_call_(kill_after_call_for_test) {
  if (!credentials) return;
  settings.retry = kMeterRetry;
  client_ = std::make_unique<aws::AwsClient>(context, std::move(credentials), settings);
}

core::Result<saas::MeterAnswer> MarketplaceUsageMeter::meter(const saas::MeterBatch& batch) {
  if (!client_) {
    return core::unavailable(
        "No seller credentials are configured (MARKETLINK_SELLER_ACCESS_KEY_ID or AWS_*).");
  }
  aws::metering::BatchMeterUsageRequest request;
  if (!batch.concurrent_agreements) request.product_code = batch.product_code;
  std::map<Key, std::vector<size_t>> index;
  for (size_t i = 0; i < batch.records.size(); ++i) {
    const saas::MeterRecord& r = batch.records[i];
    request.usage_records.push_back({.timestamp = r.hour,
                                     .customer_identifier = r.customer_identifier,
                                     .customer_aws_account_id = r.customer_aws_account_id,
                                     .license_arn = r.license_arn,
                                     .dimension = r.dimension,
                                     .quantity = static_cast<int>(r.quantity),
                                     .usage_allocations = {}});
    index[key_of(r.customer_identifier, r.customer_aws_account_id, r.license_arn, r.dimension,
                 r.hour)]
        .push_back(i);
  }
  auto answered = aws::metering::MeteringClient(*client_).batch_meter_usage(request);
  if (kill_after_call_) {
    // What `kill -9` does, at exactly this point: no answer stored, no log flushed, no cleanup.
    ::kill(::getpid(), SIGKILL);
  }
  if (!answered.ok()) {
    const std::string code = aws::aws_error_code(answered.error());
    core::Error error = answered.error();
    error.message = "BatchMeterUsage failed (" + (code.empty() ? std::string("no answer") : code) +
                    "): " + error.message;
    return error;
  }
  saas::MeterAnswer out;
  const auto take = [&](const aws::metering::UsageRecord& r) -> std::optional<size_t> {
    auto it = index.find(key_of(r.customer_identifier, r.customer_aws_account_id, r.license_arn,
                                r.dimension, r.timestamp));
    // AWS may echo a concurrent-agreement record without its license, or a legacy one with
    // the account it resolved: fall back to the dimension and hour alone when unique.
    if (it == index.end() || it->second.empty()) {
      std::optional<size_t> only;
      int matches = 0;
      for (auto& [k, v] : index) {
        if (std::get<3>(k) == r.dimension && std::get<4>(k) == core::unix_seconds(r.timestamp) &&
            !v.empty() &&
            (r.customer_identifier.empty() || std::get<0>(k) == r.customer_identifier) &&
            (r.customer_aws_account_id.empty() || std::get<1>(k) == r.customer_aws_account_id)) {
          ++matches;
          only = v.front();
          it = index.find(k);
        }
      }
      if (matches != 1) return std::nullopt;
    }
    const size_t i = it->second.front();
    it->second.erase(it->second.begin());
    return i;
  };
  for (const auto& result : answered->results) {
    auto i = take(result.usage_record);
    if (!i) continue;
    out.results.push_back({.index = *i,
                           .status = status_of(result.status),
                           .status_text = result.status,
                           .metering_record_id = result.metering_record_id,
                           .quantity = result.usage_record.quantity.value_or(0)});
  }
  for (const auto& r : answered->unprocessed_records) {
    if (auto i = take(r)) out.unprocessed.push_back(*i);
  }
  // A record AWS did not mention is sent again, as if unprocessed.
  for (auto& [k, v] : index) {
    for (size_t i : v) out.unprocessed.push_back(i);
  }
  return out;
}

}  // namespace app
