// AWS Cost and Usage Reports (json 1.1, AWSOrigamiServiceGatewayService): report definitions,
// which need a bucket of the caller's whose policy lets billingreports.amazonaws.com deliver.
#include <fmt/format.h>

#include <regex>

#include "sim/sim_state.h"

namespace sim {

namespace {

constexpr size_t kMaxReports = 5;

void one_of(const Json& def, const std::string& field,
            std::initializer_list<std::string_view> values) {
  const std::string v = json_string(def, field, true);
  for (auto allowed : values) {
    if (v == allowed) return;
  }
  throw_error(400, "ValidationException",
              fmt::format("Value '{}' at 'reportDefinition.{}' is not valid.", v, field));
}

aws::HttpResponse put_report_definition(Ctx& ctx, const Call& call) {
  if (!call.input.contains("ReportDefinition") || !call.input["ReportDefinition"].is_object())
    throw_error(400, "ValidationException", "ReportDefinition is required.");
  const Json& def = call.input["ReportDefinition"];
  const std::string name = json_string(def, "ReportName", true);
  static const std::regex kName(R"([0-9A-Za-z!\-_.*'()]{1,256})");
  if (!std::regex_match(name, kName))
    throw_error(400, "ValidationException", "ReportName contains characters that are not allowed.");
  one_of(def, "TimeUnit", {"HOURLY", "DAILY", "MONTHLY"});
  one_of(def, "Format", {"textORcsv", "Parquet"});
  one_of(def, "Compression", {"ZIP", "GZIP", "Parquet"});
  if (!def.contains("AdditionalSchemaElements") || !def["AdditionalSchemaElements"].is_array())
    throw_error(400, "ValidationException", "AdditionalSchemaElements is required.");
  const std::string bucket = json_string(def, "S3Bucket", true);
  json_string(def, "S3Prefix", true);
  json_string(def, "S3Region", true);
  Account& account = ctx.account(call.caller.account_id);
  if (account.reports.contains(name)) {
    throw_error(400, "DuplicateReportNameException",
                fmt::format("A report with the name {} already exists.", name));
  }
  if (account.reports.size() >= kMaxReports) {
    throw_error(400, "ReportLimitReachedException", "This account already has 5 reports.");
  }
  auto b = ctx.st.buckets.find(bucket);
  if (b == ctx.st.buckets.end() || b->second.owner_account_id != account.id ||
      b->second.policy.find("billingreports.amazonaws.com") == std::string::npos) {
    throw_error(400, "ValidationException", "Failed to verify customer bucket permission.");
  }
  account.reports[name] = def;
  return json_reply(Json::object(), call.request_id);
}

aws::HttpResponse describe_report_definitions(Ctx& ctx, const Call& call) {
  if (call.input.contains("MaxResults") &&
      (!call.input["MaxResults"].is_number_integer() || call.input["MaxResults"].get<int>() != 5)) {
    throw_error(400, "ValidationException",
                "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: "
                "Member must have value equal to 5");
  }
  const Account& account = ctx.account(call.caller.account_id);
  size_t start = 0;
  const std::string token = json_string(call.input, "NextToken", false);
  if (!token.empty()) {
    if (!token.starts_with("cur-page-"))
      throw_error(400, "ValidationException", "NextToken is invalid.");
    start = static_cast<size_t>(std::atoi(token.c_str() + 9));
  }
  Json list = Json::array();
  size_t i = 0;
  for (const auto& [name, def] : account.reports) {
    if (i >= start && i < start + 5) list.push_back(def);
    ++i;
  }
  Json out = {{"ReportDefinitions", list}};
  if (start + 5 < account.reports.size()) out["NextToken"] = fmt::format("cur-page-{}", start + 5);
  return json_reply(out, call.request_id);
}

aws::HttpResponse delete_report_definition(Ctx& ctx, const Call& call) {
  const std::string name = json_string(call.input, "ReportName", true);
  Account& account = ctx.account(call.caller.account_id);
  if (account.reports.erase(name) == 0) {
    throw_error(400, "ValidationException", fmt::format("Report {} does not exist.", name));
  }
  return json_reply({{"ResponseMessage", fmt::format("Report {} deleted.", name)}},
                    call.request_id);
}

}  // namespace

aws::HttpResponse cur_call(Ctx& ctx, const Call& call) {
  if (call.operation == "PutReportDefinition") return put_report_definition(ctx, call);
  if (call.operation == "DescribeReportDefinitions") return describe_report_definitions(ctx, call);
  if (call.operation == "DeleteReportDefinition") return delete_report_definition(ctx, call);
  throw_error(400, "UnknownOperationException", "Unknown operation " + call.operation + ".");
}

}  // namespace sim
