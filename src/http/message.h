// Request and Response: the HTTP messages route handlers see. They carry no Beast types, so
// handlers (in web/ and the modules' route files) stay independent of the server's internals.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

Method parse_method(std::string_view text);
const char* method_name(Method m);

using Headers = std::vector<std::pair<std::string, std::string>>;  // names lower-case

struct Request {
  Method method = Method::kGet;
  std::string target;        // as received: path and query
  std::string path;          // decoded-free raw path, without the query
  std::string query_string;  // after '?', raw
  Headers headers;
  std::string body;
  std::string remote_ip;
  std::string request_id;                     // X-Request-Id received (when sane) or generated
  std::string route;                          // the matched route pattern, e.g. "/orgs/{org}/pool"
  std::map<std::string, std::string> params;  // path parameters, percent-decoded

  // The first header with that name (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
  // A query parameter, percent-decoded ('+' is a space), or nullopt.
  std::optional<std::string> query(std::string_view key) const;
  // The path parameter, or "" when the route has none of that name.
  const std::string& param(const std::string& name) const;
  // A cookie's value, or nullopt.
  std::optional<std::string> cookie(std::string_view name) const;
  // True when the client prefers HTML (a browser) over JSON.
  bool wants_html() const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  // Replaces any header of that name.
  void set_header(std::string name, std::string value);
  // Adds a header even if one of that name exists (Set-Cookie).
  void add_header(std::string name, std::string value);
  const std::string* header(std::string_view name) const;

  static Response json(int status, std::string body);
  static Response html(int status, std::string body);
  static Response text(int status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
  static Response redirect(std::string location, int status = 303);
  static Response no_content();
};

// Percent-decoding; `plus_is_space` for application/x-www-form-urlencoded.
std::string url_decode(std::string_view text, bool plus_is_space = false);
// Percent-encoding of everything but unreserved characters (RFC 3986).
std::string url_encode(std::string_view text);
// Parses "a=1&b=2" (form bodies and query strings), decoding both sides. Repeated keys are kept.
std::vector<std::pair<std::string, std::string>> parse_form(std::string_view text);

}  // namespace http
