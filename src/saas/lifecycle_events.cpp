// The names of lifecycle.h's enums, and the parsing of AWS's event messages into LifecycleEvent.
#include <nlohmann/json.hpp>

#include <array>
#include <utility>

#include "saas/lifecycle.h"

namespace saas {

namespace {

using nlohmann::json;

template <typename E, size_t N>
std::optional<E> parse_name(const std::array<std::pair<E, const char*>, N>& names,
                            std::string_view text) {
  for (const auto& [value, name] : names) {
    if (text == name) return value;
  }
  return std::nullopt;
}

template <typename E, size_t N>
const char* name_of(const std::array<std::pair<E, const char*>, N>& names, E value) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return "";
}

constexpr std::array<std::pair<LifecycleAction, const char*>, 6> kActions{{
    {LifecycleAction::kSubscribeSuccess, "subscribe_success"},
    {LifecycleAction::kSubscribeFail, "subscribe_fail"},
    {LifecycleAction::kUnsubscribePending, "unsubscribe_pending"},
    {LifecycleAction::kUnsubscribeSuccess, "unsubscribe_success"},
    {LifecycleAction::kEntitlementUpdated, "entitlement_updated"},
    {LifecycleAction::kIgnored, "ignored"},
}};

constexpr std::array<std::pair<EventOutcome, const char*>, 5> kOutcomes{{
    {EventOutcome::kReceived, "received"},
    {EventOutcome::kWaiting, "waiting"},
    {EventOutcome::kApplied, "applied"},
    {EventOutcome::kSuperseded, "superseded"},
    {EventOutcome::kIgnored, "ignored"},
}};

// SNS actions of AWS Marketplace's subscription and entitlement topics.
constexpr std::array<std::pair<LifecycleAction, const char*>, 5> kSnsActions{{
    {LifecycleAction::kSubscribeSuccess, "subscribe-success"},
    {LifecycleAction::kSubscribeFail, "subscribe-fail"},
    {LifecycleAction::kUnsubscribePending, "unsubscribe-pending"},
    {LifecycleAction::kUnsubscribeSuccess, "unsubscribe-success"},
    {LifecycleAction::kEntitlementUpdated, "entitlement-updated"},
}};

// A string member of `object`, or "" when absent or not a string.
std::string text_at(const json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json& member(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  const auto it = object.find(key);
  return it != object.end() ? *it : kNull;
}

// The detail-type without its " - Manufacturer" / " - Proposer" tail.
std::string_view base_type(std::string_view type) {
  for (std::string_view tail : {" - Manufacturer", " - Proposer"}) {
    if (type.ends_with(tail)) return type.substr(0, type.size() - tail.size());
  }
  return type;
}

}  // namespace

const char* event_source_name(EventSource source) {
  return source == EventSource::kSns ? "sns" : "eventbridge";
}

const char* lifecycle_action_name(LifecycleAction action) { return name_of(kActions, action); }
std::optional<LifecycleAction> parse_lifecycle_action(std::string_view name) {
  return parse_name(kActions, name);
}

const char* event_outcome_name(EventOutcome outcome) { return name_of(kOutcomes, outcome); }
std::optional<EventOutcome> parse_event_outcome(std::string_view name) {
  return parse_name(kOutcomes, name);
}

core::Result<LifecycleEvent> parse_eventbridge_event(std::string_view body) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return core::invalid("The event is not a JSON object.", "invalid_event");
  }
  if (text_at(doc, "source") != "aws.agreement-marketplace") {
    return core::invalid("The event is not from aws.agreement-marketplace.", "invalid_event");
  }
  LifecycleEvent e;
  e.source = EventSource::kEventBridge;
  e.body = std::string(body);
  e.message_id = text_at(doc, "id");
  e.type = text_at(doc, "detail-type");
  if (e.message_id.empty()) return core::invalid("The event has no id.", "invalid_event");
  const auto time = core::parse_rfc3339(text_at(doc, "time"));
  if (!time) return core::invalid("The event has no valid time.", "invalid_event");
  e.occurred_at = *time;

  const json& detail = member(doc, "detail");
  const json& agreement = member(detail, "agreement");
  e.agreement_id = text_at(agreement, "id");
  e.product_code = text_at(member(detail, "product"), "code");
  e.license_arn = text_at(member(detail, "license"), "arn");
  e.customer_aws_account_id = text_at(member(detail, "acceptor"), "accountId");
  if (e.product_code.empty()) {
    return core::invalid("The event names no product code.", "invalid_event");
  }
  if (e.license_arn.empty() && e.agreement_id.empty()) {
    return core::invalid("The event names neither a license nor an agreement.", "invalid_event");
  }

  const std::string_view type = base_type(e.type);
  if (type == "Purchase Agreement Created") {
    e.action = LifecycleAction::kSubscribeSuccess;
    e.new_agreement = true;
  } else if (type == "Purchase Agreement Amended" || type == "License Updated") {
    e.action = LifecycleAction::kEntitlementUpdated;
  } else if (type == "Purchase Agreement Ended") {
    // An agreement that was renewed or replaced by another goes on under the new one.
    const std::string status = text_at(agreement, "status");
    const bool goes_on = status == "RENEWED" || status == "REPLACED" || status == "SUPERSEDED";
    e.action = goes_on ? LifecycleAction::kIgnored : LifecycleAction::kUnsubscribePending;
  } else if (type == "License Deprovisioned") {
    e.action = LifecycleAction::kUnsubscribeSuccess;
  } else {
    return core::invalid("Unknown detail-type \"" + e.type + "\".", "invalid_event");
  }
  return e;
}

core::Result<LifecycleEvent> parse_sns_notification(std::string_view message,
                                                    const std::string& message_id,
                                                    core::TimePoint timestamp) {
  json doc = json::parse(message, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return core::invalid("The notification's message is not a JSON object.", "invalid_event");
  }
  LifecycleEvent e;
  e.source = EventSource::kSns;
  e.body = std::string(message);
  e.message_id = message_id;
  e.type = text_at(doc, "action");
  e.occurred_at = timestamp;
  e.customer_identifier = text_at(doc, "customer-identifier");
  e.product_code = text_at(doc, "product-code");
  const auto action = parse_name(kSnsActions, e.type);
  if (!action) return core::invalid("Unknown action \"" + e.type + "\".", "invalid_event");
  e.action = *action;
  if (message_id.empty()) return core::invalid("The notification has no id.", "invalid_event");
  if (e.product_code.empty() || e.customer_identifier.empty()) {
    return core::invalid("The notification names no product or customer.", "invalid_event");
  }
  return e;
}

}  // namespace saas
