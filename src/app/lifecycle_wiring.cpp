// wire_lifecycle (wiring.h): the lifecycle service on the platform, its jobs and routes.
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#include "app/wiring.h"
#include "core/log.h"
#include "web/saas/lifecycle_routes.h"

namespace app {

namespace {

// MARKETLINK_SNS_TRUSTED_CERT_HOSTS: comma- or space-separated.
std::vector<std::string> trusted_cert_hosts(const Platform& p) {
  std::vector<std::string> out;
  const char* text = std::getenv("MARKETLINK_SNS_TRUSTED_CERT_HOSTS");
  std::string item;
  for (const char* c = text ? text : "";; ++c) {
    if (*c == ',' || *c == ' ' || *c == '\0') {
      if (!item.empty()) out.push_back(item);
      item.clear();
      if (*c == '\0') break;
    } else {
      item += *c;
    }
  }
  // The sandbox's simulator signs with its own certificate, served on its own URL.
  if (p.config.sandbox && !p.aws_settings.endpoint.empty()) out.push_back(p.aws_settings.endpoint);
  return out;
}

}  // namespace

LifecycleDomain::LifecycleDomain(Platform& p, IdentityDomain& identity, SaasDomain& saas,
                                 saas::Outbox* outbox)
    : entitlements(p.aws_context, p.seller_credentials, p.aws_settings),
      agreements(p.aws_context, p.seller_credentials, p.aws_settings),
      service(p.database(), p.clock, p.ids, *p.jobs, identity.service, entitlements, &agreements,
              outbox),
      sns_web(p.aws_transport),
      sns(service, saas.service, sns_web, {.trusted_cert_hosts = trusted_cert_hosts(p)}) {}

std::unique_ptr<LifecycleDomain> wire_lifecycle(Platform& platform, IdentityDomain& identity,
                                                SaasDomain& saas, saas::Outbox* outbox,
                                                saas::IntegrationHealth* health) {
  auto domain = std::make_unique<LifecycleDomain>(platform, identity, saas, outbox);
  if (auto registered = domain->service.register_jobs(); !registered.ok()) {
    fmt::print(stderr, "marketlink: {}\n", registered.error().message);
    return nullptr;
  }
  saas.service.set_link_observer(&domain->service);
  if (health != nullptr) {
    const saas::LifecycleService& lifecycle = domain->service;
    health->add_provider("lifecycle", [&lifecycle](saas::HealthFigures& f) -> core::Status {
      return lifecycle.figures(f);
    });
  }
  const char* secret = std::getenv("MARKETLINK_EVENTS_SECRET");
  web::LifecycleWebSettings settings{.events_secret = secret ? secret : ""};
  if (settings.events_secret.empty() && platform.config.sandbox) {
    settings.events_secret = kSandboxEventsSecret;
  }
  if (settings.events_secret.empty()) {
    core::log::warn("no events secret: POST /aws/events refuses every event",
                    {{"set", "MARKETLINK_EVENTS_SECRET"}});
  }
  for (const auto& [variable, kind] :
       {std::pair{"MARKETLINK_EVENTS_QUEUE_URL", saas::QueueKind::kEventBridge},
        std::pair{"MARKETLINK_SNS_QUEUE_URL", saas::QueueKind::kSns}}) {
    const char* url = std::getenv(variable);
    if (!url || !*url) continue;
    domain->queues.push_back(std::make_unique<QueuePoller>(
        std::make_unique<SqsMessageQueue>(platform.aws_context, platform.seller_credentials,
                                          platform.aws_settings, url),
        kind, domain->service, &domain->sns));
    core::log::info("saas lifecycle queue", {{"variable", variable}, {"url", url}});
  }
  web::add_lifecycle_routes(platform.router, identity.auth, domain->service, &domain->sns,
                            settings);
  return domain;
}

}  // namespace app
