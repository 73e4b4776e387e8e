// AWS credentials and where a client gets them.
//
// A CredentialsProvider hands out the keys to sign one call with. Implementations are safe for
// concurrent use. Secrets must never be logged or put in error messages; nothing here does.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/result.h"

namespace aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;                  // empty for long-term keys
  std::optional<core::TimePoint> expiration;  // set for temporary credentials
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // The credentials to sign the next call with. Errors: whatever getting them failed with
  // (e.g. unavailable when STS cannot be reached, forbidden when AssumeRole is denied).
  virtual core::Result<Credentials> credentials() = 0;
};

// Always the same keys.
class StaticCredentialsProvider final : public CredentialsProvider {
 public:
  explicit StaticCredentialsProvider(Credentials credentials)
      : credentials_(std::move(credentials)) {}
  core::Result<Credentials> credentials() override { return credentials_; }

 private:
  const Credentials credentials_;
};

std::shared_ptr<CredentialsProvider> static_credentials(Credentials credentials);

// Keys and region from the standard variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN (optional) and AWS_REGION (falling back to AWS_DEFAULT_REGION; empty when
// neither is set), read through `getenv` (nullptr when unset).
// Errors: invalid when the key id or the secret is missing or empty.
struct EnvironmentCredentials {
  Credentials credentials;
  std::string region;
};
core::Result<EnvironmentCredentials> credentials_from_environment(
    const std::function<const char*(const char*)>& getenv);

}  // namespace aws
