// AccountStore: the pool's tables behind plain functions. Private to src/pool: Pool decides what
// may happen, the store says how it is written down. All SQL is in account_store.cpp.
//
// Pool runs each operation as one transaction through write()/read(), which hand it an
// AccountTx. Rows read "for update" are locked until the transaction ends on PostgreSQL; on
// SQLite a write transaction holds the whole database (BEGIN IMMEDIATE).
//
// Thread safety: an AccountStore is safe for concurrent use; an AccountTx belongs to the thread
// running its transaction. AccountTx functions throw the database's exceptions, which
// db::Database::transact turns into errors, except where they say they return one.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "db/database.h"
#include "pool/pool.h"

namespace pool {

enum class Lock { kNone, kForUpdate };

// A status move as written: the account's new status and what goes with it.
struct StatusMove {
  AccountStatus to = AccountStatus::kReady;
  std::string reason;
  std::string actor;
  // The order the account belongs to after the move; nullopt: none.
  std::optional<std::string> order_ref;
  // Whether the move starts the order's stuck timer (progress_at = at); otherwise it is cleared.
  bool starts_progress = false;
  core::TimePoint at;
};

// A row of an import, already validated.
struct ImportRow {
  std::uint64_t account_id = 0;
  std::uint32_t marketplace = 0;  // index into the import's marketplace list
  Model model = Model::kSpam;
};

struct ExistingAccount {
  std::string account_id;
  std::string provider_org_id;
};

struct AccountIdStatus {
  std::string account_id;
  AccountStatus status = AccountStatus::kReady;
};

// SQLite only: the four statements of a take (find by order, oldest ready, status move, history
// row) prepared once per connection and kept, instead of SOCI preparing them on every call, which
// took about half of a take's time (docs/performance.md). Defined in account_store.cpp.
class StatementCache;

class AccountTx {
 public:
  // `cache` may be null (PostgreSQL).
  AccountTx(db::Tx& tx, StatementCache* cache = nullptr) : tx_(tx), s_(tx.sql()), cache_(cache) {}

  // The transaction itself, for what other modules write in it (the audit log).
  db::Tx& transaction() { return tx_; }

  std::optional<Account> find(const std::string& provider, const std::string& account_id,
                              Lock lock);
  std::optional<Account> find_by_order(const std::string& provider, const std::string& order_ref,
                                       Lock lock);
  // Until the transaction ends, other takers with this order_ref wait here (PostgreSQL; a no-op
  // on SQLite, where a write transaction excludes every other anyway).
  void lock_order_ref(const std::string& provider, const std::string& order_ref);
  // The oldest ready account of (provider, marketplace), locked against other takers. On
  // PostgreSQL rows locked by other takers are skipped; when every ready row is locked it looks
  // again until one is free or none is left, so that it answers nullopt only when no ready
  // account remains (or `unavailable` when the rows stay locked for seconds).
  core::Result<std::optional<Account>> lock_oldest_ready(const std::string& provider,
                                                         const std::string& marketplace_id);

  // Writes the move and its history row. `before` is the account as read (locked) in this
  // transaction.
  void move_status(const Account& before, const StatusMove& move);
  void update_details(const std::string& account_id, const std::string& marketplace_id, Model model,
                      core::TimePoint at);
  // account_exists when the account id is taken (the transaction must then end).
  core::Status insert(const Account& account, const std::string& created_by);
  void insert_imported(const std::string& provider, const std::vector<std::string>& marketplaces,
                       const std::vector<ImportRow>& rows, const std::string& actor,
                       core::TimePoint at, const std::function<void(long long)>& on_progress);
  // Which of `account_ids` exist in any pool.
  std::vector<ExistingAccount> existing(const std::vector<std::uint64_t>& account_ids,
                                        const std::function<void(long long)>& on_progress);
  // The provider's accounts among `account_ids`, locked.
  std::vector<AccountIdStatus> lock_selected(const std::string& provider,
                                             const std::vector<std::string>& account_ids);
  long long remove(const std::string& provider, const std::vector<std::string>& account_ids);
  // Deletes every non-provisioning account of the provider; returns how many.
  long long remove_all_but_provisioning(const std::string& provider);
  std::vector<std::string> provisioning_ids(const std::string& provider);

  // progress_at = at for the provider's provisioning account of `order_ref`; false when none.
  bool touch_progress(const std::string& provider, const std::string& order_ref,
                      core::TimePoint at);
  void mark_access_checked(const std::string& account_id, core::TimePoint at);

  std::vector<Account> page(const std::string& provider, const AccountFilter& filter,
                            const std::optional<std::pair<std::string, std::string>>& after,
                            int limit);
  StatusCounts counts(const std::string& provider);
  std::vector<StatusChange> history(const std::string& account_id);
  // created_by and created_via ("add" / "import") of an account.
  std::pair<std::string, std::string> creation(const std::string& account_id);
  std::vector<Account> stuck(const std::string& provider, core::TimePoint cutoff, int limit);
  long long count_stuck(core::TimePoint cutoff);
  // Candidates for the access check (see Pool::check_access).
  std::vector<Account> access_check_candidates(const std::string& provider, bool all,
                                               core::TimePoint since, int limit);
  long long count_access_check_candidates(const std::string& provider, bool all,
                                          core::TimePoint since);
  // Whether the provider's latest access check run started at `started` and has not ended; the
  // row is locked until the transaction ends, so the run cannot be stopped meanwhile.
  bool access_check_run_is_current(const std::string& provider, core::TimePoint started);

 private:
  db::Tx& tx_;
  soci::session& s_;
  StatementCache* cache_;
};

// Thread safety: safe for concurrent use; each transaction runs on its own leased connection.
// `database` must outlive the store (its cached statements belong to the database's connections).
class AccountStore {
 public:
  explicit AccountStore(db::Database& database);
  ~AccountStore();

  // Runs fn(AccountTx&) in a write transaction (retried on serialization failure or busy: fn
  // must have no effects outside the database).
  template <typename Fn>
  auto write(Fn&& fn) {
    return db_.transact([&](db::Tx& transaction) {
      AccountTx tx(transaction, cache_.get());
      return fn(tx);
    });
  }
  template <typename Fn>
  auto read(Fn&& fn) const {
    return db_.transact(
        [&](db::Tx& transaction) {
          AccountTx tx(transaction, cache_.get());
          return fn(tx);
        },
        db::TxMode::kRead);
  }

 private:
  db::Database& db_;
  std::unique_ptr<StatementCache> cache_;  // null on PostgreSQL
};

// The SQL of an allocation, exactly as take() runs it, for the benchmark's direct clients.
// Parameters are named (:name); bind them in the order they appear.
struct AllocationSql {
  std::string lock_order_ref;  // :provider, :order_ref; "" when the backend needs none
  std::string find_by_order;   // :provider, :order_ref
  std::string oldest_ready;    // :provider, :marketplace_id (append the locking clause)
  std::string move_status;     // see kMoveStatus
  std::string insert_history;  // see kInsertHistory
};
AllocationSql allocation_sql(db::Backend backend);

}  // namespace pool
