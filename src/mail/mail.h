// Outgoing e-mail. A Message is plain data; a Mailer delivers it now (SMTP through libcurl, or
// an .eml file in an outbox folder when no SMTP server is configured). Request handlers never
// call a Mailer directly: they queue messages with MailQueue, which a background job delivers
// with retries, so sending never blocks or fails a request. docs/jobs.md describes delivery.
//
// Every message goes out as MIME: multipart/alternative with a plain-text and an HTML part (or
// plain text alone when html_body is empty), UTF-8, quoted-printable bodies, RFC 2047 encoded
// words for a non-ASCII subject, and Date, Message-ID and From headers. html_email.h gives the
// HTML part the product's look.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/result.h"

namespace db {
class Tx;
}
namespace core {
class IdGenerator;
}
namespace jobs {
class JobQueue;
}

namespace mail {

struct Message {
  std::string to;  // one address: local@domain
  std::string subject;
  std::string text_body;  // plain-text part
  std::string html_body;  // HTML part (the product's look); may be empty
};

// Whether `message` can be sent at all: a plausible recipient address, a subject without line
// breaks and some body. invalid otherwise, naming the field.
core::Status validate(const Message& message);

// Delivers one message now. Implementations are safe for concurrent use.
class Mailer {
 public:
  virtual ~Mailer() = default;
  // unavailable: the server could not be reached or refused for now (retry later);
  // invalid: the message can never be delivered (bad address).
  virtual core::Status send(const Message& message) = 0;
};

struct MailerSettings {
  std::string smtp_url;   // smtp://host:port or smtps://host:port; empty = outbox folder
  std::string username;   // optional SMTP auth
  std::string password;   // never logged
  bool starttls = false;  // require STARTTLS on smtp:// (fail rather than send in clear text)
  std::string from = "Marketlink <no-reply@marketlink.localhost>";
  std::string outbox_dir = "./var/outbox";
  // SMTP: time to connect, and time for a whole delivery.
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds send_timeout{60'000};
};

// The SMTP mailer when settings.smtp_url is set, else the outbox mailer, which writes each
// message atomically (temporary file, then rename) to outbox_dir as <time>-<id>.eml. The clock
// dates messages and the id generator makes Message-IDs; both must outlive the mailer.
// invalid: a malformed From or an smtp_url that is neither smtp:// nor smtps://.
core::Result<std::unique_ptr<Mailer>> make_mailer(const MailerSettings& settings,
                                                  const core::Clock& clock, core::IdGenerator& ids);

// "smtp://host:port" without credentials, or "outbox ./var/outbox": safe for logs and pages.
std::string describe_transport(const MailerSettings& settings);

// The job kind that delivers queued mail.
inline constexpr const char* kSendJobKind = "mail.send";
// Attempts of a mail.send job. With the queue's default backoff (2 s doubling, capped at an hour,
// full jitter) they spread over about 2.5 hours on average and 5 at most, which rides out a
// mail server's restart or a short outage.
inline constexpr int kSendAttempts = 16;

// Queues messages for delivery by the `mail.send` job (see jobs/job_queue.h). Safe for concurrent
// use.
class MailQueue {
 public:
  virtual ~MailQueue() = default;
  // invalid: see validate(); unavailable/internal: the queue's database failed.
  virtual core::Status enqueue(const Message& message) = 0;
  // The same inside the caller's open transaction (from db::Database::transact), so
  // the mail goes out if and only if the caller's writes commit. Database exceptions propagate
  // to that transact() (see jobs::JobQueue::enqueue).
  virtual core::Status enqueue(db::Tx& transaction, const Message& message) = 0;
};

// A MailQueue storing messages as mail.send jobs on `jobs`, which must outlive it.
std::unique_ptr<MailQueue> make_mail_queue(jobs::JobQueue& jobs);

// Registers the mail.send handler on `jobs`: it delivers through `mailer` (which must outlive the
// queue's workers); unavailable retries with backoff, invalid makes the job dead at once.
void register_send_handler(jobs::JobQueue& jobs, Mailer& mailer);

}  // namespace mail
