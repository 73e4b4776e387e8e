// Test-only: a throwaway database per test on each backend.
//
// SQLite: a fresh file in a temporary folder. PostgreSQL: a fresh schema in the cluster named by
// MARKETLINK_TEST_PG_URL (the test command starts one), reached through search_path, dropped at
// the end. When that variable is unset, PostgreSQL cases are skipped, unless
// MARKETLINK_TEST_REQUIRE_PG=1 (set by the test command), which makes them fail instead.
#pragma once

#include <memory>
#include <string>

#include "db/database.h"

namespace db::testing {

enum class TestBackend { kSqlite, kPostgresql };

std::string backend_name(TestBackend b);

class TestDatabase {
 public:
  // Returns nullptr and sets `skip_reason` when the backend is not available.
  static std::unique_ptr<TestDatabase> create(TestBackend backend, std::string& skip_reason,
                                              int pool_size = 4);
  ~TestDatabase();
  const std::string& url() const { return url_; }
  Database& db() { return *db_; }
  // Another Database on the same data, like a second process would open.
  std::unique_ptr<Database> open_another(int pool_size = 2) const;

 private:
  std::string url_;
  std::string cleanup_;  // folder to remove, or schema to drop
  TestBackend backend_ = TestBackend::kSqlite;
  std::unique_ptr<Database> db_;
};

}  // namespace db::testing

// Declares `db_` in a test fixture parameterized by TestBackend, skipping (or failing) as above.
#define MARKETLINK_OPEN_TEST_DATABASE(holder)                                \
  do {                                                                       \
    std::string skip_reason;                                                 \
    (holder) = ::db::testing::TestDatabase::create(GetParam(), skip_reason); \
    if (!(holder)) {                                                         \
      if (skip_reason.rfind("FAIL:", 0) == 0) FAIL() << skip_reason;         \
      GTEST_SKIP() << skip_reason;                                           \
    }                                                                        \
  } while (0)
