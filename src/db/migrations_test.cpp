#include "db/migrations.h"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <thread>

#include "db/database_test_support.h"

namespace db {
namespace {

using testing::TestBackend;
using testing::TestDatabase;

const core::ManualClock kClock(core::TimePoint(std::chrono::seconds(1'800'000'000)));

std::vector<Migration> sample() {
  return {
      {.version = 1,
       .name = "first",
       .module = "test",
       .sql = "CREATE TABLE a (id INTEGER PRIMARY KEY);\n-- comment\nINSERT INTO a VALUES (1);\n"},
      {.version = 2,
       .name = "second",
       .module = "test",
       .sql = "CREATE TABLE b (id INTEGER PRIMARY KEY,\n  a_id INTEGER REFERENCES a(id));\n"}};
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
  bad.push_back({.version = 3,
                 .name = "broken",
                 .module = "test",
                 .sql = "CREATE TABLE c (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n"});
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

TEST(CollectMigrations, OrdersEveryModulesFilesByVersionAndPicksTheDialect) {
  const core::EmbeddedFile first[] = {
      {"0002_b.sql", "B"}, {"0010_c.sqlite.sql", "C lite"}, {"0010_c.postgresql.sql", "C pg"}};
  const core::EmbeddedFile second[] = {{"0001_a.sql", "A"}, {"0011_d.sql", "D"}};
  auto lite = collect_migrations(Backend::kSqlite, {{"one", first}, {"two", second}});
  ASSERT_TRUE(lite.ok()) << lite.error().message;
  std::vector<std::string> seen;
  for (const Migration& m : *lite) seen.push_back(m.module + ":" + m.name + ":" + m.sql);
  EXPECT_EQ(seen, (std::vector<std::string>{"two:a:A", "one:b:B", "one:c:C lite", "two:d:D"}));
  auto pg = collect_migrations(Backend::kPostgresql, {{"one", first}, {"two", second}});
  ASSERT_TRUE(pg.ok());
  EXPECT_EQ((*pg)[2].sql, "C pg");
}

TEST(CollectMigrations, RefusesAVersionUsedTwiceOrAFileWithoutOne) {
  const core::EmbeddedFile one[] = {{"0020_pool.sql", "x"}};
  const core::EmbeddedFile other[] = {{"0020_orders.sql", "y"}};
  auto clash = collect_migrations(Backend::kSqlite, {{"pool", one}, {"orders", other}});
  ASSERT_FALSE(clash.ok());
  EXPECT_NE(clash.error().message.find("pool"), std::string::npos);
  EXPECT_NE(clash.error().message.find("orders"), std::string::npos);
  const core::EmbeddedFile twice[] = {{"0020_a.sql", "x"}, {"0020_b.sql", "y"}};
  EXPECT_FALSE(collect_migrations(Backend::kSqlite, {{"pool", twice}}).ok());
  const core::EmbeddedFile unnumbered[] = {{"pool.sql", "x"}};
  EXPECT_FALSE(collect_migrations(Backend::kSqlite, {{"pool", unnumbered}}).ok());
}

}  // namespace
}  // namespace db
