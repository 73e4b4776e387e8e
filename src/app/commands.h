// The commands behind the CLI. Each takes the effective configuration (flags over environment
// over defaults) and returns the process exit code.
#pragma once

#include <string>

#include "core/config.h"

namespace app {

// What --sandbox adds to serve.
struct SandboxOptions {
  // Where the in-process AWS simulator listens; port 0 picks a free one.
  std::string sim_listen = "127.0.0.1:0";
};

// Runs the server until SIGINT or SIGTERM, then shuts down gracefully. With config.sandbox it
// also runs the AWS simulator in-process, seeded with a demo product and buyer.
int serve(const core::Config& config, const SandboxOptions& sandbox = {});

struct SimOptions {
  std::string listen = "127.0.0.1:4566";
  std::string state_file;  // empty: state in memory only
};

// Runs the AWS simulator (`marketlink sim`) until SIGINT or SIGTERM.
int run_simulator(const SimOptions& options);
// Applies pending migrations and reports what it did.
int migrate_database(const core::Config& config);

}  // namespace app
