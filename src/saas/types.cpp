#include "saas/types.h"

#include <array>
#include <utility>

#include "saas/outbox.h"

namespace saas {

namespace {

// Looks `name` up in a table of (value, name) pairs.
template <typename E, size_t N>
std::optional<E> lookup(const std::array<std::pair<E, const char*>, N>& table,
                        std::string_view name) {
  for (const auto& [value, text] : table) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename E, size_t N>
const char* name_of(const std::array<std::pair<E, const char*>, N>& table, E value) {
  for (const auto& [v, text] : table) {
    if (v == value) return text;
  }
  return table.front().second;
}

constexpr std::array<std::pair<PricingModel, const char*>, 4> kPricingModels = {{
    {PricingModel::kSubscription, "subscription"},
    {PricingModel::kContract, "contract"},
    {PricingModel::kContractWithConsumption, "contract_with_consumption"},
    {PricingModel::kFree, "free"},
}};

constexpr std::array<std::pair<Outcome, const char*>, 7> kOutcomes = {{
    {Outcome::kResolved, "resolved"},
    {Outcome::kInvalidToken, "invalid_token"},
    {Outcome::kExpiredToken, "expired_token"},
    {Outcome::kProductUnknown, "product_unknown"},
    {Outcome::kAwsUnavailable, "aws_unavailable"},
    {Outcome::kRefused, "refused"},
    {Outcome::kLinked, "linked"},
}};

constexpr std::array<std::pair<OutboxEvent, const char*>, 6> kOutboxEvents = {{
    {OutboxEvent::kLinked, "linked"},
    {OutboxEvent::kActive, "active"},
    {OutboxEvent::kUnsubscribePending, "unsubscribe_pending"},
    {OutboxEvent::kCancelled, "cancelled"},
    {OutboxEvent::kEntitlementsChanged, "entitlements_changed"},
    {OutboxEvent::kMeteringFailed, "metering_failed"},
}};

constexpr std::array<std::pair<Choice, const char*>, 3> kChoices = {{
    {Choice::kNone, ""},
    {Choice::kExisting, "existing"},
    {Choice::kNew, "new"},
}};

constexpr std::array<std::pair<EventKind, const char*>, 9> kEventKinds = {{
    {EventKind::kLanded, "landed"},
    {EventKind::kLandedAgain, "landed_again"},
    {EventKind::kResolved, "resolved"},
    {EventKind::kResolveFailed, "resolve_failed"},
    {EventKind::kChoseExisting, "chose_existing"},
    {EventKind::kChoseNew, "chose_new"},
    {EventKind::kLinkRefused, "link_refused"},
    {EventKind::kLinked, "linked"},
    {EventKind::kLinkUpdated, "link_updated"},
}};

constexpr std::array<std::pair<LinkStatus, const char*>, 5> kLinkStatuses = {{
    {LinkStatus::kPending, "pending"},
    {LinkStatus::kActive, "active"},
    {LinkStatus::kUnsubscribePending, "unsubscribe_pending"},
    {LinkStatus::kCancelled, "cancelled"},
    {LinkStatus::kFailed, "failed"},
}};

}  // namespace

const char* pricing_model_name(PricingModel model) { return name_of(kPricingModels, model); }

const char* display_name(PricingModel model) {
  switch (model) {
    case PricingModel::kSubscription: return "Subscription";
    case PricingModel::kContract: return "Contract";
    case PricingModel::kContractWithConsumption: return "Contract with consumption";
    case PricingModel::kFree: return "Free";
  }
  return "";
}

std::optional<PricingModel> parse_pricing_model(std::string_view name) {
  return lookup(kPricingModels, name);
}

const char* outcome_name(Outcome outcome) { return name_of(kOutcomes, outcome); }

const char* display_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kResolved: return "Resolved";
    case Outcome::kInvalidToken: return "Invalid token";
    case Outcome::kExpiredToken: return "Expired token";
    case Outcome::kProductUnknown: return "Product not registered";
    case Outcome::kAwsUnavailable: return "AWS did not answer";
    case Outcome::kRefused: return "Link refused";
    case Outcome::kLinked: return "Linked";
  }
  return "";
}

std::optional<Outcome> parse_outcome(std::string_view name) { return lookup(kOutcomes, name); }

const char* outbox_event_name(OutboxEvent event) { return name_of(kOutboxEvents, event); }

std::optional<OutboxEvent> parse_outbox_event(std::string_view name) {
  return lookup(kOutboxEvents, name);
}

const char* choice_name(Choice choice) { return name_of(kChoices, choice); }

std::optional<Choice> parse_choice(std::string_view name) { return lookup(kChoices, name); }

const char* event_kind_name(EventKind kind) { return name_of(kEventKinds, kind); }

std::optional<EventKind> parse_event_kind(std::string_view name) {
  return lookup(kEventKinds, name);
}

const char* link_status_name(LinkStatus status) { return name_of(kLinkStatuses, status); }

const char* display_name(LinkStatus status) {
  switch (status) {
    case LinkStatus::kPending: return "Pending";
    case LinkStatus::kActive: return "Active";
    case LinkStatus::kUnsubscribePending: return "Unsubscribe pending";
    case LinkStatus::kCancelled: return "Cancelled";
    case LinkStatus::kFailed: return "Failed";
  }
  return "";
}

std::optional<LinkStatus> parse_link_status(std::string_view name) {
  return lookup(kLinkStatuses, name);
}

bool is_live(LinkStatus status) {
  return status != LinkStatus::kCancelled && status != LinkStatus::kFailed;
}

}  // namespace saas
