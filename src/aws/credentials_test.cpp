#include "aws/credentials.h"

#include <gtest/gtest.h>

#include <map>

namespace aws {
namespace {

auto env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(CredentialsFromEnvironment, ReadsKeysTokenAndRegion) {
  auto c = credentials_from_environment(env_of({{"AWS_ACCESS_KEY_ID", "AKID"},
                                                {"AWS_SECRET_ACCESS_KEY", "secret"},
                                                {"AWS_SESSION_TOKEN", "token"},
                                                {"AWS_REGION", "eu-west-1"},
                                                {"AWS_DEFAULT_REGION", "us-west-2"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->credentials.access_key_id, "AKID");
  EXPECT_EQ(c->credentials.secret_access_key, "secret");
  EXPECT_EQ(c->credentials.session_token, "token");
  EXPECT_EQ(c->region, "eu-west-1");
}

TEST(CredentialsFromEnvironment, FallsBackOnTheDefaultRegion) {
  auto c = credentials_from_environment(env_of({{"AWS_ACCESS_KEY_ID", "AKID"},
                                                {"AWS_SECRET_ACCESS_KEY", "s"},
                                                {"AWS_DEFAULT_REGION", "r"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->region, "r");
  EXPECT_TRUE(c->credentials.session_token.empty());
}

TEST(CredentialsFromEnvironment, MissingKeysAreInvalid) {
  auto c = credentials_from_environment(env_of({{"AWS_ACCESS_KEY_ID", "AKID"}}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, core::ErrorCode::kInvalid);
  EXPECT_EQ(c.error().message, "AWS_SECRET_ACCESS_KEY is not set");
  EXPECT_FALSE(credentials_from_environment(env_of({})).ok());
}

TEST(StaticCredentials, AlwaysTheSameKeys) {
  auto p = static_credentials({.access_key_id = "A", .secret_access_key = "S"});
  auto c = p->credentials();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "A");
}

}  // namespace
}  // namespace aws
