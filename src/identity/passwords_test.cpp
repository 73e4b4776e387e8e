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

TEST(Types, NamesAreAnyPrintableUtf8) {
  EXPECT_EQ(check_name("Acme, Inc. #2", 200), NameProblem::kNone);
  EXPECT_EQ(check_name("Ελληνικά", 8), NameProblem::kNone);
  EXPECT_EQ(check_name("Ελληνικά", 7), NameProblem::kTooLong);
  EXPECT_EQ(check_name("\xf0\x9f\x9a\x80 launch", 200), NameProblem::kNone) << "4-byte UTF-8";
  EXPECT_EQ(check_name("\xf4\x90\x80\x80", 200), NameProblem::kNotUtf8) << "above U+10FFFF";
  EXPECT_EQ(check_name("\xe0\x80\xaf", 200), NameProblem::kNotUtf8) << "overlong";
  EXPECT_EQ(check_name("\x80", 200), NameProblem::kNotUtf8) << "a lone continuation byte";
  EXPECT_EQ(check_name("a\xe2\x81\xa6"
                       "b",
                       200),
            NameProblem::kControlCharacter)
      << "U+2066";
  EXPECT_EQ(check_name("", 200), NameProblem::kEmpty);
  EXPECT_EQ(trim_name(" \xc2\xa0Иван\xe3\x80\x80\n"), "Иван");
  EXPECT_EQ(trim_name("\xe2\x80\x8b"), "");
  EXPECT_EQ(trim_name(" \xff "), "\xff") << "kept for check_name to refuse";
  EXPECT_EQ(organization_slug("Acme Cloud", "Ab_9-x"), "acme-cloud");
  EXPECT_EQ(organization_slug("日本語", "Ab_9-x"), "org-ab_9-x");
}

}  // namespace
}  // namespace identity
