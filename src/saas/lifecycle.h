// Lifecycle: what AWS tells the seller about its buyers, and what a buyer is entitled to.
//
// Events in. AWS Marketplace tells the seller of purchases, changes and cancellations through
// EventBridge (agreements and licenses; the only channel that identifies concurrent agreements)
// and, for legacy listings, SNS (subscribe-success, subscribe-fail, unsubscribe-pending,
// unsubscribe-success, entitlement-updated). The web and app layers turn each message into a
// LifecycleEvent (parse_eventbridge_event, parse_sns_notification) and hand it to receive(),
// which stores it once per (source, message id) and queues the job "saas.apply_events" in the
// same transaction: the sender is answered at once, the work happens on a worker.
//
// Applying. An event is applied to the live link of its buyer: by license ARN (EventBridge), by
// customer identifier (SNS), or by the agreement id an earlier event of the link carried. An
// event whose buyer has no live link yet waits; linking (SaasService::link, through
// LinkObserver) queues the job that applies the buyer's waiting events. Links move as types.h
// says:
//   subscribe-success, Purchase Agreement Created      ─▶ active (entitlements read from AWS)
//   subscribe-fail                                      ─▶ failed (from pending only)
//   unsubscribe-pending, Purchase Agreement Ended       ─▶ unsubscribe_pending (and the job
//                                                          "saas.flush_usage" {"link_id"} is
//                                                          queued in the same transaction)
//   unsubscribe-success, License Deprovisioned          ─▶ cancelled
//   entitlement-updated, License Updated, Agreement Amended ─▶ entitlements read again
// An Ended agreement that was renewed, replaced or superseded changes nothing. Events arrive
// twice, late and out of order: each status event carries its own time, and a link keeps the
// (time, rank, message id) of the last one it applied; an event not after that changes nothing
// (rank orders events of the same time: success 1, pending 2, cancelled 3). A cancelled or
// failed link never moves again; an event older than the end of the buyer's last link is
// superseded at once rather than kept for a later link. Every event is stored with its outcome
// (applied, waiting, superseded, ignored) and a sentence of what it changed.
//
// New agreements (EventBridge) are looked up with the AgreementReader: a free trial sets the
// link's offer type and free_trial_ends_at. When it does not answer, the event applies without
// (its change says so).
//
// Entitlements. GetEntitlements (every page) is read through the EntitlementReader when a link
// becomes active, on entitlement events, and by the scheduled refresh (refresh_due), which
// re-reads live links of contract products once a day and as soon as an entitlement expires;
// an empty answer means the contract ended. entitlements() answers the seller's application
// from the database only.
//
// Outbox events (outbox.h), recorded in the transaction of the change: linked (a new link),
// active, unsubscribe_pending, cancelled, entitlements_changed.
//
// Thread safety: a LifecycleService is safe for concurrent use from many threads and processes
// sharing one database.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "core/result.h"
#include "saas/flush_usage_job.h"
#include "saas/health.h"
#include "saas/outbox.h"
#include "saas/saas.h"
#include "saas/types.h"

namespace db {
class Database;
class Tx;
}  // namespace db
namespace jobs {
class JobQueue;
}  // namespace jobs
namespace identity {
class IdentityService;
}  // namespace identity

