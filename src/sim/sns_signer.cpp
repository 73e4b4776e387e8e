#include "sim/sns_signer.h"

#include "core/text.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <stdexcept>
#include <vector>

namespace sim {

struct SnsSigner::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

SnsSigner::SnsSigner(std::string_view common_name) : key_(std::make_unique<Key>()) {
  key_->pkey = EVP_RSA_gen(2048);
  if (key_->pkey == nullptr) throw std::runtime_error("RSA key generation failed");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 10L * 365 * 24 * 3600);
  X509_set_pubkey(cert, key_->pkey);
  X509_NAME* name = X509_get_subject_name(cert);
  const std::string cn(common_name);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Marketlink simulator"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key_->pkey, EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  certificate_pem_.assign(data, static_cast<size_t>(size));
  BIO_free(bio);
  X509_free(cert);
}

SnsSigner::~SnsSigner() = default;

std::string SnsSigner::sign(std::string_view text, std::string_view version) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const EVP_MD* md = version == "2" ? EVP_sha256() : EVP_sha1();
  std::vector<unsigned char> signature(static_cast<size_t>(EVP_PKEY_get_size(key_->pkey)));
  size_t size = signature.size();
  const bool ok =
      EVP_DigestSignInit(ctx, nullptr, md, nullptr, key_->pkey) == 1 &&
      EVP_DigestSign(ctx, signature.data(), &size,
                     reinterpret_cast<const unsigned char*>(text.data()), text.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) throw std::runtime_error("SNS signing failed");
  return core::base64_encode(
      std::string_view(reinterpret_cast<const char*>(signature.data()), size));
}

std::string sns_string_to_sign(const std::string& type,
                               const std::vector<std::pair<std::string, std::string>>& fields) {
  // The fields that are signed, in the order SNS signs them.
  static const std::vector<std::string> kNotification = {"Message",   "MessageId", "Subject",
                                                         "Timestamp", "TopicArn",  "Type"};
  static const std::vector<std::string> kConfirmation = {
      "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"};
  const auto& order = type == "Notification" ? kNotification : kConfirmation;
  std::string out;
  for (const auto& key : order) {
    for (const auto& [name, value] : fields) {
      if (name == key) {
        out += name + "\n" + value + "\n";
        break;
      }
    }
  }
  return out;
}

}  // namespace sim
