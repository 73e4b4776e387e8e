// Round trips and wire shapes for the four protocols. A round trip re-encodes what was decoded
// and compares the wire forms, so a field a decoder drops shows up as a difference.
#include "aws/codec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "aws/account.h"
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

using nlohmann::json;
using namespace std::chrono_literals;

core::TimePoint t(std::string_view rfc3339) { return *core::parse_rfc3339(rfc3339); }

template <class Op>
typename Op::Request request_round_trip(const typename Op::Request& in) {
  const HttpRequest wire = Codec<Op>::encode_request(in);
  auto decoded = Codec<Op>::decode_request(wire);
  EXPECT_TRUE(decoded.ok()) << (decoded.ok() ? "" : decoded.error().message);
  if (!decoded.ok()) return {};
  const HttpRequest again = Codec<Op>::encode_request(*decoded);
  EXPECT_EQ(again.method, wire.method);
  EXPECT_EQ(again.target(), wire.target());
  EXPECT_EQ(again.headers, wire.headers);
  EXPECT_EQ(again.body, wire.body);
  return std::move(decoded).value();
}

template <class Op>
typename Op::Response response_round_trip(const typename Op::Response& out) {
  const HttpResponse wire = Codec<Op>::encode_response(out, "req-1");
  auto decoded = Codec<Op>::decode_response(wire);
  EXPECT_TRUE(decoded.ok()) << (decoded.ok() ? "" : decoded.error().message);
  if (!decoded.ok()) return {};
  const HttpResponse again = Codec<Op>::encode_response(*decoded, "req-1");
  EXPECT_EQ(again.status, wire.status);
  EXPECT_EQ(again.headers, wire.headers);
  EXPECT_EQ(again.body, wire.body);
  return std::move(decoded).value();
}

json body_json(const std::string& body) { return json::parse(body); }

// ---- json 1.1 ------------------------------------------------------------------------------

metering::BatchMeterUsageRequest sample_batch() {
  return {.usage_records = {{.timestamp = t("2026-03-01T10:00:00Z"),
                             .customer_identifier = "cust-1",
                             .dimension = "users",
                             .quantity = 7,
                             .usage_allocations = {{.allocated_usage_quantity = 7,
                                                    .tags = {{"team", "a"}}}}},
                            {.timestamp = t("2026-03-01T10:00:00Z"),
                             .customer_aws_account_id = "111122223333",
                             .license_arn = "arn:aws:license-manager::1:license:l-1",
                             .dimension = "users",
                             .quantity = 0}},
          .product_code = "prod-1"};
}

