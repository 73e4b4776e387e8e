// HttpRequest and HttpResponse: the wire-level representation every part of the AWS layer shares.
// The codecs produce and consume them, SigV4 signs and verifies them, the transport sends them,
// and the simulator receives them. Plain values; no I/O, safe to use from any thread.
//
// Paths are kept exactly as they travel on the wire (percent-encoded), because SigV4 canonicalizes
// the encoded form. Query parameters are kept decoded, in order, repeats allowed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aws {

using Header = std::pair<std::string, std::string>;
using QueryParam = std::pair<std::string, std::string>;

struct HttpRequest {
  std::string method = "GET";
  std::string path = "/";         // as on the wire: percent-encoded, without the query string
  std::vector<QueryParam> query;  // decoded name/value pairs, wire order
  std::vector<Header> headers;    // names as given; lookups ignore case; repeats allowed
  std::string body;

  // First value of the header `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
  // Replaces every header called `name` (case-insensitive) by one with `value`.
  void set_header(std::string_view name, std::string value);
  void remove_header(std::string_view name);
  // The path followed by "?" and the encoded query, as sent in the request line.
  std::string target() const;
};

struct HttpResponse {
  int status = 200;
  std::vector<Header> headers;
  std::string body;

  std::optional<std::string_view> header(std::string_view name) const;
  void set_header(std::string_view name, std::string value);
};

// Percent-encodes every byte except A-Z a-z 0-9 - _ . ~ (and '/' when keep_slash), with
// upper-case hex: the encoding SigV4 and the AWS query protocol use.
std::string uri_encode(std::string_view text, bool keep_slash = false);
// Decodes %XX sequences (invalid ones are kept as they are); '+' becomes a space when
// `plus_as_space` (form bodies and query strings).
std::string percent_decode(std::string_view text, bool plus_as_space);

// Parses "a=1&b=&c" (a query string or an application/x-www-form-urlencoded body) into decoded
// pairs. A name without '=' gets an empty value; empty segments are skipped.
std::vector<QueryParam> parse_query_string(std::string_view text);
// The inverse: "a=1&b=" with uri_encode on names and values, in the given order.
std::string format_query_string(const std::vector<QueryParam>& params);

// Splits a request target ("/path?query") into the wire path and decoded query parameters.
void split_target(std::string_view target, std::string& path, std::vector<QueryParam>& query);

bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view text);

}  // namespace aws
