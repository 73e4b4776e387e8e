#include "app/cli.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <optional>

#include "app/commands.h"
#include "core/config.h"
#include "core/log.h"

namespace app {

namespace {

// Flags given on the command line; unset ones leave the environment's or default value.
struct Flags {
  std::optional<std::string> db;
  std::optional<std::string> listen;
  std::optional<std::string> public_url;
  std::optional<std::string> log_level;
  bool sandbox = false;
  std::optional<std::string> sim_listen;
  std::optional<std::string> sim_state;
};

void add_db_flag(CLI::App* cmd, Flags& f) {
  cmd->add_option("--db", f.db, "Database URL: sqlite:PATH or postgresql://… (env MARKETLINK_DB)");
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App cli{"Marketlink: AWS Marketplace integration hub.", "marketlink"};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", MARKETLINK_VERSION);
  Flags flags;

  auto* serve_cmd = cli.add_subcommand("serve", "Run the web server, API and background jobs.");
  add_db_flag(serve_cmd, flags);
  serve_cmd->add_option("--listen", flags.listen,
                        "HOST:PORT to listen on; port 0 picks a free one (env MARKETLINK_LISTEN)");
  serve_cmd->add_option("--public-url", flags.public_url,
                        "URL users reach (env MARKETLINK_PUBLIC_URL)");
  serve_cmd->add_option("--log-level", flags.log_level,
                        "debug, info, warn or error (env MARKETLINK_LOG_LEVEL)");
  serve_cmd->add_flag("--sandbox", flags.sandbox,
                      "Start with demo data and a simulated AWS on this machine");

  serve_cmd->add_option("--sim-listen", flags.sim_listen,
                        "With --sandbox: HOST:PORT of the AWS simulator (default 127.0.0.1:0, a "
                        "free port)");

  auto* sim_cmd = cli.add_subcommand("sim", "Run the AWS simulator and its buyer console.");
  sim_cmd->add_option("--listen", flags.listen, "HOST:PORT to listen on (default 127.0.0.1:4566)");
  sim_cmd->add_option("--state", flags.sim_state,
                      "JSON file to load the state from and save it to (default: memory only)");
  sim_cmd->add_option("--log-level", flags.log_level, "debug, info, warn or error");

  auto* migrate_cmd = cli.add_subcommand("migrate", "Apply pending database migrations and exit.");
  add_db_flag(migrate_cmd, flags);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = cli.exit(e);
    return code == 0 ? 0 : 2;
  }

  auto config = core::config_from_environment([](const char* name) { return std::getenv(name); });
  if (!config.ok()) {
    fmt::print(stderr, "marketlink: {}\n", config.error().message);
    return 1;
  }
  core::Config c = std::move(config).value();
  if (flags.db) c.db = *flags.db;
  if (flags.listen) c.listen = *flags.listen;
  if (flags.public_url) c.public_url = *flags.public_url;
  if (flags.log_level) c.log_level = *flags.log_level;
  c.sandbox = flags.sandbox;
  core::log::set_level(c.log_level);

  if (sim_cmd->parsed()) {
    SimOptions options;
    if (flags.listen) options.listen = *flags.listen;
    if (flags.sim_state) options.state_file = *flags.sim_state;
    return run_simulator(options);
  }
  if (serve_cmd->parsed()) {
    SandboxOptions sandbox;
    if (flags.sim_listen) sandbox.sim_listen = *flags.sim_listen;
    return serve(c, sandbox);
  }
  if (migrate_cmd->parsed()) return migrate_database(c);
  return 2;
}

}  // namespace app
