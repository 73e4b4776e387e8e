// CurlTransport: HttpTransport over libcurl.
//
// Keeps a pool of easy handles; each call borrows one for its duration, so concurrent calls run
// in parallel on separate connections, and a handle returned to the pool keeps its connection
// alive for the next call to the same host (keep-alive reuse). Safe for concurrent use; the
// destructor must not run while calls are in flight. Precondition: the binary's main called
// curl_global_init before starting any thread (app/main.cpp does).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "aws/http_transport.h"

namespace aws {

struct TransportSettings {
  std::chrono::milliseconds connect_timeout{5000};  // TCP and TLS handshake
  size_t max_idle_handles = 32;                     // idle handles (and their connections) kept
  bool verify_tls = true;                           // verify peer certificates and host names
  std::string ca_file;                              // empty: the system's CA bundle
};

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(TransportSettings settings = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  core::Result<HttpResponse> send(std::string_view origin, const HttpRequest& request,
                                  std::chrono::milliseconds timeout) override;

 private:
  struct Pool;
  TransportSettings settings_;
  std::unique_ptr<Pool> pool_;
};

}  // namespace aws
