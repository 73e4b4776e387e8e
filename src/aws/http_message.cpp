#include "aws/http_message.h"

#include "core/text.h"

#include <algorithm>
#include <cctype>

namespace aws {

namespace {

std::optional<std::string_view> find_header(const std::vector<Header>& headers,
                                            std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

void replace_header(std::vector<Header>& headers, std::string_view name, std::string value) {
  std::erase_if(headers, [&](const Header& h) { return iequals(h.first, name); });
  headers.emplace_back(std::string(name), std::move(value));
}

}  // namespace

std::optional<std::string_view> HttpRequest::header(std::string_view name) const {
  return find_header(headers, name);
}

void HttpRequest::set_header(std::string_view name, std::string value) {
  replace_header(headers, name, std::move(value));
}

void HttpRequest::remove_header(std::string_view name) {
  std::erase_if(headers, [&](const Header& h) { return iequals(h.first, name); });
}

std::string HttpRequest::target() const {
  if (query.empty()) return path;
  return path + "?" + format_query_string(query);
}

std::optional<std::string_view> HttpResponse::header(std::string_view name) const {
  return find_header(headers, name);
}

void HttpResponse::set_header(std::string_view name, std::string value) {
  replace_header(headers, name, std::move(value));
}

std::string uri_encode(std::string_view text, bool keep_slash) {
  return core::percent_encode(text, keep_slash);
}

std::string percent_decode(std::string_view text, bool plus_as_space) {
  return core::percent_decode(text, plus_as_space);
}

std::vector<QueryParam> parse_query_string(std::string_view text) {
  std::vector<QueryParam> out;
  while (!text.empty()) {
    const size_t amp = text.find('&');
    const std::string_view part = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(percent_decode(part, true), std::string());
    } else {
      out.emplace_back(percent_decode(part.substr(0, eq), true),
                       percent_decode(part.substr(eq + 1), true));
    }
  }
  return out;
}

std::string format_query_string(const std::vector<QueryParam>& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out.push_back('&');
    out += uri_encode(k);
    out.push_back('=');
    out += uri_encode(v);
  }
  return out;
}

void split_target(std::string_view target, std::string& path, std::vector<QueryParam>& query) {
  const size_t q = target.find('?');
  path = std::string(target.substr(0, q));
  query = q == std::string_view::npos ? std::vector<QueryParam>{}
                                      : parse_query_string(target.substr(q + 1));
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace aws
