// SecretBox: how Marketlink keeps secrets it must read back (AWS secret access keys) — encrypted
// at rest with libsodium's secretbox (XSalsa20-Poly1305) under one 32-byte key per deployment,
// from MARKETLINK_SECRET_KEY or the file MARKETLINK_SECRET_KEY_FILE names. Every instance sharing
// a database needs the same key; losing it means entering the secrets again.
//
// Sealed text is "v1:" + base64(nonce ‖ ciphertext): a fresh random nonce per seal, so sealing
// the same secret twice gives different text. Immutable after creation; safe from any thread.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "core/result.h"

namespace identity {

class SecretBox {
 public:
  static constexpr size_t kKeyBytes = 32;

  // A key given as 64 hex digits or as base64 of 32 bytes (surrounding whitespace ignored);
  // invalid / invalid_secret_key otherwise (the message never repeats the text).
  static core::Result<SecretBox> from_key_text(std::string_view text);
  // A new random key as 64 hex digits, for `marketlink secret-key` and the sandbox.
  static std::string generate_key_text();

  std::string seal(std::string_view plaintext) const;
  // internal / secret_unreadable when `sealed` was not made with this key or was altered.
  core::Result<std::string> open(std::string_view sealed) const;

  SecretBox(const SecretBox&) = default;
  SecretBox& operator=(const SecretBox&) = default;
  ~SecretBox();

 private:
  explicit SecretBox(const std::array<unsigned char, kKeyBytes>& key) : key_(key) {}
  std::array<unsigned char, kKeyBytes> key_{};
};

}  // namespace identity
