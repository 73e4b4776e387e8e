// AwsError: an error answer from AWS (or the failure to get one), parsed as botocore parses it,
// and its conversion to core::Error for the rest of Marketlink.
//
// Parsing, per protocol:
// - json 1.1: code from the x-amzn-query-error header, else body "__type", else the
//   x-amzn-ErrorType header, else body "code"; message from "message" or "Message"; request id
//   from x-amzn-RequestId. The code keeps the text after the last '#' and before the first ':'
//   ("aws.foo#ThrottlingException:http://…" → "ThrottlingException").
// - rest-json: as json, but the x-amzn-ErrorType header wins, then body "code"/"Code".
// - query: <ErrorResponse><Error><Code/><Message/></Error><RequestId/></ErrorResponse> (also
//   wrapped in <Errors>).
// - rest-xml (S3): <Error><Code/><Message/></Error>, request id from x-amz-request-id; a body-less
//   answer (HEAD) gets its code from the status: 404 NotFound, 403 Forbidden, 400 BadRequest,
//   301 MovedPermanently, … (botocore reports the number as text; the name reads better and
//   http_status keeps the number).
// - any protocol, 5xx with an empty or HTML body: code from the status (e.g. ServiceUnavailable).
// Pure functions, safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aws/http_message.h"
#include "aws/service.h"
#include "core/result.h"

namespace aws {

struct AwsError {
  std::string code;        // e.g. "ThrottlingException", "NoSuchBucket", "ConnectionError"
  std::string message;     // AWS's message, or the transport's
  std::string request_id;  // empty when the answer carried none
  int http_status = 0;     // 0 when no HTTP answer arrived
  bool retryable = false;  // see is_retryable
};

// The code of errors where no HTTP answer arrived (refused, reset, timed out, DNS).
inline constexpr std::string_view kConnectionErrorCode = "ConnectionError";

// Parses an error answer (status >= 300). Never fails: unparseable bodies fall back on the status.
AwsError parse_error(Protocol protocol, const HttpResponse& response);

// Worth retrying: throttling (Throttling, ThrottlingException, TooManyRequestsException,
// RequestLimitExceeded, SlowDown, …), transient (RequestTimeout, PriorRequestNotComplete, …),
// ConcurrentModificationException, status 429 and 5xx, and connection errors.
bool is_retryable(std::string_view code, int http_status);

// The error answer the simulator sends, shaped as AWS shapes it for the service's protocol
// (query errors carry the service's XML namespace). With `head` (S3 HEAD requests) the body is
// empty. A zero http_status is sent as 400.
HttpResponse encode_error(Service service, const AwsError& error, bool head = false);

// The core::Error for an AwsError: unavailable when retryable, not_found (NoSuch…, …NotFound…,
// 404), conflict (…AlreadyExists…, Duplicate…, 409), unauthenticated (bad or expired
// signature/keys), forbidden (AccessDenied…, 403), invalid (other 4xx), internal (other).
// The message names the operation and the AWS code; the AWS code, request id and status are
// kept in the details and come back with aws_error_of.
core::Error to_core_error(const AwsError& error, std::string_view operation = {});

// The AwsError a core::Error was made from by to_core_error, or nullopt.
std::optional<AwsError> aws_error_of(const core::Error& error);
// Shorthand: the AWS error code of `error`, or "" when it did not come from AWS.
std::string aws_error_code(const core::Error& error);

}  // namespace aws
