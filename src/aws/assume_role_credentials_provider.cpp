#include "aws/assume_role_credentials_provider.h"

namespace aws {

AssumeRoleCredentialsProvider::AssumeRoleCredentialsProvider(sts::StsClient sts,
                                                             AssumeRoleSettings settings,
                                                             const core::Clock& clock)
    : sts_(std::move(sts)), settings_(std::move(settings)), clock_(clock) {}

core::Result<Credentials> AssumeRoleCredentialsProvider::credentials() {
  std::lock_guard lock(mu_);
  if (cached_ && cached_->expiration &&
      clock_.now() + settings_.refresh_margin < *cached_->expiration) {
    return *cached_;
  }
  auto response = sts_.assume_role({.role_arn = settings_.role_arn,
                                    .role_session_name = settings_.role_session_name,
                                    .duration_seconds = settings_.duration_seconds,
                                    .external_id = settings_.external_id});
  if (!response) return std::move(response).error();
  const sts::RoleCredentials& c = response->credentials;
  cached_ = Credentials{.access_key_id = c.access_key_id,
                        .secret_access_key = c.secret_access_key,
                        .session_token = c.session_token,
                        .expiration = c.expiration};
  return *cached_;
}

}  // namespace aws
