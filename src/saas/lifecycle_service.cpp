#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <tuple>

#include "core/log.h"
#include "identity/identity_service.h"
#include "jobs/job_queue.h"
#include "saas/lifecycle.h"
#include "saas/lifecycle_store.h"

namespace saas {

namespace {

using nlohmann::json;

constexpr int kApplyAttempts = 3;

// Status events of the same time are ordered by rank (see lifecycle.h); 0: not a status event.
int rank_of(LifecycleAction action) {
  switch (action) {
    case LifecycleAction::kSubscribeSuccess:
    case LifecycleAction::kSubscribeFail: return 1;
    case LifecycleAction::kUnsubscribePending: return 2;
    case LifecycleAction::kUnsubscribeSuccess: return 3;
    default: return 0;
  }
}

// Whom an event concerns (saas_lifecycle_events.buyer_ref).
std::pair<std::string, std::string> buyer_of(const LifecycleEvent& e) {
  if (!e.license_arn.empty()) return {"lic", e.license_arn};
  if (!e.customer_identifier.empty()) return {"ci", e.customer_identifier};
  return {"agr", e.agreement_id};
}
std::string ref_text(const std::pair<std::string, std::string>& ref) {
  return ref.first + ":" + ref.second;
}

// The event comes after the last status event the link applied.
bool is_after(const LifecycleEvent& e, const LinkMarks& m) {
  if (!m.status_event_at) return true;
  return std::tuple(e.occurred_at, rank_of(e.action), e.message_id) >
         std::tuple(*m.status_event_at, m.status_event_rank, m.status_event_id);
}

// The status the action moves a link in `from` to; nullopt: it does not move.
std::optional<LinkStatus> target_status(LifecycleAction action, LinkStatus from) {
  if (!is_live(from)) return std::nullopt;
  switch (action) {
    case LifecycleAction::kSubscribeSuccess: return LinkStatus::kActive;
    case LifecycleAction::kSubscribeFail:
      if (from == LinkStatus::kPending) return LinkStatus::kFailed;
      return std::nullopt;
    case LifecycleAction::kUnsubscribePending:
      if (from == LinkStatus::kUnsubscribePending) return std::nullopt;
      return LinkStatus::kUnsubscribePending;
    case LifecycleAction::kUnsubscribeSuccess: return LinkStatus::kCancelled;
    default: return std::nullopt;
  }
}

std::optional<OutboxEvent> outbox_event_of(LinkStatus status) {
  switch (status) {
    case LinkStatus::kActive: return OutboxEvent::kActive;
    case LinkStatus::kUnsubscribePending: return OutboxEvent::kUnsubscribePending;
    case LinkStatus::kCancelled: return OutboxEvent::kCancelled;
    default: return std::nullopt;
  }
}

// The earliest expiry after `now`, if any.
std::optional<core::TimePoint> next_expiry(const std::vector<Entitlement>& list,
                                           core::TimePoint now) {
  std::optional<core::TimePoint> out;
  for (const Entitlement& e : list) {
    if (e.expires_at && *e.expires_at > now && (!out || *e.expires_at < *out)) out = e.expires_at;
  }
  return out;
}

json entitlements_json(const std::vector<Entitlement>& list) {
  json out = json::array();
  for (const Entitlement& e : list) {
    out.push_back(
        {{"dimension", e.dimension},
         {"value", e.value},
         {"expires_at", e.expires_at ? json(core::format_rfc3339(*e.expires_at)) : json(nullptr)}});
  }
  return out;
}

bool is_contract(PricingModel model) {
  return model == PricingModel::kContract || model == PricingModel::kContractWithConsumption;
}

// The buyer's links for the event: live first, then newest.
std::vector<Link> links_for(LifecycleTx& tx, const LifecycleEvent& e) {
  std::vector<Link> links;
  if (!e.license_arn.empty()) links = tx.links_of_buyer(e.product_code, "lic", e.license_arn);
  if (links.empty() && !e.agreement_id.empty()) {
    links = tx.links_of_buyer(e.product_code, "agr", e.agreement_id);
  }
  if (links.empty() && !e.customer_identifier.empty()) {
    links = tx.links_of_buyer(e.product_code, "ci", e.customer_identifier);
  }
  return links;
}

std::optional<Link> live_of(const std::vector<Link>& links) {
  if (!links.empty() && is_live(links.front().status)) return links.front();
  return std::nullopt;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace

LifecycleService::LifecycleService(db::Database& database, const core::Clock& clock,
                                   core::IdGenerator& ids, jobs::JobQueue& jobs,
                                   identity::IdentityService& identity,
                                   EntitlementReader& entitlements, AgreementReader* agreements,
                                   Outbox* outbox, LifecycleSettings settings)
    : clock_(clock),
      ids_(ids),
      jobs_(jobs),
      identity_(identity),
      reader_(entitlements),
      agreements_(agreements),
      outbox_(outbox),
      settings_(settings),
      store_(std::make_unique<LifecycleStore>(database)) {}

LifecycleService::~LifecycleService() = default;

core::Status LifecycleService::register_jobs() {
  jobs_.register_handler(kApplyEventsJob, [this](const jobs::Job& job) -> core::Status {
    const json payload = json::parse(job.payload, nullptr, false);
    if (payload.is_object() && payload.contains("event_id") && payload["event_id"].is_string()) {
      return apply(payload["event_id"].get<std::string>());
    }
    if (payload.is_object() && payload.contains("link_id") && payload["link_id"].is_string()) {
      return apply_waiting(payload["link_id"].get<std::string>());
    }
    return core::invalid("saas.apply_events needs an event_id or a link_id.");
  });
  jobs_.register_handler(kRefreshEntitlementsJob, [this](const jobs::Job&) -> core::Status {
    auto refreshed = refresh_due();
    if (!refreshed.ok()) return refreshed.error();
    return {};
  });
  return jobs_.add_schedule({.name = kRefreshEntitlementsJob,
                             .kind = kRefreshEntitlementsJob,
                             .payload = "{}",
                             .when = jobs::hourly_at(17),
                             .max_attempts = 3});
}

void LifecycleService::record(db::Tx& tx, OutboxEvent event, const Link& link,
                              const std::string& data) {
  if (!outbox_) return;
  outbox_->record(tx, {.event = event,
                       .org_id = link.org_id,
                       .product_code = link.product_code,
                       .link_id = link.id,
                       .data = data,
                       .at = now()});
}

core::Result<Received> LifecycleService::receive(const LifecycleEvent& event) {
  if (event.message_id.empty()) return core::invalid("The event has no message id.");
  const core::TimePoint at = now();
  return store_->write([&](LifecycleTx& tx) -> core::Result<Received> {
    StoredEvent e{.id = ids_.new_id(),
                  .event = event,
                  .outcome = event.action == LifecycleAction::kIgnored ? EventOutcome::kIgnored
                                                                       : EventOutcome::kReceived,
                  .link_id = "",
                  .change = event.action == LifecycleAction::kIgnored
                                ? "Nothing to do: the agreement goes on under another."
                                : "",
                  .received_at = at,
                  .processed_at = std::nullopt};
    if (!tx.insert_event(e, ref_text(buyer_of(event)))) {
      auto first = tx.event_by_message(event.source, event.message_id);
      return Received{.event_id = first ? first->id : std::string(), .duplicate = true};
    }
    if (e.outcome == EventOutcome::kReceived) {
      auto queued =
          jobs_.enqueue(tx.transaction(), kApplyEventsJob, json{{"event_id", e.id}}.dump());
      if (!queued.ok()) return queued.error();
    }
    return Received{.event_id = e.id, .duplicate = false};
  });
}

core::Status LifecycleService::apply(const std::string& event_id) {
  for (int attempt = 1; attempt <= kApplyAttempts; ++attempt) {
    // 1. What the event is and whose link it concerns.
    struct Seen {
      std::optional<StoredEvent> event;
      std::optional<Link> live;
    };
    auto seen = store_->read([&](LifecycleTx& tx) -> core::Result<Seen> {
      Seen s;
      s.event = tx.event(event_id, false);
      if (s.event) s.live = live_of(links_for(tx, s.event->event));
      return s;
    });
    if (!seen.ok()) return seen.error();
    if (!seen->event) return core::invalid("There is no such lifecycle event.");
    const StoredEvent& stored = *seen->event;
    if (stored.outcome != EventOutcome::kReceived && stored.outcome != EventOutcome::kWaiting) {
      return {};
    }
    const LifecycleEvent& e = stored.event;

    // 2. What AWS says, outside any transaction.
    std::optional<std::vector<Entitlement>> fetched;
    std::optional<AgreementTerms> terms;
    std::string terms_error;
    if (seen->live) {
      const Link& l = *seen->live;
      if (e.action == LifecycleAction::kSubscribeSuccess ||
          e.action == LifecycleAction::kEntitlementUpdated) {
        auto read = reader_.entitlements({.product_code = l.product_code,
                                          .customer_identifier = l.customer_identifier,
                                          .customer_aws_account_id = l.customer_aws_account_id,
                                          .license_arn = l.license_arn});
        if (!read.ok()) return read.error();
        fetched = std::move(read).value();
      }
      if (e.new_agreement && agreements_ && !e.agreement_id.empty()) {
        // The link moves on without the terms when the Agreement API does not answer: AWS has
        // confirmed the purchase; only the free trial's end stays unknown.
        auto read = agreements_->terms(e.agreement_id);
        if (read.ok()) {
          terms = *read;
        } else {
          terms_error = read.error().message;
          core::log::warn("saas agreement terms could not be read",
                          {{"agreement", e.agreement_id}, {"error", read.error().message}});
        }
      }
    }

    // 3. The change, in one transaction.
    const core::TimePoint at = now();
    auto done = store_->write([&](LifecycleTx& tx) -> core::Result<bool> {
      auto current = tx.event(event_id, true);
      if (!current || (current->outcome != EventOutcome::kReceived &&
                       current->outcome != EventOutcome::kWaiting)) {
        return true;
      }
      const std::vector<Link> links = links_for(tx, e);
      const std::optional<Link> live = live_of(links);
      if ((live ? live->id : "") != (seen->live ? seen->live->id : "")) return false;

      if (!live) {
        // An event older than the end of the buyer's last link is not kept for a later one.
        if (!links.empty()) {
          const LinkMarks ended = tx.marks(links.front().id);
          if (ended.status_event_at && !is_after(e, ended)) {
            tx.set_outcome(event_id, EventOutcome::kSuperseded, links.front().id,
                           fmt::format("Older than the end of the buyer's link ({}).",
                                       link_status_name(links.front().status)),
                           at);
            return true;
          }
        }
        if (current->outcome != EventOutcome::kWaiting) {
          tx.set_outcome(event_id, EventOutcome::kWaiting, "",
                         "Waiting for the buyer to link their subscription.", at);
        }
        return true;
      }

      auto link = tx.link(live->id, true);
      if (!link || !is_live(link->status)) return false;
      LinkMarks marks = tx.marks(link->id);
      std::vector<std::string> changes;
      const LinkStatus before = link->status;

      if (rank_of(e.action) > 0) {
        if (!is_after(e, marks)) {
          tx.set_outcome(event_id, EventOutcome::kSuperseded, link->id,
                         fmt::format("Older than the last status event the link applied ({})",
                                     marks.status_event_id),
                         at);
          return true;
        }
        if (auto to = target_status(e.action, link->status)) {
          if (*to != link->status) {
            tx.set_status(link->id, *to, at);
            link->status = *to;
            changes.push_back(
                fmt::format("status {} → {}", link_status_name(before), link_status_name(*to)));
            if (auto out = outbox_event_of(*to)) {
              record(tx.transaction(), *out, *link, json{{"status", link_status_name(*to)}}.dump());
            }
            // The final usage goes out when the subscription begins to end, or when it ended
            // with no unsubscribe-pending seen first.
            if (*to == LinkStatus::kUnsubscribePending ||
                (*to == LinkStatus::kCancelled && is_live(before) &&
                 before != LinkStatus::kUnsubscribePending)) {
              auto queued =
                  jobs_.enqueue(tx.transaction(), kFlushUsageJob, flush_usage_payload(link->id));
              if (!queued.ok()) return queued.error();
            }
          }
          marks.status_event_at = e.occurred_at;
          marks.status_event_rank = rank_of(e.action);
          marks.status_event_id = e.message_id;
        } else {
          changes.push_back(fmt::format("nothing: the link is {}", link_status_name(before)));
        }
      }
      if (e.new_agreement && !e.agreement_id.empty()) marks.agreement_id = e.agreement_id;
      if (terms && terms->free_trial) {
        tx.set_free_trial(link->id, std::string(kFreeTrialOfferType), terms->free_trial_ends_at,
                          at);
        changes.push_back(terms->free_trial_ends_at
                              ? "free trial until " +
                                    core::format_rfc3339(*terms->free_trial_ends_at)
                              : std::string("free trial"));
      }
      if (!terms_error.empty()) changes.push_back("agreement terms not read: " + terms_error);
      if (fetched && is_live(link->status)) {
        const std::vector<Entitlement> old = tx.entitlements(link->id);
        marks.entitlements_read_at = at;
        marks.next_expiry = next_expiry(*fetched, at);
        if (old != *fetched) {
          tx.replace_entitlements(link->id, *fetched);
          changes.push_back(fmt::format("{} entitlement(s)", fetched->size()));
          record(tx.transaction(), OutboxEvent::kEntitlementsChanged, *link,
                 json{{"entitlements", entitlements_json(*fetched)}}.dump());
        } else {
          changes.push_back("entitlements unchanged");
        }
      }
      tx.save_marks(link->id, marks, at);
      tx.set_outcome(event_id, EventOutcome::kApplied, link->id,
                     changes.empty() ? std::string("Nothing changed.") : joined(changes), at);
      return true;
    });
    if (!done.ok()) return done.error();
    if (*done) return {};
    core::log::info("saas lifecycle event: the buyer's link changed meanwhile; looking again",
                    {{"event", event_id}, {"attempt", attempt}});
  }
  return core::unavailable("The buyer's links keep changing; the event is applied later.");
}

core::Status LifecycleService::apply_waiting(const std::string& link_id) {
  auto pending = store_->read([&](LifecycleTx& tx) -> core::Result<std::vector<StoredEvent>> {
    auto link = tx.link(link_id, false);
    if (!link) return std::vector<StoredEvent>{};
    std::vector<std::string> refs;
    if (!link->license_arn.empty()) refs.push_back(ref_text({"lic", link->license_arn}));
    if (!link->customer_identifier.empty()) {
      refs.push_back(ref_text({"ci", link->customer_identifier}));
    }
    if (const LinkMarks m = tx.marks(link_id); !m.agreement_id.empty()) {
      refs.push_back(ref_text({"agr", m.agreement_id}));
    }
    return tx.pending_events(link->product_code, refs);
  });
  if (!pending.ok()) return pending.error();
  std::vector<StoredEvent> events = std::move(pending).value();
  std::sort(events.begin(), events.end(), [](const StoredEvent& a, const StoredEvent& b) {
    return std::tuple(a.event.occurred_at, rank_of(a.event.action), a.event.message_id) <
           std::tuple(b.event.occurred_at, rank_of(b.event.action), b.event.message_id);
  });
  core::Status first_error;
  for (const StoredEvent& e : events) {
    if (auto applied = apply(e.id); !applied.ok() && first_error.ok()) first_error = applied;
  }
  return first_error;
}

core::Status LifecycleService::refresh(const std::string& link_id) {
  auto link = store_->read([&](LifecycleTx& tx) -> core::Result<std::optional<Link>> {
    return tx.link(link_id, false);
  });
  if (!link.ok()) return link.error();
  if (!*link || !is_live((*link)->status)) return {};
  const Link& l = **link;
  auto fetched = reader_.entitlements({.product_code = l.product_code,
                                       .customer_identifier = l.customer_identifier,
                                       .customer_aws_account_id = l.customer_aws_account_id,
                                       .license_arn = l.license_arn});
  if (!fetched.ok()) return fetched.error();
  const core::TimePoint at = now();
  return store_->write([&](LifecycleTx& tx) -> core::Status {
    auto current = tx.link(link_id, true);
    if (!current || !is_live(current->status)) return {};
    LinkMarks marks = tx.marks(link_id);
    marks.entitlements_read_at = at;
    marks.next_expiry = next_expiry(*fetched, at);
    if (tx.entitlements(link_id) != *fetched) {
      tx.replace_entitlements(link_id, *fetched);
      record(tx.transaction(), OutboxEvent::kEntitlementsChanged, *current,
             json{{"entitlements", entitlements_json(*fetched)}}.dump());
    }
    tx.save_marks(link_id, marks, at);
    return {};
  });
}

core::Status LifecycleService::figures(HealthFigures& figures) const {
  return store_->read([&](LifecycleTx& tx) -> core::Status {
    figures.events_by_source = tx.events_by_source();
    figures.events_waiting_for_link = tx.events_waiting();
    figures.sns_subscriptions_unconfirmed = tx.sns_unconfirmed_count();
    figures.sns_unconfirmed = tx.sns_unconfirmed(50);
    return {};
  });
}

core::Result<std::string> LifecycleService::sns_subscription_received(
    const std::string& topic_arn, const std::string& token_digest) {
  if (topic_arn.empty() || token_digest.empty()) {
    return core::invalid("An SNS subscription request needs its topic and token.");
  }
  return store_->write([&](LifecycleTx& tx) -> core::Result<std::string> {
    return tx.upsert_sns_subscription(ids_.new_id(), topic_arn, token_digest, now());
  });
}

core::Status LifecycleService::sns_subscription_confirmed(const std::string& id,
                                                          const std::string& subscription_arn) {
  return store_->write([&](LifecycleTx& tx) -> core::Status {
    if (!tx.set_sns_subscription(id, now(), subscription_arn, "")) {
      return core::not_found("No SNS subscription request has this id.",
                             "sns_subscription_not_found");
    }
    return {};
  });
}

core::Status LifecycleService::sns_subscription_failed(const std::string& id,
                                                       const std::string& error) {
  return store_->write([&](LifecycleTx& tx) -> core::Status {
    if (!tx.set_sns_subscription(id, std::nullopt, "", error.empty() ? "failed" : error)) {
      return core::not_found("No SNS subscription request has this id.",
                             "sns_subscription_not_found");
    }
    return {};
  });
}

core::Result<std::vector<SnsSubscriptionRequest>> LifecycleService::sns_subscriptions_unconfirmed(
    int limit) const {
  return store_->read([&](LifecycleTx& tx) -> core::Result<std::vector<SnsSubscriptionRequest>> {
    return tx.sns_unconfirmed(std::clamp(limit, 1, 500));
  });
}

core::Result<int> LifecycleService::refresh_due() {
  const core::TimePoint at = now();
  auto due = store_->read([&](LifecycleTx& tx) -> core::Result<std::vector<std::string>> {
    return tx.refresh_due(at, at - settings_.refresh_every, settings_.refresh_batch);
  });
  if (!due.ok()) return due.error();
  int done = 0;
  std::optional<core::Error> last;
  for (const std::string& id : *due) {
    if (auto refreshed = refresh(id); refreshed.ok()) {
      ++done;
    } else {
      last = refreshed.error();
      core::log::warn("saas entitlements could not be read",
                      {{"link", id}, {"error", refreshed.error().message}});
    }
  }
  if (done == 0 && last) return *last;
  return done;
}

core::Result<std::string> LifecycleService::organization_id(const std::string& id_or_slug) const {
  auto org = identity_.find_organization(id_or_slug);
  if (!org.ok()) {
    if (org.error().code == core::ErrorCode::kNotFound) {
      return core::not_found("There is no such organization.", "organization_not_found");
    }
    return org.error();
  }
  return org->id;
}

core::Result<EntitlementsView> LifecycleService::entitlements(
    const std::string& org_id, const std::string& product_code) const {
  const core::TimePoint at = now();
  return store_->read([&](LifecycleTx& tx) -> core::Result<EntitlementsView> {
    auto found = tx.org_product_link(org_id, product_code);
    if (!found) return core::not_found("There is no such product.", "product_not_found");
    EntitlementsView v;
    if (found->link_id.empty()) return v;
    v.status = found->status;
    v.link_id = found->link_id;
    v.entitlements = tx.entitlements(found->link_id);
    const bool running =
        found->status == LinkStatus::kActive || found->status == LinkStatus::kUnsubscribePending;
    if (!is_contract(found->product.pricing_model)) {
      v.entitled = running;
    } else {
      v.entitled = running && std::any_of(v.entitlements.begin(), v.entitlements.end(),
                                          [&](const Entitlement& e) {
                                            return !e.expires_at || *e.expires_at > at;
                                          });
    }
    return v;
  });
}

core::Result<std::vector<StoredEvent>> LifecycleService::events_of_link(
    const std::string& link_id) const {
  return store_->read([&](LifecycleTx& tx) -> core::Result<std::vector<StoredEvent>> {
    return tx.events_of_link(link_id);
  });
}

core::Result<StoredEvent> LifecycleService::event(const std::string& event_id) const {
  return store_->read([&](LifecycleTx& tx) -> core::Result<StoredEvent> {
    auto e = tx.event(event_id, false);
    if (!e) return core::not_found("There is no such lifecycle event.");
    return *e;
  });
}

core::Status LifecycleService::linked(db::Tx& transaction, const Link& link, LinkChange change) {
  if (change == LinkChange::kCreated) {
    record(transaction, OutboxEvent::kLinked, link,
           json{{"status", link_status_name(link.status)}}.dump());
  }
  auto queued = jobs_.enqueue(transaction, kApplyEventsJob, json{{"link_id", link.id}}.dump());
  if (!queued.ok()) return queued.error();
  return {};
}

}  // namespace saas
