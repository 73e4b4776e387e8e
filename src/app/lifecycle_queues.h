// SQS delivery of lifecycle messages: MARKETLINK_EVENTS_QUEUE_URL (an EventBridge rule's target)
// and MARKETLINK_SNS_QUEUE_URL (SNS's subscription of a queue), each read by a thread of its own
// with long polling (10 s) and the seller's credentials, through saas::QueueIntake.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "saas/queue_intake.h"

namespace app {

class SqsMessageQueue final : public saas::MessageQueue {
 public:
  SqsMessageQueue(const aws::ClientContext& context,
                  std::shared_ptr<aws::CredentialsProvider> credentials,
                  aws::ClientSettings settings, std::string queue_url);
  core::Result<std::vector<saas::QueueMessage>> receive() override;
  core::Status remove(const std::string& receipt) override;

 private:
  std::unique_ptr<aws::AwsClient> client_;
  std::string queue_url_;
};

// Polls until destroyed (waits for the poll in flight, at most about 10 s).
class QueuePoller {
 public:
  QueuePoller(std::unique_ptr<SqsMessageQueue> queue, saas::QueueKind kind,
              saas::LifecycleService& lifecycle, saas::SnsIntake* sns);
  ~QueuePoller();

 private:
  std::unique_ptr<SqsMessageQueue> queue_;
  saas::QueueIntake intake_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace app
