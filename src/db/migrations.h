// Versioned schema migrations. Each module owns its schema: its migrations are files in
// src/<module>/migrations/, compiled into the binary (cmake/embed.cmake), and the module hands
// them over as a MigrationSet. db applies the sets of every module in one global order of
// versions, so a module's tables may refer to the tables of modules with lower versions. Each
// module has a range of versions (docs/architecture.md); a version used twice is refused.
//
// Files are named NNNN_name.sql (both backends), or NNNN_name.sqlite.sql and
// NNNN_name.postgresql.sql where the dialects differ. Statements are separated by a `;` at the
// end of a line. Each migration runs in its own transaction and records its version in
// schema_migrations; running migrate() again applies nothing. Concurrent migrators are safe: on
// PostgreSQL they serialize on an advisory lock, on SQLite on the database write lock, and each
// re-reads the applied versions after taking the lock.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/embedded.h"
#include "core/result.h"
#include "db/database.h"

namespace db {

// One module's migration files, as embedded.
struct MigrationSet {
  std::string module;  // e.g. "pool", for messages
  std::span<const core::EmbeddedFile> files;
};

struct Migration {
  int version = 0;
  std::string name;
  std::string module;
  std::string sql;  // for the database's own backend
};

// The migrations of every set for `backend`, ordered by version. invalid when two files (of one
// set or of two) have the same version, or a file name does not start with a version.
core::Result<std::vector<Migration>> collect_migrations(Backend backend,
                                                        const std::vector<MigrationSet>& sets);

struct MigrationStatus {
  int current = 0;  // highest applied version (0 = none)
  int latest = 0;   // highest known version
  bool up_to_date() const { return current >= latest; }
};

// Applies every migration newer than the database's version. Returns how many were applied.
core::Result<int> migrate(Database& db, const std::vector<Migration>& migrations,
                          const core::Clock& clock);
// collect_migrations for the database's backend, then migrate.
core::Result<int> migrate(Database& db, const std::vector<MigrationSet>& sets,
                          const core::Clock& clock);
core::Result<MigrationStatus> migration_status(Database& db,
                                               const std::vector<Migration>& migrations);

// Splits a migration file into statements (see header comment). Exposed for tests.
std::vector<std::string> split_sql_statements(const std::string& sql);

}  // namespace db
