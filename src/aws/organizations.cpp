#include "aws/organizations.h"

#include "aws/codec_internal.h"

namespace aws::detail {

using namespace aws::organizations;

template <>
struct Shape<Tag> {
  static constexpr auto kFields =
      std::make_tuple(field("Key", &Tag::key, kRequired), field("Value", &Tag::value, kRequired));
};

template <>
struct Shape<CreateAccountStatus> {
  static constexpr auto kFields =
      std::make_tuple(field("Id", &CreateAccountStatus::id),
                      field("AccountName", &CreateAccountStatus::account_name),
                      field("State", &CreateAccountStatus::state),
                      field("RequestedTimestamp", &CreateAccountStatus::requested_timestamp),
                      field("CompletedTimestamp", &CreateAccountStatus::completed_timestamp),
                      field("AccountId", &CreateAccountStatus::account_id),
                      field("GovCloudAccountId", &CreateAccountStatus::gov_cloud_account_id),
                      field("FailureReason", &CreateAccountStatus::failure_reason));
};

template <>
struct Shape<PolicyTypeSummary> {
  static constexpr auto kFields = std::make_tuple(field("Type", &PolicyTypeSummary::type),
                                                  field("Status", &PolicyTypeSummary::status));
};

template <>
struct Shape<Organization> {
  static constexpr auto kFields =
      std::make_tuple(field("Id", &Organization::id), field("Arn", &Organization::arn),
                      field("FeatureSet", &Organization::feature_set),
                      field("MasterAccountArn", &Organization::master_account_arn),
                      field("MasterAccountId", &Organization::master_account_id),
                      field("MasterAccountEmail", &Organization::master_account_email),
                      field("AvailablePolicyTypes", &Organization::available_policy_types));
};

template <>
struct Shape<Account> {
  static constexpr auto kFields = std::make_tuple(
      field("Id", &Account::id), field("Arn", &Account::arn), field("Email", &Account::email),
      field("Name", &Account::name), field("Status", &Account::status),
      field("State", &Account::state), field("Paths", &Account::paths),
      field("JoinedMethod", &Account::joined_method),
      field("JoinedTimestamp", &Account::joined_timestamp));
};

template <>
struct Shape<CreateAccountRequest> {
  static constexpr auto kFields = std::make_tuple(
      field("Email", &CreateAccountRequest::email, kRequired),
      field("AccountName", &CreateAccountRequest::account_name, kRequired),
      field("RoleName", &CreateAccountRequest::role_name),
      field("IamUserAccessToBilling", &CreateAccountRequest::iam_user_access_to_billing),
      field("Tags", &CreateAccountRequest::tags));
};

template <>
struct Shape<CreateAccountResponse> {
  static constexpr auto kFields =
      std::make_tuple(field("CreateAccountStatus", &CreateAccountResponse::create_account_status));
};

template <>
struct Shape<DescribeCreateAccountStatusRequest> {
  static constexpr auto kFields = std::make_tuple(
      field("CreateAccountRequestId",
            &DescribeCreateAccountStatusRequest::create_account_request_id, kRequired));
};

template <>
struct Shape<DescribeCreateAccountStatusResponse> {
  static constexpr auto kFields = std::make_tuple(
      field("CreateAccountStatus", &DescribeCreateAccountStatusResponse::create_account_status));
};

template <>
struct Shape<ListCreateAccountStatusRequest> {
  static constexpr auto kFields =
      std::make_tuple(field("States", &ListCreateAccountStatusRequest::states),
                      field("NextToken", &ListCreateAccountStatusRequest::next_token),
                      field("MaxResults", &ListCreateAccountStatusRequest::max_results));
};

template <>
struct Shape<ListCreateAccountStatusResponse> {
  static constexpr auto kFields = std::make_tuple(
      field("CreateAccountStatuses", &ListCreateAccountStatusResponse::create_account_statuses),
      field("NextToken", &ListCreateAccountStatusResponse::next_token));
};

template <>
struct Shape<DescribeOrganizationRequest> {
  static constexpr auto kFields = std::tuple<>();
};

template <>
struct Shape<DescribeOrganizationResponse> {
  static constexpr auto kFields =
      std::make_tuple(field("Organization", &DescribeOrganizationResponse::organization));
};

template <>
struct Shape<ListAccountsRequest> {
  static constexpr auto kFields =
      std::make_tuple(field("NextToken", &ListAccountsRequest::next_token),
                      field("MaxResults", &ListAccountsRequest::max_results));
};

template <>
struct Shape<ListAccountsResponse> {
  static constexpr auto kFields =
      std::make_tuple(field("Accounts", &ListAccountsResponse::accounts),
                      field("NextToken", &ListAccountsResponse::next_token));
};

template <>
struct Shape<DescribeAccountRequest> {
  static constexpr auto kFields =
      std::make_tuple(field("AccountId", &DescribeAccountRequest::account_id, kRequired));
};

template <>
struct Shape<DescribeAccountResponse> {
  static constexpr auto kFields =
      std::make_tuple(field("Account", &DescribeAccountResponse::account));
};

template <>
struct Shape<CreateOrganizationRequest> {
  static constexpr auto kFields =
      std::make_tuple(field("FeatureSet", &CreateOrganizationRequest::feature_set));
};

template <>
struct Shape<CreateOrganizationResponse> {
  static constexpr auto kFields =
      std::make_tuple(field("Organization", &CreateOrganizationResponse::organization));
};

}  // namespace aws::detail

namespace aws {

template struct Codec<organizations::CreateAccount>;
template struct Codec<organizations::DescribeCreateAccountStatus>;
template struct Codec<organizations::ListCreateAccountStatus>;
template struct Codec<organizations::DescribeOrganization>;
template struct Codec<organizations::ListAccounts>;
template struct Codec<organizations::DescribeAccount>;
template struct Codec<organizations::CreateOrganization>;

namespace organizations {

core::Result<std::vector<Account>> OrganizationsClient::list_all_accounts(int max_pages) const {
  std::vector<Account> all;
  ListAccountsRequest request;
  for (int page = 0; page < max_pages; ++page) {
    auto response = list_accounts(request);
    if (!response) return std::move(response).error();
    for (auto& a : response->accounts) all.push_back(std::move(a));
    if (response->next_token.empty()) return all;
    request.next_token = std::move(response->next_token);
  }
  return core::internal("ListAccounts kept returning a NextToken after " +
                        std::to_string(max_pages) + " pages");
}

}  // namespace organizations
}  // namespace aws
