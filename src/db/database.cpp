#include "db/database.h"

#include <fmt/format.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sqlite3.h>

#include <filesystem>
#include <thread>

#include "core/log.h"

namespace db {

namespace {

constexpr std::string_view kSqlitePrefix = "sqlite:";

// "postgresql://user:secret@host/db" → "postgresql://user:***@host/db".
std::string without_password(const std::string& url) {
  const auto scheme_end = url.find("://");
  const auto at = url.find('@');
  if (scheme_end == std::string::npos || at == std::string::npos) return url;
  const auto colon = url.find(':', scheme_end + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

std::string percent_decode(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      const auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      const int hi = hex(in[i + 1]);
      const int lo = hex(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += in[i];
  }
  return out;
}

std::string conninfo_value(std::string_view v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

// libpq understands URIs, but SOCI reads its connect string as keyword=value pairs: translate
// postgresql://user:password@host:port/dbname?key=value&… into that form.
core::Result<std::string> postgres_conninfo(const std::string& url) {
  const auto scheme_end = url.find("://");
  std::string_view rest = std::string_view(url).substr(scheme_end + 3);
  std::string_view query;
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view authority = rest;
  std::string_view dbname;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    dbname = rest.substr(slash + 1);
  }
  std::vector<std::pair<std::string, std::string>> kv;
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const auto colon = userinfo.find(':');
    kv.emplace_back("user", percent_decode(userinfo.substr(0, colon)));
    if (colon != std::string_view::npos)
      kv.emplace_back("password", percent_decode(userinfo.substr(colon + 1)));
  }
  if (!authority.empty()) {
    std::string_view host = authority;
    std::string_view port;
    if (authority.front() == '[') {
      const auto close = authority.find(']');
      if (close == std::string_view::npos)
        return core::invalid("The PostgreSQL URL has a malformed host.");
      host = authority.substr(1, close - 1);
      if (close + 1 < authority.size() && authority[close + 1] == ':')
        port = authority.substr(close + 2);
    } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
    if (!host.empty()) kv.emplace_back("host", percent_decode(host));
    if (!port.empty()) kv.emplace_back("port", std::string(port));
  }
  if (!dbname.empty()) kv.emplace_back("dbname", percent_decode(dbname));
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return core::invalid("The PostgreSQL URL has a malformed parameter.");
    kv.emplace_back(percent_decode(pair.substr(0, eq)), percent_decode(pair.substr(eq + 1)));
  }
  std::string out;
  for (const auto& [k, v] : kv) {
    if (!out.empty()) out += ' ';
    out += k + "=" + conninfo_value(v);
  }
  return out;
}

}  // namespace

SqlFailure classify_sql_failure(const std::exception& e) {
  if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    const std::string state = pg->sqlstate();
    if (state == "23505") return SqlFailure::kUniqueViolation;
    if (state == "23503") return SqlFailure::kForeignKeyViolation;
    if (state == "40001" || state == "40P01" || state == "55P03") return SqlFailure::kRetryable;
    // Class 08: connection exceptions; 57P01-57P03: the server shut down or is restarting.
    if (state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03") {
      return SqlFailure::kConnectionLost;
    }
    if (pg->get_error_category() == soci::soci_error::connection_error)
      return SqlFailure::kConnectionLost;
    return SqlFailure::kOther;
  }
  if (const auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    const int primary = lite->result() & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return SqlFailure::kRetryable;
    if (primary == SQLITE_CONSTRAINT) {
      const std::string what = e.what();
      if (what.find("UNIQUE") != std::string::npos ||
          what.find("PRIMARY KEY") != std::string::npos) {
        return SqlFailure::kUniqueViolation;
      }
      if (what.find("FOREIGN KEY") != std::string::npos) return SqlFailure::kForeignKeyViolation;
    }
    return SqlFailure::kOther;
  }
  return SqlFailure::kOther;
}

Connection::Connection(Connection&& other) noexcept
    : owner_(other.owner_), index_(other.index_), session_(other.session_) {
  other.owner_ = nullptr;
}

Connection::~Connection() {
  if (owner_ != nullptr) owner_->give_back(index_);
}

Database::Database(Backend backend, std::string display_name, const Settings& settings)
    : backend_(backend), display_name_(std::move(display_name)), settings_(settings) {}

Database::~Database() = default;

core::Result<std::unique_ptr<Database>> Database::open(const Settings& settings) {
  if (settings.pool_size < 1)
    return core::invalid("The database pool needs at least one connection.");
  Backend backend;
  std::string backend_name;
  std::string connect_string;
  std::string display;
  if (settings.url.starts_with(kSqlitePrefix)) {
    const std::string path = settings.url.substr(kSqlitePrefix.size());
    if (path.empty() || path == ":memory:") {
      return core::invalid("sqlite: needs a file path, e.g. sqlite:./var/marketlink.db");
    }
    std::error_code ec;
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec)
      return core::unavailable(
          fmt::format("Cannot create the folder {}: {}", parent.string(), ec.message()));
    backend = Backend::kSqlite;
    backend_name = "sqlite3";
    // SOCI splits the connect string on spaces; quote the path.
    connect_string =
        fmt::format("db=\"{}\" timeout={}", path,
                    std::max<long long>(1, settings.sqlite_busy_timeout.count() / 1000));
    display = settings.url;
  } else if (settings.url.starts_with("postgresql://") || settings.url.starts_with("postgres://")) {
    backend = Backend::kPostgresql;
    backend_name = "postgresql";
    auto conninfo = postgres_conninfo(settings.url);
    if (!conninfo.ok()) return conninfo.error();
    connect_string = *conninfo;
    display = without_password(settings.url);
  } else {
    return core::invalid(
        fmt::format("The database URL must start with sqlite: or postgresql://, not \"{}\"",
                    without_password(settings.url)));
  }

  std::unique_ptr<Database> database(new Database(backend, display, settings));
  try {
    for (int i = 0; i < settings.pool_size; ++i) {
      auto session = std::make_unique<soci::session>(backend_name, connect_string);
      database->prepare_session(*session);
      database->sessions_.push_back(std::move(session));
      database->free_.push_back(static_cast<size_t>(i));
    }
  } catch (const std::exception& e) {
    core::log::error("database connection failed", {{"database", display}, {"error", e.what()}});
    return core::unavailable(fmt::format("Cannot connect to the database {}.", display));
  }
  return database;
}

