// Codecs: typed request/response structs to and from the wire, in both directions, for the four
// AWS protocols (json 1.1, query, rest-json, rest-xml).
//
// Each operation is a tag type declared in its service's header, e.g. aws::iam::CreateUser:
//   struct CreateUser {
//     using Request = CreateUserRequest;
//     using Response = CreateUserResponse;
//     static constexpr Service kService = Service::kIam;
//     static constexpr std::string_view kName = "CreateUser";
//   };
// and Codec<Op> gives the four directions:
//   client:    encode_request  → sign and send → decode_response (errors: see aws_error.h)
//   simulator: decode_request  → handle        → encode_response (errors: encode_error)
// Field names, timestamp formats, list layouts and routing follow the botocore models in
// ../shared/aws/models. Unknown fields are ignored on decode. Decoding a request checks the
// fields the model marks required; decoding a response does not (AWS may omit them).
//
// All functions are pure and safe from any thread. Errors are invalid, with a message naming
// the offending field (e.g. "UsageRecords[2].Timestamp: expected a number").
#pragma once

#include <concepts>
#include <string>
#include <string_view>

#include "aws/http_message.h"
#include "aws/service.h"
#include "core/result.h"

namespace aws {

// The output of operations that return nothing (AttachUserPolicy, PutAlternateContact, ...).
struct Empty {};

template <class Op>
concept Operation = requires {
  typename Op::Request;
  typename Op::Response;
  { Op::kService } -> std::convertible_to<Service>;
  { Op::kName } -> std::convertible_to<std::string_view>;
};

template <Operation Op>
struct Codec {
  using Request = typename Op::Request;
  using Response = typename Op::Response;

  // The request as a client sends it, without Host and signature: method, path, query,
  // protocol headers (Content-Type, X-Amz-Target) and body.
  static HttpRequest encode_request(const Request& request);
  // The simulator's side: the typed request out of a received one.
  static core::Result<Request> decode_request(const HttpRequest& request);
  // A success response carrying `request_id` where the protocol puts it.
  static HttpResponse encode_response(const Response& response, std::string_view request_id);
  // The client's side, for a 2xx response.
  static core::Result<Response> decode_response(const HttpResponse& response);
};

// The operation a received request asks for: the X-Amz-Target suffix (json), the Action
// parameter (query), or the route (rest-json, S3). Invalid when the request names none, or
// names an operation Marketlink does not implement (rest protocols).
core::Result<std::string> operation_name(Service service, const HttpRequest& request);

}  // namespace aws
