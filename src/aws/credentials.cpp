#include "aws/credentials.h"

namespace aws {

std::shared_ptr<CredentialsProvider> static_credentials(Credentials credentials) {
  return std::make_shared<StaticCredentialsProvider>(std::move(credentials));
}

core::Result<EnvironmentCredentials> credentials_from_environment(
    const std::function<const char*(const char*)>& getenv) {
  auto read = [&](const char* name) -> std::string {
    const char* value = getenv(name);
    return value ? std::string(value) : std::string();
  };
  EnvironmentCredentials out;
  out.credentials.access_key_id = read("AWS_ACCESS_KEY_ID");
  out.credentials.secret_access_key = read("AWS_SECRET_ACCESS_KEY");
  out.credentials.session_token = read("AWS_SESSION_TOKEN");
  out.region = read("AWS_REGION");
  if (out.region.empty()) out.region = read("AWS_DEFAULT_REGION");
  if (out.credentials.access_key_id.empty()) {
    return core::invalid("AWS_ACCESS_KEY_ID is not set", "aws_credentials_missing");
  }
  if (out.credentials.secret_access_key.empty()) {
    return core::invalid("AWS_SECRET_ACCESS_KEY is not set", "aws_credentials_missing");
  }
  return out;
}

}  // namespace aws
