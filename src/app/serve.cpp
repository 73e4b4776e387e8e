#include <fmt/format.h>
#include <signal.h>

#include <cstdio>

#include "app/commands.h"
#include "app/sandbox.h"
#include "app/sandbox_orgs.h"
#include "app/sandbox_webhooks.h"
#include "app/schema.h"
#include "app/wiring.h"
#include "core/log.h"
#include "db/migrations.h"
#include "http/server.h"

namespace app {

namespace {

// Blocks SIGINT and SIGTERM in every thread (threads inherit the mask), so that the main thread
// alone receives them through sigwait.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

std::optional<OpenedDatabase> open_database(const core::Config& config, const core::Clock& clock) {
  auto database = db::Database::open({.url = config.db, .pool_size = config.db_pool_size});
  if (!database.ok()) {
    fmt::print(stderr, "marketlink: {}\n", database.error().message);
    return std::nullopt;
  }
  OpenedDatabase opened{std::move(database).value(), {}};
  auto migrations = db::collect_migrations(opened.database->backend(), schema());
  if (!migrations.ok()) {
    fmt::print(stderr, "marketlink: {}\n", migrations.error().message);
    return std::nullopt;
  }
  opened.migrations = std::move(migrations).value();
  auto applied = db::migrate(*opened.database, opened.migrations, clock);
  if (!applied.ok()) {
    fmt::print(stderr, "marketlink: {}\n", applied.error().message);
    return std::nullopt;
  }
  return opened;
}

int migrate_database(const core::Config& config) {
  core::SystemClock clock;
  auto opened = open_database(config, clock);
  if (!opened) return 1;
  auto status = db::migration_status(*opened->database, opened->migrations);
  if (!status.ok()) {
    fmt::print(stderr, "marketlink: {}\n", status.error().message);
    return 1;
  }
  fmt::print("Database {} is at schema version {}.\n", opened->database->display_name(),
             status->current);
  return 0;
}

namespace {

http::ServerSettings server_settings(const core::Config& config, const core::HostPort& listen) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return {
      .host = listen.host,
      .port = listen.port,
      .io_threads = config.io_threads > 0 ? config.io_threads : cores,
      .worker_threads = config.worker_threads,
      .max_body_bytes = config.max_body_bytes,
      .max_header_bytes = config.max_header_bytes,
      .request_timeout = std::chrono::seconds(config.request_timeout_seconds),
      .idle_timeout = std::chrono::seconds(config.idle_timeout_seconds),
      .shutdown_grace = std::chrono::seconds(config.shutdown_grace_seconds),
      .default_headers = http::security_headers(),
  };
}

// Serves the platform's router until SIGINT or SIGTERM, then stops gracefully: requests in
// flight finish, then running jobs, before the services their handlers use go away.
int serve_until_stopped(Platform& platform, const core::HostPort& listen, sim::SimServer* simulator,
                        const sigset_t& stop_signals) {
  const core::Config& config = platform.config;
  http::Server server(server_settings(config, listen), platform.router, platform.metrics,
                      platform.ids, platform.pages->error_page());
  auto port = server.start();
  if (!port.ok()) {
    fmt::print(stderr, "marketlink: {}\n", port.error().message);
    return 1;
  }
  const std::string url = fmt::format("http://{}:{}", url_host(listen.host), *port);
  core::log::info("listening", {{"url", url},
                                {"database", platform.database().display_name()},
                                {"sandbox", config.sandbox}});
  if (simulator) {
    auto seeded = seed_sandbox_marketplace(simulator->simulator(),
                                           config.public_url.empty() ? url : config.public_url);
    if (!seeded.ok()) {
      fmt::print(stderr, "marketlink: simulator: the demo data could not be created: {}\n",
                 seeded.error().message);
      server.shutdown();
      platform.jobs->stop();
      return 1;
    }
  }
  fmt::print("marketlink: listening on {}\n", url);
  if (simulator) {
    fmt::print("marketlink: simulated AWS on {}\n", simulator->url());
    print_sandbox_guide(url, platform.mail_transport, simulator->url());
  }
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  core::log::info("stopping", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  server.shutdown();
  platform.jobs->stop();
  if (simulator) simulator->shutdown();
  core::log::info("stopped");
  return 0;
}

}  // namespace

int serve(const core::Config& config, const SandboxOptions& sandbox) {
  const sigset_t stop_signals = block_stop_signals();
  auto listen = core::parse_host_port(config.listen);
  if (!listen.ok()) {
    fmt::print(stderr, "marketlink: --listen {}\n", listen.error().message);
    return 2;
  }
  auto platform =
      Platform::open(config, config.public_url.empty()
                                 ? fmt::format("http://{}:{}", url_host(listen->host), listen->port)
                                 : config.public_url);
  if (!platform) return 1;
  // AWS: the simulator in the sandbox (unless MARKETLINK_AWS_ENDPOINT says otherwise).
  std::unique_ptr<sim::SimServer> simulator;
  if (config.sandbox) {
    simulator = start_sandbox_simulator(sandbox, platform->clock);
    if (!simulator) return 1;
    if (platform->aws_settings.endpoint.empty()) platform->aws_settings.endpoint = simulator->url();
    // The simulator's seller, unless the seller's own keys are configured.
    if (config.seller_access_key_id.empty()) {
      platform->seller_credentials =
          aws::static_credentials({.access_key_id = std::string(sim::kSellerAccessKeyId),
                                   .secret_access_key = std::string(sim::kSellerSecretAccessKey),
                                   .session_token = "",
                                   .expiration = std::nullopt});
    }
  }

  auto domains = wire_domains(*platform);
  if (!domains) return 1;

  if (config.sandbox) {
    if (auto loaded = load_sandbox_data(*platform, *domains->identity, *domains->pool,
                                        *domains->saas, simulator->url());
        !loaded.ok()) {
      fmt::print(stderr, "marketlink: demo data: {}\n", loaded.error().message);
      return 1;
    }
    if (auto loaded = load_orgs_demo_data(domains->orgs->organizations, domains->orgs->aws);
        !loaded.ok()) {
      fmt::print(stderr, "marketlink: demo AWS organization: {}\n", loaded.error().message);
      return 1;
    }
    add_sandbox_webhook_receiver(*platform);
    if (auto loaded = load_sandbox_webhooks(*platform, *domains->identity, *domains->webhooks);
        !loaded.ok()) {
      fmt::print(stderr, "marketlink: demo webhooks: {}\n", loaded.error().message);
      return 1;
    }
  }
  domains->webhooks->health.start();  // every owner has added its figures
  platform->jobs->start();
  return serve_until_stopped(*platform, *listen, simulator.get(), stop_signals);
}

}  // namespace app
