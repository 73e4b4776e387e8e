// AwsClient: calls AWS operations. Encodes the typed request, resolves the endpoint, signs with
// SigV4, sends through the transport, retries what is worth retrying (retry_policy.h), and
// decodes the answer or the error.
//
// One AwsClient holds one set of credentials and one region; it is cheap to copy and to create
// per call site (per organization, per assumed role). The per-service facades (MeteringClient,
// IamClient, ...) wrap one. Safe for concurrent use from many threads; the objects in the
// ClientContext must outlive every client made with it.
//
// Errors: every failure is a core::Error made by to_core_error (aws_error.h); aws_error_of()
// gives back the AWS code, message, request id and HTTP status. Credential provider failures
// come back as the provider reported them. A 2xx answer that does not decode is internal.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "aws/aws_error.h"
#include "aws/codec.h"
#include "aws/credentials.h"
#include "aws/http_transport.h"
#include "aws/retry_policy.h"
#include "core/clock.h"
#include "core/result.h"

namespace aws {

// What every client of a process shares; built once in app/.
struct ClientContext {
  HttpTransport& transport;
  const core::Clock& clock;
  Sleeper& sleeper;
  RandomSource random;
};

struct ClientSettings {
  // AWS_REGION: the region of regional services (Metering, STS, S3, SQS). Global services sign
  // and live where service_info() says (IAM, Organizations, Account, CUR, Entitlement:
  // us-east-1).
  std::string region = "us-east-1";
  // MARKETLINK_AWS_ENDPOINT: one base URL ("http://127.0.0.1:4566") for every service, e.g.
  // the simulator. Empty: the real AWS endpoint of each service (default_endpoint()).
  std::string endpoint;
  // The limit on one attempt, from connecting to the last byte of the answer.
  std::chrono::milliseconds call_timeout{30000};
  RetrySettings retry = {};
};

class AwsClient {
 public:
  AwsClient(const ClientContext& context, std::shared_ptr<CredentialsProvider> credentials,
            ClientSettings settings = {});

  // Calls one operation, e.g. client.call<iam::CreateUser>({.user_name = "ops"}).
  template <Operation Op>
  core::Result<typename Op::Response> call(const typename Op::Request& request) const {
    auto response = send(Op::kService, Codec<Op>::encode_request(request), Op::kName);
    if (!response) return std::move(response).error();
    auto decoded = Codec<Op>::decode_response(*response);
    if (!decoded) {
      return core::internal(
          "AWS " + std::string(Op::kName) +
          " answered with a body that does not decode: " + decoded.error().message);
    }
    return std::move(decoded).value();
  }

  // Signs and sends an already encoded request to `service`, with retries. A 2xx answer is
  // returned as is; anything else becomes an error. `operation` names the call in errors and
  // logs.
  core::Result<HttpResponse> send(Service service, HttpRequest request,
                                  std::string_view operation) const;

  // The origin ("https://host[:port]"), Host header and path prefix a request to `service` goes
  // to, with S3 bucket requests in virtual-hosted style on real AWS.
  struct Target {
    std::string origin;
    std::string host;  // the Host header: host, plus ":port" unless the port is the default
    std::string path;  // the path to send and sign
  };
  core::Result<Target> resolve(Service service, std::string_view path) const;

  const ClientSettings& settings() const { return settings_; }

 private:
  ClientContext context_;
  std::shared_ptr<CredentialsProvider> credentials_;
  ClientSettings settings_;
};

}  // namespace aws
