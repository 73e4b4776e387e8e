// AwsAccessStore: the table behind AwsAccess (pool_aws_access: a provider's keys, its access
// check setting and its latest run). Private to src/pool; all its SQL is in
// aws_access_store.cpp.
//
// AwsAccess runs each operation as one transaction through write()/read(), which hand it an
// AwsAccessTx. AwsAccessTx functions throw the database's exceptions, which
// db::Database::transact turns into errors. Thread safety: an AwsAccessStore is safe for
// concurrent use; an AwsAccessTx belongs to the thread running its transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "db/database.h"
#include "pool/aws_access.h"

namespace pool {

struct AwsAccessRow {
  AwsAccessView view;
  std::string secret_sealed;
};

class AwsAccessTx {
 public:
  explicit AwsAccessTx(db::Tx& tx) : tx_(tx) {}

  // The transaction itself, for what other modules write in it (jobs, the audit log).
  db::Tx& transaction() { return tx_; }

  std::optional<AwsAccessRow> find(const std::string& provider);
  // The same, the row locked until the transaction ends (PostgreSQL; SQLite's write transaction
  // holds the whole database anyway).
  std::optional<AwsAccessRow> find_for_update(const std::string& provider);
  // Inserts or replaces the keys and settings, keeping the latest run.
  void save(const std::string& provider, const AwsAccessView& view,
            const std::string& secret_sealed);
  bool remove(const std::string& provider);
  // Records a new run as the latest (replacing the previous one).
  void start_run(const std::string& provider, const AccessCheckRun& run);
  // Adds to the counts of the run that started at `started`, even when it has just been stopped
  // (the moves counted were made while it ran); false when another run replaced it.
  bool add_progress(const std::string& provider, core::TimePoint started,
                    const AccessCheckReport& report, core::TimePoint at);
  // Ends the run that started at `started` (no-op when another run replaced it or it ended).
  void finish_run(const std::string& provider, core::TimePoint started, core::TimePoint finished,
                  const std::string& error);
  // Providers with the automatic check on.
  std::vector<std::string> providers_checking();

 private:
  std::optional<AwsAccessRow> select(const std::string& provider, const char* lock_clause);
  db::Tx& tx_;
};

class AwsAccessStore {
 public:
  explicit AwsAccessStore(db::Database& database) : db_(database) {}

  template <typename Fn>
  auto write(Fn&& fn) {
    return db_.transact([&](db::Tx& transaction) {
      AwsAccessTx tx(transaction);
      return fn(tx);
    });
  }
  template <typename Fn>
  auto read(Fn&& fn) const {
    return db_.transact(
        [&](db::Tx& transaction) {
          AwsAccessTx tx(transaction);
          return fn(tx);
        },
        db::TxMode::kRead);
  }

 private:
  db::Database& db_;
};

}  // namespace pool
