// SnsSigner: the simulator's SNS signing identity. An RSA key and a self-signed certificate made
// at construction (nothing is read from or written to disk), used to sign SNS messages with
// SignatureVersion 1 (SHA1withRSA) or 2 (SHA256withRSA), as SNS does.
// Immutable after construction; safe from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sim {

class SnsSigner {
 public:
  // Generates a 2048-bit key and a certificate for `common_name`, valid for ten years.
  explicit SnsSigner(std::string_view common_name = "sns.us-east-1.amazonaws.com");
  ~SnsSigner();
  SnsSigner(const SnsSigner&) = delete;
  SnsSigner& operator=(const SnsSigner&) = delete;

  const std::string& certificate_pem() const { return certificate_pem_; }
  // Base64 signature of `text`; `version` "1" (SHA-1) or "2" (SHA-256).
  std::string sign(std::string_view text, std::string_view version) const;

 private:
  struct Key;
  std::unique_ptr<Key> key_;
  std::string certificate_pem_;
};

// SNS's string to sign for a message (the JSON body's fields, as FACTS.md lists them).
std::string sns_string_to_sign(const std::string& type,
                               const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace sim
