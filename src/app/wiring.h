// How `marketlink serve` puts the modules together. A Platform holds what every domain runs on
// (database, jobs, mail, the page frame, the router, the AWS client); each domain has a struct of
// its services and one wiring function that builds them on the platform and registers their
// jobs, metrics, templates and routes. serve() is the list of these calls. A new domain adds its
// struct and its wire_…() here, and one line to serve().
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "app/commands.h"
#include "app/curl_webhook_sender.h"
#include "app/lifecycle_queues.h"
#include "app/marketplace_customer_resolver.h"
#include "app/marketplace_lifecycle.h"
#include "app/marketplace_organizations.h"
#include "app/marketplace_usage_meter.h"
#include "app/organizations_aws.h"
#include "app/provider_aws.h"
#include "aws/aws_client.h"
#include "aws/curl_transport.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/ids.h"
#include "core/metrics.h"
#include "http/router.h"
#include "identity/audit_log.h"
#include "identity/identity_service.h"
#include "identity/secret_box.h"
#include "jobs/job_queue.h"
#include "mail/mail.h"
#include "orgs/aws_organizations.h"
#include "pool/aws_access.h"
#include "pool/pool.h"
#include "saas/health.h"
#include "saas/lifecycle.h"
#include "saas/metering.h"
#include "saas/saas.h"
#include "saas/webhooks.h"
#include "web/auth.h"
#include "web/pages.h"

namespace app {

class Platform {
 public:
  // Opens and migrates the database, sets up the job queue with the mail.send job, the page
  // frame and the secret key. `public_url` is where users reach this server. Prints the reason to
  // standard error and answers nullptr when something cannot be set up.
  static std::unique_ptr<Platform> open(const core::Config& config, std::string public_url);
  ~Platform();

  const core::Config& config;
  const std::string public_url;
  core::SystemClock clock;
  core::RandomIdGenerator ids;
  core::Metrics metrics;
  OpenedDatabase opened;
  db::Database& database() { return *opened.database; }
  std::unique_ptr<mail::Mailer> mailer;  // outlives the queue whose workers call it
  std::string mail_transport;            // where mail goes, for logs and the sandbox guide
  std::unique_ptr<jobs::JobQueue> jobs;
  std::unique_ptr<mail::MailQueue> mail;
  std::unique_ptr<web::Pages> pages;
  http::Router router;
  // AWS: real AWS unless an endpoint is set (MARKETLINK_AWS_ENDPOINT, or the sandbox's simulator).
  aws::CurlTransport aws_transport;
  aws::ThreadSleeper aws_sleeper;
  aws::ClientContext aws_context;
  aws::ClientSettings aws_settings;
  // The SaaS seller's AWS keys (core::Config); null when none are configured.
  std::shared_ptr<aws::CredentialsProvider> seller_credentials;
  // Seals stored AWS secrets; nullopt when no key is configured (secrets are then refused).
  std::optional<identity::SecretBox> secrets;

