#include "identity/secret_box.h"

#include <gtest/gtest.h>

#include "core/text.h"

namespace identity {
namespace {

constexpr const char* kHexKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

TEST(SecretBox, SealsAndOpensWithTheSameKey) {
  auto box = SecretBox::from_key_text(kHexKey);
  ASSERT_TRUE(box.ok()) << box.error().message;
  const std::string sealed = box->seal("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  EXPECT_TRUE(sealed.starts_with("v1:"));
  EXPECT_EQ(sealed.find("wJalr"), std::string::npos);
  auto opened = box->open(sealed);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(*opened, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
}

TEST(SecretBox, EverySealUsesAFreshNonce) {
  auto box = SecretBox::from_key_text(kHexKey);
  ASSERT_TRUE(box.ok());
  EXPECT_NE(box->seal("same"), box->seal("same"));
}

TEST(SecretBox, AcceptsBase64KeysAndSurroundingWhitespace) {
  std::string raw;
  for (int i = 0; i < 32; ++i) raw += static_cast<char>(i);
  auto from_base64 = SecretBox::from_key_text("  " + core::base64_encode(raw) + "\n");
  auto from_hex = SecretBox::from_key_text(std::string(kHexKey) + "\n");
  ASSERT_TRUE(from_base64.ok());
  ASSERT_TRUE(from_hex.ok());
  auto opened = from_hex->open(from_base64->seal("secret"));
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "secret");
}

TEST(SecretBox, RefusesMalformedKeysWithoutRepeatingThem) {
  for (const char* text :
       {"", "short", "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"}) {
    auto box = SecretBox::from_key_text(text);
    ASSERT_FALSE(box.ok()) << text;
    EXPECT_EQ(box.error().slug, "invalid_secret_key");
    if (*text) {
      EXPECT_EQ(box.error().message.find(text), std::string::npos);
    }
  }
}

TEST(SecretBox, AnotherKeyOrAlteredTextCannotOpen) {
  auto box = SecretBox::from_key_text(kHexKey);
  auto other = SecretBox::from_key_text(SecretBox::generate_key_text());
  ASSERT_TRUE(box.ok());
  ASSERT_TRUE(other.ok());
  const std::string sealed = box->seal("secret");
  EXPECT_EQ(other->open(sealed).error().slug, "secret_unreadable");
  std::string altered = sealed;
  const size_t middle = altered.size() / 2;  // a character inside the ciphertext
  altered[middle] = altered[middle] == 'A' ? 'B' : 'A';
  EXPECT_EQ(box->open(altered).error().slug, "secret_unreadable");
  EXPECT_EQ(box->open("plain text").error().slug, "secret_unreadable");
  EXPECT_EQ(box->open("v1:").error().slug, "secret_unreadable");
}

TEST(SecretBox, GeneratedKeysAreValidAndDistinct) {
  const std::string a = SecretBox::generate_key_text();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, SecretBox::generate_key_text());
  EXPECT_TRUE(SecretBox::from_key_text(a).ok());
}

}  // namespace
}  // namespace identity
