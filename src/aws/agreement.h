// AWS Marketplace Agreement Service (json 1.0, X-Amz-Target
// AWSMPCommerceService_v20200301.<Op>, signing name aws-marketplace, us-east-1 only):
// DescribeAgreement and GetAgreementTerms, as a seller reads a buyer's agreement (status, dates,
// parties) and its accepted terms (a free trial's duration and grants).
// Structs mirror the model ../shared/aws/models/marketplace-agreement.json; an empty string or
// list is "absent". An accepted term is a union: exactly one of its members is set by AWS. Term
// types Marketlink does not model decode as an AcceptedTerm with none set (kind() is empty); they
// are skipped, never an error.
// Facade methods are safe for concurrent use and fail as AwsClient::call does (aws_client.h);
// AWS's codes here are ValidationException, AccessDeniedException, ResourceNotFoundException,
// ThrottlingException and InternalServerException.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/aws_client.h"
#include "aws/codec.h"
#include "core/clock.h"

namespace aws::agreement {

// Agreement statuses (DescribeAgreement's status).
inline constexpr std::string_view kStatusActive = "ACTIVE";
inline constexpr std::string_view kStatusArchived = "ARCHIVED";
inline constexpr std::string_view kStatusCancelled = "CANCELLED";
inline constexpr std::string_view kStatusExpired = "EXPIRED";
inline constexpr std::string_view kStatusRenewed = "RENEWED";
inline constexpr std::string_view kStatusReplaced = "REPLACED";
inline constexpr std::string_view kStatusRolledBack = "ROLLED_BACK";
inline constexpr std::string_view kStatusSuperseded = "SUPERSEDED";
inline constexpr std::string_view kStatusTerminated = "TERMINATED";

struct Party {
  std::string account_id;
};

struct Resource {
  std::string id;    // the product id (prod-…)
  std::string type;  // SaaSProduct, AmiProduct, ContainerProduct, ...
};

struct ProposalSummary {
  std::vector<Resource> resources;
  std::string offer_id;
  std::string offer_set_id;
};

struct EstimatedCharges {
  std::string currency_code;
  std::string agreement_value;  // a decimal, as AWS writes it
};

struct DescribeAgreementRequest {
  std::string agreement_id;
};
struct DescribeAgreementResponse {
  std::string agreement_id;
  std::optional<Party> acceptor;  // the buyer
  std::optional<Party> proposer;  // the seller
  std::optional<core::TimePoint> start_time;
  std::optional<core::TimePoint> end_time;  // absent for pay-as-you-go agreements
  std::optional<core::TimePoint> acceptance_time;
  std::string agreement_type;  // PurchaseAgreement, VendorInsightsAgreement
  std::optional<EstimatedCharges> estimated_charges;
  std::optional<ProposalSummary> proposal_summary;
  std::string status;  // kStatus…
};

// What a term grants on one dimension; no max_quantity: unlimited.
struct Grant {
  std::string dimension_key;
  std::optional<int> max_quantity;
};

struct FreeTrialPricingTerm {
  std::string type;  // "FreeTrialPricingTerm"
  std::string id;
  std::string duration;  // ISO 8601, e.g. "P30D" (5 to 31 days)
  std::vector<Grant> grants;
};

// The agreement's validity: its duration or its explicit start and end dates.
struct ValidityTerm {
  std::string type;
  std::string id;
  std::string agreement_duration;  // ISO 8601, e.g. "P12M"
  std::optional<core::TimePoint> agreement_start_date;
  std::optional<core::TimePoint> agreement_end_date;
};

struct RenewalTermConfiguration {
  bool enable_auto_renew = false;
};
struct RenewalTerm {
  std::string type;
  std::string id;
  std::optional<RenewalTermConfiguration> configuration;
};

struct FixedUpfrontPricingTerm {
  std::string type;
  std::string id;
  std::string currency_code;
  std::string duration;
  std::string price;
  std::vector<Grant> grants;
};

// A term of a pricing model Marketlink reads only the kind and currency of.
struct PricingTerm {
  std::string type;
  std::string id;
  std::string currency_code;
};

struct SupportTerm {
  std::string type;
  std::string id;
  std::string refund_policy;
};

struct AcceptedTerm {
  std::optional<FreeTrialPricingTerm> free_trial_pricing_term;
  std::optional<ValidityTerm> validity_term;
  std::optional<RenewalTerm> renewal_term;
  std::optional<FixedUpfrontPricingTerm> fixed_upfront_pricing_term;
  std::optional<PricingTerm> usage_based_pricing_term;
  std::optional<PricingTerm> configurable_upfront_pricing_term;
  std::optional<PricingTerm> recurring_payment_term;
  std::optional<SupportTerm> support_term;

  // The model's name of the member that is set ("freeTrialPricingTerm", ...); empty for a term
  // type this struct does not model.
  std::string_view kind() const;
};

struct GetAgreementTermsRequest {
  std::string agreement_id;
  std::optional<int> max_results;  // 1..50
  std::string next_token;
};
struct GetAgreementTermsResponse {
  std::vector<AcceptedTerm> accepted_terms;
  std::string next_token;
};

// The free trial among `terms`, or null when the agreement has none.
const FreeTrialPricingTerm* free_trial_term(const std::vector<AcceptedTerm>& terms);
// The validity term among `terms`, or null.
const ValidityTerm* validity_term(const std::vector<AcceptedTerm>& terms);

struct DescribeAgreement {
  using Request = DescribeAgreementRequest;
  using Response = DescribeAgreementResponse;
  static constexpr Service kService = Service::kAgreement;
  static constexpr std::string_view kName = "DescribeAgreement";
};
struct GetAgreementTerms {
  using Request = GetAgreementTermsRequest;
  using Response = GetAgreementTermsResponse;
  static constexpr Service kService = Service::kAgreement;
  static constexpr std::string_view kName = "GetAgreementTerms";
};

class AgreementClient {
 public:
  explicit AgreementClient(AwsClient client) : client_(std::move(client)) {}

  core::Result<DescribeAgreementResponse> describe_agreement(
      const DescribeAgreementRequest& r) const {
    return client_.call<DescribeAgreement>(r);
  }
  core::Result<GetAgreementTermsResponse> get_agreement_terms(
      const GetAgreementTermsRequest& r) const {
    return client_.call<GetAgreementTerms>(r);
  }
  // Every page from `r.next_token` on, concatenated (next_token empty in the result).
  // Errors: the first page that fails; internal when AWS keeps paging past `max_pages`.
  core::Result<GetAgreementTermsResponse> get_all_agreement_terms(GetAgreementTermsRequest r,
                                                                  int max_pages = 100) const;

 private:
  AwsClient client_;
};

}  // namespace aws::agreement

namespace aws {
extern template struct Codec<agreement::DescribeAgreement>;
extern template struct Codec<agreement::GetAgreementTerms>;
}  // namespace aws
