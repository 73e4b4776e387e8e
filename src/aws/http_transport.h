// HttpTransport: sends one HTTP request and returns the whole answer. The AWS client signs and
// retries; the transport only moves bytes. Implementations are safe for concurrent use.
#pragma once

#include <chrono>
#include <string_view>

#include "aws/http_message.h"
#include "core/result.h"

namespace aws {

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends `request` to `origin` ("https://host" or "http://host:port", no path) and waits at
  // most `timeout` for the complete answer (connecting included). The request's headers are sent
  // as given, Host included; nothing is added that could be signed.
  // Errors: unavailable when no answer arrived (refused, reset, DNS, TLS, timeout);
  // invalid when the origin is malformed.
  virtual core::Result<HttpResponse> send(std::string_view origin, const HttpRequest& request,
                                          std::chrono::milliseconds timeout) = 0;
};

}  // namespace aws
