// The pool's AWS view against the simulator over real HTTP: whose keys, refused keys, and the
// access check's AssumeRole + GetCallerIdentity into accounts that trust the provider or not.
#include "app/provider_aws.h"

#include <gtest/gtest.h>

#include "aws/curl_transport.h"
#include "sim/sim_server.h"
#include "sim/sim_test_support.h"

namespace app {
namespace {

using namespace std::chrono_literals;

class ProviderAwsTest : public ::testing::Test {
 protected:
  ProviderAwsTest()
      : server_({.port = 0, .worker_threads = 2}, clock_),
        context_{transport_, clock_, sleeper_, aws::system_random()} {}

  void SetUp() override {
    auto port = server_.start();
    ASSERT_TRUE(port.ok()) << port.error().message;
    client_ = std::make_unique<ProviderAwsClient>(
        context_, aws::ClientSettings{.region = "us-east-1",
                                      .endpoint = server_.url(),
                                      .call_timeout = 10s,
                                      .retry = {.max_attempts = 1}});
    provider_ = server_.simulator().create_account(sim::Json::object()).value();
    credentials_ = {.access_key_id = provider_["access_key_id"],
                    .secret_access_key = provider_["secret_access_key"],
                    .role_name = "PoolAccess"};
  }
  void TearDown() override { server_.shutdown(); }

  std::string pool_account(const sim::Json& roles) {
    return server_.simulator().create_account({{"roles", roles}}).value()["account_id"];
  }

  core::SystemClock clock_;
  sim::SimServer server_;
  aws::CurlTransport transport_;
  aws::ThreadSleeper sleeper_;
  aws::ClientContext context_;
  std::unique_ptr<ProviderAwsClient> client_;
  sim::Json provider_;
  pool::ProviderCredentials credentials_;
};

TEST_F(ProviderAwsTest, TellsWhoseKeysTheyAreAndRefusesBadOnes) {
  auto account = client_->account_of(credentials_);
  ASSERT_TRUE(account.ok()) << account.error().message;
  EXPECT_EQ(*account, provider_["account_id"]);

  auto wrong_secret = credentials_;
  wrong_secret.secret_access_key = "not-the-secret-access-key-0000000000000";
  auto refused = client_->account_of(wrong_secret);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().slug, "aws_keys_rejected");
  EXPECT_NE(refused.error().message.find("SignatureDoesNotMatch"), std::string::npos);
  EXPECT_EQ(refused.error().message.find(wrong_secret.secret_access_key), std::string::npos);

  auto unknown = credentials_;
  unknown.access_key_id = "AKIAUNKNOWNKEY000000";
  EXPECT_EQ(client_->account_of(unknown).error().slug, "aws_keys_rejected");
}

TEST_F(ProviderAwsTest, ReachesAccountsThatTrustTheProviderWithTheRole) {
  const std::string trusting =
      pool_account({{{"name", "PoolAccess"}, {"trusted_account_id", provider_["account_id"]}}});
  auto outcome = client_->check(credentials_, trusting);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_TRUE(outcome->reachable) << outcome->reason;
}

TEST_F(ProviderAwsTest, AccountsWithoutTheRoleOrTrustAreUnreachableWithTheReason) {
  const std::string other_role =
      pool_account({{{"name", "SomethingElse"}, {"trusted_account_id", provider_["account_id"]}}});
  const std::string trusts_another =
      pool_account({{{"name", "PoolAccess"}, {"trusted_account_id", "999999999999"}}});
  for (const std::string& id : {other_role, trusts_another, std::string("123456789012")}) {
    auto outcome = client_->check(credentials_, id);
    ASSERT_TRUE(outcome.ok()) << outcome.error().message;
    EXPECT_FALSE(outcome->reachable) << id;
    EXPECT_NE(outcome->reason.find("AccessDenied"), std::string::npos) << outcome->reason;
    EXPECT_NE(outcome->reason.find("PoolAccess"), std::string::npos) << outcome->reason;
  }
}

TEST_F(ProviderAwsTest, RefusedProviderKeysAreNotAVerdictOnTheAccount) {
  const std::string trusting =
      pool_account({{{"name", "PoolAccess"}, {"trusted_account_id", provider_["account_id"]}}});
  auto broken = credentials_;
  broken.secret_access_key = "not-the-secret-access-key-0000000000000";
  auto outcome = client_->check(broken, trusting);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, core::ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace app
