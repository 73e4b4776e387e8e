#include "aws/iam.h"

#include "aws/codec_internal.h"

namespace aws::detail {

using namespace aws::iam;

template <>
struct Shape<Tag> {
  static constexpr auto kFields =
      std::make_tuple(field("Key", &Tag::key, kRequired), field("Value", &Tag::value, kRequired));
};

template <>
struct Shape<AttachedPermissionsBoundary> {
  static constexpr auto kFields = std::make_tuple(
      field("PermissionsBoundaryType", &AttachedPermissionsBoundary::permissions_boundary_type),
      field("PermissionsBoundaryArn", &AttachedPermissionsBoundary::permissions_boundary_arn));
};

template <>
struct Shape<User> {
  static constexpr auto kFields = std::make_tuple(
      field("Path", &User::path, kRequired), field("UserName", &User::user_name, kRequired),
      field("UserId", &User::user_id, kRequired), field("Arn", &User::arn, kRequired),
      field("CreateDate", &User::create_date, kRequired),
      field("PasswordLastUsed", &User::password_last_used),
      field("PermissionsBoundary", &User::permissions_boundary), field("Tags", &User::tags));
};

template <>
struct Shape<LoginProfile> {
  static constexpr auto kFields =
      std::make_tuple(field("UserName", &LoginProfile::user_name, kRequired),
                      field("CreateDate", &LoginProfile::create_date, kRequired),
                      field("PasswordResetRequired", &LoginProfile::password_reset_required));
};

template <>
struct Shape<CreateUserRequest> {
  static constexpr auto kFields =
      std::make_tuple(field("Path", &CreateUserRequest::path),
                      field("UserName", &CreateUserRequest::user_name, kRequired),
                      field("PermissionsBoundary", &CreateUserRequest::permissions_boundary),
                      field("Tags", &CreateUserRequest::tags));
};

template <>
struct Shape<CreateUserResponse> {
  static constexpr auto kFields = std::make_tuple(field("User", &CreateUserResponse::user));
};

template <>
struct Shape<GetUserRequest> {
  static constexpr auto kFields = std::make_tuple(field("UserName", &GetUserRequest::user_name));
};

template <>
struct Shape<GetUserResponse> {
  static constexpr auto kFields = std::make_tuple(field("User", &GetUserResponse::user, kRequired));
};

template <>
struct Shape<CreateLoginProfileRequest> {
  static constexpr auto kFields = std::make_tuple(
      field("UserName", &CreateLoginProfileRequest::user_name),
      field("Password", &CreateLoginProfileRequest::password),
      field("PasswordResetRequired", &CreateLoginProfileRequest::password_reset_required));
};

template <>
struct Shape<CreateLoginProfileResponse> {
  static constexpr auto kFields =
      std::make_tuple(field("LoginProfile", &CreateLoginProfileResponse::login_profile, kRequired));
};

template <>
struct Shape<AttachUserPolicyRequest> {
  static constexpr auto kFields =
      std::make_tuple(field("UserName", &AttachUserPolicyRequest::user_name, kRequired),
                      field("PolicyArn", &AttachUserPolicyRequest::policy_arn, kRequired));
};

template <>
struct Shape<CreateAccountAliasRequest> {
  static constexpr auto kFields =
      std::make_tuple(field("AccountAlias", &CreateAccountAliasRequest::account_alias, kRequired));
};

template <>
struct Shape<ListAccountAliasesRequest> {
  static constexpr auto kFields =
      std::make_tuple(field("Marker", &ListAccountAliasesRequest::marker),
                      field("MaxItems", &ListAccountAliasesRequest::max_items));
};

template <>
struct Shape<ListAccountAliasesResponse> {
  static constexpr auto kFields = std::make_tuple(
      field("AccountAliases", &ListAccountAliasesResponse::account_aliases, kRequired),
      field("IsTruncated", &ListAccountAliasesResponse::is_truncated),
      field("Marker", &ListAccountAliasesResponse::marker));
};

}  // namespace aws::detail

namespace aws {
template struct Codec<iam::CreateUser>;
template struct Codec<iam::GetUser>;
template struct Codec<iam::CreateLoginProfile>;
template struct Codec<iam::AttachUserPolicy>;
template struct Codec<iam::CreateAccountAlias>;
template struct Codec<iam::ListAccountAliases>;
}  // namespace aws
