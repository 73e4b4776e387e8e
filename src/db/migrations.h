// Versioned schema migrations, compiled into the binary from src/db/migrations/.
//
// Files are named NNNN_name.sql (both backends), or NNNN_name.sqlite.sql and
// NNNN_name.postgresql.sql where the dialects differ. Statements are separated by a `;` at the
// end of a line. Each migration runs in its own transaction and records its version in
// schema_migrations; running migrate() again applies nothing. Concurrent migrators are safe: on
// PostgreSQL they serialize on an advisory lock, on SQLite on the database write lock, and each
// re-reads the applied versions after taking the lock.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "db/database.h"

namespace db {

struct Migration {
  int version = 0;
  std::string name;
  std::string sql;  // for the database's own backend
};

// The migrations compiled into this binary for `backend`, ordered by version.
std::vector<Migration> builtin_migrations(Backend backend);

struct MigrationStatus {
  int current = 0;  // highest applied version (0 = none)
  int latest = 0;   // highest known version
  bool up_to_date() const { return current >= latest; }
};

// Applies every migration newer than the database's version. Returns how many were applied.
core::Result<int> migrate(Database& db, const std::vector<Migration>& migrations,
                          const core::Clock& clock);
core::Result<MigrationStatus> migration_status(Database& db,
                                               const std::vector<Migration>& migrations);

// Splits a migration file into statements (see header comment). Exposed for tests.
std::vector<std::string> split_sql_statements(const std::string& sql);

}  // namespace db
