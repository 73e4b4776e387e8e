#include "app/sandbox_pool.h"

#include <fmt/format.h>

namespace app {

namespace {

constexpr int kDemoAccounts = 30;
constexpr const char* kDemoMarketplace = "MP-0000";
constexpr const char* kActor = "sandbox";

std::string demo_account_id(int n) { return fmt::format("2100000000{:02d}", n); }

}  // namespace

core::Status load_simulator_pool_data(sim::Simulator& simulator) {
  auto provider = simulator.create_account({{"account_id", kDemoProviderAwsAccountId},
                                            {"email", "aws@demo-provider.example.com"},
                                            {"name", "Demo Provider"},
                                            {"access_key_id", kDemoProviderAccessKeyId},
                                            {"secret_access_key", kDemoProviderSecretAccessKey}});
  if (!provider.ok()) return provider.error();
  for (int n = 1; n <= kDemoAccounts; ++n) {
    sim::Json request = {{"account_id", demo_account_id(n)},
                         {"email", fmt::format("pool+{}@demo-provider.example.com", n)},
                         {"name", fmt::format("Demo pool account {}", n)}};
    if (n <= kDemoAccounts - 2) {
      request["roles"] = {{{"name", std::string(pool::kDefaultRoleName)},
                           {"trusted_account_id", kDemoProviderAwsAccountId}}};
    }
    auto created = simulator.create_account(request);
    if (!created.ok()) return created.error();
  }
  return {};
}

core::Status load_pool_demo_data(identity::IdentityService& identity, db::Database& database,
                                 const core::Clock& clock,
                                 const pool::MarketplaceDirectory& marketplaces,
                                 identity::AuditLog& audit, pool::Pool& pool,
                                 pool::AwsAccess& access) {
  auto provider = identity.find_organization("demo-provider");
  if (!provider.ok()) return provider.error();
  const std::string& org = provider->id;

  auto counts = pool.counts(org);
  if (!counts.ok()) return counts.error();
  if (counts->total() == 0) {
    std::string csv = "account_id;marketplace_id,account_model\n";
    for (int n = 1; n <= kDemoAccounts; ++n) {
      csv += fmt::format("{},{},{}\n", demo_account_id(n), kDemoMarketplace,
                         n % 5 == 0 ? "ECAM" : "SPAM");
    }
    auto imported = pool.import_csv(org, csv, kActor);
    if (!imported.ok()) return imported.error();
    // Orders in every state. One was taken three hours ago and never moved: it shows as stuck.
    core::ManualClock three_hours_ago(clock.now() - std::chrono::hours(3));
    pool::Pool earlier(database, three_hours_ago, marketplaces, audit);
    if (auto stuck = earlier.take(org, kDemoMarketplace, "demo-order-1001", kActor); !stuck.ok()) {
      return stuck.error();
    }
    for (int n = 1002; n <= 1006; ++n) {
      const std::string order = fmt::format("demo-order-{}", n);
      auto taken = pool.take(org, kDemoMarketplace, order, kActor);
      if (!taken.ok()) return taken.error();
      const auto ref = pool::AllocationRef::order(order);
      if (n <= 1004) {
        if (auto done = pool.complete(org, ref, kActor); !done.ok()) return done.error();
      } else if (n == 1005) {
        auto failed =
            pool.fail(org, ref, "IAM user could not be created: EntityAlreadyExists", kActor);
        if (!failed.ok()) return failed.error();
      }
    }
    auto closed = pool.update(org, demo_account_id(7),
                              {.status = pool::AccountStatus::kInvalid,
                               .reason = "Closed by the customer before the import"},
                              kActor);
    if (!closed.ok()) return closed.error();
  }

  if (!access.can_store_secrets()) return {};
  auto saved = access.get(org);
  if (saved.ok()) return {};
  if (saved.error().code != core::ErrorCode::kNotFound) return saved.error();
  auto configured = access.configure(org,
                                     {.access_key_id = kDemoProviderAccessKeyId,
                                      .secret_access_key = kDemoProviderSecretAccessKey,
                                      .role_name = std::string(pool::kDefaultRoleName),
                                      .access_check_enabled = true},
                                     identity::Actor::system());
  if (!configured.ok()) return configured.error();
  return {};
}

}  // namespace app
