// AssumeRoleCredentialsProvider: temporary credentials for a role (a member account's
// OrganizationAccountAccessRole, a pool account's role), from STS AssumeRole, cached until
// shortly before they expire.
//
// Safe for concurrent use: one caller refreshes while the others wait for it. Errors: those of
// AssumeRole (e.g. forbidden when the role may not be assumed), returned to every caller that
// needed a refresh; the next call tries again.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "aws/credentials.h"
#include "aws/sts.h"
#include "core/clock.h"

namespace aws {

struct AssumeRoleSettings {
  std::string role_arn;
  std::string role_session_name = "marketlink";
  std::string external_id;                      // empty: none
  std::optional<int> duration_seconds;          // empty: the role's default (one hour)
  std::chrono::seconds refresh_margin{5 * 60};  // refresh this long before expiry
};

class AssumeRoleCredentialsProvider final : public CredentialsProvider {
 public:
  // `sts` signs with the credentials allowed to assume the role.
  AssumeRoleCredentialsProvider(sts::StsClient sts, AssumeRoleSettings settings,
                                const core::Clock& clock);

  core::Result<Credentials> credentials() override;

 private:
  sts::StsClient sts_;
  const AssumeRoleSettings settings_;
  const core::Clock& clock_;
  std::mutex mu_;
  std::optional<Credentials> cached_;
};

}  // namespace aws
