#include "mail/mail_test_support.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace mail::testing {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string base64_decode(std::string_view in) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    if (c >= '0' && c <= '9') v = c - '0' + 52;
    if (c == '+') v = 62;
    if (c == '/') v = 63;
    if (v < 0) continue;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

// Splits at the first empty line; unfolds and collects the headers.
bool split_head(std::string_view raw, std::map<std::string, std::string>& headers,
                std::string_view& body, std::string& error) {
  auto end = raw.find("\r\n\r\n");
  size_t sep = 4;
  if (end == std::string_view::npos) {
    end = raw.find("\n\n");
    sep = 2;
  }
  if (end == std::string_view::npos) {
    error = "no empty line after the headers";
    return false;
  }
  std::string head(raw.substr(0, end));
  body = raw.substr(end + sep);
  std::erase(head, '\r');
  std::istringstream lines(head);
  std::string line, name;
  while (std::getline(lines, line)) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      if (name.empty()) {
        error = "a continuation line before any header";
        return false;
      }
      headers[name] += line;
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0) {
      error = "a header line without a name: " + line;
      return false;
    }
    name = lower(line.substr(0, colon));
    headers[name] = std::string(trim(line.substr(colon + 1)));
  }
  return true;
}

std::string param(const std::string& header_value, const std::string& name) {
  const auto at = lower(header_value).find(name + "=");
  if (at == std::string::npos) return {};
  std::string v = header_value.substr(at + name.size() + 1);
  if (!v.empty() && v[0] == '"') return v.substr(1, v.find('"', 1) - 1);
  return v.substr(0, v.find_first_of("; \t"));
}

std::string decode_body(std::string_view body, const std::map<std::string, std::string>& h) {
  auto it = h.find("content-transfer-encoding");
  const std::string cte = it == h.end() ? "" : lower(it->second);
  std::string decoded = cte == "quoted-printable" ? decode_quoted_printable(body)
                        : cte == "base64"         ? base64_decode(body)
                                                  : std::string(body);
  std::erase(decoded, '\r');
  return decoded;
}

}  // namespace

std::string ParsedMessage::header(const std::string& lower_case_name) const {
  auto it = headers.find(lower_case_name);
  return it == headers.end() ? "" : decode_encoded_words(it->second);
}

std::string decode_quoted_printable(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '=') {
      out += text[i];
      continue;
    }
    if (i + 2 < text.size() && text[i + 1] == '\r' && text[i + 2] == '\n') {
      i += 2;  // soft line break
    } else if (i + 1 < text.size() && text[i + 1] == '\n') {
      i += 1;
    } else if (i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += '=';
    }
  }
  return out;
}

std::string decode_encoded_words(std::string_view text) {
  std::string out;
  size_t i = 0;
  bool after_word = false;
  while (i < text.size()) {
    const auto start = text.find("=?", i);
    if (start == std::string_view::npos) {
      out += text.substr(i);
      break;
    }
    const auto q1 = text.find('?', start + 2);
    const auto q2 = q1 == std::string_view::npos ? q1 : text.find('?', q1 + 1);
    const auto end = q2 == std::string_view::npos ? q2 : text.find("?=", q2 + 1);
    if (end == std::string_view::npos) {
      out += text.substr(i);
      break;
    }
    const std::string_view between = text.substr(i, start - i);
    // Whitespace between two encoded words is folding, not content.
    if (!(after_word && trim(between).empty())) out += between;
    const char encoding = static_cast<char>(std::toupper(text[q1 + 1]));
    const std::string_view data = text.substr(q2 + 1, end - q2 - 1);
    if (encoding == 'B') {
      out += base64_decode(data);
    } else {
      std::string q(data);
      std::replace(q.begin(), q.end(), '_', ' ');
      out += decode_quoted_printable(q);
    }
    after_word = true;
    i = end + 2;
  }
  return out;
}

std::optional<ParsedMessage> parse_message(std::string_view raw, std::string& error) {
  ParsedMessage m;
  std::string_view body;
  if (!split_head(raw, m.headers, body, error)) return std::nullopt;
  const std::string type = m.headers.count("content-type") ? m.headers["content-type"] : "";
  m.content_type = lower(std::string(trim(type.substr(0, type.find(';')))));
  if (m.content_type == "text/plain") {
    m.text = decode_body(body, m.headers);
    return m;
  }
  if (!m.content_type.starts_with("multipart/")) {
    error = "unexpected content type " + m.content_type;
    return std::nullopt;
  }
  const std::string boundary = param(type, "boundary");
  if (boundary.empty()) {
    error = "multipart without a boundary";
    return std::nullopt;
  }
  const std::string delimiter = "--" + boundary;
  std::string whole(body);
  std::erase(whole, '\r');
  if (whole.find("\n" + delimiter + "--") == std::string::npos) {
    error = "no closing boundary";
    return std::nullopt;
  }
  size_t pos = whole.find(delimiter);
  while (pos != std::string::npos) {
    const size_t start = whole.find('\n', pos);
    if (start == std::string::npos ||
        whole.compare(pos, delimiter.size() + 2, delimiter + "--") == 0)
      break;
    const size_t next = whole.find("\n" + delimiter, start);
    if (next == std::string::npos) break;
    const std::string part = whole.substr(start + 1, next - start - 1);
    std::map<std::string, std::string> part_headers;
    std::string_view part_body;
    if (!split_head(part, part_headers, part_body, error)) return std::nullopt;
    const std::string part_type = lower(part_headers["content-type"]);
    if (part_type.starts_with("text/plain")) m.text = decode_body(part_body, part_headers);
    if (part_type.starts_with("text/html")) m.html = decode_body(part_body, part_headers);
    pos = next + 1;
  }
  return m;
}

std::optional<ParsedMessage> wait_for_message(const std::filesystem::path& maildir,
                                              const std::string& subject,
                                              std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(maildir / "new", ec)) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream content;
      content << in.rdbuf();
      std::string error;
      auto parsed = parse_message(content.str(), error);
      if (parsed && parsed->header("subject") == subject) return parsed;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::vector<std::filesystem::path> eml_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".eml") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace mail::testing
