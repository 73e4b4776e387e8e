#include "app/marketplace_customer_resolver.h"

#include "aws/metering.h"

namespace app {

MarketplaceCustomerResolver::MarketplaceCustomerResolver(
    const aws::ClientContext& context, std::shared_ptr<aws::CredentialsProvider> credentials,
    aws::ClientSettings settings) {
  if (!credentials) return;
  settings.retry = kResolveRetry;
  settings.call_timeout = std::min(settings.call_timeout, std::chrono::milliseconds(3000));
  client_ = std::make_unique<aws::AwsClient>(context, std::move(credentials), settings);
}

core::Result<saas::ResolvedBuyer> MarketplaceCustomerResolver::resolve(const std::string& token) {
  if (!client_) {
    return core::unavailable(
        "No seller credentials are configured (MARKETLINK_SELLER_ACCESS_KEY_ID or AWS_*).",
        saas::kAwsUnavailableSlug);
  }
  auto resolved =
      aws::metering::MeteringClient(*client_).resolve_customer({.registration_token = token});
  if (resolved.ok()) {
    return saas::ResolvedBuyer{.product_code = resolved->product_code,
                               .customer_identifier = resolved->customer_identifier,
                               .customer_aws_account_id = resolved->customer_aws_account_id,
                               .license_arn = resolved->license_arn};
  }
  // Only AWS's error code is kept: its message could, in principle, quote what was sent.
  const std::string code = aws::aws_error_code(resolved.error());
  if (code == "InvalidTokenException") {
    return core::invalid("AWS Marketplace does not know this token (InvalidTokenException).",
                         saas::kInvalidTokenSlug);
  }
  if (code == "ExpiredTokenException") {
    return core::invalid("The token has expired (ExpiredTokenException).", saas::kExpiredTokenSlug);
  }
  return core::unavailable("AWS Marketplace did not answer ResolveCustomer (" +
                               (code.empty() ? std::string("no answer") : code) + ").",
                           saas::kAwsUnavailableSlug);
}

}  // namespace app
