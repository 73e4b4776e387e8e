// AWS Account Management (rest-json, POST /putAlternateContact and /getAlternateContact,
// signing name account, us-east-1): alternate contacts. AccountId is set only when the
// management account acts on a member account; a standalone account calls for itself.
// Facade methods are safe for concurrent use and fail as AwsClient::call does (aws_client.h).
#pragma once

#include <string>

#include "aws/aws_client.h"
#include "aws/codec.h"

namespace aws::account {

// AlternateContactType values.
inline constexpr std::string_view kBilling = "BILLING";
inline constexpr std::string_view kOperations = "OPERATIONS";
inline constexpr std::string_view kSecurity = "SECURITY";

struct AlternateContact {
  std::string name;
  std::string title;
  std::string email_address;
  std::string phone_number;
  std::string alternate_contact_type;
};

struct PutAlternateContactRequest {
  std::string name;   // ≤ 64
  std::string title;  // ≤ 50
  std::string email_address;
  std::string phone_number;  // ≤ 25, [\s0-9()+-]+
  std::string alternate_contact_type;
  std::string account_id;
};

struct GetAlternateContactRequest {
  std::string alternate_contact_type;
  std::string account_id;
};
struct GetAlternateContactResponse {
  AlternateContact alternate_contact;
};

struct PutAlternateContact {
  using Request = PutAlternateContactRequest;
  using Response = Empty;
  static constexpr Service kService = Service::kAccount;
  static constexpr std::string_view kName = "PutAlternateContact";
  static constexpr std::string_view kHttpPath = "/putAlternateContact";
};
struct GetAlternateContact {
  using Request = GetAlternateContactRequest;
  using Response = GetAlternateContactResponse;
  static constexpr Service kService = Service::kAccount;
  static constexpr std::string_view kName = "GetAlternateContact";
  static constexpr std::string_view kHttpPath = "/getAlternateContact";
};

class AccountClient {
 public:
  explicit AccountClient(AwsClient client) : client_(std::move(client)) {}

  core::Status put_alternate_contact(const PutAlternateContactRequest& r) const {
    auto result = client_.call<PutAlternateContact>(r);
    if (!result) return std::move(result).error();
    return {};
  }
  // Errors: not_found (ResourceNotFoundException) when no contact of that type is set.
  core::Result<GetAlternateContactResponse> get_alternate_contact(
      const GetAlternateContactRequest& r) const {
    return client_.call<GetAlternateContact>(r);
  }

 private:
  AwsClient client_;
};

}  // namespace aws::account

namespace aws {
extern template struct Codec<account::PutAlternateContact>;
extern template struct Codec<account::GetAlternateContact>;
}  // namespace aws