TEST(JsonCodec, EncodesTargetContentTypeAndModelFieldNames) {
  const HttpRequest r = Codec<metering::BatchMeterUsage>::encode_request(sample_batch());
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/");
  EXPECT_EQ(r.header("X-Amz-Target"), "AWSMPMeteringService.BatchMeterUsage");
  EXPECT_EQ(r.header("Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(body_json(r.body), json::parse(R"({
    "ProductCode": "prod-1",
    "UsageRecords": [
      {"Timestamp": 1772359200, "CustomerIdentifier": "cust-1", "Dimension": "users",
       "Quantity": 7,
       "UsageAllocations": [{"AllocatedUsageQuantity": 7, "Tags": [{"Key": "team", "Value": "a"}]}]},
      {"Timestamp": 1772359200, "CustomerAWSAccountId": "111122223333",
       "LicenseArn": "arn:aws:license-manager::1:license:l-1", "Dimension": "users", "Quantity": 0}
    ]})"));
}

TEST(JsonCodec, EmptyInputIsAnEmptyObject) {
  const HttpRequest r = Codec<organizations::DescribeOrganization>::encode_request({});
  EXPECT_EQ(r.body, "{}");
  EXPECT_EQ(r.header("X-Amz-Target"), "AWSOrganizationsV20161128.DescribeOrganization");
  // And a request with no body at all decodes, as {} would.
  HttpRequest bare = r;
  bare.body.clear();
  EXPECT_TRUE(Codec<organizations::DescribeOrganization>::decode_request(bare).ok());
}

TEST(JsonCodec, MeteringRoundTrips) {
  const auto in = request_round_trip<metering::BatchMeterUsage>(sample_batch());
  ASSERT_EQ(in.usage_records.size(), 2u);
  EXPECT_EQ(in.usage_records[0].timestamp, t("2026-03-01T10:00:00Z"));
  EXPECT_EQ(in.usage_records[0].usage_allocations[0].tags[0].value, "a");
  EXPECT_EQ(in.usage_records[1].quantity, 0);
  EXPECT_EQ(in.usage_records[1].license_arn, "arn:aws:license-manager::1:license:l-1");

  metering::BatchMeterUsageResponse out;
  out.results.push_back({.usage_record = sample_batch().usage_records[0],
                         .metering_record_id = "mr-1",
                         .status = "Success"});
  out.unprocessed_records.push_back(sample_batch().usage_records[1]);
  const auto decoded = response_round_trip<metering::BatchMeterUsage>(out);
  ASSERT_EQ(decoded.results.size(), 1u);
  EXPECT_EQ(decoded.results[0].status, "Success");
  EXPECT_EQ(decoded.results[0].usage_record.customer_identifier, "cust-1");
  EXPECT_EQ(decoded.unprocessed_records.size(), 1u);

  request_round_trip<metering::ResolveCustomer>({.registration_token = "tok"});
  response_round_trip<metering::ResolveCustomer>({.customer_identifier = "",
                                                  .product_code = "p",
                                                  .customer_aws_account_id = "1",
                                                  .license_arn = "arn"});
  const auto meter =
      request_round_trip<metering::MeterUsage>({.product_code = "p",
                                                .timestamp = t("2026-03-01T10:00:00.250Z"),
                                                .usage_dimension = "d",
                                                .usage_quantity = 3,
                                                .dry_run = true,
                                                .client_token = "ct"});
  EXPECT_EQ(meter.timestamp, t("2026-03-01T10:00:00.250Z"));
  EXPECT_EQ(meter.dry_run, true);
  response_round_trip<metering::MeterUsage>({.metering_record_id = "m"});
}

TEST(JsonCodec, DecodesWhatBotocoreSendsAndAwsAnswers) {
  // botocore writes ", " separators; AWS may send fractional epoch seconds and extra fields.
  HttpRequest wire;
  wire.method = "POST";
  wire.body = R"({"RegistrationToken": "abc", "Unknown": [1, 2]})";
  auto req = Codec<metering::ResolveCustomer>::decode_request(wire);
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->registration_token, "abc");

  HttpResponse answer;
  answer.body = R"({"Entitlements":[{"ProductCode":"p","Dimension":"tier","CustomerIdentifier":"c",
      "Value":{"StringValue":"gold"},"ExpirationDate":1772359200.5},
      {"ProductCode":"p","Dimension":"seats","Value":{"IntegerValue":5}},
      {"ProductCode":"p","Dimension":"ratio","Value":{"DoubleValue":0.5}},
      {"ProductCode":"p","Dimension":"on","Value":{"BooleanValue":true},"Extra":null}],
      "NextToken":"n2"})";
  auto resp = Codec<entitlement::GetEntitlements>::decode_response(answer);
  ASSERT_TRUE(resp.ok()) << resp.error().message;
  ASSERT_EQ(resp->entitlements.size(), 4u);
  EXPECT_EQ(resp->entitlements[0].value.string_value, "gold");
  EXPECT_EQ(resp->entitlements[0].expiration_date, t("2026-03-01T10:00:00.500Z"));
  EXPECT_EQ(resp->entitlements[1].value.integer_value, 5);
  EXPECT_FALSE(resp->entitlements[1].value.string_value.has_value());
  EXPECT_EQ(resp->entitlements[2].value.double_value, 0.5);
  EXPECT_EQ(resp->entitlements[3].value.boolean_value, true);
  EXPECT_EQ(resp->next_token, "n2");

  // Timestamps may also come as ISO 8601 text, or as epoch seconds in text.
  answer.body = R"({"Entitlements":[{"ExpirationDate":"2027-01-01T00:00:00.123456Z"},
      {"ExpirationDate":"-1.5"}]})";
  resp = Codec<entitlement::GetEntitlements>::decode_response(answer);
  ASSERT_TRUE(resp.ok()) << resp.error().message;
  EXPECT_EQ(resp->entitlements[0].expiration_date,
            t("2027-01-01T00:00:00Z") + std::chrono::microseconds(123456));
  EXPECT_EQ(resp->entitlements[1].expiration_date, core::TimePoint(-1500ms));
  answer.body = R"({"Entitlements":[{"ExpirationDate":"2027-01-01"}]})";
  EXPECT_FALSE(Codec<entitlement::GetEntitlements>::decode_response(answer).ok());
}

