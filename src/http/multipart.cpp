#include "http/multipart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>

namespace http {

namespace {

core::Error malformed(std::string message) {
  return core::invalid(std::move(message), "invalid_multipart");
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 2046's bchars, without the space it allows only inside.
bool boundary_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

// Parameters of a header value after its first ';': name=token or name="quoted \" string".
// Names are lower-cased. nullopt when malformed.
std::optional<std::vector<std::pair<std::string, std::string>>> parameters(std::string_view rest) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t i = 0;
  while (i < rest.size()) {
    while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t' || rest[i] == ';')) ++i;
    if (i >= rest.size()) break;
    const size_t eq = rest.find('=', i);
    if (eq == std::string_view::npos) return std::nullopt;
    std::string name = lower(trim(rest.substr(i, eq - i)));
    if (name.empty()) return std::nullopt;
    i = eq + 1;
    while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
    std::string value;
    if (i < rest.size() && rest[i] == '"') {
      ++i;
      bool closed = false;
      while (i < rest.size()) {
        const char c = rest[i++];
        if (c == '\\' && i < rest.size()) {
          value += rest[i++];
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          value += c;
        }
      }
      if (!closed) return std::nullopt;
    } else {
      const size_t end = rest.find(';', i);
      value = std::string(trim(rest.substr(i, end == std::string_view::npos ? end : end - i)));
      i = end == std::string_view::npos ? rest.size() : end;
    }
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

}  // namespace

core::Result<std::string> multipart_boundary(std::string_view content_type) {
  const size_t semi = content_type.find(';');
  if (lower(trim(content_type.substr(0, semi))) != "multipart/form-data") {
    return malformed("Send the form as multipart/form-data.");
  }
  if (semi == std::string_view::npos) return malformed("The multipart boundary is missing.");
  const auto params = parameters(content_type.substr(semi + 1));
  if (!params) return malformed("The Content-Type parameters are malformed.");
  for (const auto& [name, value] : *params) {
    if (name != "boundary") continue;
    if (value.empty() || value.size() > 70 || value.back() == ' ' ||
        !std::all_of(value.begin(), value.end(), boundary_char)) {
      return malformed("The multipart boundary is malformed.");
    }
    return value;
  }
  return malformed("The multipart boundary is missing.");
}

core::Result<std::vector<MultipartPart>> parse_multipart(std::string_view content_type,
                                                         std::string_view body,
                                                         const MultipartLimits& limits) {
  auto boundary = multipart_boundary(content_type);
  if (!boundary.ok()) return boundary.error();
  const std::string dash = "--" + *boundary;
  const std::string delimiter = "\r\n" + dash;

  // The first delimiter: at the very start, or after a preamble ending in CRLF.
  size_t pos = 0;
  if (body.substr(0, dash.size()) != dash) {
    pos = body.find(delimiter);
    if (pos == std::string_view::npos) return malformed("The multipart body has no parts.");
    pos += 2;
  }
  pos += dash.size();

  std::vector<MultipartPart> parts;
  for (;;) {
    // After a delimiter: "--" ends the body, CRLF starts a part.
    if (body.substr(pos, 2) == "--") return parts;
    size_t line_end = pos;
    while (line_end < body.size() && (body[line_end] == ' ' || body[line_end] == '\t')) {
      ++line_end;
    }
    if (body.substr(line_end, 2) != "\r\n") {
      return malformed("A multipart delimiter is not followed by CRLF.");
    }
    pos = line_end + 2;
    if (parts.size() >= limits.max_parts) {
      return core::invalid(fmt::format("The form has more than {} parts.", limits.max_parts),
                           "too_large");
    }

    // Headers, up to an empty line.
    const size_t headers_end = body.find("\r\n\r\n", pos);
    const bool no_headers = body.substr(pos, 2) == "\r\n";
    const size_t block_end = no_headers ? pos : headers_end;
    if (!no_headers && headers_end == std::string_view::npos) {
      return malformed("A part's headers do not end.");
    }
    if (block_end - pos > limits.max_header_bytes) {
      return core::invalid("A part's headers are too long.", "too_large");
    }
    MultipartPart part;
    bool has_disposition = false;
    std::string_view headers = body.substr(pos, block_end - pos);
    while (!headers.empty()) {
      const size_t eol = headers.find("\r\n");
      std::string_view line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
      if (line.find('\n') != std::string_view::npos || line.find('\r') != std::string_view::npos) {
        return malformed("A part's headers have a bare line break.");
      }
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0) {
        return malformed("A part has a malformed header.");
      }
      const std::string name = lower(trim(line.substr(0, colon)));
      const std::string_view value = trim(line.substr(colon + 1));
      if (name == "content-disposition") {
        const size_t semi = value.find(';');
        if (lower(trim(value.substr(0, semi))) != "form-data") {
          return malformed("A part is not form-data.");
        }
        const auto params = parameters(semi == std::string_view::npos ? std::string_view()
                                                                      : value.substr(semi + 1));
        if (!params) return malformed("A part's Content-Disposition is malformed.");
        for (const auto& [k, v] : *params) {
          if (k == "name") {
            part.name = v;
            has_disposition = true;
          } else if (k == "filename") {
            part.filename = v;
          }
        }
      } else if (name == "content-type") {
        part.content_type = std::string(value);
      }
    }
    if (!has_disposition || part.name.empty()) {
      return malformed("A part has no Content-Disposition name.");
    }
    pos = block_end + (no_headers ? 2 : 4);

    // The body, up to the next delimiter.
    const size_t next = body.find(delimiter, pos);
    if (next == std::string_view::npos) {
      return body.size() - pos > limits.max_part_bytes
                 ? core::invalid("The uploaded file is too large.", "too_large")
                 : malformed("The multipart body has no final delimiter.");
    }
    if (next - pos > limits.max_part_bytes) {
      return core::invalid("The uploaded file is too large.", "too_large");
    }
    part.body = body.substr(pos, next - pos);
    parts.push_back(std::move(part));
    pos = next + delimiter.size();
  }
}

const MultipartPart* find_part(const std::vector<MultipartPart>& parts, std::string_view name) {
  for (const MultipartPart& p : parts) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace http
