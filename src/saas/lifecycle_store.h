// LifecycleStore: the lifecycle tables (0031_saas_lifecycle.sql) and the link columns lifecycle
// owns (status, offer type, free_trial_ends_at), behind typed functions. Private to src/saas.
// Portable between SQLite and PostgreSQL. LifecycleTx functions throw the database's
// exceptions, which db::Database::transact turns into errors.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "saas/lifecycle.h"
#include "saas/types.h"

namespace saas {

// A link's lifecycle marks (saas_link_lifecycle); all empty before its first event.
struct LinkMarks {
  std::optional<core::TimePoint> status_event_at;
  int status_event_rank = 0;
  std::string status_event_id;
  std::string agreement_id;
  std::optional<core::TimePoint> entitlements_read_at;
  std::optional<core::TimePoint> next_expiry;
};

// What lifecycle needs of a product.
struct ProductFacts {
  PricingModel pricing_model = PricingModel::kSubscription;
  bool concurrent_agreements = true;
};

class LifecycleTx {
 public:
  explicit LifecycleTx(db::Tx& tx) : tx_(tx), s_(tx.sql()) {}
  db::Tx& transaction() { return tx_; }

  // --- Events ---
  // false when an event of the same source and message id is stored already.
  bool insert_event(const StoredEvent& e, const std::string& buyer_ref);
  std::optional<StoredEvent> event(const std::string& id, bool for_update);
  std::optional<StoredEvent> event_by_message(EventSource source, const std::string& message_id);
  void set_outcome(const std::string& id, EventOutcome outcome, const std::string& link_id,
                   const std::string& change, core::TimePoint at);
  // Received or waiting events of any of `buyer_refs` for the product, oldest first.
  std::vector<StoredEvent> pending_events(const std::string& product_code,
                                          const std::vector<std::string>& buyer_refs);
  std::vector<StoredEvent> events_of_link(const std::string& link_id);

  // --- Links ---
  std::optional<Link> link(const std::string& id, bool for_update);
  // Links of the product whose license ARN / customer identifier / agreement is `value`:
  // `by` is "lic", "ci" or "agr". Live first, then newest first.
  std::vector<Link> links_of_buyer(const std::string& product_code, const std::string& by,
                                   const std::string& value);
  // The organization's link for the product: the live one, else the newest.
  std::optional<Link> org_link(const std::string& org_id, const std::string& product_code);
  void set_status(const std::string& link_id, LinkStatus status, core::TimePoint at);
  void set_free_trial(const std::string& link_id, const std::string& offer_type,
                      const std::optional<core::TimePoint>& ends_at, core::TimePoint at);
  std::optional<ProductFacts> product(const std::string& product_code);
  // One read for entitlements(): the product (nullopt when not registered) and the
  // organization's link for it (live first, else newest), if any.
  struct OrgProductLink {
    ProductFacts product;
    std::string link_id;  // "" when the organization has no link for the product
    LinkStatus status = LinkStatus::kPending;
  };
  std::optional<OrgProductLink> org_product_link(const std::string& org_id,
                                                 const std::string& product_code);

  // --- Marks and entitlements ---
  LinkMarks marks(const std::string& link_id);
  void save_marks(const std::string& link_id, const LinkMarks& marks, core::TimePoint at);
  std::vector<Entitlement> entitlements(const std::string& link_id);
  void replace_entitlements(const std::string& link_id, const std::vector<Entitlement>& list);
  // Live links of contract products whose entitlements were not read since `read_before`, or
  // whose earliest expiry is not after `now`.
  // Per source: events received and the last one's received_at.
  std::vector<SourceFigure> events_by_source();
  long long events_waiting();

  // --- SNS subscription requests (0034_saas_sns_subscriptions.sql) ---
  // The id of the (topic, digest) request: inserted with `id`, or the stored one with one more
  // delivery.
  std::string upsert_sns_subscription(const std::string& id, const std::string& topic_arn,
                                      const std::string& token_digest, core::TimePoint at);
  // false when no request has the id.
  bool set_sns_subscription(const std::string& id, const std::optional<core::TimePoint>& confirmed,
                            const std::string& subscription_arn, const std::string& error);
  long long sns_unconfirmed_count();
  std::vector<SnsSubscriptionRequest> sns_unconfirmed(int limit);
  std::vector<std::string> refresh_due(core::TimePoint now, core::TimePoint read_before, int limit);

 private:
  db::Tx& tx_;
  soci::session& s_;
};

class LifecycleStore {
 public:
  explicit LifecycleStore(db::Database& database) : db_(database) {}
  template <typename Fn>
  auto write(Fn&& fn) {
    return db_.transact([&](db::Tx& transaction) {
      LifecycleTx tx(transaction);
      return fn(tx);
    });
  }
  template <typename Fn>
  auto read(Fn&& fn) const {
    return db_.transact(
        [&](db::Tx& transaction) {
          LifecycleTx tx(transaction);
          return fn(tx);
        },
        db::TxMode::kRead);
  }

 private:
  db::Database& db_;
};

}  // namespace saas