namespace saas {

class LifecycleStore;

// Job kinds.
inline constexpr const char* kApplyEventsJob = "saas.apply_events";  // {"event_id"}|{"link_id"}
inline constexpr const char* kRefreshEntitlementsJob = "saas.refresh_entitlements";  // {}

// --- AWS, as the domain sees it (implemented in src/app) ----------------------------------------

// Entitlement and EntitlementValueKind: types.h.

// Whose entitlements: the link's buyer.
struct EntitlementQuery {
  std::string product_code;
  std::string customer_identifier;      // legacy listings
  std::string customer_aws_account_id;  // concurrent agreements, with the license ARN
  std::string license_arn;
};

// GetEntitlements, every page. unavailable when AWS did not answer (the caller retries later).
class EntitlementReader {
 public:
  virtual ~EntitlementReader() = default;
  virtual core::Result<std::vector<Entitlement>> entitlements(const EntitlementQuery& query) = 0;
};

// What the Agreement API says of a new agreement (DescribeAgreement, GetAgreementTerms).
struct AgreementTerms {
  std::string status;  // ACTIVE, CANCELLED, …; "" when unknown
  bool free_trial = false;
  std::optional<core::TimePoint> free_trial_ends_at;
};

class AgreementReader {
 public:
  virtual ~AgreementReader() = default;
  virtual core::Result<AgreementTerms> terms(const std::string& agreement_id) = 0;
};

// --- Events -----------------------------------------------------------------------------------

enum class EventSource { kEventBridge, kSns };
// "eventbridge", "sns".
const char* event_source_name(EventSource source);

// What an event asks of the buyer's link (see the header comment).
enum class LifecycleAction {
  kSubscribeSuccess,    // active
  kSubscribeFail,       // failed
  kUnsubscribePending,  // unsubscribe_pending
  kUnsubscribeSuccess,  // cancelled
  kEntitlementUpdated,  // read entitlements again
  kIgnored,             // nothing (an ended agreement that was renewed or replaced)
};
// "subscribe_success", "subscribe_fail", "unsubscribe_pending", "unsubscribe_success",
// "entitlement_updated", "ignored".
const char* lifecycle_action_name(LifecycleAction action);
std::optional<LifecycleAction> parse_lifecycle_action(std::string_view name);

struct LifecycleEvent {
  EventSource source = EventSource::kEventBridge;
  std::string message_id;  // EventBridge's event id, SNS's MessageId: the same one is stored once
  std::string type;        // e.g. "Purchase Agreement Created - Manufacturer", "subscribe-success"
  LifecycleAction action = LifecycleAction::kIgnored;
  std::string product_code;
  std::string customer_identifier;      // SNS
  std::string customer_aws_account_id;  // EventBridge: the acceptor
  std::string license_arn;              // EventBridge
  std::string agreement_id;             // EventBridge
  // A new agreement: look it up with the AgreementReader (free trial, its end).
  bool new_agreement = false;
  core::TimePoint occurred_at;  // the event's own time
  std::string body;             // the message as received
};

// An EventBridge event (source aws.agreement-marketplace). invalid when it is not JSON, not of
// that source, of a detail-type not listed in the header comment, or lacks its id, time or
// product code.
core::Result<LifecycleEvent> parse_eventbridge_event(std::string_view body);
// The Message of an SNS notification of AWS Marketplace (a JSON text with "action",
// "customer-identifier", "product-code"), with the notification's MessageId and Timestamp.
core::Result<LifecycleEvent> parse_sns_notification(std::string_view message,
                                                    const std::string& message_id,
                                                    core::TimePoint timestamp);

enum class EventOutcome {
  kReceived,    // stored, not applied yet
  kWaiting,     // the buyer has no live link yet
  kApplied,     // applied to a link (change says what it did, maybe "nothing")
  kSuperseded,  // older than what the link (or the buyer's last link) applied: changed nothing
  kIgnored,     // asks for nothing
};
// "received", "waiting", "applied", "superseded", "ignored".
const char* event_outcome_name(EventOutcome outcome);
std::optional<EventOutcome> parse_event_outcome(std::string_view name);

struct StoredEvent {
  std::string id;
  LifecycleEvent event;
  EventOutcome outcome = EventOutcome::kReceived;
  std::string link_id;  // once applied or superseded by a link
  std::string change;   // what it changed, for people
  core::TimePoint received_at;
  std::optional<core::TimePoint> processed_at;
};

struct Received {
  std::string event_id;
  bool duplicate = false;  // the same message was stored before: nothing new was queued
};

// --- Entitlements for the seller's application ------------------------------------------------

struct EntitlementsView {
  bool entitled = false;
  // The status of the organization's link for the product (the live one, else the newest);
  // nullopt when it has none.
  std::optional<LinkStatus> status;
  std::string link_id;
  std::vector<Entitlement> entitlements;
};

struct LifecycleSettings {
  // The scheduled refresh reads contract products' entitlements again after this long.
  std::chrono::seconds refresh_every = std::chrono::hours(24);
  // How many links one refresh run reads at most.
  int refresh_batch = 200;
};

// Told by SaasService::link inside its transaction.
class LifecycleService final : public LinkObserver {
 public:
  // `agreements` and `outbox` may be null (no Agreement API; no webhooks). Everything referenced
  // must outlive the service.
  LifecycleService(db::Database& database, const core::Clock& clock, core::IdGenerator& ids,
                   jobs::JobQueue& jobs, identity::IdentityService& identity,
                   EntitlementReader& entitlements, AgreementReader* agreements, Outbox* outbox,
                   LifecycleSettings settings = {});
  ~LifecycleService() override;
  LifecycleService(const LifecycleService&) = delete;
  LifecycleService& operator=(const LifecycleService&) = delete;