TEST(JsonCodec, EntitlementFilterIsAMapOfLists) {
  const entitlement::GetEntitlementsRequest in{
      .product_code = "p",
      .filter = {{"CUSTOMER_IDENTIFIER", {"c1", "c2"}}, {"DIMENSION", {"seats"}}},
      .max_results = 25};
  const HttpRequest r = Codec<entitlement::GetEntitlements>::encode_request(in);
  EXPECT_EQ(r.header("X-Amz-Target"), "AWSMPEntitlementService.GetEntitlements");
  EXPECT_EQ(body_json(r.body), json::parse(R"({"ProductCode":"p","MaxResults":25,
      "Filter":{"CUSTOMER_IDENTIFIER":["c1","c2"],"DIMENSION":["seats"]}})"));
  const auto back = request_round_trip<entitlement::GetEntitlements>(in);
  EXPECT_EQ(back.filter.at("CUSTOMER_IDENTIFIER").size(), 2u);
  entitlement::GetEntitlementsResponse out;
  out.entitlements.push_back({.product_code = "p",
                              .dimension = "d",
                              .customer_aws_account_id = "1",
                              .value = {.double_value = 1.25},
                              .expiration_date = t("2027-01-01T00:00:00Z"),
                              .license_arn = "l"});
  const auto got = response_round_trip<entitlement::GetEntitlements>(out);
  EXPECT_EQ(got.entitlements[0].value.double_value, 1.25);
}

TEST(JsonCodec, OrganizationsRoundTrips) {
  const auto create =
      request_round_trip<organizations::CreateAccount>({.email = "a+1@example.com",
                                                        .account_name = "Acme 1",
                                                        .role_name = "OrgRole",
                                                        .iam_user_access_to_billing = "ALLOW",
                                                        .tags = {{"order", "o-1"}}});
  EXPECT_EQ(create.email, "a+1@example.com");
  EXPECT_EQ(create.tags[0].key, "order");
  const organizations::CreateAccountStatus status{.id = "car-1",
                                                  .account_name = "Acme 1",
                                                  .state = "FAILED",
                                                  .requested_timestamp = t("2026-01-01T00:00:00Z"),
                                                  .completed_timestamp = t("2026-01-01T00:05:00Z"),
                                                  .failure_reason = "EMAIL_ALREADY_EXISTS"};
  const auto created = response_round_trip<organizations::CreateAccount>({status});
  EXPECT_EQ(created.create_account_status.failure_reason, "EMAIL_ALREADY_EXISTS");
  EXPECT_EQ(created.create_account_status.completed_timestamp, t("2026-01-01T00:05:00Z"));
  request_round_trip<organizations::DescribeCreateAccountStatus>({"car-1"});
  response_round_trip<organizations::DescribeCreateAccountStatus>({status});
  const auto list = request_round_trip<organizations::ListCreateAccountStatus>(
      {.states = {"IN_PROGRESS", "FAILED"}, .max_results = 10});
  EXPECT_EQ(list.states.size(), 2u);
  response_round_trip<organizations::ListCreateAccountStatus>({{status, status}, "next"});
  const organizations::Organization org{
      .id = "o-abc",
      .arn = "arn:o",
      .feature_set = "ALL",
      .master_account_id = "111",
      .available_policy_types = {{"SERVICE_CONTROL_POLICY", "ENABLED"}}};
  const auto described = response_round_trip<organizations::DescribeOrganization>({org});
  EXPECT_EQ(described.organization.available_policy_types[0].status, "ENABLED");
  const organizations::Account account{.id = "222",
                                       .email = "e@x",
                                       .name = "n",
                                       .status = "ACTIVE",
                                       .state = "ACTIVE",
                                       .paths = {"o-abc/r-1/"},
                                       .joined_method = "CREATED",
                                       .joined_timestamp = t("2026-01-02T03:04:05Z")};
  request_round_trip<organizations::ListAccounts>({.next_token = "t", .max_results = 20});
  const auto accounts = response_round_trip<organizations::ListAccounts>({{account}, ""});
  EXPECT_EQ(accounts.accounts[0].joined_timestamp, t("2026-01-02T03:04:05Z"));
  request_round_trip<organizations::DescribeAccount>({"222"});
  response_round_trip<organizations::DescribeAccount>({account});
  request_round_trip<organizations::CreateOrganization>({"ALL"});
  response_round_trip<organizations::CreateOrganization>({org});
}

