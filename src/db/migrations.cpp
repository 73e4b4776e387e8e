#include "db/migrations.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "core/embedded.h"
#include "core/log.h"

namespace resources {
std::span<const core::EmbeddedFile> db_migrations();
}

namespace db {

namespace {

// Any 64-bit number unique to Marketlink's migrator.
constexpr long long kMigrationLockKey = 0x4d6b746c6e6b4d31LL;

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at TEXT NOT NULL)";

int current_version(soci::session& s) {
  int version = 0;
  soci::indicator ind = soci::i_ok;
  s << "SELECT MAX(version) FROM schema_migrations", soci::into(version, ind);
  return ind == soci::i_ok ? version : 0;
}

bool table_exists(Database& db, soci::session& s) {
  int count = 0;
  if (db.backend() == Backend::kSqlite) {
    s << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
        soci::into(count);
  } else {
    s << "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()"
         " AND table_name = 'schema_migrations'",
        soci::into(count);
  }
  return count > 0;
}

}  // namespace

std::vector<std::string> split_sql_statements(const std::string& sql) {
  std::vector<std::string> out;
  std::string current;
  size_t start = 0;
  while (start <= sql.size()) {
    size_t end = sql.find('\n', start);
    if (end == std::string::npos) end = sql.size();
    std::string line = sql.substr(start, end - start);
    start = end + 1;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line.compare(first, 2, "--") == 0) continue;
    const auto last = line.find_last_not_of(" \t\r");
    line = line.substr(0, last + 1);
    if (line.back() == ';') {
      current += line.substr(0, line.size() - 1);
      out.push_back(current);
      current.clear();
    } else {
      current += line;
      current += '\n';
    }
    if (end == sql.size()) break;
  }
  if (current.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(current);
  return out;
}

std::vector<Migration> builtin_migrations(Backend backend) {
  const std::string own_suffix = backend == Backend::kSqlite ? ".sqlite.sql" : ".postgresql.sql";
  const std::string other_suffix = backend == Backend::kSqlite ? ".postgresql.sql" : ".sqlite.sql";
  std::map<int, Migration> by_version;
  std::map<int, bool> has_dialect;
  for (const core::EmbeddedFile& f : resources::db_migrations()) {
    const std::string path(f.path);
    if (path.ends_with(other_suffix)) continue;
    int version = 0;
    const auto r = std::from_chars(path.data(), path.data() + path.size(), version);
    if (r.ec != std::errc() || *r.ptr != '_') continue;
    const bool dialect = path.ends_with(own_suffix);
    if (has_dialect[version] && !dialect) continue;
    const std::string stem = path.substr(static_cast<size_t>(r.ptr - path.data()) + 1);
    by_version[version] =
        Migration{.version = version,
                  .name = stem.substr(0, stem.size() - (dialect ? own_suffix.size() : 4)),
                  .sql = std::string(f.data)};
    has_dialect[version] = has_dialect[version] || dialect;
  }
  std::vector<Migration> out;
  for (auto& [v, m] : by_version) out.push_back(std::move(m));
  return out;
}

core::Result<int> migrate(Database& db, const std::vector<Migration>& migrations,
                          const core::Clock& clock) {
  auto conn = db.connect();
  if (!conn.ok()) return conn.error();
  soci::session& s = conn->sql();
  int applied = 0;
  const bool pg = db.backend() == Backend::kPostgresql;
  try {
    if (pg) s << fmt::format("SELECT pg_advisory_lock({})", kMigrationLockKey);
    s << kCreateTable;
    for (const Migration& m : migrations) {
      if (pg) {
        s << "BEGIN";
      } else {
        s << "BEGIN IMMEDIATE";
      }
      try {
        if (current_version(s) >= m.version) {
          s << "ROLLBACK";
          continue;
        }
        for (const std::string& statement : split_sql_statements(m.sql)) s << statement;
        const std::string now = core::format_rfc3339(clock.now());
        s << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :t)",
            soci::use(m.version), soci::use(m.name), soci::use(now);
        s << "COMMIT";
      } catch (...) {
        try {
          s << "ROLLBACK";
        } catch (const std::exception&) {
        }
        throw;
      }
      ++applied;
      core::log::info("migration applied", {{"version", m.version}, {"name", m.name}});
    }
    if (pg) s << fmt::format("SELECT pg_advisory_unlock({})", kMigrationLockKey);
  } catch (const std::exception& e) {
    if (pg) {
      try {
        s << fmt::format("SELECT pg_advisory_unlock({})", kMigrationLockKey);
      } catch (const std::exception&) {
      }
    }
    core::log::error("migration failed", {{"error", e.what()}});
    return core::internal(fmt::format("A database migration failed: {}", e.what()));
  }
  return applied;
}

core::Result<MigrationStatus> migration_status(Database& db,
                                               const std::vector<Migration>& migrations) {
  auto conn = db.connect();
  if (!conn.ok()) return conn.error();
  MigrationStatus status;
  status.latest = migrations.empty() ? 0 : migrations.back().version;
  try {
    if (table_exists(db, conn->sql())) status.current = current_version(conn->sql());
  } catch (const std::exception& e) {
    return core::unavailable("The database is not reachable.");
  }
  return status;
}

}  // namespace db
