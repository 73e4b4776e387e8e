// Writes each message as an .eml file into a folder instead of sending it: the embedded default,
// so a local install needs no mail server. Private to src/mail/; built by make_mailer(). Safe for
// concurrent use.
#pragma once

#include <filesystem>

#include "core/ids.h"
#include "mail/mail.h"
#include "mail/mime.h"

namespace mail {

class OutboxMailer final : public Mailer {
 public:
  OutboxMailer(std::filesystem::path dir, Mailbox from, const core::Clock& clock,
               core::IdGenerator& ids);
  // Writes <dir>/<UTC time>-<id>.eml through a temporary file and a rename, so readers never
  // see half a message. Creates the folder when missing. unavailable: the file could not be
  // written; invalid: the message fails validate().
  core::Status send(const Message& message) override;

 private:
  std::filesystem::path dir_;
  Mailbox from_;
  const core::Clock& clock_;
  core::IdGenerator& ids_;
};

}  // namespace mail
