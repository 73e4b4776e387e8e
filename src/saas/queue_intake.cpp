#include "saas/queue_intake.h"

#include "core/log.h"

namespace saas {

QueueIntake::QueueIntake(QueueKind kind, MessageQueue& queue, LifecycleService& lifecycle,
                         SnsIntake* sns)
    : kind_(kind), queue_(queue), lifecycle_(lifecycle), sns_(sns) {}

core::Result<PollResult> QueueIntake::poll_once() {
  auto received = queue_.receive();
  if (!received.ok()) return received.error();
  PollResult out;
  for (const QueueMessage& m : *received) {
    core::Status handled;
    if (kind_ == QueueKind::kSns) {
      if (!sns_) return core::internal("An SNS queue needs an SnsIntake.");
      auto r = sns_->handle(m.body);
      if (!r.ok()) handled = r.error();
    } else {
      auto event = parse_eventbridge_event(m.body);
      if (!event.ok()) {
        handled = event.error();
      } else if (auto r = lifecycle_.receive(*event); !r.ok()) {
        handled = r.error();
      }
    }
    const bool for_good = !handled.ok() && (handled.error().code == core::ErrorCode::kInvalid ||
                                            handled.error().code == core::ErrorCode::kForbidden);
    if (!handled.ok() && !for_good) {
      ++out.kept;
      core::log::warn("saas lifecycle message kept for a later delivery",
                      {{"error", handled.error().message}});
      continue;
    }
    if (for_good) {
      core::log::warn("saas lifecycle message refused", {{"error", handled.error().message}});
    }
    if (auto removed = queue_.remove(m.receipt); !removed.ok()) {
      // Given again later: stored once per message id, so nothing happens twice.
      core::log::warn("saas lifecycle message not deleted", {{"error", removed.error().message}});
    }
    for_good ? ++out.refused : ++out.stored;
  }
  return out;
}

}  // namespace saas
