#include "http/message.h"

#include "core/text.h"

#include <algorithm>
#include <cctype>

namespace http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

const std::string kEmpty;

}  // namespace

Method parse_method(std::string_view t) {
  if (t == "GET") return Method::kGet;
  if (t == "HEAD") return Method::kHead;
  if (t == "POST") return Method::kPost;
  if (t == "PUT") return Method::kPut;
  if (t == "PATCH") return Method::kPatch;
  if (t == "DELETE") return Method::kDelete;
  if (t == "OPTIONS") return Method::kOptions;
  return Method::kOther;
}

const char* method_name(Method m) {
  switch (m) {
    case Method::kGet: return "GET";
    case Method::kHead: return "HEAD";
    case Method::kPost: return "POST";
    case Method::kPut: return "PUT";
    case Method::kPatch: return "PATCH";
    case Method::kDelete: return "DELETE";
    case Method::kOptions: return "OPTIONS";
    case Method::kOther: return "OTHER";
  }
  return "OTHER";
}

const std::string* Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return &v;
  }
  return nullptr;
}

std::optional<std::string> Request::query(std::string_view key) const {
  for (auto& [k, v] : parse_form(query_string)) {
    if (k == key) return std::move(v);
  }
  return std::nullopt;
}

const std::string& Request::param(const std::string& name) const {
  const auto it = params.find(name);
  return it == params.end() ? kEmpty : it->second;
}

std::optional<std::string> Request::cookie(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (!iequals(k, "cookie")) continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      const auto semi = rest.find(';');
      std::string_view pair = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      const auto eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name)
        return std::string(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
}

bool Request::wants_html() const {
  const std::string* accept = header("accept");
  if (accept == nullptr) return false;
  const auto html = accept->find("text/html");
  if (html == std::string::npos) return false;
  const auto json = accept->find("application/json");
  return json == std::string::npos || html < json;
}

void Response::set_header(std::string name, std::string value) {
  for (auto& [k, v] : headers) {
    if (iequals(k, name)) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

void Response::add_header(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
}

const std::string* Response::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return &v;
  }
  return nullptr;
}

Response Response::json(int status, std::string body) {
  return text(status, std::move(body), "application/json");
}

Response Response::html(int status, std::string body) {
  return text(status, std::move(body), "text/html; charset=utf-8");
}

Response Response::text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", std::move(content_type));
  return r;
}

Response Response::redirect(std::string location, int status) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

Response Response::no_content() {
  Response r;
  r.status = 204;
  return r;
}

std::string url_decode(std::string_view text, bool plus_is_space) {
  return core::percent_decode(text, plus_is_space);
}

std::string url_encode(std::string_view text) { return core::percent_encode(text); }

std::vector<std::pair<std::string, std::string>> parse_form(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!text.empty()) {
    const auto amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(url_decode(pair, true), "");
    } else {
      out.emplace_back(url_decode(pair.substr(0, eq), true), url_decode(pair.substr(eq + 1), true));
    }
  }
  return out;
}

}  // namespace http
