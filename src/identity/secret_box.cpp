#include "identity/secret_box.h"

#include <sodium.h>

#include <optional>

#include "core/ids.h"
#include "core/text.h"

namespace identity {

namespace {

constexpr std::string_view kVersion = "v1:";

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

}  // namespace

core::Result<SecretBox> SecretBox::from_key_text(std::string_view text) {
  if (sodium_init() < 0) return core::internal("libsodium could not be initialized.");
  text = core::trim(text);
  std::optional<std::string> bytes;
  if (text.size() == kKeyBytes * 2) bytes = hex_decode(text);
  if (!bytes) bytes = core::base64_decode(text);
  if (!bytes || bytes->size() != kKeyBytes) {
    return core::invalid(
        "The secret key must be 32 bytes written as 64 hex digits or in base64 "
        "(`marketlink secret-key` prints a new one).",
        "invalid_secret_key");
  }
  std::array<unsigned char, kKeyBytes> key{};
  std::copy(bytes->begin(), bytes->end(), key.begin());
  sodium_memzero(bytes->data(), bytes->size());
  return SecretBox(key);
}

std::string SecretBox::generate_key_text() {
  const std::string key = core::random_bytes(kKeyBytes);
  std::string hex(kKeyBytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(key.data()),
                 key.size());
  hex.pop_back();
  return hex;
}

SecretBox::~SecretBox() { sodium_memzero(key_.data(), key_.size()); }

std::string SecretBox::seal(std::string_view plaintext) const {
  std::string box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(out, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        out, key_.data());
  return std::string(kVersion) + core::base64_encode(box);
}

core::Result<std::string> SecretBox::open(std::string_view sealed) const {
  if (!sealed.starts_with(kVersion)) return unreadable();
  const auto box = core::base64_decode(sealed.substr(kVersion.size()));
  if (!box || box->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return unreadable();
  }
  const auto* in = reinterpret_cast<const unsigned char*>(box->data());
  std::string plain(box->size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 in + crypto_secretbox_NONCEBYTES,
                                 box->size() - crypto_secretbox_NONCEBYTES, in, key_.data()) != 0) {
    return unreadable();
  }
  return plain;
}

}  // namespace identity
