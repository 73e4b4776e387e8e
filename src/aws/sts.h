// AWS Security Token Service (query, Version 2011-06-15, signing name sts, regional endpoint):
// GetCallerIdentity (checks keys, gives the account id) and AssumeRole (into member and pool
// accounts; see AssumeRoleCredentialsProvider for cached role credentials).
// Facade methods are safe for concurrent use and fail as AwsClient::call does (aws_client.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aws/aws_client.h"
#include "aws/codec.h"
#include "core/clock.h"

namespace aws::sts {

struct Tag {
  std::string key;
  std::string value;
};

struct PolicyDescriptor {
  std::string arn;
};

struct GetCallerIdentityRequest {};
struct GetCallerIdentityResponse {
  std::string user_id;
  std::string account;
  std::string arn;
};

struct AssumeRoleRequest {
  std::string role_arn;
  std::string role_session_name;
  std::vector<PolicyDescriptor> policy_arns;
  std::string policy;
  std::optional<int> duration_seconds;
  std::vector<Tag> tags;
  std::vector<std::string> transitive_tag_keys;
  std::string external_id;
  std::string serial_number;
  std::string token_code;
  std::string source_identity;
};

// The model's "Credentials" shape: temporary keys. Secrets: never log.
struct RoleCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  core::TimePoint expiration;
};

struct AssumedRoleUser {
  std::string assumed_role_id;
  std::string arn;
};

struct AssumeRoleResponse {
  RoleCredentials credentials;
  AssumedRoleUser assumed_role_user;
  std::optional<int> packed_policy_size;
  std::string source_identity;
};

struct GetCallerIdentity {
  using Request = GetCallerIdentityRequest;
  using Response = GetCallerIdentityResponse;
  static constexpr Service kService = Service::kSts;
  static constexpr std::string_view kName = "GetCallerIdentity";
};
struct AssumeRole {
  using Request = AssumeRoleRequest;
  using Response = AssumeRoleResponse;
  static constexpr Service kService = Service::kSts;
  static constexpr std::string_view kName = "AssumeRole";
};

class StsClient {
 public:
  explicit StsClient(AwsClient client) : client_(std::move(client)) {}

  core::Result<GetCallerIdentityResponse> get_caller_identity() const {
    return client_.call<GetCallerIdentity>({});
  }
  core::Result<AssumeRoleResponse> assume_role(const AssumeRoleRequest& r) const {
    return client_.call<AssumeRole>(r);
  }

 private:
  AwsClient client_;
};

}  // namespace aws::sts

namespace aws {
extern template struct Codec<sts::GetCallerIdentity>;
extern template struct Codec<sts::AssumeRole>;
}  // namespace aws
