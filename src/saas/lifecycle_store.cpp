#include "saas/lifecycle_store.h"

#include <fmt/format.h>
#include <soci/soci.h>

#include <stdexcept>

#include "saas/rows_store.h"

namespace saas {

namespace {

using namespace rows;  // the helpers every saas store shares

constexpr const char* kEventColumns =
    "SELECT id, source, message_id, type, action, product_code, customer_identifier,"
    " customer_aws_account_id, license_arn, agreement_id, new_agreement, occurred_at,"
    " received_at, outcome, link_id, change, processed_at, body FROM saas_lifecycle_events";
constexpr const char* kInsertEvent =
    "INSERT INTO saas_lifecycle_events (id, source, message_id, type, action, product_code,"
    " customer_identifier, customer_aws_account_id, license_arn, agreement_id, new_agreement,"
    " buyer_ref, occurred_at, received_at, outcome, body)"
    " VALUES (:id, :source, :message_id, :type, :action, :product_code, :customer_identifier,"
    " :account, :license_arn, :agreement_id, :new_agreement, :buyer_ref, :occurred_at,"
    " :received_at, :outcome, :body) ON CONFLICT (source, message_id) DO NOTHING";
constexpr const char* kSetOutcome =
    "UPDATE saas_lifecycle_events SET outcome = :outcome, link_id = :link_id, change = :change,"
    " processed_at = :at WHERE id = :id";

constexpr const char* kLiveFirst =
    " ORDER BY CASE WHEN l.status IN ('cancelled', 'failed') THEN 1 ELSE 0 END,"
    " l.created_at DESC, l.id DESC";

constexpr const char* kMarksColumns =
    "SELECT status_event_at, status_event_rank, status_event_id, agreement_id,"
    " entitlements_read_at, next_expiry FROM saas_link_lifecycle WHERE link_id = :id";
constexpr const char* kInsertMarks =
    "INSERT INTO saas_link_lifecycle (link_id, status_event_at, status_event_rank,"
    " status_event_id, agreement_id, entitlements_read_at, next_expiry, updated_at)"
    " VALUES (:id, :at, :rank, :event_id, :agreement_id, :read_at, :next_expiry, :updated_at)"
    " ON CONFLICT (link_id) DO UPDATE SET status_event_at = excluded.status_event_at,"
    " status_event_rank = excluded.status_event_rank,"
    " status_event_id = excluded.status_event_id, agreement_id = excluded.agreement_id,"
    " entitlements_read_at = excluded.entitlements_read_at,"
    " next_expiry = excluded.next_expiry, updated_at = excluded.updated_at";

StoredEvent event_from(const soci::row& r) {
  StoredEvent e;
  e.id = string_at(r, 0);
  e.event.source = string_at(r, 1) == "sns" ? EventSource::kSns : EventSource::kEventBridge;
  e.event.message_id = string_at(r, 2);
  e.event.type = string_at(r, 3);
  e.event.action = parse_lifecycle_action(string_at(r, 4)).value_or(LifecycleAction::kIgnored);
  e.event.product_code = string_at(r, 5);
  e.event.customer_identifier = string_at(r, 6);
  e.event.customer_aws_account_id = string_at(r, 7);
  e.event.license_arn = string_at(r, 8);
  e.event.agreement_id = string_at(r, 9);
  e.event.new_agreement = integer_at(r, 10) != 0;
  e.event.occurred_at = time_of(string_at(r, 11));
  e.received_at = time_of(string_at(r, 12));
  const auto outcome = parse_event_outcome(string_at(r, 13));
  if (!outcome) throw std::runtime_error("saas: unknown event outcome: " + string_at(r, 13));
  e.outcome = *outcome;
  e.link_id = string_at(r, 14);
  e.change = string_at(r, 15);
  e.processed_at = optional_time(string_at(r, 16));
  e.event.body = string_at(r, 17);
  return e;
}

const char* kind_name(EntitlementValueKind kind) {
  switch (kind) {
    case EntitlementValueKind::kInteger: return "integer";
    case EntitlementValueKind::kDouble: return "double";
    case EntitlementValueKind::kBoolean: return "boolean";
    case EntitlementValueKind::kString: return "string";
  }
  return "string";
}
EntitlementValueKind kind_of(const std::string& name) {
  if (name == "integer") return EntitlementValueKind::kInteger;
  if (name == "double") return EntitlementValueKind::kDouble;
  if (name == "boolean") return EntitlementValueKind::kBoolean;
  return EntitlementValueKind::kString;
}

}  // namespace

bool LifecycleTx::insert_event(const StoredEvent& e, const std::string& buyer_ref) {
  const LifecycleEvent& v = e.event;
  return exec(s_, kInsertEvent,
              {e.id, event_source_name(v.source), v.message_id, v.type,
               lifecycle_action_name(v.action), v.product_code, v.customer_identifier,
               v.customer_aws_account_id, v.license_arn, v.agreement_id,
               v.new_agreement ? "1" : "0", buyer_ref, text(v.occurred_at), text(e.received_at),
               event_outcome_name(e.outcome), v.body}) == 1;
}

std::optional<StoredEvent> LifecycleTx::event(const std::string& id, bool for_update) {
  std::optional<StoredEvent> out;
  query(s_, std::string(kEventColumns) + " WHERE id = :id" + (for_update ? tx_.for_update() : ""),
        {id}, [&](const soci::row& r) { out = event_from(r); });
  return out;
}

std::optional<StoredEvent> LifecycleTx::event_by_message(EventSource source,
                                                         const std::string& message_id) {
  std::optional<StoredEvent> out;
  query(s_, std::string(kEventColumns) + " WHERE source = :source AND message_id = :message_id",
        {event_source_name(source), message_id}, [&](const soci::row& r) { out = event_from(r); });
  return out;
}

void LifecycleTx::set_outcome(const std::string& id, EventOutcome outcome,
                              const std::string& link_id, const std::string& change,
                              core::TimePoint at) {
  exec(s_, kSetOutcome, {event_outcome_name(outcome), link_id, change, text(at), id});
}

std::vector<StoredEvent> LifecycleTx::pending_events(const std::string& product_code,
                                                     const std::vector<std::string>& buyer_refs) {
  std::vector<StoredEvent> out;
  for (const std::string& ref : buyer_refs) {
    query(s_,
          std::string(kEventColumns) +
              " WHERE product_code = :code AND buyer_ref = :ref"
              " AND outcome IN ('received', 'waiting') ORDER BY occurred_at, id",
          {product_code, ref}, [&](const soci::row& r) { out.push_back(event_from(r)); });
  }
  return out;
}

std::vector<StoredEvent> LifecycleTx::events_of_link(const std::string& link_id) {
  std::vector<StoredEvent> out;
  query(s_, std::string(kEventColumns) + " WHERE link_id = :id ORDER BY occurred_at, id", {link_id},
        [&](const soci::row& r) { out.push_back(event_from(r)); });
  return out;
}

std::optional<Link> LifecycleTx::link(const std::string& id, bool for_update) {
  std::optional<Link> out;
  query(s_, std::string(kLinkColumns) + " WHERE l.id = :id" + (for_update ? tx_.for_update() : ""),
        {id}, [&](const soci::row& r) { out = link_from(r); });
  return out;
}

std::vector<Link> LifecycleTx::links_of_buyer(const std::string& product_code,
                                              const std::string& by, const std::string& value) {
  std::string where;
  if (by == "lic") {
    where = " WHERE l.product_code = :code AND l.license_arn = :value";
  } else if (by == "ci") {
    where = " WHERE l.product_code = :code AND l.customer_identifier = :value";
  } else {
    where =
        " JOIN saas_link_lifecycle m ON m.link_id = l.id"
        " WHERE l.product_code = :code AND m.agreement_id = :value";
  }
  std::vector<Link> out;
  if (value.empty()) return out;
  query(s_, std::string(kLinkColumns) + where + kLiveFirst, {product_code, value},
        [&](const soci::row& r) { out.push_back(link_from(r)); });
  return out;
}

std::optional<Link> LifecycleTx::org_link(const std::string& org_id,
                                          const std::string& product_code) {
  std::optional<Link> out;
  query(s_,
        std::string(kLinkColumns) + " WHERE l.org_id = :org AND l.product_code = :code" +
            kLiveFirst + " LIMIT 1",
        {org_id, product_code}, [&](const soci::row& r) { out = link_from(r); });
  return out;
}

void LifecycleTx::set_status(const std::string& link_id, LinkStatus status, core::TimePoint at) {
  exec(s_, "UPDATE saas_links SET status = :status, updated_at = :at WHERE id = :id",
       {link_status_name(status), text(at), link_id});
}

void LifecycleTx::set_free_trial(const std::string& link_id, const std::string& offer_type,
                                 const std::optional<core::TimePoint>& ends_at,
                                 core::TimePoint at) {
  exec(s_,
       "UPDATE saas_links SET offer_type = :offer_type, free_trial_ends_at = :ends_at,"
       " updated_at = :at WHERE id = :id",
       {offer_type, text(ends_at), text(at), link_id});
}

std::optional<ProductFacts> LifecycleTx::product(const std::string& product_code) {
  std::optional<ProductFacts> out;
  query(s_,
        "SELECT pricing_model, concurrent_agreements FROM saas_products WHERE product_code = :code",
        {product_code}, [&](const soci::row& r) {
          out = ProductFacts{
              .pricing_model =
                  parse_pricing_model(string_at(r, 0)).value_or(PricingModel::kSubscription),
              .concurrent_agreements = integer_at(r, 1) != 0};
        });
  return out;
}

std::optional<LifecycleTx::OrgProductLink> LifecycleTx::org_product_link(
    const std::string& org_id, const std::string& product_code) {
  std::optional<OrgProductLink> out;
  query(s_,
        "SELECT p.pricing_model, p.concurrent_agreements, l.id, l.status FROM saas_products p"
        " LEFT JOIN saas_links l ON l.product_code = p.product_code AND l.org_id = :org"
        " WHERE p.product_code = :code"
        " ORDER BY CASE WHEN l.status IN ('cancelled', 'failed') THEN 1 ELSE 0 END,"
        " l.created_at DESC, l.id DESC LIMIT 1",
        {org_id, product_code}, [&](const soci::row& r) {
          OrgProductLink o;
          o.product.pricing_model =
              parse_pricing_model(string_at(r, 0)).value_or(PricingModel::kSubscription);
          o.product.concurrent_agreements = integer_at(r, 1) != 0;
          o.link_id = string_at(r, 2);
          if (!o.link_id.empty()) {
            o.status = parse_link_status(string_at(r, 3)).value_or(LinkStatus::kPending);
          }
          out = o;
        });
  return out;
}

LinkMarks LifecycleTx::marks(const std::string& link_id) {
  LinkMarks m;
  query(s_, kMarksColumns, {link_id}, [&](const soci::row& r) {
    m.status_event_at = optional_time(string_at(r, 0));
    m.status_event_rank = static_cast<int>(integer_at(r, 1));
    m.status_event_id = string_at(r, 2);
    m.agreement_id = string_at(r, 3);
    m.entitlements_read_at = optional_time(string_at(r, 4));
    m.next_expiry = optional_time(string_at(r, 5));
  });
  return m;
}

void LifecycleTx::save_marks(const std::string& link_id, const LinkMarks& m, core::TimePoint at) {
  exec(s_, kInsertMarks,
       {link_id, text(m.status_event_at), std::to_string(m.status_event_rank), m.status_event_id,
        m.agreement_id, text(m.entitlements_read_at), text(m.next_expiry), text(at)});
}

std::vector<Entitlement> LifecycleTx::entitlements(const std::string& link_id) {
  std::vector<Entitlement> out;
  query(s_,
        "SELECT dimension, value_kind, value, expires_at FROM saas_entitlements"
        " WHERE link_id = :id ORDER BY position",
        {link_id}, [&](const soci::row& r) {
          out.push_back({.dimension = string_at(r, 0),
                         .kind = kind_of(string_at(r, 1)),
                         .value = string_at(r, 2),
                         .expires_at = optional_time(string_at(r, 3))});
        });
  return out;
}

void LifecycleTx::replace_entitlements(const std::string& link_id,
                                       const std::vector<Entitlement>& list) {
  exec(s_, "DELETE FROM saas_entitlements WHERE link_id = :id", {link_id});
  for (size_t i = 0; i < list.size(); ++i) {
    const Entitlement& e = list[i];
    exec(s_,
         "INSERT INTO saas_entitlements (link_id, position, dimension, value_kind, value,"
         " expires_at) VALUES (:id, :position, :dimension, :kind, :value, :expires_at)",
         {link_id, std::to_string(i), e.dimension, kind_name(e.kind), e.value, text(e.expires_at)});
  }
}

std::vector<SourceFigure> LifecycleTx::events_by_source() {
  std::vector<SourceFigure> out;
  query(s_,
        "SELECT source, COUNT(*), MAX(received_at) FROM saas_lifecycle_events GROUP BY source"
        " ORDER BY source",
        {}, [&](const soci::row& r) {
          out.push_back({.source = string_at(r, 0),
                         .events = integer_at(r, 1),
                         .last_at = optional_time(string_at(r, 2))});
        });
  return out;
}

long long LifecycleTx::events_waiting() {
  long long n = 0;
  query(s_, "SELECT COUNT(*) FROM saas_lifecycle_events WHERE outcome = 'waiting'", {},
        [&](const soci::row& r) { n = integer_at(r, 0); });
  return n;
}

namespace {

// Not confirmed: no confirmation, and no request of the same topic confirmed since it came.
constexpr const char* kSnsUnconfirmed =
    " FROM saas_sns_subscriptions s WHERE s.confirmed_at = '' AND NOT EXISTS ("
    "SELECT 1 FROM saas_sns_subscriptions c WHERE c.topic_arn = s.topic_arn"
    " AND c.confirmed_at <> '' AND c.last_received_at >= s.last_received_at)";

}  // namespace

std::string LifecycleTx::upsert_sns_subscription(const std::string& id,
                                                 const std::string& topic_arn,
                                                 const std::string& token_digest,
                                                 core::TimePoint at) {
  exec(s_,
       "INSERT INTO saas_sns_subscriptions (id, topic_arn, token_digest, received_at,"
       " last_received_at) VALUES (:id, :topic, :digest, :at, :at2)"
       " ON CONFLICT (topic_arn, token_digest) DO UPDATE SET"
       " last_received_at = excluded.last_received_at,"
       " deliveries = saas_sns_subscriptions.deliveries + 1",
       {id, topic_arn, token_digest, text(at), text(at)});
  std::string stored;
  query(s_,
        "SELECT id FROM saas_sns_subscriptions WHERE topic_arn = :topic AND token_digest = :digest",
        {topic_arn, token_digest}, [&](const soci::row& r) { stored = string_at(r, 0); });
  return stored;
}

bool LifecycleTx::set_sns_subscription(const std::string& id,
                                       const std::optional<core::TimePoint>& confirmed,
                                       const std::string& subscription_arn,
                                       const std::string& error) {
  if (confirmed) {
    return exec(s_,
                "UPDATE saas_sns_subscriptions SET confirmed_at = CASE WHEN confirmed_at = ''"
                " THEN :at ELSE confirmed_at END, subscription_arn = CASE WHEN :arn = ''"
                " THEN subscription_arn ELSE :arn2 END, last_error = '' WHERE id = :id",
                {text(*confirmed), subscription_arn, subscription_arn, id}) > 0;
  }
  return exec(s_, "UPDATE saas_sns_subscriptions SET last_error = :error WHERE id = :id",
              {error, id}) > 0;
}

long long LifecycleTx::sns_unconfirmed_count() {
  long long n = 0;
  query(s_, std::string("SELECT COUNT(*)") + kSnsUnconfirmed, {},
        [&](const soci::row& r) { n = integer_at(r, 0); });
  return n;
}

std::vector<SnsSubscriptionRequest> LifecycleTx::sns_unconfirmed(int limit) {
  std::vector<SnsSubscriptionRequest> out;
  query(s_,
        std::string("SELECT s.id, s.topic_arn, s.subscription_arn, s.received_at,"
                    " s.last_received_at, s.deliveries, s.confirmed_at, s.last_error") +
            kSnsUnconfirmed + " ORDER BY s.last_received_at DESC, s.id DESC LIMIT " +
            std::to_string(limit),
        {}, [&](const soci::row& r) {
          out.push_back({.id = string_at(r, 0),
                         .topic_arn = string_at(r, 1),
                         .subscription_arn = string_at(r, 2),
                         .received_at = time_of(string_at(r, 3)),
                         .last_received_at = time_of(string_at(r, 4)),
                         .deliveries = static_cast<int>(integer_at(r, 5)),
                         .confirmed_at = optional_time(string_at(r, 6)),
                         .last_error = string_at(r, 7)});
        });
  return out;
}

std::vector<std::string> LifecycleTx::refresh_due(core::TimePoint now, core::TimePoint read_before,
                                                  int limit) {
  std::vector<std::string> out;
  query(s_,
        "SELECT l.id FROM saas_links l"
        " JOIN saas_products p ON p.product_code = l.product_code"
        " LEFT JOIN saas_link_lifecycle m ON m.link_id = l.id"
        " WHERE l.status IN ('active', 'unsubscribe_pending')"
        " AND p.pricing_model IN ('contract', 'contract_with_consumption')"
        " AND (m.link_id IS NULL OR m.entitlements_read_at = ''"
        " OR m.entitlements_read_at < :read_before"
        " OR (m.next_expiry <> '' AND m.next_expiry <= :now))"
        " ORDER BY l.id LIMIT " +
            std::to_string(limit),
        {text(read_before), text(now)},
        [&](const soci::row& r) { out.push_back(string_at(r, 0)); });
  return out;
}

}  // namespace saas
