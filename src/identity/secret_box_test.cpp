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
  EXPECT_TRUE(sealed.starts_with("v2:" + box->key_ids().front() + ":"));
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
  EXPECT_EQ(box->open("v2:").error().slug, "secret_unreadable");
  // Another key's id: the message names the missing key.
  const auto missing = box->open(other->seal("secret"));
  EXPECT_EQ(missing.error().slug, "secret_unreadable");
  EXPECT_NE(missing.error().message.find(other->key_ids().front()), std::string::npos);
}

constexpr const char* kOtherKey =
    "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";

TEST(SecretBox, TheFirstKeySealsAndEveryKeyOpens) {
  auto old_key = SecretBox::from_key_text(kHexKey);
  auto rotated = SecretBox::from_key_text(std::string(kOtherKey) + "," + kHexKey);
  auto in_file = SecretBox::from_key_text(std::string(kOtherKey) + "\n" + kHexKey + "\n");
  ASSERT_TRUE(old_key.ok() && rotated.ok() && in_file.ok());
  EXPECT_EQ(rotated->key_ids(), in_file->key_ids());
  ASSERT_EQ(rotated->key_ids().size(), 2u);
  EXPECT_EQ(rotated->key_ids()[1], old_key->key_ids()[0]);
  // What the old key sealed opens; what the rotated box seals names the new key.
  const std::string before = old_key->seal("secret");
  EXPECT_EQ(*rotated->open(before), "secret");
  const std::string after = rotated->seal("secret");
  EXPECT_EQ(SecretBox::key_id_of(after), rotated->key_ids()[0]);
  EXPECT_EQ(SecretBox::key_id_of(before), old_key->key_ids()[0]);
  EXPECT_EQ(old_key->open(after).error().slug, "secret_unreadable");
}

TEST(SecretBox, ResealsOnlyWhatAnotherKeySealed) {
  auto old_key = SecretBox::from_key_text(kHexKey);
  auto rotated = SecretBox::from_key_text(std::string(kOtherKey) + " " + kHexKey);
  ASSERT_TRUE(old_key.ok() && rotated.ok());
  auto resealed = rotated->reseal(old_key->seal("wJalr-secret"));
  ASSERT_TRUE(resealed.ok()) << resealed.error().message;
  ASSERT_TRUE(resealed->has_value());
  EXPECT_EQ(SecretBox::key_id_of(**resealed), rotated->key_ids()[0]);
  EXPECT_EQ(*rotated->open(**resealed), "wJalr-secret");
  auto again = rotated->reseal(**resealed);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
  auto other = SecretBox::from_key_text(SecretBox::generate_key_text());
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(rotated->reseal(other->seal("x")).error().slug, "secret_unreadable");
}

// Text sealed before key ids ("v1:" + base64 of nonce and ciphertext) still opens, and is
// re-sealed under a key id.
TEST(SecretBox, OpensTextSealedBeforeKeyIds) {
  auto box = SecretBox::from_key_text(kHexKey);
  ASSERT_TRUE(box.ok());
  const std::string sealed = box->seal("legacy");
  const std::string legacy = "v1:" + sealed.substr(sealed.rfind(':') + 1);
  EXPECT_EQ(SecretBox::key_id_of(legacy), "");
  EXPECT_EQ(*box->open(legacy), "legacy");
  auto resealed = box->reseal(legacy);
  ASSERT_TRUE(resealed.ok() && resealed->has_value());
  EXPECT_EQ(SecretBox::key_id_of(**resealed), box->key_ids()[0]);
}

TEST(SecretBox, RefusesAKeyGivenTwiceAndNamesAMalformedOneByPosition) {
  auto twice = SecretBox::from_key_text(std::string(kHexKey) + "," + kHexKey);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().slug, "invalid_secret_key");
  auto second = SecretBox::from_key_text(std::string(kHexKey) + ",nonsense-key");
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("Secret key 2"), std::string::npos);
  EXPECT_EQ(second.error().message.find("nonsense"), std::string::npos);
}

TEST(SecretBox, GeneratedKeysAreValidAndDistinct) {
  const std::string a = SecretBox::generate_key_text();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, SecretBox::generate_key_text());
  EXPECT_TRUE(SecretBox::from_key_text(a).ok());
}

}  // namespace
}  // namespace identity
