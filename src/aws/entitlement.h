// AWS Marketplace Entitlement Service (json 1.1, X-Amz-Target AWSMPEntitlementService.<Op>,
// signing name aws-marketplace, us-east-1 only): GetEntitlements, with a helper that follows
// NextToken through every page.
// Facade methods are safe for concurrent use and fail as AwsClient::call does (aws_client.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aws/aws_client.h"
#include "aws/codec.h"
#include "core/clock.h"

namespace aws::entitlement {

// Filter names. Debian's clients know only the first two; AWS also accepts the last two.
inline constexpr std::string_view kFilterCustomerIdentifier = "CUSTOMER_IDENTIFIER";
inline constexpr std::string_view kFilterDimension = "DIMENSION";
inline constexpr std::string_view kFilterCustomerAwsAccountId = "CUSTOMER_AWS_ACCOUNT_ID";
inline constexpr std::string_view kFilterLicenseArn = "LICENSE_ARN";

// Exactly one of the values is set.
struct EntitlementValue {
  std::optional<int> integer_value;
  std::optional<double> double_value;
  std::optional<bool> boolean_value;
  std::optional<std::string> string_value;
};

struct Entitlement {
  std::string product_code;
  std::string dimension;
  std::string customer_identifier;
  std::string customer_aws_account_id;
  EntitlementValue value;
  std::optional<core::TimePoint> expiration_date;
  std::string license_arn;
};

struct GetEntitlementsRequest {
  std::string product_code;
  // Filter name → values; values within a name are OR-ed, names AND-ed.
  std::map<std::string, std::vector<std::string>> filter;
  std::string next_token;
  std::optional<int> max_results;  // 1..25
};
struct GetEntitlementsResponse {
  std::vector<Entitlement> entitlements;  // may be empty, even with a next_token
  std::string next_token;
};

struct GetEntitlements {
  using Request = GetEntitlementsRequest;
  using Response = GetEntitlementsResponse;
  static constexpr Service kService = Service::kEntitlement;
  static constexpr std::string_view kName = "GetEntitlements";
};

class EntitlementClient {
 public:
  explicit EntitlementClient(AwsClient client) : client_(std::move(client)) {}

  core::Result<GetEntitlementsResponse> get_entitlements(const GetEntitlementsRequest& r) const {
    return client_.call<GetEntitlements>(r);
  }
  // Every page from `r.next_token` on, concatenated (next_token empty in the result).
  // Errors: the first page that fails; internal when AWS keeps paging past `max_pages`.
  core::Result<GetEntitlementsResponse> get_all_entitlements(GetEntitlementsRequest r,
                                                             int max_pages = 1000) const;

 private:
  AwsClient client_;
};

}  // namespace aws::entitlement

namespace aws {
extern template struct Codec<entitlement::GetEntitlements>;
}  // namespace aws
