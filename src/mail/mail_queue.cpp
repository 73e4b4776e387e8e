#include <nlohmann/json.hpp>

#include "jobs/job_queue.h"
#include "mail/mail.h"

namespace mail {

namespace {

std::string to_payload(const Message& m) {
  return nlohmann::json{
      {"to", m.to}, {"subject", m.subject}, {"text", m.text_body}, {"html", m.html_body}}
      .dump();
}

core::Result<Message> from_payload(const std::string& payload) {
  const auto json = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  const auto text_field = [&](const char* name) -> const std::string* {
    if (!json.is_object()) return nullptr;
    auto it = json.find(name);
    return it != json.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
  };
  const std::string* to = text_field("to");
  const std::string* subject = text_field("subject");
  const std::string* text = text_field("text");
  const std::string* html = text_field("html");
  if (to == nullptr || subject == nullptr || text == nullptr || html == nullptr) {
    return core::invalid("The mail.send payload is not a message.");
  }
  return Message{.to = *to, .subject = *subject, .text_body = *text, .html_body = *html};
}

class MailQueueImpl final : public MailQueue {
 public:
  explicit MailQueueImpl(jobs::JobQueue& jobs) : jobs_(jobs) {}

  core::Status enqueue(const Message& message) override {
    if (auto valid = validate(message); !valid.ok()) return valid;
    auto id = jobs_.enqueue(kSendJobKind, to_payload(message), {.max_attempts = kSendAttempts});
    if (!id.ok()) return std::move(id).error();
    return {};
  }

  core::Status enqueue(db::Tx& transaction, const Message& message) override {
    if (auto valid = validate(message); !valid.ok()) return valid;
    auto id = jobs_.enqueue(transaction, kSendJobKind, to_payload(message),
                            {.max_attempts = kSendAttempts});
    if (!id.ok()) return std::move(id).error();
    return {};
  }

 private:
  jobs::JobQueue& jobs_;
};

}  // namespace

std::unique_ptr<MailQueue> make_mail_queue(jobs::JobQueue& jobs) {
  return std::make_unique<MailQueueImpl>(jobs);
}

void register_send_handler(jobs::JobQueue& jobs, Mailer& mailer) {
  jobs.register_handler(kSendJobKind, [&mailer](const jobs::Job& job) -> core::Status {
    auto message = from_payload(job.payload);
    if (!message.ok()) return std::move(message).error();
    return mailer.send(*message);
  });
}

}  // namespace mail