TEST(JsonCodec, CurRoundTripsWithLowerCaseStatusFields) {
  const cur::ReportDefinition def{.report_name = "marketlink",
                                  .time_unit = "HOURLY",
                                  .format = "textORcsv",
                                  .compression = "GZIP",
                                  .additional_schema_elements = {"RESOURCES"},
                                  .s3_bucket = "b",
                                  .s3_prefix = "",
                                  .s3_region = "us-east-1",
                                  .refresh_closed_reports = true,
                                  .report_versioning = "OVERWRITE_REPORT",
                                  .report_status = cur::ReportStatus{"20260101", "SUCCESS"}};
  const HttpRequest r = Codec<cur::PutReportDefinition>::encode_request({def, {}});
  EXPECT_EQ(r.header("X-Amz-Target"), "AWSOrigamiServiceGatewayService.PutReportDefinition");
  const json body = body_json(r.body);
  EXPECT_EQ(body["ReportDefinition"]["S3Prefix"], "");  // required: written even when empty
  EXPECT_EQ(body["ReportDefinition"]["ReportStatus"]["lastStatus"], "SUCCESS");
  request_round_trip<cur::PutReportDefinition>({def, {{"k", "v"}}});
  EXPECT_EQ(Codec<cur::PutReportDefinition>::encode_response({}, "r").body, "{}");
  request_round_trip<cur::DescribeReportDefinitions>({.max_results = 5});
  const auto described = response_round_trip<cur::DescribeReportDefinitions>({{def}, ""});
  EXPECT_EQ(described.report_definitions[0].report_status->last_delivery, "20260101");
  request_round_trip<cur::DeleteReportDefinition>({"marketlink"});
  response_round_trip<cur::DeleteReportDefinition>({"deleted"});
}

TEST(JsonCodec, DecodeRequestReportsMissingAndMistypedFields) {
  HttpRequest wire;
  wire.body = R"({"UsageRecords": [{"Dimension": "d"}]})";
  auto r = Codec<metering::BatchMeterUsage>::decode_request(wire);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kInvalid);
  EXPECT_NE(r.error().message.find("UsageRecords[0].Timestamp: missing required field"),
            std::string::npos)
      << r.error().message;

  wire.body = R"({"UsageRecords": [{"Dimension": "d", "Timestamp": "soon"}]})";
  r = Codec<metering::BatchMeterUsage>::decode_request(wire);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("Timestamp: expected a timestamp"), std::string::npos);

  wire.body = R"({"UsageRecords": [], "ProductCode": 5})";
  r = Codec<metering::BatchMeterUsage>::decode_request(wire);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("ProductCode: expected a string"), std::string::npos);

  wire.body = "{not json";
  EXPECT_FALSE(Codec<metering::BatchMeterUsage>::decode_request(wire).ok());
  // Responses are not checked for required fields.
  HttpResponse answer;
  answer.body = R"({"Results": [{"UsageRecord": {}}]})";
  EXPECT_TRUE(Codec<metering::BatchMeterUsage>::decode_response(answer).ok());
}

// ---- query ---------------------------------------------------------------------------------

TEST(QueryCodec, EncodesActionVersionAndMemberLists) {
  const HttpRequest r = Codec<iam::CreateUser>::encode_request(
      {.user_name = "ops user", .tags = {{"a", "1"}, {"b", "x=y&z"}}});
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.header("Content-Type"), "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_EQ(r.body,
            "Action=CreateUser&Version=2010-05-08&UserName=ops%20user&Tags.member.1.Key=a&"
            "Tags.member.1.Value=1&Tags.member.2.Key=b&Tags.member.2.Value=x%3Dy%26z");
  const auto back = request_round_trip<iam::CreateUser>(
      {.path = "/", .user_name = "u", .permissions_boundary = "arn:pb", .tags = {{"a", "1"}}});
  EXPECT_EQ(back.permissions_boundary, "arn:pb");

  const HttpRequest sts =
      Codec<sts::AssumeRole>::encode_request({.role_arn = "arn:aws:iam::1:role/R",
                                              .role_session_name = "s",
                                              .policy_arns = {{"arn:p1"}},
                                              .duration_seconds = 900,
                                              .transitive_tag_keys = {"k"}});
  EXPECT_EQ(sts.body,
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2FR&"
            "RoleSessionName=s&PolicyArns.member.1.arn=arn%3Ap1&DurationSeconds=900&"
            "TransitiveTagKeys.member.1=k");
  const auto assume = request_round_trip<sts::AssumeRole>({.role_arn = "r",
                                                           .role_session_name = "s",
                                                           .policy_arns = {{"a"}, {"b"}},
                                                           .external_id = "x"});
  EXPECT_EQ(assume.policy_arns[1].arn, "b");
}

