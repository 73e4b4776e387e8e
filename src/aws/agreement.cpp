#include "aws/agreement.h"

#include "aws/codec_internal.h"

namespace aws::detail {

using namespace aws::agreement;

template <>
struct Shape<Party> {
  static constexpr auto kFields = std::make_tuple(field("accountId", &Party::account_id));
};

template <>
struct Shape<Resource> {
  static constexpr auto kFields =
      std::make_tuple(field("id", &Resource::id), field("type", &Resource::type));
};

template <>
struct Shape<ProposalSummary> {
  static constexpr auto kFields = std::make_tuple(
      field("resources", &ProposalSummary::resources), field("offerId", &ProposalSummary::offer_id),
      field("offerSetId", &ProposalSummary::offer_set_id));
};

template <>
struct Shape<EstimatedCharges> {
  static constexpr auto kFields =
      std::make_tuple(field("currencyCode", &EstimatedCharges::currency_code),
                      field("agreementValue", &EstimatedCharges::agreement_value));
};

template <>
struct Shape<DescribeAgreementRequest> {
  static constexpr auto kFields =
      std::make_tuple(field("agreementId", &DescribeAgreementRequest::agreement_id, kRequired));
};

template <>
struct Shape<DescribeAgreementResponse> {
  static constexpr auto kFields =
      std::make_tuple(field("agreementId", &DescribeAgreementResponse::agreement_id),
                      field("acceptor", &DescribeAgreementResponse::acceptor),
                      field("proposer", &DescribeAgreementResponse::proposer),
                      field("startTime", &DescribeAgreementResponse::start_time),
                      field("endTime", &DescribeAgreementResponse::end_time),
                      field("acceptanceTime", &DescribeAgreementResponse::acceptance_time),
                      field("agreementType", &DescribeAgreementResponse::agreement_type),
                      field("estimatedCharges", &DescribeAgreementResponse::estimated_charges),
                      field("proposalSummary", &DescribeAgreementResponse::proposal_summary),
                      field("status", &DescribeAgreementResponse::status));
};

template <>
struct Shape<Grant> {
  static constexpr auto kFields = std::make_tuple(field("dimensionKey", &Grant::dimension_key),
                                                  field("maxQuantity", &Grant::max_quantity));
};

template <>
struct Shape<FreeTrialPricingTerm> {
  static constexpr auto kFields = std::make_tuple(
      field("type", &FreeTrialPricingTerm::type), field("id", &FreeTrialPricingTerm::id),
      field("duration", &FreeTrialPricingTerm::duration),
      field("grants", &FreeTrialPricingTerm::grants));
};

template <>
struct Shape<ValidityTerm> {
  static constexpr auto kFields =
      std::make_tuple(field("type", &ValidityTerm::type), field("id", &ValidityTerm::id),
                      field("agreementDuration", &ValidityTerm::agreement_duration),
                      field("agreementStartDate", &ValidityTerm::agreement_start_date),
                      field("agreementEndDate", &ValidityTerm::agreement_end_date));
};

template <>
struct Shape<RenewalTermConfiguration> {
  static constexpr auto kFields = std::make_tuple(
      field("enableAutoRenew", &RenewalTermConfiguration::enable_auto_renew, kRequired));
};

template <>
struct Shape<RenewalTerm> {
  static constexpr auto kFields =
      std::make_tuple(field("type", &RenewalTerm::type), field("id", &RenewalTerm::id),
                      field("configuration", &RenewalTerm::configuration));
};

template <>
struct Shape<FixedUpfrontPricingTerm> {
  static constexpr auto kFields = std::make_tuple(
      field("type", &FixedUpfrontPricingTerm::type), field("id", &FixedUpfrontPricingTerm::id),
      field("currencyCode", &FixedUpfrontPricingTerm::currency_code),
      field("duration", &FixedUpfrontPricingTerm::duration),
      field("price", &FixedUpfrontPricingTerm::price),
      field("grants", &FixedUpfrontPricingTerm::grants));
};

template <>
struct Shape<PricingTerm> {
  static constexpr auto kFields =
      std::make_tuple(field("type", &PricingTerm::type), field("id", &PricingTerm::id),
                      field("currencyCode", &PricingTerm::currency_code));
};

template <>
struct Shape<SupportTerm> {
  static constexpr auto kFields =
      std::make_tuple(field("type", &SupportTerm::type), field("id", &SupportTerm::id),
                      field("refundPolicy", &SupportTerm::refund_policy));
};

template <>
struct Shape<AcceptedTerm> {
  static constexpr auto kFields = std::make_tuple(
      field("freeTrialPricingTerm", &AcceptedTerm::free_trial_pricing_term),
      field("validityTerm", &AcceptedTerm::validity_term),
      field("renewalTerm", &AcceptedTerm::renewal_term),
      field("fixedUpfrontPricingTerm", &AcceptedTerm::fixed_upfront_pricing_term),
      field("usageBasedPricingTerm", &AcceptedTerm::usage_based_pricing_term),
      field("configurableUpfrontPricingTerm", &AcceptedTerm::configurable_upfront_pricing_term),
      field("recurringPaymentTerm", &AcceptedTerm::recurring_payment_term),
      field("supportTerm", &AcceptedTerm::support_term));
};

template <>
struct Shape<GetAgreementTermsRequest> {
  static constexpr auto kFields =
      std::make_tuple(field("agreementId", &GetAgreementTermsRequest::agreement_id, kRequired),
                      field("maxResults", &GetAgreementTermsRequest::max_results),
                      field("nextToken", &GetAgreementTermsRequest::next_token));
};

template <>
struct Shape<GetAgreementTermsResponse> {
  static constexpr auto kFields =
      std::make_tuple(field("acceptedTerms", &GetAgreementTermsResponse::accepted_terms),
                      field("nextToken", &GetAgreementTermsResponse::next_token));
};

}  // namespace aws::detail

