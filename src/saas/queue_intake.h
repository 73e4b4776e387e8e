// QueueIntake: lifecycle messages read from an SQS queue (an EventBridge rule's target, or SNS's
// subscription of a queue), one batch at a time. A message is deleted only after what it brought
// committed (stored once per message id by LifecycleService::receive, or refused for good: not
// parseable, not ours, not signed); when storing fails (the database, a certificate not
// fetched) it stays, and the queue gives it again after its visibility timeout.
// Thread safety: poll_once may run on one thread per queue.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "saas/lifecycle.h"
#include "saas/sns_intake.h"

namespace saas {

struct QueueMessage {
  std::string receipt;  // what remove() needs
  std::string body;
};

// The queue, as the domain sees it (implemented in src/app with SQS, long polling).
class MessageQueue {
 public:
  virtual ~MessageQueue() = default;
  // Up to 10 messages, waiting up to the queue's long-polling time for the first.
  virtual core::Result<std::vector<QueueMessage>> receive() = 0;
  virtual core::Status remove(const std::string& receipt) = 0;
};

enum class QueueKind { kEventBridge, kSns };

struct PollResult {
  int stored = 0;   // messages stored (or seen before) and deleted
  int refused = 0;  // messages that can never be stored, deleted
  int kept = 0;     // messages left for a later delivery
};

class QueueIntake {
 public:
  // `sns` is needed for QueueKind::kSns only.
  QueueIntake(QueueKind kind, MessageQueue& queue, LifecycleService& lifecycle, SnsIntake* sns);
  // One receive and the handling of what it brought. Errors: the queue's receive only.
  core::Result<PollResult> poll_once();

 private:
  QueueKind kind_;
  MessageQueue& queue_;
  LifecycleService& lifecycle_;
  SnsIntake* sns_;
};

}  // namespace saas
