#include "app/sandbox.h"

#include <fmt/format.h>

#include "app/sandbox_data.h"
#include "app/sandbox_orgs.h"
#include "app/sandbox_pool.h"
#include "app/sandbox_saas.h"
#include "app/settings_store.h"
#include "core/log.h"

namespace app {

namespace {

// The version of the demo data written; a database that has it gets none again.
constexpr const char* kDemoDataVersion = "1";

}  // namespace

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
  if (auto loaded = load_simulator_orgs_data(server->simulator()); !loaded.ok()) {
    fmt::print(stderr, "marketlink: simulator: {}\n", loaded.error().message);
    return nullptr;
  }
  core::log::info("simulator listening", {{"url", server->url()}});
  return server;
}

namespace {

// The organizations, users and pool of the first demo data.
core::Status load_core_demo_data(Platform& platform, IdentityDomain& identity, PoolDomain& pool) {
  // Each loader creates only what is missing, so a start interrupted half-way completes it.
  if (auto done = load_identity_demo_data(identity.service); !done.ok()) return done.error();
  if (auto done = load_pool_demo_data(identity.service, platform.database(), platform.clock,
                                      pool.marketplaces, identity.audit, pool.pool, pool.access);
      !done.ok()) {
    return done.error();
  }
  return {};
}

}  // namespace

core::Status seed_sandbox_marketplace(sim::Simulator& simulator, const std::string& hub_url) {
  return seed_simulator_saas(simulator, hub_url);
}

core::Status load_sandbox_data(Platform& platform, IdentityDomain& identity, PoolDomain& pool,
                               SaasDomain& saas, const std::string& sim_url) {
  SettingsStore settings(platform.database(), platform.clock);
  auto loaded = settings.get(kDemoDataKey);
  if (!loaded.ok()) return loaded.error();
  if (*loaded) {
    core::log::info("sandbox demo data already loaded", {{"version", **loaded}});
  } else {
    if (auto done = load_core_demo_data(platform, identity, pool); !done.ok()) return done;
    if (auto done = settings.set(kDemoDataKey, kDemoDataVersion); !done.ok()) return done;
  }
  // The SaaS demo came later: a database with the first demo data gets it once, too.
  auto saas_loaded = settings.get(kDemoSaasDataKey);
  if (!saas_loaded.ok()) return saas_loaded.error();
  if (*saas_loaded) return {};
  if (auto done = load_saas_demo_data(identity, saas, sim_url); !done.ok()) return done;
  return settings.set(kDemoSaasDataKey, "1");
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
      "  AWS organizations: {0}/marketplaces/MP-0000/settings/aws (as admin@…):\n"
      "  the simulated management account {10} (sandbox-only key {11}) linked through the\n"
      "  pre-flight checks, with its billing bucket and Cost and Usage Report; add another\n"
      "  simulated account there (the simulator's control API makes one: docs/simulator.md).\n"
      "\n"
      "  Health: {0}/healthz   Readiness: {0}/readyz   Metrics: {0}/metrics\n"
      "\n"
      "  Selling on AWS Marketplace:\n"
      "    Buyer console: {4}/console\n"
      "  Sign in there as demo buyer {5} (or another), subscribe to \"Marketlink Demo (SaaS)\" "
      "(legacy customer\n"
      "  identifier) or \"Marketlink Analytics\" (concurrent agreements: subscribe twice for two\n"
      "  agreements), then Set up product: you land on this hub's onboarding. Link to Demo\n"
      "  Customer as admin@… (member@… is refused: not an admin; Demo Startup is refused: no\n"
      "  plan), or create a new account. The operator (operator@…) sees products at\n"
      "  {0}/operator/products and every attempt at {0}/operator/registrations.\n"
      "  After the link, the simulator's events make it active (its entitlements on the\n"
      "  organization's AWS Marketplace page); Cancel in the console moves it to unsubscribe\n"
      "  pending, then cancelled. The seller's application asks\n"
      "  GET {0}/api/v1/orgs/demo-customer/entitlements?product_code=… and reports usage with\n"
      "  POST {0}/api/v1/usage (docs/api.md). Webhooks, with a demo endpoint and its deliveries:\n"
      "  {0}/operator/webhooks; integration health, dead jobs and Run metering now:\n"
      "  {0}/operator/health.\n"
      "\n"
      "  Simulated AWS: {4}  (MARKETLINK_AWS_ENDPOINT={4})\n"
      "    Seller account {6}, sandbox-only key {7}\n"
      "    Control API: {4}/_sim/… (advance the clock, inject faults: docs/simulator.md)\n"
      "  Everything stays on this machine; AWS is simulated. Press Ctrl+C to stop.\n\n",
      url, kDemoPassword, users, mail_transport, sim_url, demo_buyers().front().account_id,
      sim::kSellerAccountId, sim::kSellerAccessKeyId, kDemoProviderAwsAccountId,
      kDemoProviderAccessKeyId, kDemoMarketplaceAwsAccountId, kDemoMarketplaceAccessKeyId);
}

}  // namespace app
