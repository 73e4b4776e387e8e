#include "aws/sts.h"

#include "aws/codec_internal.h"

namespace aws::detail {

using namespace aws::sts;

template <>
struct Shape<Tag> {
  static constexpr auto kFields =
      std::make_tuple(field("Key", &Tag::key, kRequired), field("Value", &Tag::value, kRequired));
};

template <>
struct Shape<PolicyDescriptor> {
  static constexpr auto kFields = std::make_tuple(field("arn", &PolicyDescriptor::arn));
};

template <>
struct Shape<GetCallerIdentityRequest> {
  static constexpr auto kFields = std::tuple<>();
};

template <>
struct Shape<GetCallerIdentityResponse> {
  static constexpr auto kFields =
      std::make_tuple(field("UserId", &GetCallerIdentityResponse::user_id),
                      field("Account", &GetCallerIdentityResponse::account),
                      field("Arn", &GetCallerIdentityResponse::arn));
};

template <>
struct Shape<AssumeRoleRequest> {
  static constexpr auto kFields =
      std::make_tuple(field("RoleArn", &AssumeRoleRequest::role_arn, kRequired),
                      field("RoleSessionName", &AssumeRoleRequest::role_session_name, kRequired),
                      field("PolicyArns", &AssumeRoleRequest::policy_arns),
                      field("Policy", &AssumeRoleRequest::policy),
                      field("DurationSeconds", &AssumeRoleRequest::duration_seconds),
                      field("Tags", &AssumeRoleRequest::tags),
                      field("TransitiveTagKeys", &AssumeRoleRequest::transitive_tag_keys),
                      field("ExternalId", &AssumeRoleRequest::external_id),
                      field("SerialNumber", &AssumeRoleRequest::serial_number),
                      field("TokenCode", &AssumeRoleRequest::token_code),
                      field("SourceIdentity", &AssumeRoleRequest::source_identity));
};

template <>
struct Shape<RoleCredentials> {
  static constexpr auto kFields =
      std::make_tuple(field("AccessKeyId", &RoleCredentials::access_key_id, kRequired),
                      field("SecretAccessKey", &RoleCredentials::secret_access_key, kRequired),
                      field("SessionToken", &RoleCredentials::session_token, kRequired),
                      field("Expiration", &RoleCredentials::expiration, kRequired));
};

template <>
struct Shape<AssumedRoleUser> {
  static constexpr auto kFields =
      std::make_tuple(field("AssumedRoleId", &AssumedRoleUser::assumed_role_id, kRequired),
                      field("Arn", &AssumedRoleUser::arn, kRequired));
};

template <>
struct Shape<AssumeRoleResponse> {
  static constexpr auto kFields =
      std::make_tuple(field("Credentials", &AssumeRoleResponse::credentials),
                      field("AssumedRoleUser", &AssumeRoleResponse::assumed_role_user),
                      field("PackedPolicySize", &AssumeRoleResponse::packed_policy_size),
                      field("SourceIdentity", &AssumeRoleResponse::source_identity));
};

}  // namespace aws::detail

namespace aws {
template struct Codec<sts::GetCallerIdentity>;
template struct Codec<sts::AssumeRole>;
}  // namespace aws
