#include "app/marketplace_lifecycle.h"

#include <charconv>
#include <cstdio>

#include "aws/agreement.h"
#include "aws/aws_error.h"
#include "aws/entitlement.h"
#include "aws/http_message.h"

namespace app {

namespace {

core::Error no_credentials() {
  return core::unavailable(
      "No seller credentials are configured (MARKETLINK_SELLER_ACCESS_KEY_ID or AWS_*).");
}

std::unique_ptr<aws::AwsClient> client_for(const aws::ClientContext& context,
                                           std::shared_ptr<aws::CredentialsProvider> credentials,
                                           const aws::ClientSettings& settings) {
  if (!credentials) return nullptr;
  return std::make_unique<aws::AwsClient>(context, std::move(credentials), settings);
}

// AWS's error as unavailable (the job retries), naming the operation and AWS's code only.
core::Error unavailable(const char* operation, const core::Error& error) {
  const std::string code = aws::aws_error_code(error);
  return core::unavailable(std::string("AWS Marketplace did not answer ") + operation + " (" +
                           (code.empty() ? std::string("no answer") : code) + ").");
}

std::string number_text(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

}  // namespace

std::optional<std::chrono::hours> iso8601_days(std::string_view duration) {
  if (duration.size() < 3 || duration.front() != 'P') return std::nullopt;
  const char unit = duration.back();
  const std::string_view digits = duration.substr(1, duration.size() - 2);
  int n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || n < 0) return std::nullopt;
  if (unit == 'D') return std::chrono::hours(24 * n);
  if (unit == 'W') return std::chrono::hours(24 * 7 * n);
  return std::nullopt;
}

core::Result<std::string> SnsFetcher::get(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return core::invalid("Not a URL: " + url);
  const size_t path_start = url.find('/', scheme_end + 3);
  const std::string origin = url.substr(0, path_start);
  aws::HttpRequest request;
  request.method = "GET";
  if (path_start != std::string::npos) {
    aws::split_target(std::string_view(url).substr(path_start), request.path, request.query);
  }
  request.set_header("Host", origin.substr(scheme_end + 3));
  auto answered = transport_.send(origin, request, std::chrono::seconds(5));
  if (!answered.ok()) return core::unavailable("No answer from " + origin + ".");
  if (answered->status < 200 || answered->status > 299) {
    return core::unavailable(origin + " answered " + std::to_string(answered->status) + ".");
  }
  return answered->body;
}

MarketplaceEntitlements::MarketplaceEntitlements(
    const aws::ClientContext& context, std::shared_ptr<aws::CredentialsProvider> credentials,
    aws::ClientSettings settings)
    : client_(client_for(context, std::move(credentials), settings)) {}

core::Result<std::vector<saas::Entitlement>> MarketplaceEntitlements::entitlements(
    const saas::EntitlementQuery& q) {
  if (!client_) return no_credentials();
  aws::entitlement::GetEntitlementsRequest request{.product_code = q.product_code};
  if (!q.customer_identifier.empty()) {
    request.filter[std::string(aws::entitlement::kFilterCustomerIdentifier)] = {
        q.customer_identifier};
  } else if (!q.license_arn.empty()) {
    request.filter[std::string(aws::entitlement::kFilterLicenseArn)] = {q.license_arn};
  } else {
    request.filter[std::string(aws::entitlement::kFilterCustomerAwsAccountId)] = {
        q.customer_aws_account_id};
  }
  request.max_results = 25;
  auto read = aws::entitlement::EntitlementClient(*client_).get_all_entitlements(request);
  if (!read.ok()) return unavailable("GetEntitlements", read.error());
  std::vector<saas::Entitlement> out;
  for (const aws::entitlement::Entitlement& e : read->entitlements) {
    saas::Entitlement item{.dimension = e.dimension, .expires_at = e.expiration_date};
    const aws::entitlement::EntitlementValue& v = e.value;
    if (v.integer_value) {
      item.kind = saas::EntitlementValueKind::kInteger;
      item.value = std::to_string(*v.integer_value);
    } else if (v.double_value) {
      item.kind = saas::EntitlementValueKind::kDouble;
      item.value = number_text(*v.double_value);
    } else if (v.boolean_value) {
      item.kind = saas::EntitlementValueKind::kBoolean;
      item.value = *v.boolean_value ? "true" : "false";
    } else {
      item.kind = saas::EntitlementValueKind::kString;
      item.value = v.string_value.value_or("");
    }
    out.push_back(std::move(item));
  }
  return out;
}

MarketplaceAgreements::MarketplaceAgreements(const aws::ClientContext& context,
                                             std::shared_ptr<aws::CredentialsProvider> credentials,
                                             aws::ClientSettings settings)
    : client_(client_for(context, std::move(credentials), settings)) {}

core::Result<saas::AgreementTerms> MarketplaceAgreements::terms(const std::string& agreement_id) {
  if (!client_) return no_credentials();
  aws::agreement::AgreementClient agreements(*client_);
  auto described = agreements.describe_agreement({.agreement_id = agreement_id});
  if (!described.ok()) return unavailable("DescribeAgreement", described.error());
  auto terms = agreements.get_all_agreement_terms({.agreement_id = agreement_id});
  if (!terms.ok()) return unavailable("GetAgreementTerms", terms.error());
  saas::AgreementTerms out{.status = described->status};
  if (const auto* trial = aws::agreement::free_trial_term(terms->accepted_terms)) {
    out.free_trial = true;
    const auto days = iso8601_days(trial->duration);
    if (days && described->start_time) out.free_trial_ends_at = *described->start_time + *days;
  }
  return out;
}

}  // namespace app
