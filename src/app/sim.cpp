#include <fmt/format.h>
#include <signal.h>

#include <cstdio>

#include "app/commands.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "sim/sim_server.h"

namespace app {

int run_simulator(const SimOptions& options) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  auto listen = core::parse_host_port(options.listen);
  if (!listen.ok()) {
    fmt::print(stderr, "marketlink: --listen {}\n", listen.error().message);
    return 2;
  }
  core::SystemClock clock;
  sim::SimServer server(
      {.host = listen->host, .port = listen->port, .state_file = options.state_file}, clock);
  auto port = server.start();
  if (!port.ok()) {
    fmt::print(stderr, "marketlink: {}\n", port.error().message);
    return 1;
  }
  core::log::info("simulator listening", {{"url", server.url()}});
  fmt::print("marketlink sim: listening on {}\n", server.url());
  fmt::print("marketlink sim: buyer console at {}/console\n", server.url());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&set, &signal_number);
  core::log::info("stopping", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  server.shutdown();
  core::log::info("stopped");
  core::log::flush();
  return 0;
}

}  // namespace app
