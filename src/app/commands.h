// The commands behind the CLI. Each takes the effective configuration (flags over environment
// over defaults) and returns the process exit code.
#pragma once

#include "core/config.h"

namespace app {

// Runs the server until SIGINT or SIGTERM, then shuts down gracefully.
int serve(const core::Config& config);
// Applies pending migrations and reports what it did.
int migrate_database(const core::Config& config);

}  // namespace app
