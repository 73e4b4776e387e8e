// The commands behind the CLI. Each takes the effective configuration (flags over environment
// over defaults) and returns the process exit code.
#pragma once

#include <string>

#include "core/config.h"

namespace app {

// Runs the server until SIGINT or SIGTERM, then shuts down gracefully.
int serve(const core::Config& config);
// Applies pending migrations and reports what it did.
int migrate_database(const core::Config& config);

struct PoolImportOptions {
  std::string org;   // the provider organization's id or slug
  std::string file;  // a CSV file (see pool::Pool::import_csv)
};
// Imports a provider's pool from CSV, showing progress on standard error. Exit code 1 lists the
// bad rows (nothing is imported then).
int import_pool(const core::Config& config, const PoolImportOptions& options);

}  // namespace app
