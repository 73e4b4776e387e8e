#include "app/wiring.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/openapi_route.h"
#include "app/system_routes.h"
#include "core/log.h"
#include "web/identity/identity_routes.h"
#include "web/orgs/orgs_routes.h"
#include "web/pool/pool_routes.h"
#include "web/saas/metering_routes.h"
#include "web/saas/saas_routes.h"
#include "web/saas/webhook_routes.h"

namespace app {

namespace {

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
    // One key per line, the sealing key first.
    std::stringstream all;
    all << in.rdbuf();
    text = all.str();
  }
  if (text.empty()) return std::optional<identity::SecretBox>();
  auto box = identity::SecretBox::from_key_text(text);
  if (!box.ok()) return box.error();
  return std::optional<identity::SecretBox>(*box);
}

// The seller's keys: MARKETLINK_SELLER_* when set, else AWS_* from the environment; null when
// neither is there.
std::shared_ptr<aws::CredentialsProvider> configured_seller_credentials(
    const core::Config& config) {
  if (!config.seller_access_key_id.empty() && !config.seller_secret_access_key.empty()) {
    return aws::static_credentials({.access_key_id = config.seller_access_key_id,
                                    .secret_access_key = config.seller_secret_access_key,
                                    .session_token = "",
                                    .expiration = std::nullopt});
  }
  auto from_environment = aws::credentials_from_environment(&std::getenv);
  if (!from_environment.ok()) return nullptr;
  return aws::static_credentials(from_environment->credentials);
}

}  // namespace

Platform::Platform(const core::Config& c, std::string url)
    : config(c),
      public_url(std::move(url)),
      aws_context{aws_transport, clock, aws_sleeper, aws::system_random()} {}

Platform::~Platform() {
  // Workers call the mailer and every domain's handlers: they stop first.
  if (jobs) jobs->stop();
}

std::unique_ptr<Platform> Platform::open(const core::Config& config, std::string public_url) {
  std::unique_ptr<Platform> p(new Platform(config, std::move(public_url)));
  auto opened = open_database(config, p->clock);
  if (!opened) return nullptr;
  p->opened = std::move(*opened);
  db::Database& database = p->database();
  p->metrics.add_gauge("marketlink_db_pool_in_use", "Database connections in use.",
                       [&database] { return database.in_use(); });
  p->metrics.add_gauge("marketlink_db_pool_size", "Database connections kept open.",
                       [&database] { return database.pool_size(); });

  const mail::MailerSettings mail_settings{.smtp_url = config.smtp_url,
                                           .username = config.smtp_username,
                                           .password = config.smtp_password,
                                           .starttls = config.smtp_starttls,
                                           .from = config.mail_from,
                                           .outbox_dir = config.outbox_dir};
  auto mailer = mail::make_mailer(mail_settings, p->clock, p->ids);
  if (!mailer.ok()) {
    fmt::print(stderr, "marketlink: {}\n", mailer.error().message);
    return nullptr;
  }
  p->mailer = std::move(mailer).value();
  p->mail_transport = mail::describe_transport(mail_settings);
  core::log::info("mail", {{"transport", p->mail_transport}});
  p->jobs = std::make_unique<jobs::JobQueue>(
      database, p->clock, p->ids, p->metrics,
      jobs::QueueSettings{.workers = config.job_workers,
                          .lease = std::chrono::seconds(config.job_lease_seconds),
                          .poll_interval = std::chrono::milliseconds(config.job_poll_ms)});
  mail::register_send_handler(*p->jobs, *p->mailer);
  // What request handlers queue mail with; the mail.send job above delivers it.
  p->mail = mail::make_mail_queue(*p->jobs);

  auto pages = web::Pages::create({.version = MARKETLINK_VERSION,
                                   .database = database.display_name(),
                                   .sandbox = config.sandbox});
  if (!pages.ok()) {
    fmt::print(stderr, "marketlink: {}\n", pages.error().message);
    return nullptr;
  }
  p->pages = std::move(pages).value();

  p->aws_settings.endpoint = config.aws_endpoint;
  auto secrets = load_secret_box(config);
  if (!secrets.ok()) {
    fmt::print(stderr, "marketlink: secret key: {}\n", secrets.error().message);
    return nullptr;
  }
  p->secrets = *secrets;
  p->seller_credentials = configured_seller_credentials(config);
  if (!p->secrets) {
    core::log::warn("no secret key: AWS keys cannot be saved",
                    {{"set", "MARKETLINK_SECRET_KEY or MARKETLINK_SECRET_KEY_FILE"}});
  }
  return p;
}

void wire_system(Platform& platform) {
  add_system_routes(platform.router, platform.database(), platform.opened.migrations,
                    platform.metrics, {.version = MARKETLINK_VERSION});
  add_openapi_route(platform.router);
}

IdentityDomain::IdentityDomain(Platform& p)
    : audit(p.database(), p.clock, p.ids),
      service(p.database(), p.clock, p.ids, *p.mail, audit, {.public_url = p.public_url}),
      auth(service, *p.pages, {.secure_cookies = p.public_url.starts_with("https://")}) {}

