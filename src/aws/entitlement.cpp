#include "aws/entitlement.h"

#include "aws/codec_internal.h"

namespace aws::detail {

using namespace aws::entitlement;

template <>
struct Shape<EntitlementValue> {
  static constexpr auto kFields =
      std::make_tuple(field("IntegerValue", &EntitlementValue::integer_value),
                      field("DoubleValue", &EntitlementValue::double_value),
                      field("BooleanValue", &EntitlementValue::boolean_value),
                      field("StringValue", &EntitlementValue::string_value));
};

template <>
struct Shape<Entitlement> {
  static constexpr auto kFields = std::make_tuple(
      field("ProductCode", &Entitlement::product_code), field("Dimension", &Entitlement::dimension),
      field("CustomerIdentifier", &Entitlement::customer_identifier),
      field("CustomerAWSAccountId", &Entitlement::customer_aws_account_id),
      field("Value", &Entitlement::value), field("ExpirationDate", &Entitlement::expiration_date),
      field("LicenseArn", &Entitlement::license_arn));
};

template <>
struct Shape<GetEntitlementsRequest> {
  static constexpr auto kFields =
      std::make_tuple(field("ProductCode", &GetEntitlementsRequest::product_code, kRequired),
                      field("Filter", &GetEntitlementsRequest::filter),
                      field("NextToken", &GetEntitlementsRequest::next_token),
                      field("MaxResults", &GetEntitlementsRequest::max_results));
};

template <>
struct Shape<GetEntitlementsResponse> {
  static constexpr auto kFields =
      std::make_tuple(field("Entitlements", &GetEntitlementsResponse::entitlements),
                      field("NextToken", &GetEntitlementsResponse::next_token));
};

}  // namespace aws::detail

namespace aws {

template struct Codec<entitlement::GetEntitlements>;

namespace entitlement {

core::Result<GetEntitlementsResponse> EntitlementClient::get_all_entitlements(
    GetEntitlementsRequest r, int max_pages) const {
  GetEntitlementsResponse all;
  for (int page = 0; page < max_pages; ++page) {
    auto response = get_entitlements(r);
    if (!response) return std::move(response).error();
    for (auto& e : response->entitlements) all.entitlements.push_back(std::move(e));
    if (response->next_token.empty()) return all;
    r.next_token = std::move(response->next_token);
  }
  return core::internal("GetEntitlements kept returning a NextToken after " +
                        std::to_string(max_pages) + " pages");
}

}  // namespace entitlement
}  // namespace aws
