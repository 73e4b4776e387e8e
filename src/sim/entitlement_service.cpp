// AWS Marketplace Entitlement Service (json 1.1, AWSMPEntitlementService): GetEntitlements with
// filters and pagination. A page covers MaxResults candidate rows, ended agreements included,
// so a page may be empty and still carry a NextToken, as AWS's pages may.
#include <fmt/format.h>

#include <charconv>

#include "sim/sim_state.h"

namespace sim {

namespace {

constexpr std::string_view kTokenPrefix = "ent-page-";

bool live(const Agreement& a) { return a.status == "active" || a.status == "unsubscribe-pending"; }

Json value_json(const Json& value) {
  if (value.is_boolean()) return {{"BooleanValue", value.get<bool>()}};
  if (value.is_number_integer()) return {{"IntegerValue", value.get<long long>()}};
  if (value.is_number()) return {{"DoubleValue", value.get<double>()}};
  return {{"StringValue", value.get<std::string>()}};
}

bool matches(const std::map<std::string, std::vector<std::string>>& filter, const Agreement& a,
             const std::string& dimension) {
  for (const auto& [key, values] : filter) {
    const std::string& actual = key == "CUSTOMER_IDENTIFIER"       ? a.customer_identifier
                                : key == "CUSTOMER_AWS_ACCOUNT_ID" ? a.buyer_account_id
                                : key == "LICENSE_ARN"             ? a.license_arn
                                                                   : dimension;
    bool any = false;
    for (const auto& v : values) any = any || v == actual;
    if (!any) return false;
  }
  return true;
}

aws::HttpResponse get_entitlements(Ctx& ctx, const Call& call) {
  const std::string code =
      json_string(call.input, "ProductCode", true, "InvalidParameterException");
  auto product = ctx.st.products.find(code);
  if (product == ctx.st.products.end() ||
      product->second.seller_account_id != call.caller.account_id) {
    throw_error(400, "InvalidParameterException",
                fmt::format("Product code {} is invalid or not owned by the caller.", code));
  }
  std::map<std::string, std::vector<std::string>> filter;
  if (call.input.contains("Filter")) {
    const Json& f = call.input["Filter"];
    if (!f.is_object()) throw_error(400, "InvalidParameterException", "Filter must be a map.");
    for (const auto& [key, values] : f.items()) {
      if (key != "CUSTOMER_IDENTIFIER" && key != "DIMENSION" && key != "CUSTOMER_AWS_ACCOUNT_ID" &&
          key != "LICENSE_ARN") {
        throw_error(400, "InvalidParameterException", "Unknown filter " + key + ".");
      }
      if (!values.is_array() || values.empty())
        throw_error(400, "InvalidParameterException", "Filter " + key + " needs values.");
      for (const auto& v : values) {
        if (!v.is_string())
          throw_error(400, "InvalidParameterException", "Filter values must be strings.");
        filter[key].push_back(v.get<std::string>());
      }
    }
  }
  long long max_results = 25;
  if (call.input.contains("MaxResults")) {
    const Json& m = call.input["MaxResults"];
    if (!m.is_number_integer() || m.get<long long>() < 1 || m.get<long long>() > 25)
      throw_error(400, "InvalidParameterException", "MaxResults must be between 1 and 25.");
    max_results = m.get<long long>();
  }
  size_t offset = 0;
  const std::string next = json_string(call.input, "NextToken", false, "InvalidParameterException");
  if (!next.empty()) {
    const std::string_view digits = std::string_view(next).substr(
        next.starts_with(kTokenPrefix) ? kTokenPrefix.size() : next.size());
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), offset);
    if (!next.starts_with(kTokenPrefix) || ec != std::errc() ||
        ptr != digits.data() + digits.size()) {
      throw_error(400, "InvalidParameterException", "NextToken is invalid.");
    }
  }

  struct Row {
    const Agreement* agreement;
    std::string dimension;
    const Json* value;
  };
  std::vector<Row> rows;
  for (const auto& id : ctx.st.agreement_order) {
    const Agreement& a = ctx.st.agreements.at(id);
    if (a.product_code != code) continue;
    for (const auto& [dim, value] : a.entitlements.items()) rows.push_back({&a, dim, &value});
  }
  Json entitlements = Json::array();
  const size_t end = std::min(rows.size(), offset + static_cast<size_t>(max_results));
  for (size_t i = offset; i < end; ++i) {
    const Row& r = rows[i];
    if (!live(*r.agreement) || !matches(filter, *r.agreement, r.dimension)) continue;
    Json e = {{"ProductCode", code},
              {"Dimension", r.dimension},
              {"CustomerAWSAccountId", r.agreement->buyer_account_id},
              {"LicenseArn", r.agreement->license_arn},
              {"Value", value_json(*r.value)},
              {"ExpirationDate", epoch_seconds(r.agreement->ends)}};
    if (!r.agreement->customer_identifier.empty())
      e["CustomerIdentifier"] = r.agreement->customer_identifier;
    entitlements.push_back(e);
  }
  Json out = {{"Entitlements", entitlements}};
  if (end < rows.size()) out["NextToken"] = fmt::format("{}{}", kTokenPrefix, end);
  return json_reply(out, call.request_id);
}

}  // namespace

aws::HttpResponse entitlement_call(Ctx& ctx, const Call& call) {
  if (call.operation == "GetEntitlements") return get_entitlements(ctx, call);
  throw_error(400, "UnknownOperationException", "Unknown operation " + call.operation + ".");
}

}  // namespace sim