std::unique_ptr<IdentityDomain> wire_identity(Platform& platform) {
  auto domain = std::make_unique<IdentityDomain>(platform);
  web::add_site_routes(platform.router, *platform.pages, domain->auth);
  if (auto added =
          web::add_identity_routes(platform.router, *platform.pages, domain->auth, domain->audit);
      !added.ok()) {
    fmt::print(stderr, "marketlink: {}\n", added.error().message);
    return nullptr;
  }
  return domain;
}

PoolDomain::PoolDomain(Platform& p, IdentityDomain& identity)
    : marketplaces(identity.service),
      pool(p.database(), p.clock, marketplaces, identity.audit,
           {.stuck_after = std::chrono::minutes(p.config.pool_stuck_after_minutes)}),
      aws(p.aws_context, p.aws_settings),
      access(p.database(), p.clock, pool, aws, *p.jobs, identity.audit,
             p.secrets ? &*p.secrets : nullptr) {}

std::unique_ptr<PoolDomain> wire_pool(Platform& platform, IdentityDomain& identity) {
  auto domain = std::make_unique<PoolDomain>(platform, identity);
  pool::Pool& account_pool = domain->pool;
  platform.metrics.add_gauge(
      "marketlink_pool_stuck_accounts",
      "Pool accounts provisioning without progress for longer than the stuck time.",
      [&account_pool] {
        auto stuck = account_pool.count_stuck();
        return stuck.ok() ? static_cast<double>(*stuck) : -1.0;
      });
  core::Status wired = domain->access.register_jobs();
  if (wired.ok()) {
    wired = web::add_pool_routes(platform.router, *platform.pages, identity.auth, domain->pool);
  }
  if (wired.ok()) {
    wired = web::add_pool_aws_access_routes(platform.router, *platform.pages, identity.auth,
                                            domain->access);
  }
  if (!wired.ok()) {
    fmt::print(stderr, "marketlink: {}\n", wired.error().message);
    return nullptr;
  }
  return domain;
}

OrgsDomain::OrgsDomain(Platform& p, IdentityDomain& identity)
    : aws(p.aws_context, p.aws_settings),
      organizations(p.database(), p.clock, p.ids, aws, identity.audit,
                    p.secrets ? &*p.secrets : nullptr) {}

std::unique_ptr<OrgsDomain> wire_orgs(Platform& platform, IdentityDomain& identity) {
  auto domain = std::make_unique<OrgsDomain>(platform, identity);
  if (auto added = web::add_orgs_routes(platform.router, *platform.pages, identity.auth,
                                        domain->organizations);
      !added.ok()) {
    fmt::print(stderr, "marketlink: {}\n", added.error().message);
    return nullptr;
  }
  return domain;
}

SaasDomain::SaasDomain(Platform& p, IdentityDomain& identity)
    : resolver(p.aws_context, p.seller_credentials, p.aws_settings),
      service(p.database(), p.clock, p.ids, resolver, identity.service, *p.mail, identity.audit,
              {.public_url = p.public_url}) {}

std::unique_ptr<SaasDomain> wire_saas(Platform& platform, IdentityDomain& identity,
                                      const saas::MeteringService* metering) {
  if (!platform.seller_credentials) {
    core::log::warn(
        "no AWS seller keys: buyers landing from AWS Marketplace cannot be resolved",
        {{"set", "MARKETLINK_SELLER_ACCESS_KEY_ID and MARKETLINK_SELLER_SECRET_ACCESS_KEY"}});
  }
  auto domain = std::make_unique<SaasDomain>(platform, identity);
  if (auto added = web::add_saas_routes(
          platform.router, *platform.pages, identity.auth, domain->service,
          {.billing_url = platform.config.billing_url,
           .subscriptions_url =
               platform.config.sandbox && !platform.aws_settings.endpoint.empty()
                   ? platform.aws_settings.endpoint + "/console/marketplace/subscriptions"
                   : web::SaasWebSettings{}.subscriptions_url,
           .secure_cookies = platform.public_url.starts_with("https://"),
           .metering = metering});
      !added.ok()) {
    fmt::print(stderr, "marketlink: {}\n", added.error().message);
    return nullptr;
  }
  return domain;
}

WebhooksDomain::WebhooksDomain(Platform& p, IdentityDomain& identity)
    : service(p.database(), p.clock, p.ids, *p.jobs, sender, p.secrets ? &*p.secrets : nullptr,
              identity.audit),
      health(*p.jobs) {}

