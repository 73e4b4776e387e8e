// SecretBox: how Marketlink keeps secrets it must read back (AWS secret access keys, webhook
// signing secrets) — encrypted at rest with libsodium's secretbox (XSalsa20-Poly1305) under
// 32-byte keys from MARKETLINK_SECRET_KEY or the file MARKETLINK_SECRET_KEY_FILE names. A box
// holds one or more keys: the first seals, every one opens, so that keys can be rotated without
// downtime (docs/security.md): instances are given the new key beside the old one, `marketlink
// secrets rotate` re-seals what is stored under the first, then the old key is dropped. Losing
// every key that sealed a secret means entering it again.
//
// Sealed text is "v2:" + key id + ":" + base64(nonce ‖ ciphertext), the key id being 16 hex
// digits derived from the key (a keyed BLAKE2b hash: it names the key, it does not reveal it). A
// fresh random nonce per seal: sealing the same secret twice gives different text. Text sealed
// before key ids ("v1:" + base64) still opens with whichever key made it. Immutable after
// creation; safe from any thread.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace identity {

class SecretBox {
 public:
  static constexpr size_t kKeyBytes = 32;

  // Keys given as 64 hex digits or as base64 of 32 bytes, several separated by commas or
  // whitespace (one per line in a key file), the sealing key first. invalid /
  // invalid_secret_key when one is malformed (the message says which by position, never repeats
  // the text) or when a key is given twice.
  static core::Result<SecretBox> from_key_text(std::string_view text);
  // A new random key as 64 hex digits, for `marketlink secret-key` and the sandbox.
  static std::string generate_key_text();

  // Seals under the first key.
  std::string seal(std::string_view plaintext) const;
  // internal / secret_unreadable when `sealed` was made with none of the keys or was altered
  // (the message names the key id it was sealed under when that key is missing).
  core::Result<std::string> open(std::string_view sealed) const;
  // The text sealed again under the first key, or nullopt when it already is;
  // secret_unreadable as open().
  core::Result<std::optional<std::string>> reseal(std::string_view sealed) const;

  // The id of the sealing key, then of the others, in the order given.
  std::vector<std::string> key_ids() const;
  // The key id `sealed` names ("" for text sealed before key ids, or text that is not sealed).
  static std::string key_id_of(std::string_view sealed);

  SecretBox(const SecretBox&) = default;
  SecretBox& operator=(const SecretBox&) = default;
  ~SecretBox();

 private:
  struct Key {
    std::array<unsigned char, kKeyBytes> bytes{};
    std::string id;
  };
  explicit SecretBox(std::vector<Key> keys) : keys_(std::move(keys)) {}
  std::vector<Key> keys_;
};

}  // namespace identity
