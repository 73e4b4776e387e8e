// Database: a pool of SQL sessions on SQLite or PostgreSQL, and the transaction every store runs
// in. SOCI stays behind this header: it declares soci::session without including SOCI, so the
// public headers of domain modules (which pass a db::Tx along) compile without it. Only `db` and
// the modules' store files include <soci/soci.h> and reach the session through Tx::sql().
//
// Thread safety: a Database is safe for concurrent use. A Connection (a leased session) and a Tx
// belong to one thread at a time; a Connection returns to the pool when destroyed.
//
// Differences between the backends live here and only here:
//  - SQLite runs in WAL mode with a busy timeout and foreign keys on; a write transaction starts
//    with BEGIN IMMEDIATE so that writers queue instead of failing on lock upgrade.
//  - PostgreSQL transactions may ask for SERIALIZABLE; callers write FOR UPDATE [SKIP LOCKED]
//    clauses through `for_update()` / `skip_locked()`, empty on SQLite (a single writer anyway).
//  - Both retry a transaction that fails with a serialization failure, deadlock or SQLITE_BUSY.
//  - A PostgreSQL connection that was lost (server restart, network) is reopened when it is next
//    leased, and a transaction that lost its connection is retried on the reopened one.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/result.h"

namespace soci {
class session;
}

namespace db {

enum class Backend { kSqlite, kPostgresql };

// A statement that takes a lock on a pair of names (two text parameters) until the transaction
// ends, so that transactions about the same thing queue: PostgreSQL's transaction advisory lock
// on their hashes (a collision only queues unrelated work for a moment); "" on SQLite, where a
// write transaction holds the whole database anyway.
const char* transaction_lock_sql(Backend backend);

struct Settings {
  // "sqlite:PATH" (":memory:" is refused: every connection must see the same data) or
  // "postgresql://…" / "postgres://…" (any libpq URI).
  std::string url;
  // Connections opened at start and kept.
  int pool_size = 8;
  // How long a caller waits for a free connection before `unavailable`.
  std::chrono::milliseconds acquire_timeout{10000};
  // SQLite: how long a statement waits on a lock held by another connection or process.
  std::chrono::milliseconds sqlite_busy_timeout{10000};
  // Attempts of a transaction that fails with a retryable error (see header comment).
  int transaction_attempts = 8;
};

class Database;

// A leased session; returns itself to the pool when destroyed.
class Connection {
 public:
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&&) = delete;
  ~Connection();
  soci::session& sql() { return *session_; }

 private:
  friend class Database;
  Connection(Database* owner, size_t index, soci::session* session)
      : owner_(owner), index_(index), session_(session) {}
  Database* owner_;
  size_t index_;
  soci::session* session_;
};

enum class TxMode {
  kRead,          // no writes expected; plain BEGIN
  kWrite,         // SQLite: BEGIN IMMEDIATE; PostgreSQL: READ COMMITTED
  kSerializable,  // SQLite: BEGIN IMMEDIATE; PostgreSQL: SERIALIZABLE
};

// The open transaction a function given to Database::transact runs in. Modules pass it to each
// other so that their writes commit together (a job enqueued, an e-mail queued, an audit entry
// written in the caller's transaction); store files run their statements on sql().
class Tx {
 public:
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;

  soci::session& sql() const { return session_; }
  Backend backend() const { return backend_; }
  // " FOR UPDATE SKIP LOCKED" / " FOR UPDATE" on PostgreSQL, "" on SQLite (see Database).
  const char* skip_locked() const;
  const char* for_update() const;
  // transaction_lock_sql(backend()).
  const char* transaction_lock() const { return transaction_lock_sql(backend_); }

 private:
  friend class Database;
  Tx(soci::session& session, Backend backend) : session_(session), backend_(backend) {}
  soci::session& session_;
  Backend backend_;
};

// What a failed statement means, for callers that turn database errors into domain errors.
enum class SqlFailure {
  kUniqueViolation,
  kForeignKeyViolation,
  kRetryable,
  kConnectionLost,
  kOther
};
SqlFailure classify_sql_failure(const std::exception& e);

class Database {
 public:
  static core::Result<std::unique_ptr<Database>> open(const Settings& settings);
  ~Database();

  Backend backend() const { return backend_; }
  // Safe description of the database for logs and pages: no password.
  const std::string& display_name() const { return display_name_; }

  // Leases a connection, waiting up to acquire_timeout.
  core::Result<Connection> connect();

  // Runs `fn(Tx&)` inside a transaction and commits when it returns an ok Result (or Status);
  // rolls back when it returns an error or throws. Retries the whole function on serialization
  // failure, deadlock or busy, so `fn` must have no effects outside the database.
  // Other database exceptions become `internal` errors (logged, never shown to users).
  template <typename Fn>
  auto transact(Fn&& fn, TxMode mode = TxMode::kWrite) -> std::invoke_result_t<Fn&, Tx&>;

  // SELECT 1 on a pooled connection.
  core::Status ping();

  // " FOR UPDATE SKIP LOCKED" on PostgreSQL, "" on SQLite.
  const char* skip_locked() const;
  // " FOR UPDATE" on PostgreSQL, "" on SQLite (a write transaction already holds the database).
  const char* for_update() const;
  // transaction_lock_sql(backend()).
  const char* transaction_lock() const;

  int pool_size() const { return static_cast<int>(sessions_.size()); }
  int in_use() const { return in_use_.load(); }

 private:
  friend class Connection;
  Database(Backend backend, std::string display_name, const Settings& settings);
  void give_back(size_t index);
  // The untyped core of transact(): runs `body` in a transaction, commits when it returns true
  // and rolls back otherwise. An error when the transaction could not run to its end (no
  // connection, or a database exception after the last attempt).
  core::Status run_transaction(const std::function<bool(Tx&)>& body, TxMode mode);
  void begin(soci::session& s, TxMode mode);
  // Session settings applied after every (re)connect.
  void prepare_session(soci::session& s) const;
  // Reopens a lost connection; false when the database is still unreachable.
  static bool reconnect_quietly(soci::session& s, const Database& owner);
  static void rollback_quietly(soci::session& s);

  Backend backend_;
  std::string display_name_;
  Settings settings_;
  std::vector<std::unique_ptr<soci::session>> sessions_;
  std::vector<size_t> free_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::atomic<int> in_use_{0};
};

template <typename Fn>
auto Database::transact(Fn&& fn, TxMode mode) -> std::invoke_result_t<Fn&, Tx&> {
  using R = std::invoke_result_t<Fn&, Tx&>;
  std::optional<R> result;
  const core::Status ran = run_transaction(
      [&](Tx& tx) {
        result.reset();
        result.emplace(fn(tx));
        return result->ok();
      },
      mode);
  if (!ran.ok()) return R(ran.error());
  return std::move(*result);
}

}  // namespace db
