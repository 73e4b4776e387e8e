// Wire helpers shared by the simulated services: answers and errors in each protocol's shape.
#include <fmt/format.h>

#include <ctime>

#include "core/ids.h"
#include "core/text.h"
#include "sim/sim_state.h"

namespace sim {

void throw_error(int status, std::string code, std::string message) {
  throw AwsError{status, std::move(code), std::move(message), Json::object()};
}

std::string random_chars(size_t n, std::string_view alphabet) {
  const std::string bytes = core::random_bytes(n);
  std::string out;
  out.reserve(n);
  for (unsigned char b : bytes) out += alphabet[b % alphabet.size()];
  return out;
}

std::string Call::param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return {};
}

bool Call::has_param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name) return true;
  }
  return false;
}

std::vector<std::string> Call::list_param(std::string_view name, bool flattened) const {
  std::vector<std::string> out;
  for (int i = 1;; ++i) {
    const std::string key =
        flattened ? fmt::format("{}.{}", name, i) : fmt::format("{}.member.{}", name, i);
    if (!has_param(key)) break;
    out.push_back(param(key));
  }
  return out;
}

std::string iso8601(core::TimePoint t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string iso8601_millis(core::TimePoint t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", buf, ms < 0 ? 0 : ms);
}

double epoch_seconds(core::TimePoint t) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  return static_cast<double>(ms) / 1000.0;
}

void xml_element(std::string& out, std::string_view name, std::string_view text) {
  out += fmt::format("<{0}>{1}</{0}>", name, core::escape_xml(text));
}

aws::HttpResponse json_reply(const Json& body, const std::string& request_id,
                             std::string_view content_type) {
  aws::HttpResponse r;
  r.status = 200;
  r.set_header("Content-Type", std::string(content_type));
  r.set_header("x-amzn-RequestId", request_id);
  r.body = body.dump();
  return r;
}

aws::HttpResponse query_reply(const Call& call, std::string_view xmlns,
                              const std::string& result_xml, bool with_result) {
  std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  body += fmt::format("<{}Response xmlns=\"{}\">", call.operation, xmlns);
  if (with_result) body += fmt::format("<{0}Result>{1}</{0}Result>", call.operation, result_xml);
  body += fmt::format("<ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{}Response>",
                      call.request_id, call.operation);
  aws::HttpResponse r;
  r.status = 200;
  r.set_header("Content-Type", "text/xml");
  r.set_header("x-amzn-RequestId", call.request_id);
  r.body = std::move(body);
  return r;
}

aws::HttpResponse xml_reply(int status, const std::string& xml, const std::string& request_id) {
  aws::HttpResponse r;
  r.status = status;
  r.set_header("Content-Type", "application/xml");
  r.set_header("x-amz-request-id", request_id);
  r.set_header("x-amz-id-2", request_id);
  r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + xml;
  return r;
}

aws::HttpResponse error_reply(aws::Protocol protocol, const AwsError& error,
                              const std::string& request_id, bool head_request) {
  aws::HttpResponse r;
  r.status = error.status;
  switch (protocol) {
    case aws::Protocol::kJson:
    case aws::Protocol::kRestJson: {
      Json body = error.extra.is_object() ? error.extra : Json::object();
      if (protocol == aws::Protocol::kJson) body["__type"] = error.code;
      body["message"] = error.message;
      r.set_header("Content-Type", protocol == aws::Protocol::kJson ? "application/x-amz-json-1.1"
                                                                    : "application/json");
      r.set_header("x-amzn-RequestId", request_id);
      r.set_header("x-amzn-ErrorType", error.code);
      r.body = body.dump();
      break;
    }
    case aws::Protocol::kQuery: {
      std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse><Error>";
      xml_element(body, "Type", error.status >= 500 ? "Receiver" : "Sender");
      xml_element(body, "Code", error.code);
      xml_element(body, "Message", error.message);
      body += "</Error>";
      xml_element(body, "RequestId", request_id);
      body += "</ErrorResponse>";
      r.set_header("Content-Type", "text/xml");
      r.set_header("x-amzn-RequestId", request_id);
      r.body = std::move(body);
      break;
    }
    case aws::Protocol::kRestXml: {
      r.set_header("x-amz-request-id", request_id);
      r.set_header("x-amz-id-2", request_id);
      if (!head_request) {
        std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>";
        xml_element(body, "Code", error.code);
        xml_element(body, "Message", error.message);
        if (error.extra.contains("BucketName"))
          xml_element(body, "BucketName", error.extra["BucketName"].get<std::string>());
        xml_element(body, "RequestId", request_id);
        xml_element(body, "HostId", request_id);
        body += "</Error>";
        r.set_header("Content-Type", "application/xml");
        r.body = std::move(body);
      }
      break;
    }
  }
  return r;
}

std::string json_string(const Json& input, std::string_view field, bool required,
                        std::string_view code) {
  const std::string key(field);
  if (!input.is_object() || !input.contains(key) || input[key].is_null()) {
    if (required) {
      throw_error(400, std::string(code),
                  fmt::format("1 validation error detected: Value null at '{}' failed to satisfy "
                              "constraint: Member must not be null",
                              key));
    }
    return {};
  }
  if (!input[key].is_string()) {
    throw_error(400, std::string(code), fmt::format("{} must be a string.", key));
  }
  return input[key].get<std::string>();
}

}  // namespace sim
