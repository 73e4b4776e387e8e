// The AWS side of saas::LifecycleService, with the seller's credentials (against AWS or the
// simulator): GetEntitlements (every page) and the Agreement API (DescribeAgreement,
// GetAgreementTerms). Without seller credentials every call answers unavailable, saying so.
// Safe for concurrent use.
#pragma once

#include <memory>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "aws/http_transport.h"
#include "saas/lifecycle.h"
#include "saas/sns_intake.h"

namespace app {

class MarketplaceEntitlements final : public saas::EntitlementReader {
 public:
  MarketplaceEntitlements(const aws::ClientContext& context,
                          std::shared_ptr<aws::CredentialsProvider> credentials,
                          aws::ClientSettings settings);
  // Legacy buyers by customer identifier; concurrent agreements by license ARN (else the AWS
  // account id).
  core::Result<std::vector<saas::Entitlement>> entitlements(
      const saas::EntitlementQuery& query) override;

 private:
  std::unique_ptr<aws::AwsClient> client_;
};

class MarketplaceAgreements final : public saas::AgreementReader {
 public:
  MarketplaceAgreements(const aws::ClientContext& context,
                        std::shared_ptr<aws::CredentialsProvider> credentials,
                        aws::ClientSettings settings);
  // The agreement's status; a free trial ends its duration (ISO 8601 days or weeks) after the
  // agreement's start.
  core::Result<saas::AgreementTerms> terms(const std::string& agreement_id) override;

 private:
  std::unique_ptr<aws::AwsClient> client_;
};

// GETs SNS's signing certificates and SubscribeURLs over the platform's libcurl transport (5 s).
class SnsFetcher final : public saas::SnsWeb {
 public:
  explicit SnsFetcher(aws::HttpTransport& transport) : transport_(transport) {}
  core::Result<std::string> get(const std::string& url) override;

 private:
  aws::HttpTransport& transport_;
};

// "P30D" → 30 days, "P2W" → 14 days; nullopt for anything else.
std::optional<std::chrono::hours> iso8601_days(std::string_view duration);

}  // namespace app
