// Delivers mail to an SMTP server through libcurl (smtp:// and smtps://, optional required
// STARTTLS and AUTH). Private to src/mail/; built by make_mailer(). Safe for concurrent use: each
// send uses its own curl handle. Precondition: the binary's main called curl_global_init before
// starting any thread (app/main.cpp does).
#pragma once

#include "core/ids.h"
#include "mail/mail.h"
#include "mail/mime.h"

namespace mail {

class SmtpMailer final : public Mailer {
 public:
  SmtpMailer(MailerSettings settings, Mailbox from, const core::Clock& clock,
             core::IdGenerator& ids);
  // unavailable: connection, TLS, authentication or a temporary (4xx) refusal; invalid: the
  // message fails validate() or the server refuses the recipient permanently (5xx).
  core::Status send(const Message& message) override;

 private:
  MailerSettings settings_;
  Mailbox from_;
  const core::Clock& clock_;
  core::IdGenerator& ids_;
};

}  // namespace mail
