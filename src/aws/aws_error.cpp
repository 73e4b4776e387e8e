#include "aws/aws_error.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <nlohmann/json.hpp>

#include "aws/xml.h"

namespace aws {

namespace {

using nlohmann::json;

struct StatusName {
  int status;
  std::string_view name;
};

constexpr std::array<StatusName, 20> kStatusNames = {{
    {301, "MovedPermanently"},
    {302, "Found"},
    {304, "NotModified"},
    {307, "TemporaryRedirect"},
    {400, "BadRequest"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "NotFound"},
    {405, "MethodNotAllowed"},
    {409, "Conflict"},
    {411, "LengthRequired"},
    {412, "PreconditionFailed"},
    {413, "RequestEntityTooLarge"},
    {416, "RequestedRangeNotSatisfiable"},
    {429, "TooManyRequests"},
    {500, "InternalServerError"},
    {501, "NotImplemented"},
    {502, "BadGateway"},
    {503, "ServiceUnavailable"},
    {504, "GatewayTimeout"},
}};

// "NotFound" for 404; "Http418" for statuses without a name.
std::string status_code_name(int status) {
  for (const auto& s : kStatusNames) {
    if (s.status == status) return std::string(s.name);
  }
  return fmt::format("Http{}", status);
}

// "NotFound" → "Not Found": the HTTP reason phrase botocore uses as the message.
std::string reason_phrase(int status) {
  const std::string name = status_code_name(status);
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    if (i > 0 && std::isupper(static_cast<unsigned char>(name[i]))) out.push_back(' ');
    out.push_back(name[i]);
  }
  return out;
}

bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// "aws.protocoltests#FooError:http://internal/…" → "FooError".
std::string sanitize_code(std::string_view code) {
  code = code.substr(0, code.find(':'));
  const size_t hash = code.rfind('#');
  if (hash != std::string_view::npos) code = code.substr(hash + 1);
  while (!code.empty() && std::isspace(static_cast<unsigned char>(code.back())))
    code.remove_suffix(1);
  while (!code.empty() && std::isspace(static_cast<unsigned char>(code.front())))
    code.remove_prefix(1);
  return std::string(code);
}

std::string json_string(const json& body, std::string_view key) {
  auto it = body.find(std::string(key));
  if (it == body.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

std::string header_value(const HttpResponse& r, std::string_view name) {
  return std::string(r.header(name).value_or(""));
}

void parse_json_error(Protocol protocol, const HttpResponse& r, AwsError& e) {
  json body = is_blank(r.body) ? json::object() : json::parse(r.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) body = json{{"message", r.body}};
  e.message = json_string(body, "message");
  if (e.message.empty()) e.message = json_string(body, "Message");

  std::string code;
  const std::string header_type = header_value(r, "x-amzn-ErrorType");
  const std::string body_code =
      !json_string(body, "code").empty() ? json_string(body, "code") : json_string(body, "Code");
  if (protocol == Protocol::kRestJson) {
    code = !header_type.empty() ? header_type
           : !body_code.empty() ? body_code
                                : json_string(body, "__type");
  } else {
    const std::string query_error = header_value(r, "x-amzn-query-error");
    const size_t semi = query_error.find(';');
    if (semi != std::string::npos && semi > 0 &&
        query_error.find(';', semi + 1) == std::string::npos) {
      code = query_error.substr(0, semi);
    }
    if (code.empty()) code = json_string(body, "__type");
    if (code.empty()) code = header_type;
    if (code.empty()) code = body_code;
  }
  e.code = sanitize_code(code);
  e.request_id = header_value(r, "x-amzn-RequestId");
  if (e.request_id.empty()) e.request_id = header_value(r, "x-amz-request-id");
}

void parse_xml_error(Protocol protocol, const HttpResponse& r, AwsError& e) {
  if (is_blank(r.body)) return;
  auto root = xml::parse(r.body);
  if (!root) return;
  const xml::Element* error = nullptr;
  if (root->name == "Error") {
    error = &*root;
  } else if (const xml::Element* errors = root->child("Errors")) {
    error = errors->child("Error");
  } else {
    error = root->child("Error");
  }
  if (error == nullptr) return;
  e.code = sanitize_code(error->child_text("Code"));
  e.message = error->child_text("Message");
  std::string body_id = root->child_text("RequestId");
  if (body_id.empty()) body_id = root->child_text("RequestID");
  if (body_id.empty()) body_id = error->child_text("RequestId");
  const std::string header_id =
      header_value(r, protocol == Protocol::kRestXml ? "x-amz-request-id" : "x-amzn-RequestId");
  e.request_id = !header_id.empty() ? header_id : body_id;
}

constexpr std::array<std::string_view, 23> kRetryableCodes = {
    // Throttling.
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
    "RequestThrottled", "SlowDown", "EC2ThrottledException",
    // Transient.
    "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete", "InternalError",
    "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException", "IDPCommunicationError",
    // Someone else changed the same thing at the same time (Organizations, IAM).
    "ConcurrentModificationException", "ConcurrentModification",
    // No answer arrived.
    kConnectionErrorCode};

constexpr std::array<std::string_view, 16> kAuthenticationCodes = {
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "IncompleteSignature",
    "IncompleteSignatureException",
    "MissingAuthenticationToken",
    "MissingAuthenticationTokenException",
    "InvalidAccessKeyId",
    "ExpiredToken",
    "RequestExpired",
    "AuthFailure",
    "InvalidToken",
    "TokenRefreshRequired",
    "AuthorizationHeaderMalformed",
    "RequestTimeTooSkewed"};

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

template <size_t N>
bool one_of(const std::array<std::string_view, N>& set, std::string_view code) {
  return std::find(set.begin(), set.end(), code) != set.end();
}

core::ErrorCode classify(const AwsError& e) {
  const std::string_view c = e.code;
  if (e.retryable) return core::ErrorCode::kUnavailable;
  if (one_of(kAuthenticationCodes, c)) return core::ErrorCode::kUnauthenticated;
  if (e.http_status == 404 || c.starts_with("NoSuch") || contains(c, "NotFound") ||
      c == "AWSOrganizationsNotInUseException") {
    return core::ErrorCode::kNotFound;
  }
  if (e.http_status == 409 || contains(c, "AlreadyExists") || contains(c, "AlreadyOwnedByYou") ||
      c.starts_with("Duplicate") || c == "AlreadyInOrganizationException" ||
      contains(c, "Conflict")) {
    return core::ErrorCode::kConflict;
  }
  if (e.http_status == 403 || contains(c, "AccessDenied") || c == "Forbidden") {
    return core::ErrorCode::kForbidden;
  }
  if (e.http_status >= 400 && e.http_status < 500) return core::ErrorCode::kInvalid;
  return core::ErrorCode::kInternal;
}

constexpr std::string_view kDetailCode = "aws_code";
constexpr std::string_view kDetailMessage = "aws_message";
constexpr std::string_view kDetailRequestId = "aws_request_id";
constexpr std::string_view kDetailStatus = "aws_http_status";
constexpr std::string_view kDetailRetryable = "aws_retryable";

}  // namespace

bool is_retryable(std::string_view code, int http_status) {
  if (one_of(kRetryableCodes, code)) return true;
  return http_status == 429 || (http_status >= 500 && http_status != 501);
}

AwsError parse_error(Protocol protocol, const HttpResponse& response) {
  AwsError e;
  e.http_status = response.status;
  const std::string_view body = response.body;
  const bool generic =
      response.status >= 500 &&
      (is_blank(body) || body.substr(body.find_first_not_of(" \t\r\n")).starts_with("<html>"));
  if (!generic) {
    if (protocol == Protocol::kJson || protocol == Protocol::kRestJson) {
      parse_json_error(protocol, response, e);
    } else {
      parse_xml_error(protocol, response, e);
    }
  }
  if (e.request_id.empty()) {
    e.request_id = header_value(response, "x-amzn-RequestId");
    if (e.request_id.empty()) e.request_id = header_value(response, "x-amz-request-id");
  }
  if (e.code.empty()) {
    e.code = status_code_name(response.status);
    if (e.message.empty()) e.message = reason_phrase(response.status);
  }
  e.retryable = is_retryable(e.code, e.http_status);
  return e;
}

HttpResponse encode_error(Service service, const AwsError& error, bool head) {
  const ServiceInfo& info = service_info(service);
  HttpResponse r;
  r.status = error.http_status == 0 ? 400 : error.http_status;
  switch (info.protocol) {
    case Protocol::kJson:
      r.headers = {{"Content-Type", json_content_type(service)},
                   {"x-amzn-RequestId", error.request_id}};
      r.body = json{{"__type", error.code}, {"message", error.message}}.dump(
          -1, ' ', false, json::error_handler_t::replace);
      break;
    case Protocol::kRestJson:
      r.headers = {{"Content-Type", "application/json"},
                   {"x-amzn-RequestId", error.request_id},
                   {"x-amzn-ErrorType", error.code}};
      r.body =
          json{{"message", error.message}}.dump(-1, ' ', false, json::error_handler_t::replace);
      break;
    case Protocol::kQuery: {
      xml::Writer w;
      w.open("ErrorResponse", info.xml_namespace)
          .open("Error")
          .element("Type", r.status >= 500 ? "Receiver" : "Sender")
          .element("Code", error.code)
          .element("Message", error.message)
          .close()
          .element("RequestId", error.request_id)
          .close();
      r.headers = {{"Content-Type", "text/xml"}, {"x-amzn-RequestId", error.request_id}};
      r.body = w.str();
      break;
    }
    case Protocol::kRestXml: {
      r.headers = {{"x-amz-request-id", error.request_id}};
      if (!head) {
        xml::Writer w;
        w.declaration()
            .open("Error")
            .element("Code", error.code)
            .element("Message", error.message)
            .element("RequestId", error.request_id)
            .close();
        r.headers.emplace_back("Content-Type", "application/xml");
        r.body = w.str();
      }
      break;
    }
  }
  return r;
}

core::Error to_core_error(const AwsError& error, std::string_view operation) {
  core::Error out;
  out.code = classify(error);
  const std::string what = error.message.empty() ? error.code : error.code + ": " + error.message;
  out.message =
      operation.empty() ? "AWS error " + what : fmt::format("AWS {} failed: {}", operation, what);
  out.details = {
      {std::string(kDetailCode), error.code},
      {std::string(kDetailMessage), error.message},
      {std::string(kDetailRequestId), error.request_id},
      {std::string(kDetailStatus), std::to_string(error.http_status)},
      {std::string(kDetailRetryable), error.retryable ? "true" : "false"},
  };
  return out;
}

std::optional<AwsError> aws_error_of(const core::Error& error) {
  AwsError out;
  bool found = false;
  for (const auto& d : error.details) {
    if (d.field == kDetailCode) {
      out.code = d.message;
      found = true;
    } else if (d.field == kDetailMessage) {
      out.message = d.message;
    } else if (d.field == kDetailRequestId) {
      out.request_id = d.message;
    } else if (d.field == kDetailStatus) {
      std::from_chars(d.message.data(), d.message.data() + d.message.size(), out.http_status);
    } else if (d.field == kDetailRetryable) {
      out.retryable = d.message == "true";
    }
  }
  if (!found) return std::nullopt;
  return out;
}

std::string aws_error_code(const core::Error& error) {
  auto e = aws_error_of(error);
  return e ? e->code : std::string();
}

}  // namespace aws
