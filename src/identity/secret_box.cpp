#include "identity/secret_box.h"

#include <sodium.h>

#include <optional>

#include "core/ids.h"
#include "core/text.h"

namespace identity {

namespace {

// "v1:" + base64: sealed before key ids; "v2:" + key id + ":" + base64.
constexpr std::string_view kLegacyVersion = "v1:";
constexpr std::string_view kVersion = "v2:";
constexpr size_t kKeyIdHex = 16;

std::optional<std::string> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out(text.size() / 2, '\0');
  size_t written = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                     text.size(), nullptr, &written, nullptr) != 0 ||
      written != out.size()) {
    return std::nullopt;
  }
  return out;
}

core::Error unreadable() {
  return core::internal(
      "A stored secret could not be decrypted: it was sealed under another secret key "
      "(MARKETLINK_SECRET_KEY) or has been altered. Enter it again.",
      "secret_unreadable");
}

core::Error sealed_under_missing_key(const std::string& id) {
  return core::internal("A stored secret was sealed under the key " + id +
                            ", which is not among this instance's secret keys "
                            "(MARKETLINK_SECRET_KEY). Add that key, or enter the secret again.",
                        "secret_unreadable");
}

std::string hex_of(const unsigned char* bytes, size_t size) {
  std::string hex(size * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, size);
  hex.pop_back();
  return hex;
}

// 8 bytes of BLAKE2b keyed with the key, over a fixed label: stable, and says nothing of the key.
std::string key_id(const std::array<unsigned char, SecretBox::kKeyBytes>& key) {
  constexpr std::string_view kLabel = "marketlink secret key id";
  std::array<unsigned char, kKeyIdHex / 2> out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(kLabel.data()),
                     kLabel.size(), key.data(), key.size());
  return hex_of(out.data(), out.size());
}

std::optional<std::string> open_with(const unsigned char* key, std::string_view encoded) {
  const auto box = core::base64_decode(encoded);
  if (!box || box->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return std::nullopt;
  }
  const auto* in = reinterpret_cast<const unsigned char*>(box->data());
  std::string plain(box->size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 in + crypto_secretbox_NONCEBYTES,
                                 box->size() - crypto_secretbox_NONCEBYTES, in, key) != 0) {
    return std::nullopt;
  }
  return plain;
}

}  // namespace

core::Result<SecretBox> SecretBox::from_key_text(std::string_view text) {
  if (sodium_init() < 0) return core::internal("libsodium could not be initialized.");
  std::vector<Key> keys;
  size_t position = 0;
  while (true) {
    const size_t start = text.find_first_not_of(", \t\r\n", position);
    if (start == std::string_view::npos) break;
    size_t end = text.find_first_of(", \t\r\n", start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view one = text.substr(start, end - start);
    position = end;
    std::optional<std::string> bytes;
    if (one.size() == kKeyBytes * 2) bytes = hex_decode(one);
    if (!bytes) bytes = core::base64_decode(one);
    const std::string which = keys.empty() ? std::string("The secret key")
                                           : "Secret key " + std::to_string(keys.size() + 1);
    if (!bytes || bytes->size() != kKeyBytes) {
      return core::invalid(which +
                               " must be 32 bytes written as 64 hex digits or in base64 "
                               "(`marketlink secret-key` prints a new one).",
                           "invalid_secret_key");
    }
    Key key;
    std::copy(bytes->begin(), bytes->end(), key.bytes.begin());
    sodium_memzero(bytes->data(), bytes->size());
    key.id = key_id(key.bytes);
    for (const Key& k : keys) {
      if (k.id == key.id) {
        return core::invalid(which + " is given twice.", "invalid_secret_key");
      }
    }
    keys.push_back(std::move(key));
  }
  if (keys.empty()) {
    return core::invalid(
        "The secret key must be 32 bytes written as 64 hex digits or in base64 "
        "(`marketlink secret-key` prints a new one).",
        "invalid_secret_key");
  }
  return SecretBox(std::move(keys));
}

std::string SecretBox::generate_key_text() {
  const std::string key = core::random_bytes(kKeyBytes);
  return hex_of(reinterpret_cast<const unsigned char*>(key.data()), key.size());
}

SecretBox::~SecretBox() {
  for (Key& k : keys_) sodium_memzero(k.bytes.data(), k.bytes.size());
}

std::string SecretBox::seal(std::string_view plaintext) const {
  const Key& key = keys_.front();
  std::string box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(out, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        out, key.bytes.data());
  return std::string(kVersion) + key.id + ":" + core::base64_encode(box);
}

std::string SecretBox::key_id_of(std::string_view sealed) {
  if (!sealed.starts_with(kVersion)) return "";
  sealed.remove_prefix(kVersion.size());
  if (sealed.size() <= kKeyIdHex || sealed[kKeyIdHex] != ':') return "";
  return std::string(sealed.substr(0, kKeyIdHex));
}

core::Result<std::string> SecretBox::open(std::string_view sealed) const {
  if (sealed.starts_with(kLegacyVersion)) {
    for (const Key& k : keys_) {
      if (auto plain = open_with(k.bytes.data(), sealed.substr(kLegacyVersion.size()))) {
        return std::move(*plain);
      }
    }
    return unreadable();
  }
  const std::string id = key_id_of(sealed);
  if (id.empty()) return unreadable();
  for (const Key& k : keys_) {
    if (k.id != id) continue;
    auto plain = open_with(k.bytes.data(), sealed.substr(kVersion.size() + kKeyIdHex + 1));
    if (!plain) return unreadable();
    return std::move(*plain);
  }
  return sealed_under_missing_key(id);
}

core::Result<std::optional<std::string>> SecretBox::reseal(std::string_view sealed) const {
  auto plain = open(sealed);
  if (!plain.ok()) return plain.error();
  std::optional<std::string> out;
  if (key_id_of(sealed) != keys_.front().id) out = seal(*plain);
  sodium_memzero(plain->data(), plain->size());
  return out;
}

std::vector<std::string> SecretBox::key_ids() const {
  std::vector<std::string> ids;
  for (const Key& k : keys_) ids.push_back(k.id);
  return ids;
}

}  // namespace identity