  // Registers the handlers of saas.apply_events and saas.refresh_entitlements and the hourly
  // schedule of the latter. Call before the queue starts.
  core::Status register_jobs();

  // Stores the event and queues its application (see the header comment). invalid without a
  // message id.
  core::Result<Received> receive(const LifecycleEvent& event);
  // Applies one stored event (what the job does). Errors: the database's, and AWS's
  // (unavailable) when entitlements could not be read: the event stays as it was and the job
  // retries.
  core::Status apply(const std::string& event_id);
  // Applies the waiting events of the link's buyer, oldest first.
  core::Status apply_waiting(const std::string& link_id);
  // Reads the link's entitlements from AWS and stores them (entitlements_changed when they
  // changed).
  core::Status refresh(const std::string& link_id);
  // The scheduled refresh: links of contract products not read for refresh_every, or with an
  // entitlement expired since the last read. Returns how many were read.
  core::Result<int> refresh_due();

  // The id of the organization `id_or_slug` names; not_found / organization_not_found.
  core::Result<std::string> organization_id(const std::string& id_or_slug) const;
  // For the seller's application: two indexed reads, no AWS call. `org_id` is an id. not_found /
  // product_not_found for a product that is not registered; not_found / organization_not_found.
  core::Result<EntitlementsView> entitlements(const std::string& org_id,
                                              const std::string& product_code) const;
  // The events applied to (or superseded by) the link, oldest first.
  core::Result<std::vector<StoredEvent>> events_of_link(const std::string& link_id) const;
  // For the integration health page: events received per source (and the last one's time), and
  // events waiting for the buyer to link.
  core::Status figures(HealthFigures& figures) const;
  core::Result<StoredEvent> event(const std::string& event_id) const;

  // SNS subscription requests of our topics (SnsIntake), one per topic and token digest: a
  // request delivered again counts one more delivery. `token_digest` is the SHA-256 (hex) of
  // the token, never the token. Returns the request's id.
  core::Result<std::string> sns_subscription_received(const std::string& topic_arn,
                                                      const std::string& token_digest);
  // The request was confirmed (`subscription_arn` as AWS answered, maybe ""): its error clears.
  core::Status sns_subscription_confirmed(const std::string& id,
                                          const std::string& subscription_arn);
  // Its confirmation failed: kept with `error` until a delivery confirms it.
  core::Status sns_subscription_failed(const std::string& id, const std::string& error);
  // Requests not confirmed, newest first: received and not confirmed, or failed; a request of a
  // topic confirmed since (through a newer request) no longer counts.
  core::Result<std::vector<SnsSubscriptionRequest>> sns_subscriptions_unconfirmed(
      int limit = 50) const;

  // LinkObserver: a new link records "linked"; a new link or an added agreement queues the
  // application of the buyer's waiting events.
  core::Status linked(db::Tx& transaction, const Link& link, LinkChange change) override;

 private:
  core::TimePoint now() const { return clock_.now(); }
  void record(db::Tx& tx, OutboxEvent event, const Link& link, const std::string& data);

  const core::Clock& clock_;
  core::IdGenerator& ids_;
  jobs::JobQueue& jobs_;
  identity::IdentityService& identity_;
  EntitlementReader& reader_;
  AgreementReader* agreements_;
  Outbox* outbox_;
  LifecycleSettings settings_;
  std::unique_ptr<LifecycleStore> store_;
};

}  // namespace saas
