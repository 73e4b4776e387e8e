#include "identity/passwords.h"

#include <gtest/gtest.h>

#include "identity/identity_service.h"
#include "identity/secrets.h"
#include "identity/types.h"

namespace identity {
namespace {

TEST(Passwords, RulesForNewPasswords) {
  EXPECT_TRUE(password_problem("short", "a@b.co").has_value());
  EXPECT_TRUE(password_problem("elevenchars", "a@b.co").has_value());
  EXPECT_FALSE(password_problem("twelve chars", "a@b.co").has_value());
  EXPECT_TRUE(password_problem("Password1234", "a@b.co").has_value()) << "common, any case";
  EXPECT_TRUE(password_problem("aaaaaaaaaaaaaa", "a@b.co").has_value());
  EXPECT_TRUE(password_problem("someone@example.com", "Someone@Example.com").has_value());
  EXPECT_TRUE(password_problem(std::string(300, 'x') + "y", "a@b.co").has_value());
}

TEST(Passwords, HashesAreArgon2idAndVerify) {
  auto hash = hash_password("correct horse battery", PasswordCost::kMinimum);
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(hash->starts_with("$argon2id$")) << *hash;
  EXPECT_TRUE(verify_password(*hash, "correct horse battery"));
  EXPECT_FALSE(verify_password(*hash, "correct horse batterz"));
  EXPECT_FALSE(verify_password("", "anything"));
  EXPECT_FALSE(verify_password("not a hash", "anything"));
  auto again = hash_password("correct horse battery", PasswordCost::kMinimum);
  EXPECT_NE(*hash, *again) << "salted";
}

TEST(Secrets, RandomUrlSafeAndHashed) {
  const std::string a = new_secret("mlk_");
  const std::string b = new_secret("mlk_");
  EXPECT_NE(a, b);
  EXPECT_TRUE(a.starts_with("mlk_"));
  EXPECT_EQ(a.size(), 4u + 43u);
  EXPECT_EQ(secret_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(constant_time_equal("same", "same"));
  EXPECT_FALSE(constant_time_equal("same", "sama"));
  EXPECT_FALSE(constant_time_equal("same", "longer"));
}

TEST(Types, SlugsAndEmails) {
  EXPECT_EQ(slug_for("Acme Cloud Ltd"), "acme-cloud-ltd");
  EXPECT_EQ(slug_for("  Demo   Customer "), "demo-customer");
  EXPECT_EQ(slug_for("Acme, Inc."), "acme-inc");
  EXPECT_EQ(slug_for("MP_0000 Store"), "mp_0000-store");
  EXPECT_EQ(slug_for("!!!"), "");
  EXPECT_EQ(normalize_email("  Jane.Doe@Gmail.COM "), "jane.doe@gmail.com");
  EXPECT_EQ(parse_org_kind("provider"), OrgKind::kProvider);
  EXPECT_FALSE(parse_org_kind("reseller").has_value());
  EXPECT_EQ(std::string(to_string(SubscriptionStatus::kTrial)), "trial");
}

}  // namespace
}  // namespace identity
