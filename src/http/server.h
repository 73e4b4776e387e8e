// Server: HTTP/1.1 on Boost.Beast with keep-alive, limits, timeouts and graceful shutdown.
//
// Connections are served by `io_threads` threads that only parse and write; handlers run on a
// pool of `worker_threads` so that blocking work (the database) never stalls I/O, except routes
// marked inline_io. Every response gets the default headers (security headers) unless the
// handler set them, and X-Request-Id. Every request is logged as one JSON line (no query string:
// tokens never reach the log) and counted in the metrics registry.
//
// Reading requests: a connection is idle until the first byte of a request arrives (closed
// without an answer after idle_timeout); from that byte, the headers and the body must arrive
// within request_timeout, else 408 and close. A body is framed by Content-Length or by
// `Transfer-Encoding: chunked` alone: any other transfer coding answers 501, both framings at
// once 400, and the connection is closed. A request with `Expect: 100-continue` gets
// `100 Continue` only once it could go on: when its path has no route (404/405) or its route's
// header check (see http::HeaderCheck) answers, that answer is sent instead, without reading the
// body, and the connection is closed. Requests without Expect run their route's checks in the
// handler, after the body.
//
// Lifecycle: construct, start() (binds; returns the port, useful with port 0), then shutdown()
// from any thread: stops accepting, closes idle keep-alive connections, lets requests in flight
// finish (answering them with Connection: close) for up to shutdown_grace, then stops.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/ids.h"
#include "core/metrics.h"
#include "core/result.h"
#include "http/errors.h"
#include "http/router.h"

namespace http {

struct ServerSettings {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;  // 0 = any free port
  int io_threads = 1;
  int worker_threads = 8;
  long long max_body_bytes = 64LL * 1024 * 1024;  // 413 above
  long long max_header_bytes = 16LL * 1024;       // 431 above
  // To receive a request (headers and body) from its first byte; 408 after. With Expect:
  // 100-continue, the body gets this much again from the moment 100 Continue is sent.
  std::chrono::seconds request_timeout{30};
  std::chrono::seconds idle_timeout{60};  // keep-alive connection with no request
  std::chrono::seconds shutdown_grace{20};
  Headers default_headers;  // e.g. security headers; a handler's own header of the same name wins
};

// Headers every Marketlink page and API answer carries (see docs/security.md).
Headers security_headers();

class Server {
 public:
  Server(ServerSettings settings, const Router& router, core::Metrics& metrics,
         core::IdGenerator& ids, ErrorPageRenderer error_page = nullptr);
  ~Server();  // shuts down if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving. Returns the bound port; unavailable if the address is taken.
  core::Result<unsigned short> start();
  // Graceful stop as described above. Blocks until done; safe to call more than once.
  void shutdown();

 public:
  struct State;  // defined in server.cpp only

 private:
  std::unique_ptr<State> state_;
};

}  // namespace http
