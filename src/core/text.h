// Text encodings shared by every module: HTML/XML escaping and base64. Pure functions, safe from
// any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace core {

// Escapes & < > " ' for HTML element content and attribute values.
std::string escape_html(std::string_view text);
// Escapes & < > " ' and CR for XML text and attributes (CR would otherwise be normalized away).
std::string escape_xml(std::string_view text);

// Percent-encoding of everything but the unreserved characters A-Z a-z 0-9 - _ . ~ (RFC 3986),
// upper-case hex; with `keep_slash`, '/' stays as it is.
std::string percent_encode(std::string_view text, bool keep_slash = false);
// Decodes %XX (malformed escapes are kept as they are); with `plus_is_space`, '+' is a space
// (application/x-www-form-urlencoded).
std::string percent_decode(std::string_view text, bool plus_is_space = false);

// Standard base64 with padding (RFC 4648 §4).
std::string base64_encode(std::string_view bytes);
// URL-safe base64 without padding (RFC 4648 §5).
std::string base64url_encode(std::string_view bytes);
// Standard base64 with padding; nullopt when `text` is not well formed.
std::optional<std::string> base64_decode(std::string_view text);

// `text` without leading and trailing ASCII whitespace (space, \t, \n, \v, \f, \r).
std::string_view trim(std::string_view text);
// 1234567 → "1,234,567" (and -1234 → "-1,234"), for people reading counts.
std::string group_thousands(long long n);
// A count and its noun: (1, "account", "accounts") → "1 account", 1234 → "1,234 accounts".
std::string count_of(long long n, std::string_view one, std::string_view many);
// The first `shown` items joined with ", ", then " and N more": "111…, 222… and 3 more".
std::string join_first(const std::vector<std::string>& items, size_t shown);

}  // namespace core
