#include "app/organizations_aws.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "app/aws_refusal.h"
#include "aws/cur.h"
#include "aws/organizations.h"
#include "aws/s3.h"
#include "aws/sts.h"

namespace app {

namespace {

// AWS's refusal as the domain's errors: refused keys, not allowed, or AWS unreachable.
core::Error classify(const core::Error& error) {
  const std::string code = aws::aws_error_code(error);
  if (keys_refused(code)) return core::invalid(aws_error_text(error), "aws_keys_rejected");
  if (code == "AccessDenied" || code == "AccessDeniedException" ||
      error.code == core::ErrorCode::kForbidden) {
    return core::forbidden(aws_error_text(error));
  }
  if (error.code == core::ErrorCode::kUnavailable) return core::unavailable(aws_error_text(error));
  return core::Error{.code = error.code, .message = aws_error_text(error), .slug = error.slug};
}

}  // namespace

std::string cur_bucket_policy(const std::string& bucket, const std::string& account_id) {
  const std::string arn = "arn:aws:s3:::" + bucket;
  const nlohmann::json condition = {
      {"StringEquals",
       {{"aws:SourceAccount", account_id},
        {"aws:SourceArn", fmt::format("arn:aws:cur:us-east-1:{}:definition/*", account_id)}}}};
  const nlohmann::json policy = {{"Version", "2008-10-17"},
                                 {"Statement",
                                  {{{"Sid", "BillingReportsReadBucket"},
                                    {"Effect", "Allow"},
                                    {"Principal", {{"Service", "billingreports.amazonaws.com"}}},
                                    {"Action", {"s3:GetBucketAcl", "s3:GetBucketPolicy"}},
                                    {"Resource", arn},
                                    {"Condition", condition}},
                                   {{"Sid", "BillingReportsPutObjects"},
                                    {"Effect", "Allow"},
                                    {"Principal", {{"Service", "billingreports.amazonaws.com"}}},
                                    {"Action", "s3:PutObject"},
                                    {"Resource", arn + "/*"},
                                    {"Condition", condition}}}}};
  return policy.dump();
}

aws::AwsClient OrganizationsAwsClient::client_for(const orgs::OrgCredentials& c) const {
  aws::ClientSettings settings = settings_;
  settings.region = c.region;
  return aws::AwsClient(context_,
                        aws::static_credentials({.access_key_id = c.access_key_id,
                                                 .secret_access_key = c.secret_access_key,
                                                 .session_token = "",
                                                 .expiration = std::nullopt}),
                        settings);
}

core::Result<std::string> OrganizationsAwsClient::caller_account(const orgs::OrgCredentials& c) {
  auto identity = aws::sts::StsClient(client_for(c)).get_caller_identity();
  if (!identity.ok()) return classify(identity.error());
  return identity->account;
}

core::Result<std::optional<orgs::OrganizationInfo>> OrganizationsAwsClient::organization(
    const orgs::OrgCredentials& c) {
  auto described = aws::organizations::OrganizationsClient(client_for(c)).describe_organization();
  if (!described.ok()) {
    if (aws::aws_error_code(described.error()) == "AWSOrganizationsNotInUseException") {
      return std::optional<orgs::OrganizationInfo>();
    }
    return classify(described.error());
  }
  const auto& o = described->organization;
  return std::optional<orgs::OrganizationInfo>(orgs::OrganizationInfo{
      .id = o.id, .management_account_id = o.master_account_id, .feature_set = o.feature_set});
}

core::Result<orgs::OrganizationInfo> OrganizationsAwsClient::create_organization(
    const orgs::OrgCredentials& c) {
  auto created = aws::organizations::OrganizationsClient(client_for(c))
                     .create_organization({.feature_set = "ALL"});
  if (!created.ok()) return classify(created.error());
  const auto& o = created->organization;
  return orgs::OrganizationInfo{
      .id = o.id, .management_account_id = o.master_account_id, .feature_set = o.feature_set};
}

core::Status OrganizationsAwsClient::s3_usable(const orgs::OrgCredentials& c) {
  auto listed = aws::s3::S3Client(client_for(c)).list_buckets({.max_buckets = 1});
  if (!listed.ok()) return classify(listed.error());
  return {};
}

core::Result<orgs::BucketState> OrganizationsAwsClient::bucket_state(const orgs::OrgCredentials& c,
                                                                     const std::string& bucket) {
  auto head = aws::s3::S3Client(client_for(c)).head_bucket({.bucket = bucket});
  if (head.ok()) return orgs::BucketState::kOurs;
  const std::string code = aws::aws_error_code(head.error());
  if (head.error().code == core::ErrorCode::kNotFound || code == "NotFound" ||
      code == "NoSuchBucket") {
    return orgs::BucketState::kAbsent;
  }
  if (head.error().code == core::ErrorCode::kForbidden || code == "Forbidden") {
    return orgs::BucketState::kSomeoneElses;
  }
  return classify(head.error());
}

core::Result<std::vector<std::string>> OrganizationsAwsClient::report_names(
    const orgs::OrgCredentials& c) {
  aws::cur::CurClient cur(client_for(c));
  std::vector<std::string> names;
  std::string token;
  for (int page = 0; page < 100; ++page) {
    auto listed = cur.describe_report_definitions({.max_results = 5, .next_token = token});
    if (!listed.ok()) return classify(listed.error());
    for (const auto& d : listed->report_definitions) names.push_back(d.report_name);
    token = listed->next_token;
    if (token.empty()) break;
  }
  return names;
}

core::Status OrganizationsAwsClient::create_billing_bucket(const orgs::OrgCredentials& c,
                                                           const std::string& bucket) {
  aws::s3::S3Client s3(client_for(c));
  auto created = s3.create_bucket({.bucket = bucket,
                                   .acl = "private",
                                   .location_constraint = c.region == "us-east-1" ? "" : c.region,
                                   .object_ownership = "BucketOwnerEnforced"});
  if (!created.ok()) return classify(created.error());
  auto policy =
      s3.put_bucket_policy({.bucket = bucket, .policy = cur_bucket_policy(bucket, c.account_id)});
  if (!policy.ok()) return classify(policy.error());
  return {};
}

core::Status OrganizationsAwsClient::create_report(const orgs::OrgCredentials& c,
                                                   const std::string& report_name,
                                                   const std::string& bucket) {
  auto put =
      aws::cur::CurClient(client_for(c))
          .put_report_definition({.report_definition = {.report_name = report_name,
                                                        .time_unit = "DAILY",
                                                        .format = "textORcsv",
                                                        .compression = "GZIP",
                                                        .additional_schema_elements = {"RESOURCES"},
                                                        .s3_bucket = bucket,
                                                        .s3_prefix = "cur",
                                                        .s3_region = c.region,
                                                        .refresh_closed_reports = true,
                                                        .report_versioning = "OVERWRITE_REPORT"}});
  if (!put.ok()) return classify(put.error());
  return {};
}

}  // namespace app
