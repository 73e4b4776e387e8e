// OrganizationsAwsClient: the AWS organizations' view of AWS (orgs::OrgsAws) over src/aws — STS
// GetCallerIdentity, Organizations DescribeOrganization and CreateOrganization, S3 ListBuckets,
// HeadBucket, CreateBucket and PutBucketPolicy, CUR DescribeReportDefinitions and
// PutReportDefinition, each signed with the linked account's own keys. Safe for concurrent use.
#pragma once

#include "aws/aws_client.h"
#include "orgs/aws_organizations.h"

namespace app {

// The bucket policy CUR delivery needs on `bucket` of `account_id`.
std::string cur_bucket_policy(const std::string& bucket, const std::string& account_id);

class OrganizationsAwsClient final : public orgs::OrgsAws {
 public:
  // `context` must outlive this object; `settings` give the endpoint (the region is the
  // organization's).
  OrganizationsAwsClient(const aws::ClientContext& context, aws::ClientSettings settings)
      : context_(context), settings_(std::move(settings)) {}

  core::Result<std::string> caller_account(const orgs::OrgCredentials& c) override;
  core::Result<std::optional<orgs::OrganizationInfo>> organization(
      const orgs::OrgCredentials& c) override;
  core::Result<orgs::OrganizationInfo> create_organization(const orgs::OrgCredentials& c) override;
  core::Status s3_usable(const orgs::OrgCredentials& c) override;
  core::Result<orgs::BucketState> bucket_state(const orgs::OrgCredentials& c,
                                               const std::string& bucket) override;
  core::Result<std::vector<std::string>> report_names(const orgs::OrgCredentials& c) override;
  core::Status create_billing_bucket(const orgs::OrgCredentials& c,
                                     const std::string& bucket) override;
  core::Status create_report(const orgs::OrgCredentials& c, const std::string& report_name,
                             const std::string& bucket) override;

 private:
  aws::AwsClient client_for(const orgs::OrgCredentials& c) const;

  const aws::ClientContext& context_;
  aws::ClientSettings settings_;
};

}  // namespace app
