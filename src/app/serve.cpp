#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "app/commands.h"
#include "app/provider_aws.h"
#include "app/sandbox_data.h"
#include "app/sandbox_pool.h"
#include "app/system_routes.h"
#include "aws/curl_transport.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/metrics.h"
#include "db/database.h"
#include "db/migrations.h"
#include "http/server.h"
#include "identity/audit_log.h"
#include "identity/identity.h"
#include "identity/secret_box.h"
#include "jobs/jobs.h"
#include "mail/mail.h"
#include "pool/aws_access.h"
#include "pool/pool.h"
#include "sim/sim_server.h"
#include "web/auth.h"
#include "web/identity_routes.h"
#include "web/pages.h"
#include "web/pool_api.h"
#include "web/pool_aws_access.h"
#include "web/pool_pages.h"

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

// The demo data the sandbox's simulator starts with.
constexpr std::string_view kDemoProductCode = "marketlinkdemo00000000001";
constexpr std::string_view kDemoBuyerAccountId = "444455556666";

// Starts the AWS simulator in-process with the demo pool's AWS accounts. Prints the reason and
// returns null when it cannot start.
std::unique_ptr<sim::SimServer> start_sandbox_simulator(const SandboxOptions& options,
                                                        const core::Clock& clock) {
  auto listen = core::parse_host_port(options.sim_listen);
  if (!listen.ok()) {
    fmt::print(stderr, "marketlink: --sim-listen {}\n", listen.error().message);
    return nullptr;
  }
  auto server = std::make_unique<sim::SimServer>(
      sim::SimServerSettings{.host = listen->host, .port = listen->port}, clock);
  auto port = server->start();
  if (!port.ok()) {
    fmt::print(stderr, "marketlink: simulator: {}\n", port.error().message);
    return nullptr;
  }
  if (auto loaded = load_simulator_pool_data(server->simulator()); !loaded.ok()) {
    fmt::print(stderr, "marketlink: simulator: {}\n", loaded.error().message);
    return nullptr;
  }
  return server;
}

// Seeds the simulator with a demo product whose fulfillment URL is this hub's, and a demo buyer.
bool seed_sandbox_marketplace(sim::Simulator& simulator, const std::string& hub_url) {
  auto product =
      simulator.create_product({{"product_code", kDemoProductCode},
                                {"name", "Marketlink Demo (SaaS)"},
                                {"pricing_model", "subscription"},
                                {"dimensions",
                                 {{{"name", "users"}, {"description", "Active users per hour"}},
                                  {{"name", "api_calls"}, {"description", "API calls per hour"}}}},
                                {"fulfillment_url", hub_url + "/aws/fulfillment"},
                                {"free_trial", true}});
  auto buyer = simulator.create_account({{"account_id", kDemoBuyerAccountId},
                                         {"email", "buyer@example.com"},
                                         {"name", "Demo buyer"}});
  if (!product.ok() || !buyer.ok()) {
    fmt::print(stderr, "marketlink: simulator: the demo data could not be created\n");
    return false;
  }
  return true;
}

// The key that seals stored AWS secrets: MARKETLINK_SECRET_KEY, else the file
// MARKETLINK_SECRET_KEY_FILE names; in the sandbox without either, a key generated once into
// sandbox-secret.key beside the SQLite database (./var for PostgreSQL). nullopt: none configured.
core::Result<std::optional<identity::SecretBox>> load_secret_box(const core::Config& config) {
  std::string text = config.secret_key;
  std::string file = config.secret_key_file;
  if (text.empty() && file.empty() && config.sandbox) {
    std::filesystem::path dir = "./var";
    if (config.db.starts_with("sqlite:")) {
      dir = std::filesystem::path(config.db.substr(7)).parent_path();
      if (dir.empty()) dir = ".";
    }
    file = (dir / "sandbox-secret.key").string();
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    // Created readable by its owner only, and only once (O_EXCL): another instance starting at
    // the same moment reads the same key.
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      const std::string key = identity::SecretBox::generate_key_text() + "\n";
      const bool written = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size());
      ::close(fd);
      if (!written)
        return core::internal("The sandbox's secret key could not be written to " + file);
    } else if (errno != EEXIST) {
      return core::internal("The sandbox's secret key could not be created in " + file);
    }
  }
  if (text.empty() && !file.empty()) {
    std::ifstream in(file);
    if (!in) return core::invalid("The secret key file " + file + " cannot be read.");
    std::getline(in, text);
  }
  if (text.empty()) return std::optional<identity::SecretBox>();
  auto box = identity::SecretBox::from_key_text(text);
  if (!box.ok()) return box.error();
  return std::optional<identity::SecretBox>(*box);
}