std::unique_ptr<WebhooksDomain> wire_webhooks(Platform& platform, IdentityDomain& identity) {
  auto domain = std::make_unique<WebhooksDomain>(platform, identity);
  domain->service.register_jobs();
  saas::WebhookService& webhooks = domain->service;
  domain->health.add_provider("webhooks", [&webhooks](saas::HealthFigures& f) -> core::Status {
    auto figures = webhooks.figures();
    if (!figures.ok()) return figures.error();
    f.webhooks = *figures;
    return {};
  });
  // The other owners (metering, the lifecycle) add their figures and actions when they are
  // wired; serve() starts the health refresh once every provider is in.
  saas::IntegrationHealth& health = domain->health;
  platform.metrics.add_collector("saas.health",
                                 [&health](std::string& out) { health.render_metrics(out); });
  if (auto added = web::add_webhook_routes(platform.router, *platform.pages, identity.auth,
                                           domain->service, domain->health);
      !added.ok()) {
    fmt::print(stderr, "marketlink: {}\n", added.error().message);
    return nullptr;
  }
  return domain;
}

saas::MeteringSettings metering_settings(const core::Config& config) {
  return {.window = std::chrono::hours(config.metering_window_hours),
          .schedule_minute = config.metering_minute};
}

MeteringDomain::MeteringDomain(Platform& p, IdentityDomain& identity, saas::Outbox* outbox)
    : meter(p.aws_context, p.seller_credentials, p.aws_settings,
            std::getenv("MARKETLINK_TEST_KILL_AFTER_METER") != nullptr &&
                std::string_view(std::getenv("MARKETLINK_TEST_KILL_AFTER_METER")) == "1"),
      service(p.database(), p.clock, p.ids, identity.service, meter, outbox,
              metering_settings(p.config)) {}

std::unique_ptr<MeteringDomain> wire_metering(Platform& platform, IdentityDomain& identity,
                                              saas::Outbox* outbox,
                                              saas::IntegrationHealth* health) {
  auto domain = std::make_unique<MeteringDomain>(platform, identity, outbox);
  saas::MeteringService& metering = domain->service;
  if (health != nullptr) {
    // /metrics shows these from the health page's last refresh, never waiting for the database.
    health->add_provider("metering", [&metering](saas::HealthFigures& f) -> core::Status {
      auto h = metering.health();
      if (!h.ok()) return h.error();
      f.metering_hours_pending = h->hours_unanswered;
      f.metering_hours_failed = h->hours_not_subscribed + h->hours_expired;
      f.metering_hours_alarmed = h->hours_alarm;
      f.metering_usage_late = h->usage_late;
      auto late = metering.late_usage(50);
      if (!late.ok()) return late.error();
      f.late_usage.emplace();
      for (const saas::Usage& u : *late) {
        f.late_usage->push_back({.org_id = u.org_id,
                                 .product_code = u.product_code,
                                 .dimension = u.dimension,
                                 .hour = u.hour,
                                 .quantity = u.quantity,
                                 .received_at = u.received_at,
                                 .note = u.note});
      }
      auto alarmed = metering.alarmed_hours(50);
      if (!alarmed.ok()) return alarmed.error();
      f.alarmed_hours.emplace();
      for (const saas::MeteredHour& m : *alarmed) {
        f.alarmed_hours->push_back({.link_id = m.link_id,
                                    .org_id = m.org_id,
                                    .product_code = m.product_code,
                                    .dimension = m.dimension,
                                    .hour = m.hour,
                                    .quantity = m.quantity,
                                    .aws_status = m.aws_status,
                                    .last_error = m.last_error});
      }
      return {};
    });
    health->add_action({.name = "meter",
                        .label = "Run metering now",
                        .done = "Metering ran: every closed hour not yet sent was sent.",
                        .run = [&metering](const identity::Actor&) -> core::Status {
                          auto run = metering.run();
                          if (!run.ok()) return run.error();
                          return {};
                        }});
  }
  core::Status wired = domain->service.register_jobs(*platform.jobs);
  if (wired.ok()) web::add_metering_routes(platform.router, identity.auth, domain->service);
  if (!wired.ok()) {
    fmt::print(stderr, "marketlink: metering: {}\n", wired.error().message);
    return nullptr;
  }
  return domain;
}

Domains::~Domains() {
  lifecycle.reset();
  saas.reset();
  metering.reset();
  webhooks.reset();
  orgs.reset();
  pool.reset();
  identity.reset();
}

std::unique_ptr<Domains> wire_domains(Platform& platform) {
  auto d = std::make_unique<Domains>();
  wire_system(platform);
  if (!(d->identity = wire_identity(platform))) return nullptr;
  if (!(d->pool = wire_pool(platform, *d->identity))) return nullptr;
  if (!(d->orgs = wire_orgs(platform, *d->identity))) return nullptr;
  if (!(d->webhooks = wire_webhooks(platform, *d->identity))) return nullptr;
  if (!(d->metering =
            wire_metering(platform, *d->identity, &d->webhooks->service, &d->webhooks->health))) {
    return nullptr;
  }
  if (!(d->saas = wire_saas(platform, *d->identity, &d->metering->service))) return nullptr;
  if (!(d->lifecycle = wire_lifecycle(platform, *d->identity, *d->saas, &d->webhooks->service,
                                      &d->webhooks->health))) {
    return nullptr;
  }
  return d;
}

}  // namespace app