void Database::prepare_session(soci::session& s) const {
  if (backend_ == Backend::kSqlite) {
    s << "PRAGMA journal_mode=WAL";
    s << fmt::format("PRAGMA busy_timeout={}", settings_.sqlite_busy_timeout.count());
    s << "PRAGMA foreign_keys=ON";
    s << "PRAGMA synchronous=NORMAL";
  } else {
    s << "SET TIME ZONE 'UTC'";
    s << "SET client_min_messages TO WARNING";
  }
}

bool Database::reconnect_quietly(soci::session& s, const Database& owner) {
  try {
    s.reconnect();
    owner.prepare_session(s);
    core::log::warn("database connection reopened", {{"database", owner.display_name_}});
    return true;
  } catch (const std::exception& e) {
    return false;
  }
}

core::Result<Connection> Database::connect() {
  std::unique_lock lock(mutex_);
  if (!available_.wait_for(lock, settings_.acquire_timeout, [&] { return !free_.empty(); })) {
    return core::unavailable("The database is busy; try again shortly.");
  }
  const size_t index = free_.back();
  free_.pop_back();
  ++in_use_;
  lock.unlock();
  soci::session* session = sessions_[index].get();
  if (backend_ == Backend::kPostgresql && !session->is_connected())
    reconnect_quietly(*session, *this);
  return Connection(this, index, session);
}

void Database::give_back(size_t index) {
  {
    std::lock_guard lock(mutex_);
    free_.push_back(index);
    --in_use_;
  }
  available_.notify_one();
}

void Database::begin(soci::session& s, TxMode mode) {
  if (backend_ == Backend::kSqlite) {
    s << (mode == TxMode::kRead ? "BEGIN" : "BEGIN IMMEDIATE");
  } else {
    s << (mode == TxMode::kSerializable ? "BEGIN ISOLATION LEVEL SERIALIZABLE" : "BEGIN");
  }
}

void Database::rollback_quietly(soci::session& s) {
  try {
    s << "ROLLBACK";
  } catch (const std::exception&) {
    // No transaction was open (BEGIN itself failed): nothing to undo.
  }
}

core::Status Database::ping() {
  auto conn = connect();
  if (!conn.ok()) return conn.error();
  try {
    int one = 0;
    try {
      conn->sql() << "SELECT 1", soci::into(one);
    } catch (const std::exception& e) {
      if (classify_sql_failure(e) != SqlFailure::kConnectionLost ||
          !reconnect_quietly(conn->sql(), *this))
        throw;
      conn->sql() << "SELECT 1", soci::into(one);
    }
    if (one != 1) return core::unavailable("The database answered SELECT 1 wrongly.");
  } catch (const std::exception& e) {
    return core::unavailable(fmt::format("The database {} is not reachable.", display_name_));
  }
  return {};
}

core::Status Database::run_transaction(const std::function<bool(Tx&)>& body, TxMode mode) {
  auto conn = connect();
  if (!conn.ok()) return conn.error();
  soci::session& s = conn->sql();
  Tx tx(s, backend_);
  for (int attempt = 1;; ++attempt) {
    try {
      begin(s, mode);
      if (body(tx)) {
        s << "COMMIT";
      } else {
        rollback_quietly(s);
      }
      return {};
    } catch (const std::exception& e) {
      rollback_quietly(s);
      if (classify_sql_failure(e) == SqlFailure::kRetryable &&
          attempt < settings_.transaction_attempts) {
        // Back off a little more each time so that competing writers spread out.
        std::this_thread::sleep_for(std::chrono::milliseconds(2 * attempt * attempt));
        continue;
      }
      core::log::error("database transaction failed", {{"error", e.what()}, {"attempt", attempt}});
      return core::internal("The database could not complete the request.");
    }
  }
}

const char* Tx::skip_locked() const {
  return backend_ == Backend::kPostgresql ? " FOR UPDATE SKIP LOCKED" : "";
}

const char* Tx::for_update() const { return backend_ == Backend::kPostgresql ? " FOR UPDATE" : ""; }

const char* Database::skip_locked() const {
  return backend_ == Backend::kPostgresql ? " FOR UPDATE SKIP LOCKED" : "";
}

const char* Database::for_update() const {
  return backend_ == Backend::kPostgresql ? " FOR UPDATE" : "";
}

const char* transaction_lock_sql(Backend backend) {
  return backend == Backend::kPostgresql
             ? "SELECT pg_advisory_xact_lock(hashtext(:first), hashtext(:second))"
             : "";
}

const char* Database::transaction_lock() const { return transaction_lock_sql(backend_); }

}  // namespace db
