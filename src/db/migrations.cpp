#include "db/migrations.h"

#include <fmt/format.h>
#include <soci/soci.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "core/log.h"

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

core::Result<std::vector<Migration>> collect_migrations(Backend backend,
                                                        const std::vector<MigrationSet>& sets) {
  const std::string own_suffix = backend == Backend::kSqlite ? ".sqlite.sql" : ".postgresql.sql";
  const std::string other_suffix = backend == Backend::kSqlite ? ".postgresql.sql" : ".sqlite.sql";
  std::map<int, Migration> by_version;
  for (const MigrationSet& set : sets) {
    // Within a set, a dialect's own file of a version wins over the shared one.
    std::map<int, std::pair<Migration, bool>> own;
    for (const core::EmbeddedFile& f : set.files) {
      const std::string path(f.path);
      if (path.ends_with(other_suffix)) continue;
      int version = 0;
      const auto r = std::from_chars(path.data(), path.data() + path.size(), version);
      if (r.ec != std::errc() || r.ptr == path.data() + path.size() || *r.ptr != '_' ||
          version <= 0 || !path.ends_with(".sql")) {
        return core::invalid(
            fmt::format("The migration {} of {} is not named NNNN_name.sql.", path, set.module));
      }
      const bool dialect = path.ends_with(own_suffix);
      const std::string stem = path.substr(static_cast<size_t>(r.ptr - path.data()) + 1);
      Migration m{.version = version,
                  .name = stem.substr(0, stem.size() - (dialect ? own_suffix.size() : 4)),
                  .module = set.module,
                  .sql = std::string(f.data)};
      auto [it, inserted] = own.try_emplace(version, m, dialect);
      if (inserted) continue;
      if (it->second.second == dialect) {
        return core::invalid(
            fmt::format("{} has two migrations numbered {}.", set.module, version));
      }
      if (dialect) it->second = {std::move(m), true};
    }
    for (auto& [version, entry] : own) {
      auto [it, inserted] = by_version.try_emplace(version, std::move(entry.first));
      if (!inserted) {
        return core::invalid(fmt::format("The migration {} of {} and of {} have one number.",
                                         version, it->second.module, set.module));
      }
    }
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

core::Result<int> migrate(Database& db, const std::vector<MigrationSet>& sets,
                          const core::Clock& clock) {
  auto migrations = collect_migrations(db.backend(), sets);
  if (!migrations.ok()) return migrations.error();
  return migrate(db, *migrations, clock);
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
