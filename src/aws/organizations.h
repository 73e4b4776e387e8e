// AWS Organizations (json 1.1, X-Amz-Target AWSOrganizationsV20161128.<Op>, signing name
// organizations, us-east-1): account creation and status, the organization, its accounts.
// Enumerated values are plain strings, as on the wire (e.g. State "IN_PROGRESS", "SUCCEEDED",
// "FAILED"; FailureReason "EMAIL_ALREADY_EXISTS", ...).
// Facade methods are safe for concurrent use and fail as AwsClient::call does (aws_client.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aws/aws_client.h"
#include "aws/codec.h"
#include "core/clock.h"

namespace aws::organizations {

struct Tag {
  std::string key;
  std::string value;
};

struct CreateAccountStatus {
  std::string id;  // "car-…"
  std::string account_name;
  std::string state;  // IN_PROGRESS, SUCCEEDED, FAILED
  std::optional<core::TimePoint> requested_timestamp;
  std::optional<core::TimePoint> completed_timestamp;
  std::string account_id;  // once SUCCEEDED
  std::string gov_cloud_account_id;
  std::string failure_reason;  // once FAILED
};

struct PolicyTypeSummary {
  std::string type;
  std::string status;
};

struct Organization {
  std::string id;  // "o-…"
  std::string arn;
  std::string feature_set;  // ALL or CONSOLIDATED_BILLING
  std::string master_account_arn;
  std::string master_account_id;
  std::string master_account_email;
  std::vector<PolicyTypeSummary> available_policy_types;
};

struct Account {
  std::string id;
  std::string arn;
  std::string email;
  std::string name;
  std::string status;  // ACTIVE, SUSPENDED, PENDING_CLOSURE
  std::string state;   // PENDING_ACTIVATION, ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED
  std::vector<std::string> paths;
  std::string joined_method;  // INVITED or CREATED
  std::optional<core::TimePoint> joined_timestamp;
};

struct CreateAccountRequest {
  std::string email;                       // 6..64 characters
  std::string account_name;                // 1..50 characters
  std::string role_name;                   // default OrganizationAccountAccessRole
  std::string iam_user_access_to_billing;  // ALLOW or DENY
  std::vector<Tag> tags;
};
struct CreateAccountResponse {
  CreateAccountStatus create_account_status;
};

struct DescribeCreateAccountStatusRequest {
  std::string create_account_request_id;
};
struct DescribeCreateAccountStatusResponse {
  CreateAccountStatus create_account_status;
};

struct ListCreateAccountStatusRequest {
  std::vector<std::string> states;
  std::string next_token;
  std::optional<int> max_results;
};
struct ListCreateAccountStatusResponse {
  std::vector<CreateAccountStatus> create_account_statuses;
  std::string next_token;
};

struct DescribeOrganizationRequest {};
struct DescribeOrganizationResponse {
  Organization organization;
};

struct ListAccountsRequest {
  std::string next_token;
  std::optional<int> max_results;
};
struct ListAccountsResponse {
  std::vector<Account> accounts;
  std::string next_token;
};

struct DescribeAccountRequest {
  std::string account_id;
};
struct DescribeAccountResponse {
  Account account;
};

struct CreateOrganizationRequest {
  std::string feature_set;  // ALL (default) or CONSOLIDATED_BILLING
};
struct CreateOrganizationResponse {
  Organization organization;
};

struct CreateAccount {
  using Request = CreateAccountRequest;
  using Response = CreateAccountResponse;
  static constexpr Service kService = Service::kOrganizations;
  static constexpr std::string_view kName = "CreateAccount";
};
struct DescribeCreateAccountStatus {
  using Request = DescribeCreateAccountStatusRequest;
  using Response = DescribeCreateAccountStatusResponse;
  static constexpr Service kService = Service::kOrganizations;
  static constexpr std::string_view kName = "DescribeCreateAccountStatus";
};
struct ListCreateAccountStatus {
  using Request = ListCreateAccountStatusRequest;
  using Response = ListCreateAccountStatusResponse;
  static constexpr Service kService = Service::kOrganizations;
  static constexpr std::string_view kName = "ListCreateAccountStatus";
};
struct DescribeOrganization {
  using Request = DescribeOrganizationRequest;
  using Response = DescribeOrganizationResponse;
  static constexpr Service kService = Service::kOrganizations;
  static constexpr std::string_view kName = "DescribeOrganization";
};
struct ListAccounts {
  using Request = ListAccountsRequest;
  using Response = ListAccountsResponse;
  static constexpr Service kService = Service::kOrganizations;
  static constexpr std::string_view kName = "ListAccounts";
};
struct DescribeAccount {
  using Request = DescribeAccountRequest;
  using Response = DescribeAccountResponse;
  static constexpr Service kService = Service::kOrganizations;
  static constexpr std::string_view kName = "DescribeAccount";
};
struct CreateOrganization {
  using Request = CreateOrganizationRequest;
  using Response = CreateOrganizationResponse;
  static constexpr Service kService = Service::kOrganizations;
  static constexpr std::string_view kName = "CreateOrganization";
};

class OrganizationsClient {
 public:
  explicit OrganizationsClient(AwsClient client) : client_(std::move(client)) {}

  core::Result<CreateAccountResponse> create_account(const CreateAccountRequest& r) const {
    return client_.call<CreateAccount>(r);
  }
  core::Result<DescribeCreateAccountStatusResponse> describe_create_account_status(
      const DescribeCreateAccountStatusRequest& r) const {
    return client_.call<DescribeCreateAccountStatus>(r);
  }
  core::Result<ListCreateAccountStatusResponse> list_create_account_status(
      const ListCreateAccountStatusRequest& r) const {
    return client_.call<ListCreateAccountStatus>(r);
  }
  core::Result<DescribeOrganizationResponse> describe_organization() const {
    return client_.call<DescribeOrganization>({});
  }
  core::Result<ListAccountsResponse> list_accounts(const ListAccountsRequest& r) const {
    return client_.call<ListAccounts>(r);
  }
  // Every account of the organization, following NextToken (at most `max_pages` pages).
  core::Result<std::vector<Account>> list_all_accounts(int max_pages = 1000) const;
  core::Result<DescribeAccountResponse> describe_account(const DescribeAccountRequest& r) const {
    return client_.call<DescribeAccount>(r);
  }
  core::Result<CreateOrganizationResponse> create_organization(
      const CreateOrganizationRequest& r) const {
    return client_.call<CreateOrganization>(r);
  }

 private:
  AwsClient client_;
};

}  // namespace aws::organizations

namespace aws {
extern template struct Codec<organizations::CreateAccount>;
extern template struct Codec<organizations::DescribeCreateAccountStatus>;
extern template struct Codec<organizations::ListCreateAccountStatus>;
extern template struct Codec<organizations::DescribeOrganization>;
extern template struct Codec<organizations::ListAccounts>;
extern template struct Codec<organizations::DescribeAccount>;
extern template struct Codec<organizations::CreateOrganization>;
}  // namespace aws
