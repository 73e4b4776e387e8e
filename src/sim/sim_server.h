// SimServer: the simulator on its own HTTP port — the AWS endpoint, the /_sim control API, the
// buyer console at /console and the SNS certificate — plus the worker that delivers SNS and
// EventBridge messages over HTTP and the optional state file.
//
// Used by `marketlink sim` and, in-process, by `marketlink serve --sandbox`. Lifecycle:
// construct, start() (loads the state file, binds; returns the port, useful with port 0),
// shutdown() (stops the worker and the server, saves the state file). Safe to call shutdown()
// more than once and from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "sim/simulator.h"

namespace sim {

struct SimServerSettings {
  std::string host = "127.0.0.1";  // listen address; loopback by default
  unsigned short port = 4566;      // 0 = any free port
  // JSON file the state is loaded from at start (when it exists) and saved to while running and
  // at shutdown. Empty: memory only.
  std::string state_file;
  // The URL clients use to reach this server; empty: http://host:port once bound.
  std::string public_url;
  int io_threads = 1;
  int worker_threads = 4;
  std::chrono::seconds shutdown_grace{5};
  SimulatorSettings simulator;
};

class SimServer {
 public:
  SimServer(SimServerSettings settings, const core::Clock& clock);
  ~SimServer();
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  // Errors: invalid when the state file does not parse, unavailable when the address is taken.
  core::Result<unsigned short> start();
  void shutdown();

  // "http://127.0.0.1:PORT" once started.
  std::string url() const;
  Simulator& simulator();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sim
