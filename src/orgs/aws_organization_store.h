// AwsOrganizationStore: the table behind AwsOrganizations (orgs_aws_organizations). Private to
// src/orgs; all its SQL is in aws_organization_store.cpp.
//
// AwsOrganizations runs each operation as one transaction through write()/read(), which hand it
// an AwsOrganizationTx. Its functions throw the database's exceptions, which
// db::Database::transact turns into errors. Thread safety: an AwsOrganizationStore is safe for
// concurrent use; an AwsOrganizationTx belongs to the thread running its transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "orgs/aws_organizations.h"

namespace orgs {

struct AwsOrganizationRow {
  AwsOrganization org;
  std::string secret_sealed;
};

class AwsOrganizationTx {
 public:
  explicit AwsOrganizationTx(db::Tx& tx) : tx_(tx) {}
  db::Tx& transaction() { return tx_; }

  // The default first, then by account id.
  std::vector<AwsOrganizationRow> list(const std::string& marketplace_id);
  // Locks the marketplace's rows until the transaction ends (PostgreSQL; SQLite's write
  // transaction holds the whole database) and returns them as list() does.
  std::vector<AwsOrganizationRow> list_for_update(const std::string& marketplace_id);
  std::optional<AwsOrganizationRow> find(const std::string& marketplace_id, const std::string& id);
  bool account_linked(const std::string& marketplace_id, const std::string& account_id);
  void insert(const AwsOrganizationRow& row);
  // Writes every column but id, marketplace and account.
  void update(const AwsOrganizationRow& row);
  void clear_default(const std::string& marketplace_id);
  bool remove(const std::string& marketplace_id, const std::string& id);

 private:
  // Every row of the marketplace when `id` is empty, else that one.
  std::vector<AwsOrganizationRow> select(const std::string& marketplace_id, const std::string& id,
                                         const char* lock_clause);
  db::Tx& tx_;
};

class AwsOrganizationStore {
 public:
  explicit AwsOrganizationStore(db::Database& database) : db_(database) {}

  template <typename Fn>
  auto write(Fn&& fn) {
    return db_.transact([&](db::Tx& transaction) {
      AwsOrganizationTx tx(transaction);
      return fn(tx);
    });
  }
  template <typename Fn>
  auto read(Fn&& fn) const {
    return db_.transact(
        [&](db::Tx& transaction) {
          AwsOrganizationTx tx(transaction);
          return fn(tx);
        },
        db::TxMode::kRead);
  }

 private:
  db::Database& db_;
};

}  // namespace orgs
