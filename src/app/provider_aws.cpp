#include "app/provider_aws.h"

#include <fmt/format.h>

#include "app/aws_refusal.h"
#include "aws/sts.h"

namespace app {

aws::AwsClient ProviderAwsClient::client_for(const pool::ProviderCredentials& c) const {
  return aws::AwsClient(context_,
                        aws::static_credentials({.access_key_id = c.access_key_id,
                                                 .secret_access_key = c.secret_access_key,
                                                 .session_token = "",
                                                 .expiration = std::nullopt}),
                        settings_);
}

core::Result<std::string> ProviderAwsClient::account_of(const pool::ProviderCredentials& c) {
  auto identity = aws::sts::StsClient(client_for(c)).get_caller_identity();
  if (identity.ok()) return identity->account;
  if (keys_refused(aws::aws_error_code(identity.error()))) {
    return core::invalid("AWS refused these keys. " + aws_error_text(identity.error()),
                         "aws_keys_rejected");
  }
  return core::unavailable("AWS could not check the keys: " + aws_error_text(identity.error()));
}

core::Result<pool::AccessCheckOutcome> ProviderAwsClient::check(const pool::ProviderCredentials& c,
                                                                const std::string& account_id) {
  const std::string role_arn = fmt::format("arn:aws:iam::{}:role/{}", account_id, c.role_name);
  auto assumed = aws::sts::StsClient(client_for(c))
                     .assume_role({.role_arn = role_arn,
                                   .role_session_name = "marketlink-access-check",
                                   .duration_seconds = 900});
  if (!assumed.ok()) {
    const std::string code = aws::aws_error_code(assumed.error());
    if (code == "AccessDenied") {
      return pool::AccessCheckOutcome{
          .reachable = false,
          .reason = fmt::format("role {} cannot be assumed ({})", c.role_name,
                                aws_error_text(assumed.error()))};
    }
    // Anything else says nothing about this account: the provider's keys, or AWS, failed.
    return core::unavailable(
        fmt::format("AssumeRole into {} failed: {}", account_id, aws_error_text(assumed.error())));
  }
  const auto& role = assumed->credentials;
  aws::AwsClient in_account(context_,
                            aws::static_credentials({.access_key_id = role.access_key_id,
                                                     .secret_access_key = role.secret_access_key,
                                                     .session_token = role.session_token,
                                                     .expiration = role.expiration}),
                            settings_);
  auto identity = aws::sts::StsClient(in_account).get_caller_identity();
  if (!identity.ok()) {
    return core::unavailable(fmt::format("GetCallerIdentity in {} failed: {}", account_id,
                                         aws_error_text(identity.error())));
  }
  if (identity->account != account_id) {
    return pool::AccessCheckOutcome{
        .reachable = false,
        .reason = fmt::format("the role answered as account {}", identity->account)};
  }
  return pool::AccessCheckOutcome{.reachable = true, .reason = ""};
}

}  // namespace app
