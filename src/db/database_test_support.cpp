#include "db/database_test_support.h"

#include <soci/soci.h>

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

#include "core/ids.h"

namespace db::testing {

std::string backend_name(TestBackend b) {
  return b == TestBackend::kSqlite ? "Sqlite" : "Postgresql";
}

std::unique_ptr<TestDatabase> TestDatabase::create(TestBackend backend, std::string& skip_reason,
                                                   int pool_size) {
  auto t = std::unique_ptr<TestDatabase>(new TestDatabase());
  t->backend_ = backend;
  std::string suffix = core::base64url_encode(core::random_bytes(9));
  for (char& c : suffix) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = 'x';
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (backend == TestBackend::kSqlite) {
    const auto dir = std::filesystem::temp_directory_path() / ("marketlink-test-" + suffix);
    std::filesystem::create_directories(dir);
    t->cleanup_ = dir.string();
    t->url_ = "sqlite:" + (dir / "test.db").string();
  } else {
    const char* base = std::getenv("MARKETLINK_TEST_PG_URL");
    if (base == nullptr || *base == '\0') {
      const char* require = std::getenv("MARKETLINK_TEST_REQUIRE_PG");
      skip_reason = (require != nullptr && std::string(require) == "1")
                        ? "FAIL: MARKETLINK_TEST_REQUIRE_PG=1 but MARKETLINK_TEST_PG_URL is unset"
                        : "MARKETLINK_TEST_PG_URL is unset; PostgreSQL cases skipped";
      return nullptr;
    }
    const std::string schema = "t_" + suffix;
    try {
      auto admin_db = Database::open({.url = base, .pool_size = 1});
      if (!admin_db.ok()) throw std::runtime_error(admin_db.error().message);
      auto admin = (*admin_db)->connect();
      admin->sql() << "CREATE SCHEMA " + schema;
    } catch (const std::exception& e) {
      skip_reason = std::string("FAIL: cannot create a test schema: ") + e.what();
      return nullptr;
    }
    t->cleanup_ = schema;
    const std::string sep = std::string(base).find('?') == std::string::npos ? "?" : "&";
    // application_name tells this test's connections apart from those of tests running beside it.
    t->url_ = std::string(base) + sep + "options=-csearch_path%3D" + schema +
              "&application_name=" + schema;
  }
  auto opened = Database::open({.url = t->url_, .pool_size = pool_size});
  if (!opened.ok()) {
    skip_reason = "FAIL: " + opened.error().message;
    return nullptr;
  }
  t->db_ = std::move(opened).value();
  return t;
}

std::unique_ptr<Database> TestDatabase::open_another(int pool_size) const {
  auto opened = Database::open({.url = url_, .pool_size = pool_size});
  return opened.ok() ? std::move(opened).value() : nullptr;
}

TestDatabase::~TestDatabase() {
  db_.reset();
  if (backend_ == TestBackend::kSqlite) {
    std::error_code ec;
    std::filesystem::remove_all(cleanup_, ec);
  } else if (const char* base = std::getenv("MARKETLINK_TEST_PG_URL")) {
    try {
      auto admin_db = Database::open({.url = base, .pool_size = 1});
      if (admin_db.ok()) (*admin_db)->connect()->sql() << "DROP SCHEMA " + cleanup_ + " CASCADE";
    } catch (const std::exception&) {
      // The cluster is thrown away at the end of the run anyway.
    }
  }
}

}  // namespace db::testing
