// Outbox: what the seller's application is told about its buyers (outbound webhooks). The saas
// domain records each event in the transaction that made the change, so that an event is told
// if and only if its change committed; delivery to the endpoints the operator registered happens
// later, through the job queue, with retries.
//
// Events (API.md, "webhooks"): linked, active, unsubscribe_pending, cancelled,
// entitlements_changed, metering_failed.
//
// Thread safety: implementations are safe for concurrent use.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace db {
class Tx;
}

namespace saas {

enum class OutboxEvent {
  kLinked,               // a buyer's subscription was linked to an organization
  kActive,               // AWS confirmed the subscription (subscribe-success, agreement active)
  kUnsubscribePending,   // the buyer cancelled in AWS; final usage is being sent
  kCancelled,            // the subscription ended (unsubscribe-success, agreement ended)
  kEntitlementsChanged,  // the organization's entitlements for the product changed
  kMeteringFailed,       // usage could not be billed (AWS refused it, or it came too late)
};

// "linked", "active", "unsubscribe_pending", "cancelled", "entitlements_changed",
// "metering_failed": how events are named in webhook bodies, settings and the API.
const char* outbox_event_name(OutboxEvent event);
std::optional<OutboxEvent> parse_outbox_event(std::string_view name);

struct OutboxEntry {
  OutboxEvent event = OutboxEvent::kLinked;
  std::string org_id;        // the organization concerned
  std::string product_code;  // the product concerned
  std::string link_id;       // the link concerned, if any
  // The event's own fields as a JSON object text (e.g. {"status":"active"}); "{}" when none.
  std::string data = "{}";
  core::TimePoint at;
};

class Outbox {
 public:
  virtual ~Outbox() = default;
  // Records `entry` in `transaction` (the caller's): it is delivered only if that commits.
  virtual void record(db::Tx& transaction, const OutboxEntry& entry) = 0;
};

}  // namespace saas
