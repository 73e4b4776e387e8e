#include "db/migrations.h"

#include <gtest/gtest.h>

#include <thread>

#include "db/test_database.h"

namespace db {
namespace {

using testing::TestBackend;
using testing::TestDatabase;

const core::ManualClock kClock(core::TimePoint(std::chrono::seconds(1'800'000'000)));

std::vector<Migration> sample() {
  return {{1, "first",
           "CREATE TABLE a (id INTEGER PRIMARY KEY);\n-- comment\nINSERT INTO a VALUES (1);\n"},
          {2, "second",
           "CREATE TABLE b (id INTEGER PRIMARY KEY,\n  a_id INTEGER REFERENCES a(id));\n"}};
}

class MigrationsTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override { MARKETLINK_OPEN_TEST_DATABASE(t_); }
  int count(const std::string& table) {
    auto conn = t_->db().connect();
    int n = -1;
    conn->sql() << "SELECT COUNT(*) FROM " + table, soci::into(n);
    return n;
  }
  std::unique_ptr<TestDatabase> t_;
};

TEST_P(MigrationsTest, AppliesOnceAndReportsStatus) {
  auto before = migration_status(t_->db(), sample());
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->current, 0);
  EXPECT_FALSE(before->up_to_date());

  auto first = migrate(t_->db(), sample(), kClock);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(*first, 2);
  auto again = migrate(t_->db(), sample(), kClock);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(count("a"), 1);
  EXPECT_EQ(count("schema_migrations"), 2);

  auto after = migration_status(t_->db(), sample());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->current, 2);
  EXPECT_TRUE(after->up_to_date());
}

TEST_P(MigrationsTest, AFailingMigrationLeavesNoTrace) {
  auto bad = sample();
  bad.push_back({3, "broken", "CREATE TABLE c (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n"});
  auto r = migrate(t_->db(), bad, kClock);
  ASSERT_FALSE(r.ok());
  auto status = migration_status(t_->db(), bad);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->current, 2);
  // Table c was rolled back with the failed migration.
  auto conn = t_->db().connect();
  EXPECT_ANY_THROW(conn->sql() << "SELECT COUNT(*) FROM c");
}

TEST_P(MigrationsTest, ConcurrentMigratorsApplyEachVersionOnce) {
  std::vector<std::unique_ptr<Database>> instances;
  for (int i = 0; i < 4; ++i) {
    instances.push_back(t_->open_another(1));
    ASSERT_NE(instances.back(), nullptr);
  }
  std::atomic<int> applied{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (auto& db : instances) {
    threads.emplace_back([&, d = db.get()] {
      auto r = migrate(*d, sample(), kClock);
      if (r.ok())
        applied += *r;
      else
        ++failed;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(applied.load(), 2);
  EXPECT_EQ(count("schema_migrations"), 2);
  EXPECT_EQ(count("a"), 1);
}

TEST_P(MigrationsTest, BuiltinMigrationsApply) {
  const auto builtin = builtin_migrations(t_->db().backend());
  ASSERT_FALSE(builtin.empty());
  auto r = migrate(t_->db(), builtin, kClock);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, static_cast<int>(builtin.size()));
  EXPECT_TRUE(migration_status(t_->db(), builtin)->up_to_date());
}

INSTANTIATE_TEST_SUITE_P(Backends, MigrationsTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return testing::backend_name(info.param); });

TEST(SplitSqlStatements, SplitsOnLineEndingSemicolonsAndDropsComments) {
  const auto parts = split_sql_statements(
      "-- header\nCREATE TABLE x (\n  a TEXT -- note; here\n);\n\nINSERT INTO x VALUES ('a;b');\n");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_NE(parts[0].find("CREATE TABLE x"), std::string::npos);
  EXPECT_EQ(parts[1], "INSERT INTO x VALUES ('a;b')");
}

TEST(BuiltinMigrations, AreOrderedAndTheSameVersionsOnBothBackends) {
  const auto lite = builtin_migrations(Backend::kSqlite);
  const auto pg = builtin_migrations(Backend::kPostgresql);
  ASSERT_EQ(lite.size(), pg.size());
  for (size_t i = 0; i < lite.size(); ++i) {
    EXPECT_EQ(lite[i].version, pg[i].version);
    if (i > 0) {
      EXPECT_GT(lite[i].version, lite[i - 1].version);
    }
  }
}

}  // namespace
}  // namespace db
