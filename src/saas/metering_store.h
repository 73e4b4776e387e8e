// MeteringStore: the metering tables (migrations/0032_saas_metering.sql) behind typed functions.
// Private to src/saas: MeteringService decides, the store writes down. All SQL of metering is in
// metering_store.cpp, portable between SQLite and PostgreSQL.
//
// Thread safety: a MeteringStore is safe for concurrent use; a MeteringTx belongs to the thread
// running its transaction. MeteringTx functions throw the database's exceptions, which
// db::Database::transact turns into errors.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "db/database.h"
#include "saas/metering.h"
#include "saas/saas_store.h"

namespace saas {

// A link's metering progress.
struct MeterLinkRow {
  std::string link_id;
  core::TimePoint active_from;  // the first hour billed
  core::TimePoint fixed_until;  // every hour before it is done (exclusive)
};

// A fixed hour with what a BatchMeterUsage record needs.
struct HourToSend {
  MeteredHour hour;
  std::string customer_identifier;
  std::string customer_aws_account_id;
  std::string license_arn;
  bool concurrent_agreements = true;
};

class MeteringTx {
 public:
  explicit MeteringTx(db::Tx& tx) : tx_(tx), saas_(tx), s_(tx.sql()) {}

  db::Tx& transaction() { return tx_; }
  // Products and links, as the saas store reads them.
  SaasTx& saas() { return saas_; }

  // Queues transactions about the same link (fixing its hours, storing its usage).
  void lock_link(const std::string& link_id);
  // Queues requests with the same idempotency key.
  void lock_request(const std::string& caller_org_id, const std::string& key);

  // --- Idempotency keys ---
  std::optional<std::string> request_digest(const std::string& caller_org_id,
                                            const std::string& key);
  void insert_request(const std::string& caller_org_id, const std::string& key,
                      const std::string& digest, core::TimePoint at);
  // The usage rows stored under `request_key`, in the order they were stored.
  std::vector<Usage> usage_of_request(const std::string& request_key);

  // --- Usage ---
  void insert_usage(const Usage& usage, const std::string& request_key, int position);
  std::vector<Usage> pending_usage(const std::string& link_id);
  void set_usage_state(const std::string& usage_id, UsageState state, const std::string& note);
  std::vector<Usage> usage_of_link(const std::string& link_id, int limit);
  std::vector<Usage> late_usage(int limit);
  // Quantities received for the link's hours in [from, to), by dimension.
  std::vector<UsageTotal> usage_totals(const std::string& link_id, core::TimePoint from,
                                       core::TimePoint to);
  long long late_count(const std::string& link_id, core::TimePoint from);

  // --- Links' progress ---
  std::optional<MeterLinkRow> meter_link(const std::string& link_id);
  // Inserts unless the link has a row already.
  void insert_meter_link(const MeterLinkRow& row);
  // When the event that gave the link its status happened (the lifecycle's
  // saas_link_lifecycle.status_event_at); nullopt when no event set it.
  std::optional<core::TimePoint> status_event_at(const std::string& link_id);
  void set_fixed_until(const std::string& link_id, core::TimePoint until);
  // Links with status active or unsubscribe_pending, and links with pending usage.
  std::vector<std::string> links_to_meter();
  // A buyer's link for the product by AWS account id or customer identifier: live first, then
  // newest.
  std::optional<Link> link_of_buyer(const std::string& product_code, const std::string& buyer);

  // --- Fixed hours ---
  bool hour_exists(const std::string& link_id, const std::string& dimension, core::TimePoint hour);
  // false when the hour was fixed already (nothing written).
  bool insert_hour(const MeteredHour& hour);
  // Hours still fixed (unanswered), of one link or all, oldest first, by product.
  std::vector<HourToSend> hours_to_send(const std::optional<std::string>& link_id);
  void mark_submitted(const MeteredHour& hour, core::TimePoint at);
  void answer_hour(const MeteredHour& hour, HourState state, const std::string& aws_status,
                   const std::string& metering_record_id, core::TimePoint at);
  void set_hour_error(const MeteredHour& hour, const std::string& error);
  std::optional<MeteredHour> hour(const std::string& link_id, const std::string& dimension,
                                  core::TimePoint hour);
  std::vector<MeteredHour> hours_of_link(const std::string& link_id, int limit);
  // Hours of every link in state alarm, newest first.
  std::vector<MeteredHour> alarmed_hours(int limit);
  std::vector<UsageTotal> billed_totals(const std::string& link_id, core::TimePoint from);
  MeteringHealth health();

 private:
  db::Tx& tx_;
  SaasTx saas_;
  soci::session& s_;
};

class MeteringStore {
 public:
  explicit MeteringStore(db::Database& database) : db_(database) {}

  template <typename Fn>
  auto write(Fn&& fn) {
    return db_.transact([&](db::Tx& transaction) {
      MeteringTx tx(transaction);
      return fn(tx);
    });
  }
  template <typename Fn>
  auto read(Fn&& fn) const {
    return db_.transact(
        [&](db::Tx& transaction) {
          MeteringTx tx(transaction);
          return fn(tx);
        },
        db::TxMode::kRead);
  }

 private:
  db::Database& db_;
};

}  // namespace saas
