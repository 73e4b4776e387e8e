#include "app/lifecycle_queues.h"

#include "aws/sqs.h"
#include "core/log.h"

namespace app {

namespace {
constexpr int kWaitSeconds = 10;
}

SqsMessageQueue::SqsMessageQueue(const aws::ClientContext& context,
                                 std::shared_ptr<aws::CredentialsProvider> credentials,
                                 aws::ClientSettings settings, std::string queue_url)
    : queue_url_(std::move(queue_url)) {
  if (!credentials) return;
  settings.call_timeout = std::chrono::seconds(kWaitSeconds + 10);
  client_ = std::make_unique<aws::AwsClient>(context, std::move(credentials), settings);
}

core::Result<std::vector<saas::QueueMessage>> SqsMessageQueue::receive() {
  if (!client_) return core::unavailable("No seller credentials are configured.");
  auto received = aws::sqs::SqsClient(*client_).receive_message(
      {.queue_url = queue_url_, .max_number_of_messages = 10, .wait_time_seconds = kWaitSeconds});
  if (!received.ok()) return received.error();
  std::vector<saas::QueueMessage> out;
  for (const aws::sqs::Message& m : received->messages) {
    out.push_back({.receipt = m.receipt_handle, .body = m.body});
  }
  return out;
}

core::Status SqsMessageQueue::remove(const std::string& receipt) {
  if (!client_) return core::unavailable("No seller credentials are configured.");
  return aws::sqs::SqsClient(*client_).delete_message(
      {.queue_url = queue_url_, .receipt_handle = receipt});
}

QueuePoller::QueuePoller(std::unique_ptr<SqsMessageQueue> queue, saas::QueueKind kind,
                         saas::LifecycleService& lifecycle, saas::SnsIntake* sns)
    : queue_(std::move(queue)), intake_(kind, *queue_, lifecycle, sns) {
  thread_ = std::thread([this] {
    while (!stop_.load()) {
      auto polled = intake_.poll_once();
      if (!polled.ok()) {
        core::log::warn("saas lifecycle queue not read", {{"error", polled.error().message}});
        for (int i = 0; i < 50 && !stop_.load(); ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
      }
    }
  });
}

QueuePoller::~QueuePoller() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

}  // namespace app
