#include "db/database.h"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <thread>

#include "db/database_test_support.h"

namespace db {
namespace {

using testing::TestBackend;
using testing::TestDatabase;

class DatabaseTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    MARKETLINK_OPEN_TEST_DATABASE(t_);
    auto conn = t_->db().connect();
    ASSERT_TRUE(conn.ok());
    conn->sql() << "CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)";
    conn->sql() << "INSERT INTO counters (name, value) VALUES ('a', 0)";
  }
  int counter() {
    auto conn = t_->db().connect();
    int v = -1;
    conn->sql() << "SELECT value FROM counters WHERE name = 'a'", soci::into(v);
    return v;
  }
  std::unique_ptr<TestDatabase> t_;
};

TEST_P(DatabaseTest, PingAnswers) { EXPECT_TRUE(t_->db().ping().ok()); }

TEST_P(DatabaseTest, CommitsWhenTheFunctionSucceeds) {
  auto r = t_->db().transact([](Tx& tx) -> core::Result<int> {
    soci::session& s = tx.sql();
    s << "UPDATE counters SET value = 5 WHERE name = 'a'";
    return 5;
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(counter(), 5);
}

TEST_P(DatabaseTest, RollsBackWhenTheFunctionReturnsAnError) {
  auto r = t_->db().transact([](Tx& tx) -> core::Status {
    soci::session& s = tx.sql();
    s << "UPDATE counters SET value = 7 WHERE name = 'a'";
    return core::conflict("no");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(counter(), 0);
}

TEST_P(DatabaseTest, RollsBackAndHidesTheSqlWhenAStatementThrows) {
  auto r = t_->db().transact([](Tx& tx) -> core::Status {
    soci::session& s = tx.sql();
    s << "UPDATE counters SET value = 9 WHERE name = 'a'";
    s << "INSERT INTO no_such_table VALUES (1)";
    return {};
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kInternal);
  EXPECT_EQ(r.error().message.find("no_such_table"), std::string::npos);
  EXPECT_EQ(counter(), 0);
  EXPECT_EQ(t_->db().in_use(), 0);
}

TEST_P(DatabaseTest, ClassifiesUniqueViolations) {
  auto conn = t_->db().connect();
  try {
    conn->sql() << "INSERT INTO counters (name, value) VALUES ('a', 1)";
    FAIL() << "duplicate key accepted";
  } catch (const std::exception& e) {
    EXPECT_EQ(classify_sql_failure(e), SqlFailure::kUniqueViolation) << e.what();
  }
}

// Read-modify-write from many threads and two "processes": every increment lands exactly once.
// On PostgreSQL SERIALIZABLE makes some attempts fail with 40001, which transact() retries.
TEST_P(DatabaseTest, ConcurrentIncrementsAllLandThroughRetries) {
  auto other = t_->open_another(4);
  ASSERT_NE(other, nullptr);
  constexpr int kThreads = 8;
  constexpr int kEach = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    Database& target = i % 2 == 0 ? t_->db() : *other;
    threads.emplace_back([&target, &failures] {
      for (int j = 0; j < kEach; ++j) {
        auto r = target.transact(
            [](Tx& tx) -> core::Status {
              soci::session& s = tx.sql();
              int v = 0;
              s << "SELECT value FROM counters WHERE name = 'a'", soci::into(v);
              s << "UPDATE counters SET value = :v WHERE name = 'a'", soci::use(v + 1);
              return {};
            },
            TxMode::kSerializable);
        if (!r.ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(counter(), kThreads * kEach);
}

TEST_P(DatabaseTest, PoolTimesOutWhenEveryConnectionIsLeased) {
  auto small = Database::open(
      {.url = t_->url(), .pool_size = 1, .acquire_timeout = std::chrono::milliseconds(50)});
  ASSERT_TRUE(small.ok());
  auto held = (*small)->connect();
  ASSERT_TRUE(held.ok());
  EXPECT_EQ((*small)->in_use(), 1);
  auto second = (*small)->connect();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, core::ErrorCode::kUnavailable);
}

// Connections killed by the server (a restart, a failover) are reopened: the next transaction and
// the next ping succeed without the caller noticing.
class PostgresDatabaseTest : public DatabaseTest {};

TEST_P(PostgresDatabaseTest, SurvivesConnectionsKilledByTheServer) {
  auto killer = t_->open_another(1);
  ASSERT_NE(killer, nullptr);
  {
    auto conn = killer->connect();
    ASSERT_TRUE(conn.ok());
    int killed = 0;
    conn->sql() << "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                   "WHERE pid <> pg_backend_pid() AND datname = current_database() "
                   "AND application_name = current_setting('application_name')",
        soci::into(killed);
    ASSERT_GE(killed, 1);
  }
  auto r = t_->db().transact([](Tx& tx) -> core::Status {
    soci::session& s = tx.sql();
    s << "UPDATE counters SET value = value + 1 WHERE name = 'a'";
    return {};
  });
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(t_->db().ping().ok());
  EXPECT_EQ(counter(), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return testing::backend_name(info.param); });

INSTANTIATE_TEST_SUITE_P(Backends, PostgresDatabaseTest,
                         ::testing::Values(TestBackend::kPostgresql),
                         [](const auto& info) { return testing::backend_name(info.param); });

TEST(DatabaseOpen, RejectsUnknownSchemesAndMemoryDatabases) {
  EXPECT_EQ(Database::open({.url = "mysql://x"}).error().code, core::ErrorCode::kInvalid);
  EXPECT_EQ(Database::open({.url = "sqlite::memory:"}).error().code, core::ErrorCode::kInvalid);
  EXPECT_EQ(Database::open({.url = "sqlite:"}).error().code, core::ErrorCode::kInvalid);
}

TEST(DatabaseOpen, UnreachablePostgresIsUnavailableAndHidesThePassword) {
  auto r = Database::open(
      {.url = "postgresql://u:hunter2@127.0.0.1:1/x?connect_timeout=2", .pool_size = 1});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message.find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace db
