// AWS Identity and Access Management (query, Version 2010-05-08, signing name iam, endpoint
// iam.amazonaws.com signed for us-east-1): users, login profiles, policies, account aliases.
// Passwords in CreateLoginProfileRequest are secrets: never log the request.
// Facade methods are safe for concurrent use and fail as AwsClient::call does (aws_client.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aws/aws_client.h"
#include "aws/codec.h"
#include "core/clock.h"

namespace aws::iam {

struct Tag {
  std::string key;
  std::string value;
};

struct AttachedPermissionsBoundary {
  std::string permissions_boundary_type;
  std::string permissions_boundary_arn;
};

struct User {
  std::string path;
  std::string user_name;
  std::string user_id;
  std::string arn;
  core::TimePoint create_date;
  std::optional<core::TimePoint> password_last_used;
  std::optional<AttachedPermissionsBoundary> permissions_boundary;
  std::vector<Tag> tags;
};

struct LoginProfile {
  std::string user_name;
  core::TimePoint create_date;
  std::optional<bool> password_reset_required;
};

struct CreateUserRequest {
  std::string path;
  std::string user_name;
  std::string permissions_boundary;
  std::vector<Tag> tags;
};
struct CreateUserResponse {
  User user;
};

struct GetUserRequest {
  std::string user_name;  // empty: the caller
};
struct GetUserResponse {
  User user;
};

struct CreateLoginProfileRequest {
  std::string user_name;
  std::string password;
  std::optional<bool> password_reset_required;
};
struct CreateLoginProfileResponse {
  LoginProfile login_profile;
};

struct AttachUserPolicyRequest {
  std::string user_name;
  std::string policy_arn;
};

struct CreateAccountAliasRequest {
  std::string account_alias;  // unique across AWS: lowercase letters, digits, hyphens, 3..63
};

struct ListAccountAliasesRequest {
  std::string marker;
  std::optional<int> max_items;
};
struct ListAccountAliasesResponse {
  std::vector<std::string> account_aliases;
  std::optional<bool> is_truncated;
  std::string marker;
};

struct CreateUser {
  using Request = CreateUserRequest;
  using Response = CreateUserResponse;
  static constexpr Service kService = Service::kIam;
  static constexpr std::string_view kName = "CreateUser";
};
struct GetUser {
  using Request = GetUserRequest;
  using Response = GetUserResponse;
  static constexpr Service kService = Service::kIam;
  static constexpr std::string_view kName = "GetUser";
};
struct CreateLoginProfile {
  using Request = CreateLoginProfileRequest;
  using Response = CreateLoginProfileResponse;
  static constexpr Service kService = Service::kIam;
  static constexpr std::string_view kName = "CreateLoginProfile";
};
struct AttachUserPolicy {
  using Request = AttachUserPolicyRequest;
  using Response = Empty;
  static constexpr Service kService = Service::kIam;
  static constexpr std::string_view kName = "AttachUserPolicy";
};
struct CreateAccountAlias {
  using Request = CreateAccountAliasRequest;
  using Response = Empty;
  static constexpr Service kService = Service::kIam;
  static constexpr std::string_view kName = "CreateAccountAlias";
};
struct ListAccountAliases {
  using Request = ListAccountAliasesRequest;
  using Response = ListAccountAliasesResponse;
  static constexpr Service kService = Service::kIam;
  static constexpr std::string_view kName = "ListAccountAliases";
};

class IamClient {
 public:
  explicit IamClient(AwsClient client) : client_(std::move(client)) {}

  // Errors: conflict (EntityAlreadyExists) when the user exists.
  core::Result<CreateUserResponse> create_user(const CreateUserRequest& r) const {
    return client_.call<CreateUser>(r);
  }
  // Errors: not_found (NoSuchEntity).
  core::Result<GetUserResponse> get_user(const GetUserRequest& r) const {
    return client_.call<GetUser>(r);
  }
  core::Result<CreateLoginProfileResponse> create_login_profile(
      const CreateLoginProfileRequest& r) const {
    return client_.call<CreateLoginProfile>(r);
  }
  core::Status attach_user_policy(const AttachUserPolicyRequest& r) const {
    return status_of(client_.call<AttachUserPolicy>(r));
  }
  // Errors: conflict (EntityAlreadyExists) when any account already uses the alias.
  core::Status create_account_alias(const CreateAccountAliasRequest& r) const {
    return status_of(client_.call<CreateAccountAlias>(r));
  }
  core::Result<ListAccountAliasesResponse> list_account_aliases(
      const ListAccountAliasesRequest& r = {}) const {
    return client_.call<ListAccountAliases>(r);
  }

 private:
  static core::Status status_of(core::Result<Empty> r) {
    if (!r) return std::move(r).error();
    return {};
  }
  AwsClient client_;
};

}  // namespace aws::iam

namespace aws {
extern template struct Codec<iam::CreateUser>;
extern template struct Codec<iam::GetUser>;
extern template struct Codec<iam::CreateLoginProfile>;
extern template struct Codec<iam::AttachUserPolicy>;
extern template struct Codec<iam::CreateAccountAlias>;
extern template struct Codec<iam::ListAccountAliases>;
}  // namespace aws
