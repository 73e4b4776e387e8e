// SaasStore: the saas tables behind typed functions. Private to src/saas: SaasService decides
// what may happen, the store says how it is written down. All SQL of the domain is in
// saas_store.cpp, portable between SQLite and PostgreSQL (locking clauses come from db::Tx).
//
// SaasService runs each operation as one transaction through write()/read(), which hand it a
// SaasTx. Rows read "for update" stay locked until the transaction ends on PostgreSQL; on SQLite
// a write transaction holds the whole database (BEGIN IMMEDIATE).
//
// Thread safety: a SaasStore is safe for concurrent use; a SaasTx belongs to the thread running
// its transaction. SaasTx functions throw the database's exceptions, which db::Database::transact
// turns into errors, except where they say they return one.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "db/database.h"
#include "saas/saas.h"
#include "saas/types.h"

namespace saas {

enum class Lock { kNone, kForUpdate };

// A registration as first written.
struct NewRegistration {
  Registration registration;
  std::string token_digest;
};

// The resolution written over an aws_unavailable registration when its token comes again.
struct Resolution {
  Outcome outcome = Outcome::kResolved;
  std::string outcome_slug;
  std::string outcome_message;
  std::string product_code;
  std::string customer_identifier;
  std::string customer_aws_account_id;
  std::string license_arn;
  std::optional<core::TimePoint> resolved_at;
};

// Where a registration stands after a link (or a refusal).
struct LinkMark {
  Outcome outcome = Outcome::kLinked;
  std::string outcome_slug;
  std::string outcome_message;
  std::string linked_org_id;
  std::string link_id;
  std::optional<core::TimePoint> linked_at;
};

// The errors insert_link() answers when a unique index refused the row.
inline constexpr const char* kLinkRaceSlug = "link_race";
// insert_registration(): another registration has the reference.
inline constexpr const char* kReferenceTakenSlug = "reference_taken";

class SaasTx {
 public:
  explicit SaasTx(db::Tx& tx) : tx_(tx), s_(tx.sql()) {}

  // The transaction itself, for what other modules write in it (audit log, mail).
  db::Tx& transaction() { return tx_; }

  // --- Products ---
  // product_exists when the code is taken (the transaction must then end).
  core::Status insert_product(const Product& product);
  void update_product(const Product& product);
  std::optional<Product> product(const std::string& product_code, Lock lock);
  std::vector<Product> products();

  // --- Registrations ---
  // Inserts unless a registration has the digest already: true when inserted. reference_taken
  // (the transaction must then end) when the reference collides.
  core::Result<bool> insert_registration(const NewRegistration& r);
  std::optional<Registration> registration(const std::string& id, Lock lock);
  std::optional<Registration> registration_by_digest(const std::string& digest, Lock lock);
  std::optional<Registration> registration_by_reference(const std::string& reference);
  // The newest registration of exactly this buyer (all four fields equal) that a new token
  // continues: resolved or refused and not expired at `now`, or linked with a live link.
  std::optional<Registration> setup_of_buyer(const ResolvedBuyer& buyer, core::TimePoint now);
  // Only while the registration is still aws_unavailable: false when it no longer is.
  bool resolve_again(const std::string& id, const Resolution& resolution, core::TimePoint at);
  void count_landing(const std::string& id, core::TimePoint at);
  void set_choice(const std::string& id, Choice choice, core::TimePoint at);
  void mark(const std::string& id, const LinkMark& mark, core::TimePoint at);
  // Appends to the timeline, numbering after the registration's last entry.
  void append_event(const std::string& id, const RegistrationEvent& event);
  std::vector<RegistrationEvent> events(const std::string& id);
  // Newest first, after the (landed_at, id) of `after` when given.
  std::vector<RegistrationRow> registrations(
      const RegistrationFilter& filter,
      const std::optional<std::pair<std::string, std::string>>& after, int limit);
  // How many registrations match `filter`.
  long long count_registrations(const RegistrationFilter& filter);

  // --- Links ---
  // link_race (the transaction must then end) when a unique index refused it: another link of
  // the organization or of the buyer for the product committed meanwhile.
  core::Status insert_link(const Link& link, const std::string& buyer_key);
  // The buyer's link now carries this agreement (license ARN, registration, offer type).
  void update_link_agreement(const std::string& link_id, const std::string& license_arn,
                             const std::string& registration_id, const std::string& offer_type,
                             core::TimePoint at);
  std::optional<Link> link(const std::string& id);
  std::optional<Link> live_link_of_buyer(const std::string& product_code,
                                         const std::string& buyer_key);
  std::optional<Link> live_link_of_org(const std::string& org_id, const std::string& product_code);
  // Every link of the organization, live first, then newest first.
  std::vector<Link> links_of_org(const std::string& org_id);
  // The link's entitlements as lifecycle stored them (saas_entitlements).
  std::vector<Entitlement> entitlements_of(const std::string& link_id);

 private:
  db::Tx& tx_;
  soci::session& s_;
};

// Thread safety: safe for concurrent use; each transaction runs on its own leased connection.
class SaasStore {
 public:
  explicit SaasStore(db::Database& database) : db_(database) {}

  // Runs fn(SaasTx&) in a write transaction (retried on serialization failure or busy: fn must
  // have no effects outside the database).
  template <typename Fn>
  auto write(Fn&& fn) {
    return db_.transact([&](db::Tx& transaction) {
      SaasTx tx(transaction);
      return fn(tx);
    });
  }
  template <typename Fn>
  auto read(Fn&& fn) const {
    return db_.transact(
        [&](db::Tx& transaction) {
          SaasTx tx(transaction);
          return fn(tx);
        },
        db::TxMode::kRead);
  }

 private:
  db::Database& db_;
};

}  // namespace saas