TEST(QueryCodec, FlattenedListsUseTheMemberName) {
  const HttpRequest r = Codec<sqs::ReceiveMessage>::encode_request(
      {.queue_url = "https://sqs.us-east-1.amazonaws.com/1/q",
       .attribute_names = {"All"},
       .message_attribute_names = {"a", "b"},
       .max_number_of_messages = 10,
       .wait_time_seconds = 20});
  EXPECT_EQ(r.body,
            "Action=ReceiveMessage&Version=2012-11-05&QueueUrl=https%3A%2F%2Fsqs.us-east-1."
            "amazonaws.com%2F1%2Fq&AttributeName.1=All&MessageAttributeName.1=a&"
            "MessageAttributeName.2=b&MaxNumberOfMessages=10&WaitTimeSeconds=20");
  const auto back = request_round_trip<sqs::ReceiveMessage>(
      {.queue_url = "q", .attribute_names = {"All", "SentTimestamp"}, .visibility_timeout = 30});
  EXPECT_EQ(back.attribute_names.size(), 2u);
  EXPECT_EQ(back.visibility_timeout, 30);
  request_round_trip<sqs::DeleteMessage>({"q", "handle+/="});
}

TEST(QueryCodec, ResponsesHaveResultWrapperAndRequestId) {
  iam::CreateUserResponse out{.user = {.path = "/",
                                       .user_name = "u",
                                       .user_id = "AIDA1",
                                       .arn = "arn:aws:iam::1:user/u",
                                       .create_date = t("2026-01-01T00:00:00Z"),
                                       .tags = {{"k", "v"}}}};
  const HttpResponse wire = Codec<iam::CreateUser>::encode_response(out, "rid-1");
  EXPECT_EQ(wire.body,
            "<CreateUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
            "<CreateUserResult><User><Path>/</Path><UserName>u</UserName><UserId>AIDA1</UserId>"
            "<Arn>arn:aws:iam::1:user/u</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate>"
            "<Tags><member><Key>k</Key><Value>v</Value></member></Tags></User>"
            "</CreateUserResult><ResponseMetadata><RequestId>rid-1</RequestId>"
            "</ResponseMetadata></CreateUserResponse>");
  const auto back = response_round_trip<iam::CreateUser>(out);
  EXPECT_EQ(back.user.create_date, t("2026-01-01T00:00:00Z"));
  EXPECT_EQ(back.user.tags[0].value, "v");

  const HttpResponse empty = Codec<iam::AttachUserPolicy>::encode_response({}, "rid-2");
  EXPECT_EQ(empty.body,
            "<AttachUserPolicyResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
            "<ResponseMetadata><RequestId>rid-2</RequestId></ResponseMetadata>"
            "</AttachUserPolicyResponse>");
  EXPECT_TRUE(Codec<iam::AttachUserPolicy>::decode_response(empty).ok());

  request_round_trip<iam::GetUser>({"u"});
  response_round_trip<iam::GetUser>({out.user});
  request_round_trip<iam::CreateLoginProfile>(
      {.user_name = "u", .password = "p&ss w0rd", .password_reset_required = true});
  response_round_trip<iam::CreateLoginProfile>({{.user_name = "u",
                                                 .create_date = t("2026-01-01T00:00:00Z"),
                                                 .password_reset_required = false}});
  request_round_trip<iam::AttachUserPolicy>({"u", "arn:aws:iam::aws:policy/ReadOnlyAccess"});
  request_round_trip<iam::CreateAccountAlias>({"acme-prod"});
  request_round_trip<iam::ListAccountAliases>({.max_items = 10});
  const auto aliases = response_round_trip<iam::ListAccountAliases>({{"a", "b"}, false, ""});
  EXPECT_EQ(aliases.account_aliases.size(), 2u);
  request_round_trip<sts::GetCallerIdentity>({});
  response_round_trip<sts::GetCallerIdentity>({"AIDA", "111122223333", "arn:aws:iam::1:user/u"});
  const auto assumed = response_round_trip<sts::AssumeRole>(
      {.credentials = {"ASIA1", "secret", "token", t("2026-01-01T01:00:00Z")},
       .assumed_role_user = {"AROA:s", "arn:aws:sts::1:assumed-role/R/s"},
       .packed_policy_size = 6});
  EXPECT_EQ(assumed.credentials.expiration, t("2026-01-01T01:00:00Z"));
}

