#include <fmt/format.h>
#include <openssl/evp.h>

#include <cmath>
#include <limits>

#include "aws/codec_internal.h"

namespace aws {

namespace detail {

std::string format_iso8601(core::TimePoint t) {
  std::string s = core::format_rfc3339(t);  // always with milliseconds
  if (s.size() > 5 && s.compare(s.size() - 5, 5, ".000Z") == 0) s.replace(s.size() - 5, 5, "Z");
  return s;
}

std::optional<core::TimePoint> parse_timestamp_text(std::string_view text) {
  // Epoch seconds: an optional minus, digits, an optional fraction.
  std::string_view digits = text.starts_with('-') ? text.substr(1) : text;
  const size_t dot = digits.find('.');
  const std::string_view whole = digits.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : digits.substr(dot + 1);
  const bool numeric = !whole.empty() &&
                       whole.find_first_not_of("0123456789") == std::string_view::npos &&
                       fraction.find_first_not_of("0123456789") == std::string_view::npos;
  if (numeric) {
    const std::string t(text);
    char* end = nullptr;
    const double seconds = std::strtod(t.c_str(), &end);
    if (end != t.c_str() + t.size()) return std::nullopt;
    return from_epoch_seconds(seconds);
  }
  return core::parse_rfc3339(text);
}

json epoch_seconds(core::TimePoint t) {
  const long long ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  if (ms % 1000 == 0) return json(ms / 1000);
  return json(static_cast<double>(ms) / 1000.0);
}

core::TimePoint from_epoch_seconds(double seconds) {
  return core::TimePoint(std::chrono::milliseconds(std::llround(seconds * 1000.0)));
}

std::string format_double(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string join_key(std::string_view prefix, std::string_view name) {
  if (prefix.empty()) return std::string(name);
  return std::string(prefix) + "." + std::string(name);
}

std::string list_base(const std::string& key, const Names& names) {
  if (!(names.flags & kFlattened)) {
    return key + "." + std::string(names.item.empty() ? "member" : names.item);
  }
  if (names.item.empty()) return key;
  const size_t dot = key.rfind('.');
  return (dot == std::string::npos ? std::string() : key.substr(0, dot + 1)) +
         std::string(names.item);
}

bool has_key_or_prefix(const ParamMap& params, const std::string& key) {
  if (params.count(key)) return true;
  const std::string prefix = key + ".";
  auto it = params.lower_bound(prefix);
  return it != params.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

core::Result<json> parse_json_body(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return json::object();
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return core::invalid("the body is not valid JSON");
  if (!j.is_object()) return core::invalid("the body is not a JSON object");
  return j;
}

std::string json_text(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

ParamMap form_params(const HttpRequest& request) {
  ParamMap params;
  for (auto& [k, v] : request.query) params.emplace(k, v);
  for (auto& [k, v] : parse_query_string(request.body)) params.emplace(std::move(k), std::move(v));
  return params;
}

core::Error decode_error(std::string_view op, const DecodeContext& ctx) {
  return core::invalid(fmt::format("{}: {}", op, ctx.error));
}

HttpResponse json_response(std::string body, std::string_view content_type,
                           std::string_view request_id) {
  HttpResponse r;
  r.headers = {{"Content-Type", std::string(content_type)},
               {"x-amzn-RequestId", std::string(request_id)}};
  r.body = std::move(body);
  return r;
}

}  // namespace detail

namespace {

std::string s3_operation(const HttpRequest& request) {
  std::string_view path = request.path;
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  const size_t slash = path.find('/');
  const bool has_key = slash != std::string_view::npos && slash + 1 < path.size();
  auto has_param = [&](std::string_view name) {
    for (const auto& [k, v] : request.query) {
      if (k == name) return true;
    }
    return false;
  };
  const std::string& m = request.method;
  if (path.empty()) return m == "GET" ? "ListBuckets" : "";
  if (has_key) {
    if (m == "PUT") return "PutObject";
    if (m == "GET") return "GetObject";
    if (m == "HEAD") return "HeadObject";
    if (m == "DELETE") return "DeleteObject";
    return "";
  }
  if (has_param("policy")) {
    if (m == "PUT") return "PutBucketPolicy";
    if (m == "GET") return "GetBucketPolicy";
    if (m == "DELETE") return "DeleteBucketPolicy";
    return "";
  }
  if (has_param("location") && m == "GET") return "GetBucketLocation";
  if (m == "PUT") return "CreateBucket";
  if (m == "HEAD") return "HeadBucket";
  if (m == "DELETE") return "DeleteBucket";
  if (m == "GET") return has_param("list-type") ? "ListObjectsV2" : "ListObjects";
  return "";
}

}  // namespace

core::Result<std::string> operation_name(Service service, const HttpRequest& request) {
  const ServiceInfo& info = service_info(service);
  switch (info.protocol) {
    case Protocol::kJson: {
      const auto target = request.header("X-Amz-Target");
      if (!target) return core::invalid("missing X-Amz-Target header", "unknown_operation");
      const std::string prefix = std::string(info.target_prefix) + ".";
      if (target->substr(0, prefix.size()) != prefix || target->size() == prefix.size()) {
        return core::invalid(fmt::format("unknown X-Amz-Target '{}'", *target),
                             "unknown_operation");
      }
      return std::string(target->substr(prefix.size()));
    }
    case Protocol::kQuery: {
      const auto params = detail::form_params(request);
      auto it = params.find("Action");
      if (it == params.end() || it->second.empty()) {
        return core::invalid("missing Action parameter", "unknown_operation");
      }
      return it->second;
    }
    case Protocol::kRestJson: {
      std::string_view path = request.path;
      if (request.method != "POST" || path.size() < 2 || path.front() != '/' ||
          path.find('/', 1) != std::string_view::npos) {
        return core::invalid(fmt::format("no operation at {} {}", request.method, request.path),
                             "unknown_operation");
      }
      std::string name(path.substr(1));
      name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
      return name;
    }
    case Protocol::kRestXml: {
      std::string name = s3_operation(request);
      if (name.empty()) {
        return core::invalid(fmt::format("no operation at {} {}", request.method, request.path),
                             "unknown_operation");
      }
      return name;
    }
  }
  return core::internal("unknown protocol");
}

}  // namespace aws
