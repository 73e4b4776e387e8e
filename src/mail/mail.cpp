#include "mail/mail.h"

#include <fmt/format.h>

#include "mail/mime.h"
#include "mail/outbox_mailer.h"
#include "mail/smtp_mailer.h"

namespace mail {

core::Result<std::unique_ptr<Mailer>> make_mailer(const MailerSettings& settings,
                                                  const core::Clock& clock,
                                                  core::IdGenerator& ids) {
  auto from = parse_mailbox(settings.from);
  if (!from.ok()) {
    return core::invalid(
        fmt::format("The mail sender (From) \"{}\" is not a valid mailbox.", settings.from));
  }
  if (settings.smtp_url.empty()) {
    return std::unique_ptr<Mailer>(
        std::make_unique<OutboxMailer>(settings.outbox_dir, std::move(from).value(), clock, ids));
  }
  if (!settings.smtp_url.starts_with("smtp://") && !settings.smtp_url.starts_with("smtps://")) {
    return core::invalid(fmt::format("The SMTP URL must start with smtp:// or smtps://, not \"{}\"",
                                     describe_transport(settings)));
  }
  return std::unique_ptr<Mailer>(
      std::make_unique<SmtpMailer>(settings, std::move(from).value(), clock, ids));
}

std::string describe_transport(const MailerSettings& settings) {
  if (settings.smtp_url.empty()) return "outbox " + settings.outbox_dir;
  // Drop any user:password@ part of the URL.
  const std::string& url = settings.smtp_url;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "(malformed SMTP URL)";
  const auto host_start = scheme_end + 3;
  const auto path = url.find('/', host_start);
  const auto at = url.rfind('@', path == std::string::npos ? url.size() : path);
  if (at == std::string::npos || at < host_start) return url;
  return url.substr(0, host_start) + url.substr(at + 1);
}

}  // namespace mail
