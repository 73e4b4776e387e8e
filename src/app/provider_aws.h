// ProviderAwsClient: the pool's view of AWS (pool::ProviderAws) over src/aws — STS
// GetCallerIdentity to learn whose keys a provider saved, and AssumeRole + GetCallerIdentity to
// check that Marketlink can work in a pool account. Safe for concurrent use.
#pragma once

#include "aws/aws_client.h"
#include "pool/aws_access.h"

namespace app {

class ProviderAwsClient final : public pool::ProviderAws {
 public:
  // `context` must outlive this object.
  ProviderAwsClient(const aws::ClientContext& context, aws::ClientSettings settings)
      : context_(context), settings_(std::move(settings)) {}

  core::Result<std::string> account_of(const pool::ProviderCredentials& credentials) override;
  core::Result<pool::AccessCheckOutcome> check(const pool::ProviderCredentials& credentials,
                                               const std::string& account_id) override;

 private:
  aws::AwsClient client_for(const pool::ProviderCredentials& credentials) const;

  const aws::ClientContext& context_;
  aws::ClientSettings settings_;
};

}  // namespace app
