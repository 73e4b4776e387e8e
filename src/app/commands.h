// The commands behind the CLI. Each takes the effective configuration (flags over environment
// over defaults) and returns the process exit code.
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "db/database.h"
#include "db/migrations.h"

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

struct OpenedDatabase {
  std::unique_ptr<db::Database> database;
  std::vector<db::Migration> migrations;
};
// Opens the configured database and brings its schema up to date. Prints the reason to standard
// error and returns nothing when either fails.
std::optional<OpenedDatabase> open_database(const core::Config& config, const core::Clock& clock);

// `marketlink user create`: the password is the first line of `password_in`.
struct UserCreateArgs {
  std::string email;
  std::string name;
  bool verified = false;
};
int create_user(const core::Config& config, const UserCreateArgs& args, std::istream& password_in);

// `marketlink org create`.
struct OrgCreateArgs {
  std::string name;
  std::string kind;  // customer, provider, marketplace or operator
  std::string marketplace_id;
  std::string subscription = "none";
  std::string admin_email;
};
int create_org(const core::Config& config, const OrgCreateArgs& args);

// `marketlink token create`: prints the bearer token as the last word of its output.
struct TokenCreateArgs {
  std::string email;  // an admin of the organization
  std::string org;    // id or slug
  std::string name = "command line";
};
int create_token(const core::Config& config, const TokenCreateArgs& args);

struct PoolImportOptions {
  std::string org;   // the provider organization's id or slug
  std::string file;  // a CSV file (see pool::Pool::import_csv)
};
// Imports a provider's pool from CSV, showing progress on standard error. Exit code 1 lists the
// bad rows (nothing is imported then).
int import_pool(const core::Config& config, const PoolImportOptions& options);

// `marketlink saas meter`: meters every closed hour not sent yet, as the hourly saas.meter job
// does, and prints a summary. Exit code 1 when sending stopped early (throttling, AWS down).
int run_metering(const core::Config& config);

// `marketlink secrets rotate`: re-seals every stored secret under the first secret key and prints
// what it did. Exit code 1 when a secret opens with none of the keys given (nothing else is lost:
// the others are re-sealed).
int rotate_secrets(const core::Config& config);

}  // namespace app