TEST(QueryCodec, DecodesAwsStyleXml) {
  HttpResponse answer;
  answer.body = R"(<?xml version="1.0" encoding="UTF-8"?>
<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>Alice</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
      <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764 &amp; more</SessionToken>
      <Expiration>2019-11-09T13:34:41Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>)";
  auto r = Codec<sts::AssumeRole>::decode_response(answer);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->credentials.access_key_id, "ASIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(r->credentials.session_token, "AQoDYXdzEPT//////////wEXAMPLEtc764 & more");
  EXPECT_EQ(r->credentials.expiration, t("2019-11-09T13:34:41Z"));
  EXPECT_EQ(r->assumed_role_user.assumed_role_id, "ARO123EXAMPLE123:TestAR");
  EXPECT_EQ(r->packed_policy_size, 6);
  EXPECT_EQ(r->source_identity, "Alice");

  answer.body = R"(<ListAccountAliasesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <ListAccountAliasesResult><IsTruncated>false</IsTruncated>
    <AccountAliases><member>foocorporation</member></AccountAliases>
  </ListAccountAliasesResult>
  <ResponseMetadata><RequestId>c5a076e9-f1b0-11df-8fbe-45274EXAMPLE</RequestId></ResponseMetadata>
</ListAccountAliasesResponse>)";
  auto aliases = Codec<iam::ListAccountAliases>::decode_response(answer);
  ASSERT_TRUE(aliases.ok()) << aliases.error().message;
  EXPECT_EQ(aliases->account_aliases, std::vector<std::string>{"foocorporation"});
  EXPECT_EQ(aliases->is_truncated, false);
}

TEST(QueryCodec, SqsMessagesAreFlattenedWithAttributeMaps) {
  HttpResponse answer;
  answer.body = R"(<ReceiveMessageResponse>
  <ReceiveMessageResult>
    <Message>
      <MessageId>5fea7756-0ea4-451a-a703-a558b933e274</MessageId>
      <ReceiptHandle>MbZj6wDWli+JvwwJaBV+3dcjk2YW2vA3+STFFljTM8tJJg6HRG6PYSasuWXPJB+Cw=</ReceiptHandle>
      <MD5OfBody>fafb00f5732ab283681e124bf8747ed1</MD5OfBody>
      <Body>{"action":"subscribe-success"}</Body>
      <Attribute><Name>SenderId</Name><Value>195004372649</Value></Attribute>
      <Attribute><Name>ApproximateReceiveCount</Name><Value>5</Value></Attribute>
      <MessageAttribute><Name>kind</Name><Value><StringValue>x</StringValue>
        <DataType>String</DataType></Value></MessageAttribute>
      <MessageAttribute><Name>bin</Name><Value><BinaryValue>AAEC</BinaryValue>
        <DataType>Binary</DataType></Value></MessageAttribute>
    </Message>
    <Message><MessageId>m2</MessageId><ReceiptHandle>h2</ReceiptHandle><Body>b</Body></Message>
  </ReceiveMessageResult>
  <ResponseMetadata><RequestId>b6633655-283d-45b4-aee4-4e84e0ae6afa</RequestId></ResponseMetadata>
</ReceiveMessageResponse>)";
  auto r = Codec<sqs::ReceiveMessage>::decode_response(answer);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->messages.size(), 2u);
  const sqs::Message& m = r->messages[0];
  EXPECT_EQ(m.body, R"({"action":"subscribe-success"})");
  EXPECT_EQ(m.attributes.at("ApproximateReceiveCount"), "5");
  EXPECT_EQ(m.message_attributes.at("kind").string_value, "x");
  EXPECT_EQ(m.message_attributes.at("bin").binary_value, std::string("\x00\x01\x02", 3));
  EXPECT_EQ(r->messages[1].receipt_handle, "h2");

  const auto back = response_round_trip<sqs::ReceiveMessage>(*r);
  EXPECT_EQ(back.messages[0].message_attributes.at("bin").data_type, "Binary");
  EXPECT_NE(Codec<sqs::ReceiveMessage>::encode_response(*r, "x").body.find(
                "<Attribute><Name>ApproximateReceiveCount</Name><Value>5</Value></Attribute>"),
            std::string::npos);
}

