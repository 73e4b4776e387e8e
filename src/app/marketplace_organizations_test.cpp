#include "app/marketplace_organizations.h"

#include <gtest/gtest.h>

#include "db/database_test_support.h"
#include "identity/identity_test_support.h"

namespace app {
namespace {

using db::testing::TestBackend;

class MarketplaceOrganizationsTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    std::unique_ptr<db::testing::TestDatabase> database;
    MARKETLINK_OPEN_TEST_DATABASE(database);
    ASSERT_TRUE(h_.init(std::move(database)));
  }
  identity::testing::IdentityHarness h_;
};

TEST_P(MarketplaceOrganizationsTest, AMarketplaceExistsWhenAMarketplaceOrganizationHasItsId) {
  const MarketplaceOrganizations directory(*h_.service);
  const identity::User mona = h_.user("mona@example.com");
  EXPECT_FALSE(directory.exists("MP-0000"));
  h_.org("Demo Marketplace", mona, identity::OrgKind::kMarketplace, "MP-0000");
  h_.org("Acme", mona, identity::OrgKind::kProvider);
  EXPECT_TRUE(directory.exists("MP-0000"));
  EXPECT_FALSE(directory.exists("MP-0001"));
  EXPECT_FALSE(directory.exists("acme")) << "an organization of another kind is no marketplace";
}

INSTANTIATE_TEST_SUITE_P(Backends, MarketplaceOrganizationsTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace app
