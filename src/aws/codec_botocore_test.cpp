// Cross-checks every operation's codec against botocore and the service models in
// ../shared/aws/models (tests/aws/botocore_codec.py, run with /usr/bin/python3):
// - botocore validates the request parameters (model names and types) and serializes them; our
//   decode_request must read botocore's wire form back into the struct we expected;
// - botocore parses what our encode_response produced, and must find every field.
// For json protocols the parameters and the expected parse are our own JSON bodies, so a
// misnamed or mistyped field is caught by botocore's validation or goes missing in its parse.
// Fails, never skips, when /usr/bin/python3 or botocore is missing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "aws/account.h"
#include "aws/agreement.h"
#include "aws/botocore_test_support.h"
#include "aws/codec.h"
#include "aws/cur.h"
#include "aws/entitlement.h"
#include "aws/iam.h"
#include "aws/metering.h"
#include "aws/organizations.h"
#include "aws/s3.h"
#include "aws/sqs.h"
#include "aws/sts.h"

namespace aws {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

core::TimePoint t(std::string_view rfc3339) { return *core::parse_rfc3339(rfc3339); }

json body_as_json(const std::string& body) {
  return body.empty() ? json::object() : json::parse(body);
}

// A request reduced to what must agree: method, path, sorted query, the protocol headers and
// the body (JSON compared as JSON, forms as sorted parameters).
json normalized(const HttpRequest& r) {
  auto sorted = [](std::vector<QueryParam> q) {
    std::sort(q.begin(), q.end());
    json out = json::array();
    for (auto& [k, v] : q) out.push_back({k, v});
    return out;
  };
  json n = {{"method", r.method}, {"path", r.path}, {"query", sorted(r.query)}};
  for (const char* h :
       {"X-Amz-Target", "x-amz-acl", "x-amz-expected-bucket-owner", "x-amz-object-ownership"}) {
    if (auto v = r.header(h)) n[h] = *v;
  }
  const std::string type(r.header("Content-Type").value_or(""));
  if (type.find("json") != std::string::npos) {
    n["body"] = body_as_json(r.body);
  } else if (type.find("x-www-form-urlencoded") != std::string::npos) {
    n["body"] = sorted(parse_query_string(r.body));
  } else {
    n["body"] = r.body;
  }
  return n;
}

struct Case {
  std::string name;
  json input;  // for the script
  std::function<void(const json& result)> check;
};

class Cases {
 public:
  // `params`/`expected` null: use our own JSON bodies (json protocols).
  template <class Op>
  void add(const std::string& model, const typename Op::Request& request, json params,
           const typename Op::Response& response, json expected, std::string protocol = {}) {
    const HttpRequest ours = Codec<Op>::encode_request(request);
    const HttpResponse answer = Codec<Op>::encode_response(response, "req-1");
    if (params.is_null()) params = body_as_json(ours.body);
    if (expected.is_null()) expected = body_as_json(answer.body);
    json headers = json::array();
    for (const auto& [k, v] : answer.headers) headers.push_back({k, v});
    json input = {
        {"model", model},
        {"operation", std::string(Op::kName)},
        {"params", params},
        {"response", {{"status", answer.status}, {"headers", headers}, {"body", answer.body}}}};
    if (!protocol.empty()) input["protocol"] = protocol;
    cases_.push_back({std::string(Op::kName), input, [ours, expected](const json& result) {
                        ASSERT_FALSE(result.contains("error")) << result["error"];
                        const json& wire = result.at("request");
                        HttpRequest theirs;
                        theirs.method = wire.at("method");
                        theirs.path = wire.at("path");
                        for (const auto& q : wire.at("query"))
                          theirs.query.emplace_back(q[0], q[1]);
                        for (const auto& h : wire.at("headers"))
                          theirs.headers.emplace_back(h[0], h[1]);
                        theirs.body = wire.at("body");
                        auto decoded = Codec<Op>::decode_request(theirs);
                        ASSERT_TRUE(decoded.ok()) << decoded.error().message << "\n"
                                                  << wire.dump(2);
                        // json 1.0 and 1.1 differ in the Content-Type alone: botocore's must be
                        // ours, as must the target.
                        const auto type = ours.header("Content-Type");
                        if (type && type->find("x-amz-json") != std::string_view::npos) {
                          EXPECT_EQ(theirs.header("Content-Type"), type);
                          EXPECT_EQ(theirs.header("X-Amz-Target"), ours.header("X-Amz-Target"));
                        }
                        EXPECT_EQ(normalized(Codec<Op>::encode_request(*decoded)).dump(2),
                                  normalized(ours).dump(2))
                            << "botocore sent:\n"
                            << wire.dump(2);
                        EXPECT_EQ(result.at("parsed").dump(2), expected.dump(2));
                      }});
  }

