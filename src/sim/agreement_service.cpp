// AWS Marketplace Agreement Service (json 1.0, AWSMPCommerceService_v20200301):
// DescribeAgreement and GetAgreementTerms for the simulator's agreements. The proposer (the
// product's seller) and the acceptor (the buyer) may read an agreement; anyone else gets
// ResourceNotFoundException, as for an unknown id. Terms: a legal term (EULA), a free-trial term
// for free-trial agreements (its duration and a grant per dimension), the pricing terms of the
// product's pricing model, a renewal term for contracts and a validity term with the dates.
#include <fmt/format.h>

#include <charconv>

#include "sim/sim_state.h"

namespace sim {

namespace {

constexpr std::string_view kContentType = "application/x-amz-json-1.0";
constexpr long long kMaxResults = 50;

const Agreement& readable_agreement(Ctx& ctx, const Call& call) {
  const std::string id = json_string(call.input, "agreementId", true);
  auto it = ctx.st.agreements.find(id);
  if (it != ctx.st.agreements.end()) {
    const Agreement& a = it->second;
    const auto product = ctx.st.products.find(a.product_code);
    const bool proposer = product != ctx.st.products.end() &&
                          product->second.seller_account_id == call.caller.account_id;
    if (proposer || a.buyer_account_id == call.caller.account_id) return a;
  }
  throw_error(400, "ResourceNotFoundException",
              fmt::format("Agreement {} was not found.", id.empty() ? "(none)" : id));
}

const Product* product_of(const Ctx& ctx, const Agreement& a) {
  const auto it = ctx.st.products.find(a.product_code);
  return it == ctx.st.products.end() ? nullptr : &it->second;
}

// The agreement's end: when it ended, else when it will.
core::TimePoint end_time(const Agreement& a) { return a.ended ? *a.ended : a.ends; }

long long duration_days(const Agreement& a) {
  return std::chrono::duration_cast<std::chrono::hours>(a.ends - a.created).count() / 24;
}

aws::HttpResponse describe_agreement(Ctx& ctx, const Call& call) {
  const Agreement& a = readable_agreement(ctx, call);
  const Product* product = product_of(ctx, a);
  Json resources = Json::array();
  if (product) resources.push_back({{"id", product->id}, {"type", "SaaSProduct"}});
  Json out = {{"agreementId", a.id},
              {"acceptor", {{"accountId", a.buyer_account_id}}},
              {"proposer", {{"accountId", product ? product->seller_account_id : ""}}},
              {"startTime", epoch_seconds(a.created)},
              {"endTime", epoch_seconds(end_time(a))},
              {"acceptanceTime", epoch_seconds(a.created)},
              {"agreementType", "PurchaseAgreement"},
              {"estimatedCharges", {{"currencyCode", "USD"}, {"agreementValue", "0"}}},
              {"proposalSummary", {{"offerId", a.offer_id}, {"resources", resources}}},
              {"status", agreement_api_status(a)}};
  return json_reply(out, call.request_id, kContentType);
}

Json accepted_terms(const Ctx& ctx, const Agreement& a) {
  const Product* product = product_of(ctx, a);
  const std::string model = product ? product->pricing_model : "";
  std::vector<std::string> dimensions;
  if (product) {
    for (const auto& [name, description] : product->dimensions) dimensions.push_back(name);
  }
  size_t n = 0;
  auto term_id = [&] { return fmt::format("term-{}-{}", a.id.substr(a.id.size() - 8), ++n); };

  Json terms = Json::array();
  terms.push_back(
      {{"legalTerm",
        {{"type", "LegalTerm"},
         {"id", term_id()},
         {"documents",
          {{{"type", "StandardEula"},
            {"url", "https://aws.amazon.com/marketplace/features/standardized-contracts"}}}}}}});
  if (a.free_trial) {
    Json grants = Json::array();
    for (const auto& dim : dimensions) {
      Json grant = {{"dimensionKey", dim}};
      if (a.entitlements.contains(dim) && a.entitlements[dim].is_number_integer() &&
          a.entitlements[dim].get<long long>() > 0) {
        grant["maxQuantity"] = a.entitlements[dim];
      }
      grants.push_back(grant);
    }
    terms.push_back({{"freeTrialPricingTerm",
                      {{"type", "FreeTrialPricingTerm"},
                       {"id", term_id()},
                       {"duration", fmt::format("P{}D", a.free_trial_days)},
                       {"grants", grants}}}});
  }
  Json rate_card = Json::array();
  for (const auto& dim : dimensions)
    rate_card.push_back({{"dimensionKey", dim}, {"price", "0.10"}});
  if (model == "subscription" || model == "contract_with_consumption") {
    terms.push_back({{"usageBasedPricingTerm",
                      {{"type", "UsageBasedPricingTerm"},
                       {"id", term_id()},
                       {"currencyCode", "USD"},
                       {"rateCards", {{{"rateCard", rate_card}}}}}}});
  }
  if (model == "contract" || model == "contract_with_consumption") {
    Json selected = Json::array();
    for (const auto& [dim, value] : a.entitlements.items()) {
      if (value.is_number_integer()) {
        selected.push_back({{"dimensionKey", dim}, {"dimensionValue", value}});
      }
    }
    terms.push_back({{"configurableUpfrontPricingTerm",
                      {{"type", "ConfigurableUpfrontPricingTerm"},
                       {"id", term_id()},
                       {"currencyCode", "USD"},
                       {"configuration",
                        {{"selectorValue", fmt::format("P{}D", duration_days(a))},
                         {"dimensions", selected}}}}}});
    terms.push_back({{"renewalTerm",
                      {{"type", "RenewalTerm"},
                       {"id", term_id()},
                       {"configuration", {{"enableAutoRenew", false}}}}}});
  }
  terms.push_back({{"validityTerm",
                    {{"type", "ValidityTerm"},
                     {"id", term_id()},
                     {"agreementDuration", fmt::format("P{}D", duration_days(a))},
                     {"agreementStartDate", epoch_seconds(a.created)},
                     {"agreementEndDate", epoch_seconds(a.ends)}}}});
  return terms;
}

aws::HttpResponse get_agreement_terms(Ctx& ctx, const Call& call) {
  const Agreement& a = readable_agreement(ctx, call);
  long long max_results = kMaxResults;
  if (call.input.contains("maxResults")) {
    const Json& m = call.input["maxResults"];
    if (!m.is_number_integer() || m.get<long long>() < 1 || m.get<long long>() > kMaxResults) {
      throw_error(400, "ValidationException",
                  fmt::format("maxResults must be an integer from 1 to {}.", kMaxResults));
    }
    max_results = m.get<long long>();
  }
  size_t start = 0;
  const std::string token = json_string(call.input, "nextToken", false);
  if (!token.empty()) {
    const std::string prefix = a.id + ":";
    const auto r =
        token.starts_with(prefix)
            ? std::from_chars(token.data() + prefix.size(), token.data() + token.size(), start)
            : std::from_chars_result{token.data(), std::errc::invalid_argument};
    if (r.ec != std::errc() || r.ptr != token.data() + token.size()) {
      throw_error(400, "ValidationException", "nextToken is not valid for this agreement.");
    }
  }
  const Json terms = accepted_terms(ctx, a);
  Json page = Json::array();
  for (size_t i = start; i < terms.size() && page.size() < static_cast<size_t>(max_results); ++i) {
    page.push_back(terms[i]);
  }
  Json out = {{"acceptedTerms", page}};
  if (start + page.size() < terms.size()) {
    out["nextToken"] = fmt::format("{}:{}", a.id, start + page.size());
  }
  return json_reply(out, call.request_id, kContentType);
}

}  // namespace

aws::HttpResponse agreement_call(Ctx& ctx, const Call& call) {
  if (call.operation == "DescribeAgreement") return describe_agreement(ctx, call);
  if (call.operation == "GetAgreementTerms") return get_agreement_terms(ctx, call);
  throw_error(400, "UnknownOperationException", "Unknown operation " + call.operation + ".");
}

}  // namespace sim