void print_sandbox_guide(const std::string& url, const std::string& mail_transport,
                         const std::string& sim_url) {
  std::string users;
  for (const DemoUser& u : demo_users()) users += fmt::format("    {:<32} {}\n", u.email, u.what);
  fmt::print(
      "\n"
      "  Marketlink sandbox is running at {0}/\n"
      "\n"
      "  Sign in at {0}/login as one of the demo users (password: {1}):\n"
      "{2}"
      "  The organization switcher (top right) moves between a user's organizations; Members,\n"
      "  API tokens and Audit log are in the left navigation. To try sign-up, open {0}/signup:\n"
      "  the confirmation e-mail (and every other message) goes to {3}.\n"
      "\n"
      "  Account pool: {0}/orgs/demo-provider/pool (as admin@…): 30 demo accounts in every\n"
      "  status, one stuck in provisioning; AWS access and the access check under \"AWS access\"\n"
      "  (Demo Provider's simulated AWS account {8}, sandbox-only key {9}).\n"
      "\n"
      "  Health: {0}/healthz   Readiness: {0}/readyz   Metrics: {0}/metrics\n"
      "\n"
      "  Simulated AWS: {4}  (MARKETLINK_AWS_ENDPOINT={4})\n"
      "    Buyer console: {4}/console  (sign in as demo buyer {5}, subscribe to\n"
      "    \"Marketlink Demo (SaaS)\", then Set up product)\n"
      "    Seller account {6}, sandbox-only key {7}; control API: {4}/_sim/…\n"
      "  Everything stays on this machine; AWS is simulated. Press Ctrl+C to stop.\n\n",
      url, kDemoPassword, users, mail_transport, sim_url, kDemoBuyerAccountId,
      sim::kSellerAccountId, sim::kSellerAccessKeyId, kDemoProviderAwsAccountId,
      kDemoProviderAccessKeyId);
}

}  // namespace

