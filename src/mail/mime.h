// Building RFC 5322 / MIME messages. Private to src/mail/; exposed for tests.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "mail/mail.h"

namespace mail {

// "Display Name <local@domain>" or "local@domain".
struct Mailbox {
  std::string display_name;  // may be empty
  std::string address;
};
core::Result<Mailbox> parse_mailbox(std::string_view text);
// local@domain in printable ASCII, no spaces, brackets, quotes or separators.
bool valid_address(std::string_view address);

// `text` unchanged when it is short printable ASCII, else RFC 2047 "B" encoded words of UTF-8
// (never splitting a character), folded onto continuation lines.
std::string encode_header_text(std::string_view text);
// Quoted-printable (RFC 2045) with CRLF line ends and lines of at most 76 characters. A dot that
// starts a line is encoded too, so no transport ever needs to stuff it.
std::string quoted_printable(std::string_view text);
// "Sun, 01 Mar 2026 10:00:00 +0000".
std::string rfc5322_date(core::TimePoint t);

struct Envelope {
  Mailbox from;
  core::TimePoint date;
  std::string message_id;  // without angle brackets: "id@domain"
  std::string boundary;    // for the multipart body; must not occur in it
};
// The whole message, CRLF line ends, ready for SMTP DATA or an .eml file. Assumes
// validate(message) passed.
std::string build_message(const Message& message, const Envelope& envelope);

// Builds an envelope from a From mailbox, the clock and a fresh id.
Envelope make_envelope(const Mailbox& from, core::TimePoint now, const std::string& id);

}  // namespace mail