TEST(QueryCodec, DecodeRequestReportsMissingFields) {
  HttpRequest wire;
  wire.body = "Action=CreateUser&Version=2010-05-08&Tags.member.1.Key=k";
  auto r = Codec<iam::CreateUser>::decode_request(wire);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("UserName: missing required field"), std::string::npos)
      << r.error().message;
  wire.body = "Action=CreateUser&Version=2010-05-08&UserName=u&Tags.member.1.Key=k";
  r = Codec<iam::CreateUser>::decode_request(wire);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("Tags[0].Value: missing required field"), std::string::npos)
      << r.error().message;
  wire.body = "Action=ListAccountAliases&Version=2010-05-08&MaxItems=ten";
  auto l = Codec<iam::ListAccountAliases>::decode_request(wire);
  ASSERT_FALSE(l.ok());
  EXPECT_NE(l.error().message.find("MaxItems: expected an integer"), std::string::npos);
  // An empty list is sent as "Name=" and reads back as empty.
  wire.body = "Action=AssumeRole&Version=2011-06-15&RoleArn=r&RoleSessionName=s&PolicyArns=";
  auto a = Codec<sts::AssumeRole>::decode_request(wire);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_TRUE(a->policy_arns.empty());
}

// ---- rest-json -----------------------------------------------------------------------------

TEST(RestJsonCodec, AccountOperationsPostToTheirPaths) {
  const account::PutAlternateContactRequest in{.name = "Ops",
                                               .title = "Lead",
                                               .email_address = "ops@example.com",
                                               .phone_number = "+1 (555) 010-0000",
                                               .alternate_contact_type = "OPERATIONS",
                                               .account_id = "222233334444"};
  const HttpRequest r = Codec<account::PutAlternateContact>::encode_request(in);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/putAlternateContact");
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  EXPECT_FALSE(r.header("X-Amz-Target"));
  EXPECT_EQ(body_json(r.body), json::parse(R"({"Name":"Ops","Title":"Lead",
      "EmailAddress":"ops@example.com","PhoneNumber":"+1 (555) 010-0000",
      "AlternateContactType":"OPERATIONS","AccountId":"222233334444"})"));
  EXPECT_EQ(request_round_trip<account::PutAlternateContact>(in).phone_number, in.phone_number);
  const HttpResponse empty = Codec<account::PutAlternateContact>::encode_response({}, "r");
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(empty.body, "");
  EXPECT_TRUE(Codec<account::PutAlternateContact>::decode_response(empty).ok());

  EXPECT_EQ(Codec<account::GetAlternateContact>::encode_request({"BILLING", ""}).path,
            "/getAlternateContact");
  request_round_trip<account::GetAlternateContact>({"BILLING", "1"});
  const auto got = response_round_trip<account::GetAlternateContact>(
      {{.name = "B", .email_address = "b@x", .alternate_contact_type = "BILLING"}});
  EXPECT_EQ(got.alternate_contact.email_address, "b@x");
}

// ---- rest-xml (S3) -------------------------------------------------------------------------

TEST(RestXmlCodec, CreateBucketCarriesTheLocationConstraint) {
  const HttpRequest r = Codec<s3::CreateBucket>::encode_request(
      {.bucket = "marketlink-cur", .acl = "private", .location_constraint = "eu-west-1"});
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.path, "/marketlink-cur");
  EXPECT_EQ(r.header("x-amz-acl"), "private");
  EXPECT_EQ(r.body,
            "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>");
  const auto back =
      request_round_trip<s3::CreateBucket>({.bucket = "b1",
                                            .location_constraint = "eu-west-1",
                                            .object_ownership = "BucketOwnerEnforced"});
  EXPECT_EQ(back.bucket, "b1");
  EXPECT_EQ(back.location_constraint, "eu-west-1");
  EXPECT_EQ(back.object_ownership, "BucketOwnerEnforced");
  EXPECT_TRUE(Codec<s3::CreateBucket>::encode_request({.bucket = "b"}).body.empty());
  EXPECT_EQ(response_round_trip<s3::CreateBucket>({"/b1"}).location, "/b1");
}

TEST(RestXmlCodec, HeadBucketIsAllHeaders) {
  const HttpRequest r =
      Codec<s3::HeadBucket>::encode_request({.bucket = "b", .expected_bucket_owner = "111"});
  EXPECT_EQ(r.method, "HEAD");
  EXPECT_EQ(r.path, "/b");
  EXPECT_TRUE(r.body.empty());
  request_round_trip<s3::HeadBucket>({.bucket = "b", .expected_bucket_owner = "111"});
  const auto back = response_round_trip<s3::HeadBucket>(
      {.bucket_region = "eu-west-1", .access_point_alias = false});
  EXPECT_EQ(back.bucket_region, "eu-west-1");
  EXPECT_EQ(back.access_point_alias, false);
}

