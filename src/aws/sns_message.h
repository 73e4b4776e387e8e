// Amazon SNS messages as an HTTP(S) subscriber receives them: parsing the JSON body
// (Notification, SubscriptionConfirmation, UnsubscribeConfirmation), the string SNS signs,
// signature verification (SignatureVersion "1" = SHA1withRSA, "2" = SHA256withRSA) against the
// signing certificate, and the check of SigningCertURL before anyone fetches it.
//
// Fetching and caching the certificate is the caller's: check_signing_cert_url first, fetch
// the PEM, then verify_sns_signature. Messages that arrive through SQS carry the same JSON and
// verify the same way.
//
// Pure functions, safe from any thread. Errors are invalid, with slugs:
//   sns_malformed   — not JSON, not an object, an unknown Type, a required field missing or
//                     not a string, a Timestamp that is not ISO 8601;
//   sns_signature   — an unknown SignatureVersion, a Signature that is not base64 or does not
//                     verify, a certificate that does not parse;
//   sns_cert_url    — a SigningCertURL that is not https, does not end in .pem, or whose host is
//                     neither SNS's nor listed as trusted.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace aws::sns {

inline constexpr std::string_view kNotification = "Notification";
inline constexpr std::string_view kSubscriptionConfirmation = "SubscriptionConfirmation";
inline constexpr std::string_view kUnsubscribeConfirmation = "UnsubscribeConfirmation";

// The body's fields, as sent (the signature covers the exact text).
struct SnsMessage {
  std::string type;  // kNotification, kSubscriptionConfirmation or kUnsubscribeConfirmation
  std::string message_id;
  std::string topic_arn;
  std::optional<std::string> subject;  // notifications only; absent (or null) when not sent
  std::string message;                 // for marketplace topics a JSON document, as text
  std::string timestamp;               // as sent, e.g. "2026-03-01T10:00:00.123Z"
  core::TimePoint time;                // the same, parsed
  std::string signature_version;       // "1" or "2"
  std::string signature;               // base64
  std::string signing_cert_url;
  std::string unsubscribe_url;  // notifications
  std::string token;            // confirmations
  std::string subscribe_url;    // confirmations

  bool is_notification() const { return type == kNotification; }
};

// Parses an SNS HTTP body. Required: Type, MessageId, TopicArn, Message, Timestamp,
// SignatureVersion, Signature, SigningCertURL, and for confirmations Token and SubscribeURL.
// Unknown fields are ignored.
core::Result<SnsMessage> parse_sns_message(std::string_view body);

// "Key\nValue\n" for, in order, notifications: Message, MessageId, Subject (when present),
// Timestamp, TopicArn, Type; confirmations: Message, MessageId, SubscribeURL, Timestamp, Token,
// TopicArn, Type.
std::string sns_string_to_sign(const SnsMessage& message);

// Verifies the message's Signature over sns_string_to_sign with the public key of
// `certificate_pem` (one PEM X.509 certificate), SHA-1 for version 1, SHA-256 for version 2.
// The certificate itself (issuer, validity) is not judged here: trust comes from where it was
// fetched (check_signing_cert_url).
core::Status verify_sns_signature(const SnsMessage& message, std::string_view certificate_pem);

// Accepts https URLs whose path ends in ".pem" on a host matching
// ^sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(\.cn)?$ (no port, no user info), or on a host listed in
// `extra_hosts`. An entry "host:port" (or "host") trusts https URLs on exactly that authority;
// an entry "http://host:port" trusts plain http there too (a local simulator).
core::Status check_signing_cert_url(std::string_view url,
                                    const std::vector<std::string>& extra_hosts);

}  // namespace aws::sns
