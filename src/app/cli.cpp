#include "app/cli.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <optional>

#include "app/commands.h"
#include "core/config.h"
#include "core/log.h"
#include "identity/secret_box.h"

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
  bool allow_remote = false;      // sim --allow-remote
  bool sim_allow_remote = false;  // serve --sim-allow-remote
};

void add_db_flag(CLI::App* cmd, Flags& f) {
  cmd->add_option("--db", f.db, "Database URL: sqlite:PATH or postgresql://… (env MARKETLINK_DB)");
}

// True when `host_port` names an IP address other than loopback (127.0.0.0/8, ::1 and
// ::ffff:127.0.0.0/104). Text that is not host:port or whose host is not an IP address is left to
// the command, which refuses it with its own message.
bool beyond_loopback(const std::string& host_port) {
  auto hp = core::parse_host_port(host_port);
  if (!hp.ok()) return false;
  const std::string host = hp->host.substr(0, hp->host.find('%'));  // fe80::1%eth0: a scope
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) != 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return false;
    return !(IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
  }
  return false;
}

// The simulator's control API (/_sim/…) and buyer console have no authentication, so it listens
// only on loopback unless `allow_flag` was given. Prints why and returns false when refused.
bool simulator_address_allowed(const char* listen_flag, const std::string& host_port, bool allowed,
                               const char* allow_flag) {
  if (!beyond_loopback(host_port)) return true;
  if (!allowed) {
    fmt::print(stderr,
               "marketlink: {} {} is not a loopback address. The simulator's control API and "
               "console have no authentication (anyone who can reach them can change its "
               "accounts, subscriptions and keys), so it listens only on loopback (127.0.0.1, "
               "::1) unless {} is given.\n",
               listen_flag, host_port, allow_flag);
    return false;
  }
  core::log::warn("the simulator listens beyond loopback; its control API has no authentication",
                  {{"listen", host_port}});
  return true;
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
                        "free port); an address other than loopback needs --sim-allow-remote");
  serve_cmd->add_flag("--sim-allow-remote", flags.sim_allow_remote,
                      "With --sandbox: let --sim-listen name an address other than loopback. The "
                      "simulator's control API and console have no authentication: anyone who "
                      "can reach the address can change its state");

  auto* sim_cmd = cli.add_subcommand("sim", "Run the AWS simulator and its buyer console.");
  sim_cmd->add_option("--listen", flags.listen,
                      "HOST:PORT to listen on (default 127.0.0.1:4566); an address other than "
                      "loopback needs --allow-remote");
  sim_cmd->add_flag("--allow-remote", flags.allow_remote,
                    "Let --listen name an address other than loopback (127.0.0.0/8, ::1). The "
                    "control API and console have no authentication: anyone who can reach the "
                    "address can change the simulator's state");
  sim_cmd->add_option("--state", flags.sim_state,
                      "JSON file to load the state from and save it to (default: memory only)");
  sim_cmd->add_option("--log-level", flags.log_level, "debug, info, warn or error");

  auto* migrate_cmd = cli.add_subcommand("migrate", "Apply pending database migrations and exit.");
  add_db_flag(migrate_cmd, flags);

  auto* pool_cmd = cli.add_subcommand("pool", "Manage providers' pools of AWS accounts.");
  pool_cmd->require_subcommand(1);
  PoolImportOptions pool_import;
  auto* pool_import_cmd = pool_cmd->add_subcommand(
      "import",
      "Import accounts from CSV (account_id;marketplace_id;account_model). Nothing is imported "
      "when any row is bad; every bad row is listed.");
  pool_import_cmd->add_option("--org", pool_import.org, "Provider organization (id or slug)")
      ->required();
  pool_import_cmd->add_option("file", pool_import.file, "CSV file")
      ->required()
      ->check(CLI::ExistingFile);
  add_db_flag(pool_import_cmd, flags);
  auto* saas_cmd = cli.add_subcommand("saas", "Sell on AWS Marketplace.");
  saas_cmd->require_subcommand(1);
  auto* saas_meter_cmd = saas_cmd->add_subcommand(
      "meter", "Send every closed hour of usage not sent yet to AWS Marketplace, now.");
  add_db_flag(saas_meter_cmd, flags);
  UserCreateArgs user_args;
  bool password_stdin = false;
  auto* user_cmd = cli.add_subcommand("user", "Manage users.");
  user_cmd->require_subcommand(1);
  auto* user_create = user_cmd->add_subcommand("create", "Create a user (no organization).");
  add_db_flag(user_create, flags);
  user_create->add_option("--email", user_args.email, "E-mail address")->required();
  user_create
      ->add_flag("--password-stdin", password_stdin,
                 "Read the password from the first line of standard input")
      ->required();
  user_create->add_option("--name", user_args.name, "Display name (default: from the e-mail)");
  user_create->add_flag("--verified", user_args.verified,
                        "Mark the e-mail address as confirmed (no verification e-mail)");

  OrgCreateArgs org_args;
  auto* org_cmd = cli.add_subcommand("org", "Manage organizations.");
  org_cmd->require_subcommand(1);
  auto* org_create = org_cmd->add_subcommand(
      "create",
      "Create an organization; its slug is the name lower-cased, spaces as hyphens (org-ID, the "
      "id lower-cased, when the name has no ASCII letter or digit).");
  add_db_flag(org_create, flags);
  org_create->add_option("--name", org_args.name, "Organization name")->required();
  org_create->add_option("--kind", org_args.kind, "customer, provider, marketplace or operator")
      ->required()
      ->check(CLI::IsMember({"customer", "provider", "marketplace", "operator"}));
  org_create->add_option("--marketplace-id", org_args.marketplace_id,
                         "Marketplace id such as MP-0000 (marketplaces only)");
  org_create
      ->add_option("--subscription", org_args.subscription,
                   "none, trial or active (customers only; default none)")
      ->check(CLI::IsMember({"none", "trial", "active"}));
  org_create->add_option("--admin", org_args.admin_email, "E-mail of an existing user")->required();

  TokenCreateArgs token_args;
  auto* token_cmd = cli.add_subcommand("token", "Manage API tokens.");
  token_cmd->require_subcommand(1);
  auto* token_create = token_cmd->add_subcommand(
      "create", "Create an API token; prints it as the last word of the output.");
  add_db_flag(token_create, flags);
  token_create->add_option("--email", token_args.email, "An admin of the organization")->required();
  token_create->add_option("--org", token_args.org, "Organization id or slug")->required();
  token_create->add_option("--name", token_args.name, "What uses the token");

  auto* secret_key_cmd = cli.add_subcommand(
      "secret-key",
      "Print a new random key for MARKETLINK_SECRET_KEY (it encrypts stored AWS secrets; every "
      "instance needs the same one, and changing it means entering the secrets again).");

  auto* secrets_cmd = cli.add_subcommand("secrets", "Manage stored secrets.");
  secrets_cmd->require_subcommand(1);
  auto* secrets_rotate = secrets_cmd->add_subcommand(
      "rotate",
      "Re-seal every stored secret (providers' AWS keys, webhook signing secrets) under the first "
      "key of MARKETLINK_SECRET_KEY, opening them with any key given; then the older keys can be "
      "dropped (docs/security.md).");
  add_db_flag(secrets_rotate, flags);

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

  if (secret_key_cmd->parsed()) {
    fmt::print("{}\n", identity::SecretBox::generate_key_text());
    return 0;
  }
  if (sim_cmd->parsed()) {
    SimOptions options;
    if (flags.listen) options.listen = *flags.listen;
    if (flags.sim_state) options.state_file = *flags.sim_state;
    if (!simulator_address_allowed("--listen", options.listen, flags.allow_remote,
                                   "--allow-remote")) {
      return 2;
    }
    return run_simulator(options);
  }
  if (serve_cmd->parsed()) {
    SandboxOptions sandbox;
    if (flags.sim_listen) sandbox.sim_listen = *flags.sim_listen;
    if (c.sandbox && !simulator_address_allowed("--sim-listen", sandbox.sim_listen,
                                                flags.sim_allow_remote, "--sim-allow-remote")) {
      return 2;
    }
    return serve(c, sandbox);
  }
  if (migrate_cmd->parsed()) return migrate_database(c);
  if (secrets_rotate->parsed()) return rotate_secrets(c);
  if (pool_import_cmd->parsed()) return import_pool(c, pool_import);
  if (saas_meter_cmd->parsed()) return run_metering(c);
  if (user_create->parsed()) return create_user(c, user_args, std::cin);
  if (org_create->parsed()) return create_org(c, org_args);
  if (token_create->parsed()) return create_token(c, token_args);
  return 2;
}

}  // namespace app
