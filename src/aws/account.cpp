#include "aws/account.h"

#include "aws/codec_internal.h"

namespace aws::detail {

using namespace aws::account;

template <>
struct Shape<AlternateContact> {
  static constexpr auto kFields = std::make_tuple(
      field("Name", &AlternateContact::name), field("Title", &AlternateContact::title),
      field("EmailAddress", &AlternateContact::email_address),
      field("PhoneNumber", &AlternateContact::phone_number),
      field("AlternateContactType", &AlternateContact::alternate_contact_type));
};

template <>
struct Shape<PutAlternateContactRequest> {
  static constexpr auto kFields = std::make_tuple(
      field("Name", &PutAlternateContactRequest::name, kRequired),
      field("Title", &PutAlternateContactRequest::title, kRequired),
      field("EmailAddress", &PutAlternateContactRequest::email_address, kRequired),
      field("PhoneNumber", &PutAlternateContactRequest::phone_number, kRequired),
      field("AlternateContactType", &PutAlternateContactRequest::alternate_contact_type, kRequired),
      field("AccountId", &PutAlternateContactRequest::account_id));
};

template <>
struct Shape<GetAlternateContactRequest> {
  static constexpr auto kFields = std::make_tuple(
      field("AlternateContactType", &GetAlternateContactRequest::alternate_contact_type, kRequired),
      field("AccountId", &GetAlternateContactRequest::account_id));
};

template <>
struct Shape<GetAlternateContactResponse> {
  static constexpr auto kFields =
      std::make_tuple(field("AlternateContact", &GetAlternateContactResponse::alternate_contact));
};

}  // namespace aws::detail

namespace aws {
template struct Codec<account::PutAlternateContact>;
template struct Codec<account::GetAlternateContact>;
}  // namespace aws