 private:
  Platform(const core::Config& config, std::string public_url);
};

// Users, organizations, sessions and the audit log; Auth; the site's and identity's routes.
struct IdentityDomain {
  explicit IdentityDomain(Platform& platform);
  identity::AuditLog audit;
  identity::IdentityService service;
  web::Auth auth;
};
std::unique_ptr<IdentityDomain> wire_identity(Platform& platform);

// Providers' pools, their AWS access and the access check; the pool's routes and metrics.
struct PoolDomain {
  PoolDomain(Platform& platform, IdentityDomain& identity);
  MarketplaceOrganizations marketplaces;
  pool::Pool pool;
  ProviderAwsClient aws;
  pool::AwsAccess access;
};
std::unique_ptr<PoolDomain> wire_pool(Platform& platform, IdentityDomain& identity);

// Marketplaces' AWS organizations: settings, pre-flight checks, billing set-up; their routes.
struct OrgsDomain {
  OrgsDomain(Platform& platform, IdentityDomain& identity);
  OrganizationsAwsClient aws;
  orgs::AwsOrganizations organizations;
};
std::unique_ptr<OrgsDomain> wire_orgs(Platform& platform, IdentityDomain& identity);

// Selling on AWS Marketplace: products, the buyer's landing and onboarding, links; its routes.
struct SaasDomain {
  SaasDomain(Platform& platform, IdentityDomain& identity);
  MarketplaceCustomerResolver resolver;
  saas::SaasService service;
};
// `metering` (may be null) adds usage to the subscription API.
std::unique_ptr<SaasDomain> wire_saas(Platform& platform, IdentityDomain& identity,
                                      const saas::MeteringService* metering = nullptr);

// Usage metering: usage in (API, CSV), the hourly saas.meter job and saas.flush_usage, run-now;
// its routes. `outbox` (may be null) hears of metering failures.
struct MeteringDomain {
  MeteringDomain(Platform& platform, IdentityDomain& identity, saas::Outbox* outbox);
  MarketplaceUsageMeter meter;
  saas::MeteringService service;
};
// The settings of metering from the configuration.
saas::MeteringSettings metering_settings(const core::Config& config);
// `health` (may be null) gets metering's figures and its "Run metering now" action.
std::unique_ptr<MeteringDomain> wire_metering(Platform& platform, IdentityDomain& identity,
                                              saas::Outbox* outbox = nullptr,
                                              saas::IntegrationHealth* health = nullptr);

// Outbound webhooks (the saas::Outbox the other SaaS services record events in) and the
// integration health figures (/operator/health and /metrics); their routes and the
// saas.webhook_deliver job. Wired before the SaaS services, which take `&service` as their Outbox.
struct WebhooksDomain {
  WebhooksDomain(Platform& platform, IdentityDomain& identity);
  CurlWebhookSender sender;
  saas::WebhookService service;
  saas::IntegrationHealth health;
};
std::unique_ptr<WebhooksDomain> wire_webhooks(Platform& platform, IdentityDomain& identity);

// What AWS tells the seller (EventBridge at /aws/events), the links' states, the entitlements
// API; it observes saas's links. `outbox` may be null (no webhooks). (lifecycle_wiring.cpp)
// The events secret in the sandbox when MARKETLINK_EVENTS_SECRET is not set (the in-process
// simulator's EventBridge destination sends it).
inline constexpr const char* kSandboxEventsSecret = "marketlink-sandbox-events-secret";
struct LifecycleDomain {
  LifecycleDomain(Platform& platform, IdentityDomain& identity, SaasDomain& saas,
                  saas::Outbox* outbox);
  MarketplaceEntitlements entitlements;
  MarketplaceAgreements agreements;
  saas::LifecycleService service;
  SnsFetcher sns_web;
  saas::SnsIntake sns;
  // MARKETLINK_EVENTS_QUEUE_URL, MARKETLINK_SNS_QUEUE_URL: read while the domain lives.
  std::vector<std::unique_ptr<QueuePoller>> queues;
};
// `health` (may be null) gets the events' figures.
std::unique_ptr<LifecycleDomain> wire_lifecycle(Platform& platform, IdentityDomain& identity,
                                                SaasDomain& saas, saas::Outbox* outbox = nullptr,
                                                saas::IntegrationHealth* health = nullptr);

// The operational endpoints (/healthz, /readyz, /metrics, /api/v1/version).
void wire_system(Platform& platform);

// Every domain on the platform, wired in order (each after what it uses), as serve() runs them.
struct Domains {
  std::unique_ptr<IdentityDomain> identity;
  std::unique_ptr<PoolDomain> pool;
  std::unique_ptr<OrgsDomain> orgs;
  std::unique_ptr<WebhooksDomain> webhooks;
  std::unique_ptr<MeteringDomain> metering;
  std::unique_ptr<SaasDomain> saas;
  std::unique_ptr<LifecycleDomain> lifecycle;
  ~Domains();  // in the reverse order
};
// nullptr (the reason printed) when a domain cannot be wired.
std::unique_ptr<Domains> wire_domains(Platform& platform);

}  // namespace app