std::optional<OpenedDatabase> open_database(const core::Config& config, const core::Clock& clock) {
  auto database = db::Database::open({.url = config.db, .pool_size = config.db_pool_size});
  if (!database.ok()) {
    fmt::print(stderr, "marketlink: {}\n", database.error().message);
    return std::nullopt;
  }
  OpenedDatabase opened{std::move(database).value(), {}};
  opened.migrations = db::builtin_migrations(opened.database->backend());
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

int serve(const core::Config& config, const SandboxOptions& sandbox) {
  const sigset_t stop_signals = block_stop_signals();
  auto listen = core::parse_host_port(config.listen);
  if (!listen.ok()) {
    fmt::print(stderr, "marketlink: --listen {}\n", listen.error().message);
    return 2;
  }
  core::SystemClock clock;
  core::RandomIdGenerator ids;
  core::Metrics metrics;

  auto opened = open_database(config, clock);
  if (!opened) return 1;
  db::Database& database = *opened->database;
  metrics.add_gauge("marketlink_db_pool_in_use", "Database connections in use.",
                    [&database] { return database.in_use(); });
  metrics.add_gauge("marketlink_db_pool_size", "Database connections kept open.",
                    [&database] { return database.pool_size(); });

  // Background jobs and mail. The mailer outlives the queue whose workers call it.
  const mail::MailerSettings mail_settings{.smtp_url = config.smtp_url,
                                           .username = config.smtp_username,
                                           .password = config.smtp_password,
                                           .starttls = config.smtp_starttls,
                                           .from = config.mail_from,
                                           .outbox_dir = config.outbox_dir};
  auto mailer = mail::make_mailer(mail_settings, clock, ids);
  if (!mailer.ok()) {
    fmt::print(stderr, "marketlink: {}\n", mailer.error().message);
    return 1;
  }
  jobs::JobQueue job_queue(database, clock, ids, metrics,
                           {.workers = config.job_workers,
                            .lease = std::chrono::seconds(config.job_lease_seconds),
                            .poll_interval = std::chrono::milliseconds(config.job_poll_ms)});
  mail::register_send_handler(job_queue, **mailer);
  // What request handlers queue mail with; the mail.send job above delivers it.
  const std::unique_ptr<mail::MailQueue> mail_queue = mail::make_mail_queue(job_queue);
  const std::string mail_transport = mail::describe_transport(mail_settings);
  core::log::info("mail", {{"transport", mail_transport}});

  auto pages = web::Pages::create({.version = MARKETLINK_VERSION,
                                   .database = database.display_name(),
                                   .sandbox = config.sandbox});
  if (!pages.ok()) {
    fmt::print(stderr, "marketlink: {}\n", pages.error().message);
    return 1;
  }

  const std::string host =
      listen->host.find(':') != std::string::npos ? "[" + listen->host + "]" : listen->host;
  const std::string public_url = config.public_url.empty()
                                     ? fmt::format("http://{}:{}", host, listen->port)
                                     : config.public_url;
  identity::AuditLog audit(database, clock, ids);
  identity::IdentityService identity_service(database, clock, ids, *mail_queue, audit,
                                             {.public_url = public_url});
  const web::Auth auth(identity_service, **pages,
                       {.secure_cookies = public_url.starts_with("https://")});
  const web::MarketplaceOrganizations marketplaces(identity_service);
  pool::Pool account_pool(database, clock, marketplaces,
                          {.stuck_after = std::chrono::minutes(config.pool_stuck_after_minutes)});
  metrics.add_gauge("marketlink_pool_stuck_accounts",
                    "Pool accounts provisioning without progress for longer than the stuck time.",
                    [&account_pool] {
                      auto stuck = account_pool.count_stuck();
                      return stuck.ok() ? static_cast<double>(*stuck) : -1.0;
                    });

  // AWS: the simulator in the sandbox (unless MARKETLINK_AWS_ENDPOINT says otherwise).
  std::unique_ptr<sim::SimServer> simulator;
  if (config.sandbox) {
    simulator = start_sandbox_simulator(sandbox, clock);
    if (!simulator) return 1;
    core::log::info("simulator listening", {{"url", simulator->url()}});
  }
  aws::CurlTransport aws_transport;
  aws::ThreadSleeper aws_sleeper;
  const aws::ClientContext aws_context{aws_transport, clock, aws_sleeper, aws::system_random()};
  aws::ClientSettings aws_settings;
  aws_settings.endpoint = !config.aws_endpoint.empty() ? config.aws_endpoint
                          : simulator                  ? simulator->url()
                                                       : "";
  ProviderAwsClient provider_aws(aws_context, aws_settings);

  auto secret_box = load_secret_box(config);
  if (!secret_box.ok()) {
    fmt::print(stderr, "marketlink: secret key: {}\n", secret_box.error().message);
    return 2;
  }
  if (!*secret_box) {
    core::log::warn("no secret key: AWS keys cannot be saved",
                    {{"set", "MARKETLINK_SECRET_KEY or MARKETLINK_SECRET_KEY_FILE"}});
  }
  pool::AwsAccess pool_aws_access(database, clock, account_pool, provider_aws, job_queue, audit,
                                  *secret_box ? &**secret_box : nullptr);
  if (auto registered = pool_aws_access.register_jobs(); !registered.ok()) {
    fmt::print(stderr, "marketlink: {}\n", registered.error().message);
    return 1;
  }

  if (config.sandbox) {
    if (auto loaded = load_identity_demo_data(identity_service); !loaded.ok()) {
      fmt::print(stderr, "marketlink: demo data: {}\n", loaded.error().message);
      return 1;
    }
    if (auto loaded = load_pool_demo_data(identity_service, database, clock, marketplaces,
                                          account_pool, pool_aws_access);
        !loaded.ok()) {
      fmt::print(stderr, "marketlink: demo pool: {}\n", loaded.error().message);
      return 1;
    }
  }
  job_queue.start();

  http::Router router;
  add_system_routes(router, database, opened->migrations, metrics, {.version = MARKETLINK_VERSION});
  web::add_site_routes(router, **pages, auth);
  web::add_identity_pages(router, **pages, auth, audit);
  web::add_identity_api(router, auth, audit);
  web::add_pool_api(router, auth, account_pool, audit);
  web::add_pool_aws_access_routes(router, **pages, auth, pool_aws_access);
  web::add_pool_pages(router, **pages, auth, account_pool, audit);

  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  http::Server server(
      http::ServerSettings{
          .host = listen->host,
          .port = listen->port,
          .io_threads = config.io_threads > 0 ? config.io_threads : cores,
          .worker_threads = config.worker_threads,
          .max_body_bytes = config.max_body_bytes,
          .max_header_bytes = config.max_header_bytes,
          .request_timeout = std::chrono::seconds(config.request_timeout_seconds),
          .idle_timeout = std::chrono::seconds(config.idle_timeout_seconds),
          .shutdown_grace = std::chrono::seconds(config.shutdown_grace_seconds),
          .default_headers = http::security_headers(),
      },
      router, metrics, ids, (*pages)->error_page());
  auto port = server.start();
  if (!port.ok()) {
    fmt::print(stderr, "marketlink: {}\n", port.error().message);
    return 1;
  }
  const std::string url = fmt::format("http://{}:{}", host, *port);
  core::log::info(
      "listening",
      {{"url", url}, {"database", database.display_name()}, {"sandbox", config.sandbox}});
  if (simulator && !seed_sandbox_marketplace(simulator->simulator(),
                                             config.public_url.empty() ? url : config.public_url)) {
    server.shutdown();
    job_queue.stop();
    return 1;
  }
  fmt::print("marketlink: listening on {}\n", url);
  if (simulator) {
    fmt::print("marketlink: simulated AWS on {}\n", simulator->url());
    print_sandbox_guide(url, mail_transport, simulator->url());
  }
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  core::log::info("stopping", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  server.shutdown();
  // After the last request: running jobs finish and record their outcome.
  job_queue.stop();
  if (simulator) simulator->shutdown();
  core::log::info("stopped");
  return 0;
}

}  // namespace app