namespace aws {

template struct Codec<agreement::DescribeAgreement>;
template struct Codec<agreement::GetAgreementTerms>;

namespace agreement {

std::string_view AcceptedTerm::kind() const {
  if (free_trial_pricing_term) return "freeTrialPricingTerm";
  if (validity_term) return "validityTerm";
  if (renewal_term) return "renewalTerm";
  if (fixed_upfront_pricing_term) return "fixedUpfrontPricingTerm";
  if (usage_based_pricing_term) return "usageBasedPricingTerm";
  if (configurable_upfront_pricing_term) return "configurableUpfrontPricingTerm";
  if (recurring_payment_term) return "recurringPaymentTerm";
  if (support_term) return "supportTerm";
  return {};
}

const FreeTrialPricingTerm* free_trial_term(const std::vector<AcceptedTerm>& terms) {
  for (const auto& t : terms) {
    if (t.free_trial_pricing_term) return &*t.free_trial_pricing_term;
  }
  return nullptr;
}

const ValidityTerm* validity_term(const std::vector<AcceptedTerm>& terms) {
  for (const auto& t : terms) {
    if (t.validity_term) return &*t.validity_term;
  }
  return nullptr;
}

core::Result<GetAgreementTermsResponse> AgreementClient::get_all_agreement_terms(
    GetAgreementTermsRequest r, int max_pages) const {
  GetAgreementTermsResponse all;
  for (int page = 0; page < max_pages; ++page) {
    auto response = get_agreement_terms(r);
    if (!response) return std::move(response).error();
    for (auto& t : response->accepted_terms) all.accepted_terms.push_back(std::move(t));
    if (response->next_token.empty()) return all;
    r.next_token = std::move(response->next_token);
  }
  return core::internal("GetAgreementTerms kept returning a nextToken after " +
                        std::to_string(max_pages) + " pages");
}

}  // namespace agreement
}  // namespace aws
