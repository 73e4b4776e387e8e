#include "mail/mime.h"

#include "core/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace mail {

namespace {

// Longest encoded word is 75 characters (RFC 2047 §2): "=?UTF-8?B?" + 60 base64 + "?=" = 72.
constexpr size_t kEncodedWordBytes = 45;
// Longest header text kept as is; longer text is encoded and folded.
constexpr size_t kPlainHeaderLimit = 900;
// Quoted-printable lines hold at most 76 characters, the soft break's "=" included.
constexpr size_t kQpLineLimit = 75;

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

bool printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

// atext of RFC 5322 plus space: a display name made of these needs no quotes.
bool plain_phrase(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view(" !#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
  });
}

std::string format_mailbox(const Mailbox& m) {
  if (m.display_name.empty()) return m.address;
  std::string name;
  if (plain_phrase(m.display_name) && m.display_name.find("=?") == std::string::npos) {
    name = m.display_name;
  } else if (printable_ascii(m.display_name)) {
    name = "\"";
    for (char c : m.display_name) {
      if (c == '"' || c == '\\') name += '\\';
      name += c;
    }
    name += '"';
  } else {
    name = encode_header_text(m.display_name);
  }
  return fmt::format("{} <{}>", name, m.address);
}

void encode_qp_line(std::string_view line, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  size_t column = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    const bool last = i + 1 == line.size();
    const bool literal = (c >= 33 && c <= 126 && c != '=' && !(c == '.' && column == 0)) ||
                         ((c == ' ' || c == '\t') && !last);
    std::array<char, 3> token{static_cast<char>(c), 0, 0};
    size_t length = 1;
    if (!literal) {
      token = {'=', kHex[c >> 4], kHex[c & 15]};
      length = 3;
    }
    if (column + length > kQpLineLimit) {
      out += "=\r\n";
      column = 0;
      if (c == '.') {
        token = {'=', '2', 'E'};
        length = 3;
      }
    }
    out.append(token.data(), length);
    column += length;
  }
}

}  // namespace

bool valid_address(std::string_view address) {
  const auto at = address.find('@');
  if (at == std::string_view::npos || at == 0 || address.find('@', at + 1) != std::string::npos)
    return false;
  const std::string_view local = address.substr(0, at);
  const std::string_view domain = address.substr(at + 1);
  if (local.size() > 64 || domain.empty() || domain.size() > 253) return false;
  for (char c : local) {
    if (c < 33 || c > 126 || std::string_view("<>()[],;:\\\"").find(c) != std::string::npos)
      return false;
  }
  if (domain.front() == '.' || domain.back() == '.' || domain.front() == '-') return false;
  return std::all_of(domain.begin(), domain.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
  });
}

core::Result<Mailbox> parse_mailbox(std::string_view text) {
  text = trim(text);
  Mailbox m;
  const auto open = text.rfind('<');
  if (!text.empty() && text.back() == '>' && open != std::string_view::npos) {
    std::string_view name = trim(text.substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
      name = name.substr(1, name.size() - 2);
    m.display_name = std::string(name);
    m.address = std::string(text.substr(open + 1, text.size() - open - 2));
  } else {
    m.address = std::string(text);
  }
  if (!valid_address(m.address) || m.display_name.find_first_of("\r\n") != std::string::npos)
    return core::invalid(fmt::format("\"{}\" is not an e-mail address.", text));
  return m;
}

core::Status validate(const Message& message) {
  const auto field_error = [](const char* field, const char* text) {
    core::Error e = core::invalid(text);
    e.details.push_back({.field = field, .message = text});
    return e;
  };
  if (!valid_address(message.to)) return field_error("to", "The recipient is not an address.");
  if (message.subject.empty() || message.subject.find_first_of("\r\n") != std::string::npos)
    return field_error("subject", "The subject must be one non-empty line.");
  if (message.text_body.empty()) return field_error("text_body", "The text part is empty.");
  return {};
}

std::string encode_header_text(std::string_view text) {
  if (printable_ascii(text) && text.size() <= kPlainHeaderLimit &&
      text.find("=?") == std::string_view::npos) {
    return std::string(text);
  }
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(text.size(), start + kEncodedWordBytes);
    // Back up to the first byte of a UTF-8 sequence so no character is split across words.
    while (end < text.size() && end > start + 1 &&
           (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) {
      --end;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + core::base64_encode(text.substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

std::string quoted_printable(std::string_view text) {
  std::string out;
  size_t start = 0;
  while (true) {
    const size_t nl = text.find('\n', start);
    std::string_view line =
        text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    encode_qp_line(line, out);
    if (nl == std::string_view::npos) break;
    out += "\r\n";
    start = nl + 1;
  }
  return out;
}

std::string rfc5322_date(core::TimePoint t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::string iso = core::format_rfc3339(t);  // YYYY-MM-DDTHH:MM:SS.mmmZ
  const long long seconds = core::unix_seconds(t);
  long long days = seconds / 86400;
  if (seconds % 86400 < 0) --days;
  const long long weekday = ((days + 4) % 7 + 7) % 7;  // 1970-01-01 was a Thursday
  const int month = std::stoi(iso.substr(5, 2));
  return fmt::format("{}, {} {} {} {} +0000", kDays[weekday], iso.substr(8, 2), kMonths[month - 1],
                     iso.substr(0, 4), iso.substr(11, 8));
}

Envelope make_envelope(const Mailbox& from, core::TimePoint now, const std::string& id) {
  const std::string domain = from.address.substr(from.address.find('@') + 1);
  return Envelope{.from = from,
                  .date = now,
                  .message_id = id + "@" + domain,
                  // "=_" never occurs in quoted-printable text, so no body can contain it.
                  .boundary = "=_ml_" + id};
}

std::string build_message(const Message& message, const Envelope& envelope) {
  std::string out;
  out += "From: " + format_mailbox(envelope.from) + "\r\n";
  out += "To: " + message.to + "\r\n";
  out += "Subject: " + encode_header_text(message.subject) + "\r\n";
  out += "Date: " + rfc5322_date(envelope.date) + "\r\n";
  out += "Message-ID: <" + envelope.message_id + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  constexpr const char* kPartHeaders =
      "Content-Type: text/{}; charset=UTF-8\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n";
  if (message.html_body.empty()) {
    out += fmt::format(kPartHeaders, "plain");
    out += "\r\n" + quoted_printable(message.text_body) + "\r\n";
    return out;
  }
  const std::string& b = envelope.boundary;
  out += "Content-Type: multipart/alternative; boundary=\"" + b + "\"\r\n";
  out += "\r\nThis is a multi-part message in MIME format.\r\n";
  out += "\r\n--" + b + "\r\n" + fmt::format(kPartHeaders, "plain") + "\r\n";
  out += quoted_printable(message.text_body);
  out += "\r\n--" + b + "\r\n" + fmt::format(kPartHeaders, "html") + "\r\n";
  out += quoted_printable(message.html_body);
  out += "\r\n--" + b + "--\r\n";
  return out;
}

}  // namespace mail
