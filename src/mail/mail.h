// Outgoing e-mail. A Message is plain data; a Mailer delivers it now (SMTP through libcurl, or
// an .eml file in an outbox folder when no SMTP server is configured). Request handlers never
// call a Mailer directly: they queue messages with MailQueue, which a background job delivers
// with retries, so sending never blocks or fails a request.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"

namespace mail {

struct Message {
  std::string to;  // one address
  std::string subject;
  std::string text_body;  // plain-text part
  std::string html_body;  // HTML part (the product's look); may be empty
};

// Delivers one message now. Implementations are safe for concurrent use.
class Mailer {
 public:
  virtual ~Mailer() = default;
  // unavailable: the server could not be reached or refused for now (retry later);
  // invalid: the message can never be delivered (bad address).
  virtual core::Status send(const Message& message) = 0;
};

struct MailerSettings {
  std::string smtp_url;  // smtp://host:port or smtps://host:port; empty = outbox folder
  std::string username;  // optional SMTP auth
  std::string password;
  bool starttls = false;  // require STARTTLS on smtp://
  std::string from = "Marketlink <no-reply@marketlink.localhost>";
  std::string outbox_dir = "./var/outbox";
};

std::unique_ptr<Mailer> make_mailer(const MailerSettings& settings);

// Queues messages for delivery by the `mail.send` job (see jobs/jobs.h).
class MailQueue {
 public:
  virtual ~MailQueue() = default;
  virtual core::Status enqueue(const Message& message) = 0;
};

}  // namespace mail
