#include "aws/sns_message.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>

#include "core/text.h"

namespace aws::sns {

namespace {

using nlohmann::json;

constexpr std::string_view kMalformed = "sns_malformed";
constexpr std::string_view kSignature = "sns_signature";
constexpr std::string_view kCertUrl = "sns_cert_url";

core::Error malformed(std::string message) {
  return core::invalid(std::move(message), std::string(kMalformed));
}
core::Error bad_signature(std::string message) {
  return core::invalid(std::move(message), std::string(kSignature));
}
core::Error bad_cert_url(std::string message) {
  return core::invalid(std::move(message), std::string(kCertUrl));
}

// Reads field `name` into `out`; false (with `error` set) when it is required and missing, or
// present and not a string.
bool read_field(const json& body, const char* name, bool required, std::string& out,
                std::optional<core::Error>& error) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    if (required && !error) error = malformed(std::string("SNS message without ") + name + ".");
    return !required;
  }
  if (!it->is_string()) {
    if (!error) error = malformed(std::string("SNS message field ") + name + " is not a string.");
    return false;
  }
  out = it->get<std::string>();
  return true;
}

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

core::Result<SnsMessage> parse_sns_message(std::string_view body) {
  const json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return malformed("The SNS message is not valid JSON.");
  if (!j.is_object()) return malformed("The SNS message is not a JSON object.");
  SnsMessage m;
  std::optional<core::Error> error;
  read_field(j, "Type", true, m.type, error);
  if (error) return *error;
  const bool notification = m.type == kNotification;
  if (!notification && m.type != kSubscriptionConfirmation && m.type != kUnsubscribeConfirmation) {
    return malformed("Unknown SNS message Type '" + m.type + "'.");
  }
  read_field(j, "MessageId", true, m.message_id, error);
  read_field(j, "TopicArn", true, m.topic_arn, error);
  read_field(j, "Message", true, m.message, error);
  read_field(j, "Timestamp", true, m.timestamp, error);
  read_field(j, "SignatureVersion", true, m.signature_version, error);
  read_field(j, "Signature", true, m.signature, error);
  read_field(j, "SigningCertURL", true, m.signing_cert_url, error);
  if (notification) {
    std::string subject;
    auto it = j.find("Subject");
    if (it != j.end() && !it->is_null()) {
      if (read_field(j, "Subject", false, subject, error)) m.subject = std::move(subject);
    }
    read_field(j, "UnsubscribeURL", false, m.unsubscribe_url, error);
  } else {
    read_field(j, "Token", true, m.token, error);
    read_field(j, "SubscribeURL", true, m.subscribe_url, error);
  }
  if (error) return *error;
  auto time = core::parse_rfc3339(m.timestamp);
  if (!time) return malformed("SNS message Timestamp '" + m.timestamp + "' is not ISO 8601.");
  m.time = *time;
  return m;
}

std::string sns_string_to_sign(const SnsMessage& m) {
  std::string out;
  auto add = [&](std::string_view key, std::string_view value) {
    out.append(key).append("\n").append(value).append("\n");
  };
  add("Message", m.message);
  add("MessageId", m.message_id);
  if (m.type == kNotification) {
    if (m.subject) add("Subject", *m.subject);
    add("Timestamp", m.timestamp);
    add("TopicArn", m.topic_arn);
    add("Type", m.type);
  } else {
    add("SubscribeURL", m.subscribe_url);
    add("Timestamp", m.timestamp);
    add("Token", m.token);
    add("TopicArn", m.topic_arn);
    add("Type", m.type);
  }
  return out;
}

core::Status verify_sns_signature(const SnsMessage& m, std::string_view certificate_pem) {
  const EVP_MD* md = nullptr;
  if (m.signature_version == "1") {
    md = EVP_sha1();
  } else if (m.signature_version == "2") {
    md = EVP_sha256();
  } else {
    return bad_signature("Unknown SNS SignatureVersion '" + m.signature_version + "'.");
  }
  const auto signature = core::base64_decode(m.signature);
  if (!signature || signature->empty()) return bad_signature("The SNS Signature is not base64.");

  std::unique_ptr<BIO, BioFree> bio(
      BIO_new_mem_buf(certificate_pem.data(), static_cast<int>(certificate_pem.size())));
  if (!bio) return core::internal("Could not read the SNS certificate.");
  std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return bad_signature("The SNS signing certificate is not a PEM certificate.");
  std::unique_ptr<EVP_PKEY, PkeyFree> key(X509_get_pubkey(cert.get()));
  if (!key) return bad_signature("The SNS signing certificate carries no usable public key.");

  const std::string text = sns_string_to_sign(m);
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx) return core::internal("Could not verify the SNS signature.");
  const bool verified =
      EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                       signature->size(), reinterpret_cast<const unsigned char*>(text.data()),
                       text.size()) == 1;
  if (!verified) return bad_signature("The SNS message's signature does not verify.");
  return {};
}

core::Status check_signing_cert_url(std::string_view url,
                                    const std::vector<std::string>& extra_hosts) {
  const std::string u = lower(url.substr(0, std::min<size_t>(url.size(), 8)));
  std::string_view scheme;
  if (u.starts_with("https://")) {
    scheme = "https";
  } else if (u.starts_with("http://")) {
    scheme = "http";
  } else {
    return bad_cert_url("SigningCertURL must be an https URL.");
  }
  std::string_view rest = url.substr(scheme.size() + 3);
  const size_t end_of_authority = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, end_of_authority);
  std::string_view path =
      end_of_authority == std::string_view::npos ? "" : rest.substr(end_of_authority);
  if (path.find_first_of("?#") != std::string_view::npos) {
    path = path.substr(0, path.find_first_of("?#"));
  }
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return bad_cert_url("SigningCertURL has no plain host.");
  }
  if (!path.starts_with("/") || !lower(path).ends_with(".pem")) {
    return bad_cert_url("SigningCertURL must name a .pem file.");
  }
  const std::string host = lower(authority);
  for (const auto& entry : extra_hosts) {
    std::string trusted = lower(entry);
    std::string_view trusted_scheme = "https";
    if (trusted.starts_with("http://")) {
      trusted_scheme = "http";
      trusted = trusted.substr(7);
    } else if (trusted.starts_with("https://")) {
      trusted = trusted.substr(8);
    }
    while (trusted.ends_with("/")) trusted.pop_back();
    if (trusted != host) continue;
    if (scheme == "https" || trusted_scheme == "http") return {};
  }
  if (scheme != "https") return bad_cert_url("SigningCertURL must be an https URL.");
  static const std::regex kSnsHost(R"(^sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(\.cn)?$)");
  if (!std::regex_match(host, kSnsHost)) {
    return bad_cert_url("SigningCertURL's host " + host + " is not Amazon SNS's.");
  }
  return {};
}

}  // namespace aws::sns