TEST(RestXmlCodec, ListBucketsReadsS3Xml) {
  HttpResponse answer;
  answer.body = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Owner><ID>bcaf1ffd86f461ca5fb16fd081034f</ID><DisplayName>webfile</DisplayName></Owner>
  <Buckets>
    <Bucket><Name>amzn-s3-demo-bucket</Name><CreationDate>2006-02-03T16:45:09.000Z</CreationDate></Bucket>
    <Bucket><Name>amzn-s3-demo-bucket2</Name><CreationDate>2006-02-03T16:41:58.000Z</CreationDate></Bucket>
  </Buckets>
</ListAllMyBucketsResult>)";
  auto r = Codec<s3::ListBuckets>::decode_response(answer);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->buckets.size(), 2u);
  EXPECT_EQ(r->buckets[1].name, "amzn-s3-demo-bucket2");
  EXPECT_EQ(r->buckets[0].creation_date, t("2006-02-03T16:45:09Z"));
  EXPECT_EQ(r->owner->display_name, "webfile");
  const auto back = response_round_trip<s3::ListBuckets>(*r);
  EXPECT_EQ(back.buckets.size(), 2u);

  const HttpRequest list =
      Codec<s3::ListBuckets>::encode_request({.max_buckets = 10, .prefix = "m"});
  EXPECT_EQ(list.method, "GET");
  EXPECT_EQ(list.target(), "/?max-buckets=10&prefix=m");
  EXPECT_EQ(request_round_trip<s3::ListBuckets>({.max_buckets = 10, .prefix = "m"}).max_buckets,
            10);
}

TEST(RestXmlCodec, PutBucketPolicySendsThePolicyWithContentMd5) {
  const std::string policy = R"({"Version":"2012-10-17","Statement":[]})";
  const HttpRequest r =
      Codec<s3::PutBucketPolicy>::encode_request({.bucket = "b", .policy = policy});
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.target(), "/b?policy=");
  EXPECT_EQ(r.body, policy);
  EXPECT_EQ(r.header("Content-MD5").value_or("").size(), 24u);
  EXPECT_EQ(request_round_trip<s3::PutBucketPolicy>({.bucket = "b", .policy = policy}).policy,
            policy);
  HttpRequest corrupt = r;
  corrupt.body += " ";
  EXPECT_FALSE(Codec<s3::PutBucketPolicy>::decode_request(corrupt).ok());
  EXPECT_EQ(Codec<s3::PutBucketPolicy>::encode_response({}, "r").status, 204);
}

// ---- routing -------------------------------------------------------------------------------

TEST(OperationName, ReadsTargetActionAndRoutes) {
  auto name = [](Service s, HttpRequest r) {
    auto n = operation_name(s, r);
    return n.ok() ? *n : "error: " + n.error().message;
  };
  EXPECT_EQ(name(Service::kMetering, Codec<metering::ResolveCustomer>::encode_request({})),
            "ResolveCustomer");
  EXPECT_EQ(name(Service::kIam, Codec<iam::CreateUser>::encode_request({})), "CreateUser");
  EXPECT_EQ(name(Service::kAccount, Codec<account::GetAlternateContact>::encode_request({})),
            "GetAlternateContact");
  EXPECT_EQ(name(Service::kS3, Codec<s3::CreateBucket>::encode_request({.bucket = "b"})),
            "CreateBucket");
  EXPECT_EQ(name(Service::kS3, Codec<s3::HeadBucket>::encode_request({.bucket = "b"})),
            "HeadBucket");
  EXPECT_EQ(name(Service::kS3, Codec<s3::ListBuckets>::encode_request({})), "ListBuckets");
  EXPECT_EQ(name(Service::kS3, Codec<s3::PutBucketPolicy>::encode_request({.bucket = "b"})),
            "PutBucketPolicy");
  HttpRequest object;
  object.method = "PUT";
  object.path = "/b/key";
  EXPECT_EQ(name(Service::kS3, object), "PutObject");
  // Wrong service prefix, missing Action.
  EXPECT_FALSE(
      operation_name(Service::kOrganizations, Codec<metering::ResolveCustomer>::encode_request({}))
          .ok());
  EXPECT_FALSE(operation_name(Service::kSts, HttpRequest{}).ok());
  // Query parameters in the URL count too (GET-style query requests).
  HttpRequest get;
  get.query = {{"Action", "GetCallerIdentity"}, {"Version", "2011-06-15"}};
  EXPECT_EQ(name(Service::kSts, get), "GetCallerIdentity");
}

}  // namespace
}  // namespace aws