  std::vector<Case>& all() { return cases_; }

 private:
  std::vector<Case> cases_;
};

void add_marketplace(Cases& c) {
  const metering::UsageRecord record{
      .timestamp = t("2026-03-01T10:00:00Z"),
      .customer_identifier = "cust-1",
      .dimension = "users",
      .quantity = 7,
      .usage_allocations = {{.allocated_usage_quantity = 7, .tags = {{"team", "a"}}}}};
  const metering::UsageRecord modern{.timestamp = t("2026-03-01T11:00:00Z"),
                                     .customer_aws_account_id = "111122223333",
                                     .license_arn = "arn:aws:license-manager::1:license:l-1",
                                     .dimension = "users",
                                     .quantity = 0};
  c.add<metering::ResolveCustomer>("meteringmarketplace.json", {.registration_token = "tok+/= 1"},
                                   nullptr,
                                   {.customer_identifier = "c",
                                    .product_code = "p",
                                    .customer_aws_account_id = "1",
                                    .license_arn = "arn:l"},
                                   nullptr);
  c.add<metering::BatchMeterUsage>(
      "meteringmarketplace.json", {.usage_records = {record, modern}, .product_code = "prod"},
      nullptr,
      {.results = {{.usage_record = record, .metering_record_id = "m-1", .status = "Success"}},
       .unprocessed_records = {modern}},
      nullptr);
  c.add<metering::MeterUsage>("meteringmarketplace.json",
                              {.product_code = "p",
                               .timestamp = t("2026-03-01T10:00:00Z"),
                               .usage_dimension = "d",
                               .usage_quantity = 3,
                               .dry_run = false,
                               .usage_allocations = {{.allocated_usage_quantity = 3}},
                               .client_token = "ct"},
                              nullptr, {.metering_record_id = "m"}, nullptr);
  // Built field by field: brace-initializing optionals inside a vector trips GCC 12's
  // maybe-uninitialized warning.
  entitlement::GetEntitlementsResponse page;
  page.next_token = "n2";
  auto& seats = page.entitlements.emplace_back();
  seats.product_code = "p";
  seats.dimension = "seats";
  seats.customer_identifier = "c1";
  seats.value.integer_value = 10;
  seats.expiration_date = t("2027-01-01T00:00:00Z");
  auto& tier = page.entitlements.emplace_back();
  tier.product_code = "p";
  tier.dimension = "tier";
  tier.customer_aws_account_id = "1";
  tier.value.string_value = "gold";
  tier.license_arn = "arn:l";
  auto& ratio = page.entitlements.emplace_back();
  ratio.dimension = "ratio";
  ratio.value.double_value = 0.5;
  auto& on = page.entitlements.emplace_back();
  on.dimension = "on";
  on.value.boolean_value = true;
  c.add<entitlement::GetEntitlements>("marketplace-entitlement.json",
                                      {.product_code = "p",
                                       .filter = {{"CUSTOMER_IDENTIFIER", {"c1", "c2"}}},
                                       .next_token = "n",
                                       .max_results = 25},
                                      nullptr, page, nullptr, "json");
}

void add_agreement(Cases& c) {
  // Debian's botocore has no model for this service: it is read from ../shared/aws/models.
  const std::string m = "marketplace-agreement.json";
  agreement::DescribeAgreementResponse described{
      .agreement_id = "agmt-1",
      .acceptor = agreement::Party{"444455556666"},
      .proposer = agreement::Party{"111122223333"},
      .start_time = t("2026-03-01T10:00:00Z"),
      .end_time = t("2027-03-01T10:00:00Z"),
      .acceptance_time = t("2026-03-01T09:59:30Z"),
      .agreement_type = "PurchaseAgreement",
      .estimated_charges = agreement::EstimatedCharges{"USD", "0"},
      .proposal_summary = agreement::ProposalSummary{.resources = {{"prod-abc", "SaaSProduct"}},
                                                     .offer_id = "offer-1",
                                                     .offer_set_id = ""},
      .status = "ACTIVE"};
  c.add<agreement::DescribeAgreement>(m, {"agmt-1"}, nullptr, described, nullptr);
  agreement::GetAgreementTermsResponse terms;
  terms.accepted_terms.push_back({.free_trial_pricing_term = agreement::FreeTrialPricingTerm{
                                      .type = "FreeTrialPricingTerm",
                                      .id = "term-1",
                                      .duration = "P30D",
                                      .grants = {{"users", 10}, {"api_calls", std::nullopt}}}});
  terms.accepted_terms.push_back(
      {.validity_term = agreement::ValidityTerm{.type = "ValidityTerm",
                                                .id = "term-2",
                                                .agreement_duration = "P12M",
                                                .agreement_start_date = t("2026-03-01T00:00:00Z"),
                                                .agreement_end_date = t("2027-02-28T00:00:00Z")}});
  terms.accepted_terms.push_back(
      {.renewal_term = agreement::RenewalTerm{"RenewalTerm", "term-3", {{true}}}});
  terms.accepted_terms.push_back(
      {.fixed_upfront_pricing_term = agreement::FixedUpfrontPricingTerm{
           "FixedUpfrontPricingTerm", "term-4", "USD", "P12M", "1200.00", {{"seats", 5}}}});
  terms.accepted_terms.push_back(
      {.usage_based_pricing_term = agreement::PricingTerm{"UsageBasedPricingTerm", "t5", "USD"}});
  terms.accepted_terms.push_back({.configurable_upfront_pricing_term = agreement::PricingTerm{
                                      "ConfigurableUpfrontPricingTerm", "t6", "USD"}});
  terms.accepted_terms.push_back(
      {.recurring_payment_term = agreement::PricingTerm{"RecurringPaymentTerm", "t7", "USD"}});
  terms.accepted_terms.push_back(
      {.support_term = agreement::SupportTerm{"SupportTerm", "t8", "30 days"}});
  terms.next_token = "page-2";
  c.add<agreement::GetAgreementTerms>(
      m, {.agreement_id = "agmt-1", .max_results = 50, .next_token = "page-1"}, nullptr, terms,
      nullptr);
}

void add_organizations(Cases& c) {
  const std::string m = "organizations.json";
  const organizations::CreateAccountStatus status{.id = "car-1",
                                                  .account_name = "Acme",
                                                  .state = "SUCCEEDED",
                                                  .requested_timestamp = t("2026-01-01T00:00:00Z"),
                                                  .completed_timestamp = t("2026-01-01T00:05:00Z"),
                                                  .account_id = "222233334444"};
  const organizations::Organization org{
      .id = "o-1",
      .arn = "arn:o",
      .feature_set = "ALL",
      .master_account_arn = "arn:m",
      .master_account_id = "1",
      .master_account_email = "m@x",
      .available_policy_types = {{"SERVICE_CONTROL_POLICY", "ENABLED"}}};
  const organizations::Account account{.id = "2",
                                       .arn = "arn:a",
                                       .email = "a@x",
                                       .name = "A",
                                       .status = "ACTIVE",
                                       .state = "ACTIVE",
                                       .paths = {"o-1/r-1/2/"},
                                       .joined_method = "CREATED",
                                       .joined_timestamp = t("2026-01-02T00:00:00Z")};
  c.add<organizations::CreateAccount>(m,
                                      {.email = "a+1@example.com",
                                       .account_name = "Acme",
                                       .role_name = "R",
                                       .iam_user_access_to_billing = "DENY",
                                       .tags = {{"k", "v"}}},
                                      nullptr, {status}, nullptr);
  c.add<organizations::DescribeCreateAccountStatus>(m, {"car-1"}, nullptr, {status}, nullptr);
  c.add<organizations::ListCreateAccountStatus>(
      m, {.states = {"SUCCEEDED"}, .next_token = "n", .max_results = 5}, nullptr, {{status}, "n2"},
      nullptr);
  c.add<organizations::DescribeOrganization>(m, {}, json::object(), {org}, nullptr);
  c.add<organizations::ListAccounts>(m, {.max_results = 20}, nullptr, {{account}, ""}, nullptr);
  c.add<organizations::DescribeAccount>(m, {"2"}, nullptr, {account}, nullptr);
  c.add<organizations::CreateOrganization>(m, {"ALL"}, nullptr, {org}, nullptr);
}

void add_account_and_cur(Cases& c) {
  c.add<account::PutAlternateContact>("account.json",
                                      {.name = "Ops",
                                       .title = "Lead",
                                       .email_address = "ops@example.com",
                                       .phone_number = "+1 555 0100",
                                       .alternate_contact_type = "OPERATIONS",
                                       .account_id = "222233334444"},
                                      nullptr, {}, nullptr);
  c.add<account::GetAlternateContact>("account.json", {.alternate_contact_type = "BILLING"},
                                      nullptr,
                                      {{.name = "B",
                                        .title = "T",
                                        .email_address = "b@x",
                                        .phone_number = "1",
                                        .alternate_contact_type = "BILLING"}},
                                      nullptr);
  const cur::ReportDefinition def{
      .report_name = "r",
      .time_unit = "HOURLY",
      .format = "textORcsv",
      .compression = "GZIP",
      .additional_schema_elements = {"RESOURCES"},
      .s3_bucket = "b",
      .s3_prefix = "cur",
      .s3_region = "us-east-1",
      .additional_artifacts = {"ATHENA"},
      .refresh_closed_reports = true,
      .report_versioning = "OVERWRITE_REPORT",
      .report_status = cur::ReportStatus{"20260101T000000Z", "SUCCESS"}};
  c.add<cur::PutReportDefinition>("cur.json", {def, {{"k", "v"}}}, nullptr, {}, nullptr);
  c.add<cur::DescribeReportDefinitions>("cur.json", {.max_results = 5}, nullptr, {{def}, "n"},
                                        nullptr);
  c.add<cur::DeleteReportDefinition>("cur.json", {"r"}, nullptr, {"deleted"}, nullptr);
}

void add_query(Cases& c) {
  const iam::User user{
      .path = "/",
      .user_name = "ops",
      .user_id = "AIDA1",
      .arn = "arn:aws:iam::1:user/ops",
      .create_date = t("2026-01-01T00:00:00Z"),
      .permissions_boundary = iam::AttachedPermissionsBoundary{"PermissionsBoundaryPolicy",
                                                               "arn:aws:iam::1:policy/Boundary"},
      .tags = {{"k", "v"}}};
  const json user_json = {{"Path", "/"},
                          {"UserName", "ops"},
                          {"UserId", "AIDA1"},
                          {"Arn", "arn:aws:iam::1:user/ops"},
                          {"CreateDate", 1767225600},
                          {"PermissionsBoundary",
                           {{"PermissionsBoundaryType", "PermissionsBoundaryPolicy"},
                            {"PermissionsBoundaryArn", "arn:aws:iam::1:policy/Boundary"}}},
                          {"Tags", {{{"Key", "k"}, {"Value", "v"}}}}};
  c.add<iam::CreateUser>(
      "iam.json",
      {.path = "/",
       .user_name = "ops",
       .permissions_boundary = "arn:aws:iam::1:policy/Boundary",
       .tags = {{"k", "v"}, {"k2", "v 2"}}},
      {{"Path", "/"},
       {"UserName", "ops"},
       {"PermissionsBoundary", "arn:aws:iam::1:policy/Boundary"},
       {"Tags", {{{"Key", "k"}, {"Value", "v"}}, {{"Key", "k2"}, {"Value", "v 2"}}}}},
      {user}, {{"User", user_json}});
  c.add<iam::GetUser>("iam.json", {"ops"}, {{"UserName", "ops"}}, {user}, {{"User", user_json}});
  c.add<iam::CreateLoginProfile>(
      "iam.json", {.user_name = "ops", .password = "p&ss w0rd!", .password_reset_required = true},
      {{"UserName", "ops"}, {"Password", "p&ss w0rd!"}, {"PasswordResetRequired", true}},
      {{.user_name = "ops",
        .create_date = t("2026-01-01T00:00:00Z"),
        .password_reset_required = true}},
      {{"LoginProfile",
        {{"UserName", "ops"}, {"CreateDate", 1767225600}, {"PasswordResetRequired", true}}}});
  c.add<iam::AttachUserPolicy>(
      "iam.json", {"ops", "arn:aws:iam::aws:policy/ReadOnlyAccess"},
      {{"UserName", "ops"}, {"PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"}}, {},
      json::object());
  c.add<iam::CreateAccountAlias>("iam.json", {"acme-prod"}, {{"AccountAlias", "acme-prod"}}, {},
                                 json::object());
  c.add<iam::ListAccountAliases>(
      "iam.json", {.marker = "m", .max_items = 10}, {{"Marker", "m"}, {"MaxItems", 10}},
      {{"acme-prod"}, true, "m2"},
      {{"AccountAliases", {"acme-prod"}}, {"IsTruncated", true}, {"Marker", "m2"}});
  c.add<sts::GetCallerIdentity>("sts.json", {}, json::object(),
                                {"AIDA1", "111122223333", "arn:aws:iam::111122223333:user/ops"},
                                {{"UserId", "AIDA1"},
                                 {"Account", "111122223333"},
                                 {"Arn", "arn:aws:iam::111122223333:user/ops"}});
  c.add<sts::AssumeRole>(
      "sts.json",
      {.role_arn = "arn:aws:iam::2:role/R",
       .role_session_name = "marketlink",
       .policy_arns = {{"arn:aws:iam::aws:policy/ReadOnlyAccess"}},
       .duration_seconds = 900,
       .tags = {{"k", "v"}},
       .transitive_tag_keys = {"k"},
       .external_id = "ext"},
      {{"RoleArn", "arn:aws:iam::2:role/R"},
       {"RoleSessionName", "marketlink"},
       {"PolicyArns", {{{"arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"}}}},
       {"DurationSeconds", 900},
       {"Tags", {{{"Key", "k"}, {"Value", "v"}}}},
       {"TransitiveTagKeys", {"k"}},
       {"ExternalId", "ext"}},
      {.credentials = {"ASIA1", "secret/x", "token+y", t("2026-01-01T01:00:00Z")},
       .assumed_role_user = {"AROA1:marketlink", "arn:aws:sts::2:assumed-role/R/marketlink"},
       .packed_policy_size = 6},
      {{"Credentials",
        {{"AccessKeyId", "ASIA1"},
         {"SecretAccessKey", "secret/x"},
         {"SessionToken", "token+y"},
         {"Expiration", 1767229200}}},
       {"AssumedRoleUser",
        {{"AssumedRoleId", "AROA1:marketlink"},
         {"Arn", "arn:aws:sts::2:assumed-role/R/marketlink"}}},
       {"PackedPolicySize", 6}});

  sqs::Message message{
      .message_id = "m1",
      .receipt_handle = "h1",
      .md5_of_body = "md5",
      .body = R"({"action":"subscribe-success"})",
      .attributes = {{"SenderId", "1"}, {"SentTimestamp", "1767225600000"}},
      .message_attributes = {
          {"kind", {.string_value = "x", .data_type = "String"}},
          {"bin", {.binary_value = std::string("\x00\x01", 2), .data_type = "Binary"}}}};
  c.add<sqs::ReceiveMessage>(
      "botocore:sqs",
      {.queue_url = "https://sqs.us-east-1.amazonaws.com/1/q",
       .attribute_names = {"All"},
       .message_attribute_names = {"kind", "bin"},
       .max_number_of_messages = 10,
       .visibility_timeout = 30,
       .wait_time_seconds = 20},
      {{"QueueUrl", "https://sqs.us-east-1.amazonaws.com/1/q"},
       {"AttributeNames", {"All"}},
       {"MessageAttributeNames", {"kind", "bin"}},
       {"MaxNumberOfMessages", 10},
       {"VisibilityTimeout", 30},
       {"WaitTimeSeconds", 20}},
      {{message}},
      {{"Messages",
        {{{"MessageId", "m1"},
          {"ReceiptHandle", "h1"},
          {"MD5OfBody", "md5"},
          {"Body", R"({"action":"subscribe-success"})"},
          {"Attributes", {{"SenderId", "1"}, {"SentTimestamp", "1767225600000"}}},
          {"MessageAttributes",
           {{"bin", {{"BinaryValue", "AAE="}, {"DataType", "Binary"}}},
            {"kind", {{"StringValue", "x"}, {"DataType", "String"}}}}}}}}});
  c.add<sqs::DeleteMessage>(
      "botocore:sqs", {"https://sqs.us-east-1.amazonaws.com/1/q", "h+1/="},
      {{"QueueUrl", "https://sqs.us-east-1.amazonaws.com/1/q"}, {"ReceiptHandle", "h+1/="}}, {},
      json::object());
}

void add_s3(Cases& c) {
  c.add<s3::CreateBucket>("s3.json",
                          {.bucket = "marketlink-cur",
                           .acl = "private",
                           .location_constraint = "eu-west-1",
                           .object_ownership = "BucketOwnerEnforced"},
                          {{"Bucket", "marketlink-cur"},
                           {"ACL", "private"},
                           {"CreateBucketConfiguration", {{"LocationConstraint", "eu-west-1"}}},
                           {"ObjectOwnership", "BucketOwnerEnforced"}},
                          {"/marketlink-cur"}, {{"Location", "/marketlink-cur"}});
  c.add<s3::HeadBucket>("s3.json", {.bucket = "b", .expected_bucket_owner = "111122223333"},
                        {{"Bucket", "b"}, {"ExpectedBucketOwner", "111122223333"}},
                        {.bucket_region = "eu-west-1", .access_point_alias = false},
                        {{"BucketRegion", "eu-west-1"}, {"AccessPointAlias", false}});
  c.add<s3::ListBuckets>(
      "s3.json", {.max_buckets = 10, .continuation_token = "c", .prefix = "m"},
      {{"MaxBuckets", 10}, {"ContinuationToken", "c"}, {"Prefix", "m"}},
      {.buckets = {{.name = "a",
                    .creation_date = t("2026-01-01T00:00:00Z"),
                    .bucket_region = "us-east-1"},
                   {.name = "b", .creation_date = t("2026-01-02T00:00:00.500Z")}},
       .owner = s3::Owner{"owner", "id-1"},
       .continuation_token = "next"},
      {{"Buckets",
        {{{"Name", "a"}, {"CreationDate", 1767225600}, {"BucketRegion", "us-east-1"}},
         {{"Name", "b"}, {"CreationDate", 1767312000.5}}}},
       {"Owner", {{"DisplayName", "owner"}, {"ID", "id-1"}}},
       {"ContinuationToken", "next"}});
  const std::string policy = R"({"Version":"2012-10-17","Statement":[]})";
  c.add<s3::PutBucketPolicy>("s3.json", {.bucket = "b", .policy = policy},
                             {{"Bucket", "b"}, {"Policy", policy}}, {}, json::object());
}

TEST(CodecBotocore, EveryOperationAgreesWithBotocore) {
  const fs::path script = testing_support::aws_test_script("botocore_codec.py");
  ASSERT_FALSE(script.empty()) << "MARKETLINK_SOURCE_DIR must point at the repository";
  ASSERT_TRUE(fs::exists(script)) << script;
  ASSERT_TRUE(fs::exists(testing_support::kSystemPython))
      << testing_support::kSystemPython << " is required for the botocore cross-check";
  const fs::path models = script.parent_path() / ".." / ".." / ".." / "shared" / "aws" / "models";
  ASSERT_TRUE(fs::is_directory(models)) << models;

  Cases cases;
  add_marketplace(cases);
  add_agreement(cases);
  add_organizations(cases);
  add_account_and_cur(cases);
  add_query(cases);
  add_s3(cases);
  EXPECT_EQ(cases.all().size(), 32u);  // every operation the module implements

  json input = json::array();
  for (const auto& c : cases.all()) input.push_back(c.input);
  char dir_template[] = "/tmp/marketlink-codec-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const fs::path dir(dir_template);
  std::ofstream(dir / "cases.json") << input.dump();
  const auto run =
      testing_support::run_python_script(script, {models.string(), (dir / "cases.json").string()});
  fs::remove_all(dir);
  ASSERT_EQ(run.exit_code, 0) << run.errors << run.output;
  const json parsed = json::parse(run.output, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << run.output << run.errors;
  const json& results = parsed.at("results");
  ASSERT_EQ(results.size(), cases.all().size());
  for (size_t i = 0; i < results.size(); ++i) {
    SCOPED_TRACE(cases.all()[i].name);
    cases.all()[i].check(results[i]);
  }
}

}  // namespace
}  // namespace aws
