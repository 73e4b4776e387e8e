#include "app/schema.h"

#include <gtest/gtest.h>

#include <set>

#include "core/clock.h"
#include "db/database_test_support.h"

namespace app {
namespace {

using db::testing::TestBackend;

class SchemaTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override { MARKETLINK_OPEN_TEST_DATABASE(t_); }
  std::unique_ptr<db::testing::TestDatabase> t_;
};

TEST_P(SchemaTest, EveryModulesMigrationsApplyInOneOrder) {
  const core::ManualClock clock(core::TimePoint(std::chrono::seconds(1'800'000'000)));
  auto all = db::collect_migrations(t_->db().backend(), schema());
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_FALSE(all->empty());
  auto r = db::migrate(t_->db(), *all, clock);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, static_cast<int>(all->size()));
  EXPECT_TRUE(db::migration_status(t_->db(), *all)->up_to_date());
  EXPECT_EQ(*db::migrate(t_->db(), schema(), clock), 0) << "applied once";
}

INSTANTIATE_TEST_SUITE_P(Backends, SchemaTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

TEST(Schema, HasTheSameVersionsOnBothBackendsAndEveryModuleOwnsSome) {
  auto lite = db::collect_migrations(db::Backend::kSqlite, schema());
  auto pg = db::collect_migrations(db::Backend::kPostgresql, schema());
  ASSERT_TRUE(lite.ok() && pg.ok());
  ASSERT_EQ(lite->size(), pg->size());
  std::set<std::string> modules;
  for (size_t i = 0; i < lite->size(); ++i) {
    EXPECT_EQ((*lite)[i].version, (*pg)[i].version);
    EXPECT_EQ((*lite)[i].module, (*pg)[i].module);
    modules.insert((*lite)[i].module);
  }
  for (const db::MigrationSet& set : schema())
    EXPECT_TRUE(modules.contains(set.module)) << set.module;
}

}  // namespace
}  // namespace app
