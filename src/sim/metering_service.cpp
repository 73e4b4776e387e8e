// AWS Marketplace Metering Service (json 1.1, AWSMPMeteringService): ResolveCustomer,
// BatchMeterUsage and MeterUsage, with AWS's de-duplication per product, customer, dimension
// and hour. BatchMeterUsage takes ProductCode with CustomerIdentifier records (legacy
// listings) or no ProductCode and CustomerAWSAccountId + LicenseArn records (concurrent
// agreements; the product is the licenses'); never ProductCode together with LicenseArn.
#include <fmt/format.h>

#include <cmath>

#include "sim/sim_state.h"

namespace sim {

namespace {

constexpr long long kMaxQuantity = 2147483647;
constexpr auto kFutureAllowance = std::chrono::minutes(5);

const Product& sellers_product(Ctx& ctx, const Call& call, const std::string& code) {
  auto it = ctx.st.products.find(code);
  if (it == ctx.st.products.end() || it->second.seller_account_id != call.caller.account_id) {
    throw_error(400, "InvalidProductCodeException",
                fmt::format("Product code {} is invalid or not owned by the caller.", code));
  }
  return it->second;
}

core::TimePoint parse_timestamp(const Json& value, std::string_view field) {
  if (value.is_number()) {
    const double secs = value.get<double>();
    return core::TimePoint(
        std::chrono::milliseconds(static_cast<long long>(std::llround(secs * 1000.0))));
  }
  if (value.is_string()) {
    if (auto t = core::parse_rfc3339(value.get<std::string>())) return *t;
  }
  throw_error(400, "ValidationException", fmt::format("{} must be a timestamp.", field));
}

void check_window(const Ctx& ctx, core::TimePoint t) {
  if (t < ctx.now - ctx.st.settings.metering_window || t > ctx.now + kFutureAllowance) {
    throw_error(
        400, "TimestampOutOfBoundsException",
        fmt::format("Timestamp {} is out of the allowed range ({} h before now).", iso8601(t),
                    static_cast<double>(ctx.st.settings.metering_window.count()) / 3600.0));
  }
}

long long hour_of(core::TimePoint t) {
  const long long secs = core::unix_seconds(t);
  return secs - (((secs % 3600) + 3600) % 3600);
}

void check_dimension(const Product& product, const std::string& dimension) {
  bool known = false;
  for (const auto& [name, description] : product.dimensions) known = known || name == dimension;
  if (!known || product.pricing_model == "contract" || product.pricing_model == "free") {
    throw_error(400, "InvalidUsageDimensionException",
                fmt::format("The usage dimension {} does not match one of the metering dimensions "
                            "of product {}.",
                            dimension, product.code));
  }
}

long long quantity_of(const Json& record, std::string_view field) {
  const std::string key(field);
  if (!record.contains(key)) return 0;
  const Json& q = record[key];
  if (!q.is_number_integer() || q.get<long long>() < 0 || q.get<long long>() > kMaxQuantity) {
    throw_error(400, "ValidationException",
                fmt::format("{} must be an integer between 0 and {}.", key, kMaxQuantity));
  }
  return q.get<long long>();
}

void check_allocations(const Json& record, long long quantity) {
  if (!record.contains("UsageAllocations")) return;
  const Json& allocations = record["UsageAllocations"];
  if (!allocations.is_array() || allocations.empty()) {
    throw_error(400, "InvalidUsageAllocationsException",
                "UsageAllocations must be a non-empty list.");
  }
  long long sum = 0;
  for (const auto& a : allocations) {
    if (!a.is_object() || !a.contains("AllocatedUsageQuantity") ||
        !a["AllocatedUsageQuantity"].is_number_integer()) {
      throw_error(400, "InvalidUsageAllocationsException",
                  "Every allocation needs an integer AllocatedUsageQuantity.");
    }
    sum += a["AllocatedUsageQuantity"].get<long long>();
    if (a.contains("Tags")) {
      if (!a["Tags"].is_array() || a["Tags"].size() > 5) {
        throw_error(400, "InvalidTagException", "An allocation carries at most 5 tags.");
      }
      for (const auto& tag : a["Tags"]) {
        if (!tag.is_object() || !tag.contains("Key") || !tag.contains("Value") ||
            !tag["Key"].is_string() || !tag["Value"].is_string()) {
          throw_error(400, "InvalidTagException", "Every tag needs a Key and a Value.");
        }
      }
    }
  }
  if (sum != quantity) {
    throw_error(400, "InvalidUsageAllocationsException",
                fmt::format("The allocated quantities add up to {}, not to the record's {}.", sum,
                            quantity));
  }
}

bool subscribed(const Agreement& a) {
  return a.status == "active" || a.status == "unsubscribe-pending";
}

// The agreement a usage record is for, and the customer part of its de-duplication key.
struct Customer {
  const Agreement* agreement = nullptr;  // null: unknown customer
  std::string key;
};

Customer find_customer(Ctx& ctx, const std::string& product_code, const Json& record) {
  const std::string account = json_string(record, "CustomerAWSAccountId", false);
  const std::string license = json_string(record, "LicenseArn", false);
  const std::string identifier = json_string(record, "CustomerIdentifier", false);
  Customer found;
  if (!account.empty()) {
    found.key = account + "|" + license;
    for (auto it = ctx.st.agreement_order.rbegin(); it != ctx.st.agreement_order.rend(); ++it) {
      const Agreement& a = ctx.st.agreements.at(*it);
      if (a.product_code != product_code || a.buyer_account_id != account) continue;
      if (!license.empty() && a.license_arn != license) continue;
      if (found.agreement == nullptr || (subscribed(a) && !subscribed(*found.agreement)))
        found.agreement = &a;
    }
    if (found.agreement && license.empty())
      found.key = account + "|" + found.agreement->license_arn;
    return found;
  }
  if (identifier.empty()) {
    throw_error(400, "InvalidCustomerIdentifierException",
                "A usage record needs CustomerIdentifier or CustomerAWSAccountId.");
  }
  found.key = identifier;
  for (auto it = ctx.st.agreement_order.rbegin(); it != ctx.st.agreement_order.rend(); ++it) {
    const Agreement& a = ctx.st.agreements.at(*it);
    if (a.product_code != product_code || a.customer_identifier != identifier) continue;
    if (found.agreement == nullptr || (subscribed(a) && !subscribed(*found.agreement)))
      found.agreement = &a;
  }
  return found;
}

std::string new_record_id() {
  const std::string hex = random_chars(32, "0123456789abcdef");
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                     hex.substr(16, 4), hex.substr(20, 12));
}

// Records one usage; returns the status and the metering record id (empty when none).
std::pair<std::string, std::string> meter(Ctx& ctx, const std::string& operation,
                                          const std::string& product_code, const Customer& customer,
                                          const std::string& dimension, core::TimePoint timestamp,
                                          long long quantity, const Json& allocations) {
  MeteringRecord r;
  r.product_code = product_code;
  r.customer = customer.key;
  r.dimension = dimension;
  r.hour = hour_of(timestamp);
  r.quantity = quantity;
  r.timestamp = timestamp;
  r.received = ctx.now;
  r.operation = operation;
  r.allocations = allocations.is_array() ? allocations : Json::array();
  if (customer.agreement == nullptr || !subscribed(*customer.agreement)) {
    r.status = "CustomerNotSubscribed";
    ctx.st.metering.push_back(r);
    return {r.status, ""};
  }
  const std::string key = metering_dedup_key(r);
  auto existing = ctx.st.metering_index.find(key);
  if (existing != ctx.st.metering_index.end()) {
    const std::string first_id = ctx.st.metering[existing->second].id;
    if (ctx.st.metering[existing->second].quantity == quantity) return {"Success", first_id};
    r.id = first_id;
    r.status = "DuplicateRecord";
    ctx.st.metering.push_back(r);
    return {r.status, first_id};
  }
  r.id = new_record_id();
  r.status = "Success";
  ctx.st.metering_index[key] = ctx.st.metering.size();
  ctx.st.metering.push_back(r);
  return {r.status, r.id};
}

aws::HttpResponse resolve_customer(Ctx& ctx, const Call& call) {
  const std::string token = json_string(call.input, "RegistrationToken", true);
  auto it = ctx.st.tokens.find(token);
  if (it == ctx.st.tokens.end()) {
    throw_error(400, "InvalidTokenException", "Registration token is invalid.");
  }
  if (ctx.now - it->second.issued > ctx.st.settings.token_lifetime) {
    throw_error(400, "ExpiredTokenException", "Registration token has expired.");
  }
  const Agreement& a = ctx.st.agreements.at(it->second.agreement_id);
  const Product& product = ctx.st.products.at(a.product_code);
  if (product.seller_account_id != call.caller.account_id) {
    throw_error(400, "InvalidTokenException",
                "Registration token is invalid: the product belongs to another seller.");
  }
  return json_reply({{"CustomerIdentifier", a.customer_identifier},
                     {"ProductCode", a.product_code},
                     {"CustomerAWSAccountId", a.buyer_account_id},
                     {"LicenseArn", a.license_arn}},
                    call.request_id);
}

bool has_field(const Json& record, const char* field) {
  return record.contains(field) && !record[field].is_null();
}

// The product a batch is for: ProductCode (legacy calls), or, for concurrent-agreement listings,
// the product of the records' licenses (LicenseArn in every record, all of one product). AWS
// refuses ProductCode together with LicenseArn.
const Product& batch_product(Ctx& ctx, const Call& call, const Json& records) {
  const std::string code = json_string(call.input, "ProductCode", false);
  bool any_license = false, every_license = true;
  for (const auto& record : records) {
    const bool license = record.is_object() && has_field(record, "LicenseArn");
    any_license = any_license || license;
    every_license = every_license && license;
  }
  if (!code.empty()) {
    if (any_license) {
      throw_error(400, "ValidationException",
                  "ProductCode and LicenseArn cannot be used together: send LicenseArn in every "
                  "usage record and no ProductCode.");
    }
    return sellers_product(ctx, call, code);
  }
  if (records.empty() || !every_license) {
    throw_error(400, "ValidationException",
                "ProductCode is required unless every usage record carries LicenseArn.");
  }
  const Product* product = nullptr;
  for (const auto& record : records) {
    const std::string license = json_string(record, "LicenseArn", true);
    const Agreement* agreement = nullptr;
    for (const auto& [id, a] : ctx.st.agreements) {
      if (a.license_arn == license) agreement = &a;
    }
    const auto it =
        agreement ? ctx.st.products.find(agreement->product_code) : ctx.st.products.end();
    if (it == ctx.st.products.end() || it->second.seller_account_id != call.caller.account_id) {
      throw_error(
          400, "InvalidLicenseException",
          fmt::format("License {} is invalid or not for a product of the caller.", license));
    }
    if (product != nullptr && product != &it->second) {
      throw_error(400, "ValidationException",
                  "The usage records' licenses are for different products: one product per "
                  "call.");
    }
    product = &it->second;
  }
  return *product;
}

// Legacy listings identify buyers by CustomerIdentifier; concurrent-agreement listings by
// CustomerAWSAccountId + LicenseArn only.
void check_identity(const Product& product, const Json& record) {
  const bool identifier = has_field(record, "CustomerIdentifier");
  const bool account = has_field(record, "CustomerAWSAccountId");
  const bool license = has_field(record, "LicenseArn");
  if (product.legacy_identity) {
    if (!identifier) {
      throw_error(400, "InvalidCustomerIdentifierException",
                  fmt::format("Product {} identifies buyers by CustomerIdentifier.", product.code));
    }
    return;
  }
  if (identifier) {
    throw_error(400, "InvalidCustomerIdentifierException",
                fmt::format("Product {} supports concurrent agreements: identify buyers by "
                            "CustomerAWSAccountId and LicenseArn, not CustomerIdentifier.",
                            product.code));
  }
  if (!account || !license) {
    throw_error(400, "InvalidLicenseException",
                fmt::format("Product {} needs CustomerAWSAccountId and LicenseArn in every usage "
                            "record.",
                            product.code));
  }
}

aws::HttpResponse batch_meter_usage(Ctx& ctx, const Call& call) {
  if (!call.input.contains("UsageRecords") || !call.input["UsageRecords"].is_array()) {
    throw_error(400, "ValidationException", "UsageRecords must be a list.");
  }
  const Json& records = call.input["UsageRecords"];
  if (records.size() > 25) {
    throw_error(400, "ValidationException",
                fmt::format("1 validation error detected: Value at 'usageRecords' failed to "
                            "satisfy constraint: Member must have length less than or equal to "
                            "25 (got {}).",
                            records.size()));
  }
  for (const auto& record : records) {
    if (!record.is_object())
      throw_error(400, "ValidationException", "A usage record is malformed.");
  }
  const Product& product = batch_product(ctx, call, records);
  const std::string code = product.code;
  // The whole batch is checked before anything is recorded: one bad record rejects it all.
  std::vector<core::TimePoint> times;
  for (const auto& record : records) {
    if (!record.contains("Timestamp"))
      throw_error(400, "ValidationException", "A usage record needs a Timestamp.");
    const auto t = parse_timestamp(record["Timestamp"], "Timestamp");
    check_window(ctx, t);
    times.push_back(t);
    check_dimension(product, json_string(record, "Dimension", true));
    check_identity(product, record);
    check_allocations(record, quantity_of(record, "Quantity"));
  }
  Json results = Json::array();
  for (size_t i = 0; i < records.size(); ++i) {
    const Json& record = records[i];
    const Customer customer = find_customer(ctx, code, record);
    const auto [status, id] =
        meter(ctx, "BatchMeterUsage", code, customer, record["Dimension"].get<std::string>(),
              times[i], quantity_of(record, "Quantity"),
              record.contains("UsageAllocations") ? record["UsageAllocations"] : Json());
    Json result = {{"UsageRecord", record}, {"Status", status}};
    if (!id.empty()) result["MeteringRecordId"] = id;
    results.push_back(result);
  }
  return json_reply({{"Results", results}, {"UnprocessedRecords", Json::array()}}, call.request_id);
}

aws::HttpResponse meter_usage(Ctx& ctx, const Call& call) {
  const std::string code = json_string(call.input, "ProductCode", true);
  auto it = ctx.st.products.find(code);
  if (it == ctx.st.products.end()) {
    throw_error(400, "InvalidProductCodeException", "Product code " + code + " is invalid.");
  }
  if (!call.input.contains("Timestamp"))
    throw_error(400, "ValidationException", "Timestamp is required.");
  const auto t = parse_timestamp(call.input["Timestamp"], "Timestamp");
  check_window(ctx, t);
  const std::string dimension = json_string(call.input, "UsageDimension", true);
  check_dimension(it->second, dimension);
  const long long quantity = quantity_of(call.input, "UsageQuantity");
  check_allocations(call.input, quantity);
  Json identity = {{"CustomerAWSAccountId", call.caller.account_id}};
  const Customer customer = find_customer(ctx, code, identity);
  if (customer.agreement == nullptr || !subscribed(*customer.agreement)) {
    throw_error(400, "CustomerNotEntitledException",
                "The customer does not have a valid subscription for the product.");
  }
  if (call.input.value("DryRun", false)) return json_reply(Json::object(), call.request_id);
  const auto [status, id] =
      meter(ctx, "MeterUsage", code, customer, dimension, t, quantity,
            call.input.contains("UsageAllocations") ? call.input["UsageAllocations"] : Json());
  if (status == "DuplicateRecord") {
    throw_error(400, "DuplicateRequestException",
                "A metering record for this hour already exists with a different quantity.");
  }
  return json_reply({{"MeteringRecordId", id}}, call.request_id);
}

}  // namespace

std::string metering_dedup_key(const MeteringRecord& r) {
  return fmt::format("{}\n{}\n{}\n{}", r.product_code, r.customer, r.dimension, r.hour);
}

aws::HttpResponse metering_call(Ctx& ctx, const Call& call) {
  if (call.operation == "ResolveCustomer") return resolve_customer(ctx, call);
  if (call.operation == "BatchMeterUsage") return batch_meter_usage(ctx, call);
  if (call.operation == "MeterUsage") return meter_usage(ctx, call);
  throw_error(400, "UnknownOperationException", "Unknown operation " + call.operation + ".");
}

}  // namespace sim
