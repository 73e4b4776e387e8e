#include "app/sandbox_orgs.h"

#include "core/log.h"

namespace app {

core::Status load_simulator_orgs_data(sim::Simulator& simulator) {
  auto created = simulator.create_account({{"account_id", kDemoMarketplaceAwsAccountId},
                                           {"email", "aws@demo-marketplace.example.com"},
                                           {"name", "Demo Marketplace"},
                                           {"organization", "none"},
                                           {"access_key_id", kDemoMarketplaceAccessKeyId},
                                           {"secret_access_key", kDemoMarketplaceSecretAccessKey}});
  if (!created.ok()) return created.error();
  return {};
}

core::Status load_orgs_demo_data(orgs::AwsOrganizations& organizations, orgs::OrgsAws& aws) {
  auto linked = organizations.list(kDemoMarketplaceId);
  if (!linked.ok()) return linked.error();
  const identity::Actor actor{.user_id = "", .label = "sandbox", .ip = ""};
  if (linked->empty()) {
    auto added = organizations.add(kDemoMarketplaceId,
                                   {.account_id = kDemoMarketplaceAwsAccountId,
                                    .region = "us-east-1",
                                    .access_key_id = kDemoMarketplaceAccessKeyId,
                                    .secret_access_key = kDemoMarketplaceSecretAccessKey,
                                    .email_pattern = "aws-accounts+%s@demo-marketplace.example.com",
                                    .make_default = true},
                                   actor);
    if (!added.ok()) return added.error();
    if (auto* failed = std::get_if<orgs::PreflightError>(&*added)) return failed->error;
    return {};
  }
  for (const auto& o : *linked) {
    if (o.account_id != kDemoMarketplaceAwsAccountId) continue;
    auto c = organizations.credentials(kDemoMarketplaceId, o.id);
    if (!c.ok()) return c.error();
    auto org = aws.organization(*c);
    if (org.ok() && !*org) (void)aws.create_organization(*c);
    auto bucket = aws.bucket_state(*c, o.billing_bucket);
    if (bucket.ok() && *bucket == orgs::BucketState::kAbsent) {
      if (auto made = aws.create_billing_bucket(*c, o.billing_bucket); !made.ok()) return made;
      if (auto made = aws.create_report(*c, o.report_name, o.billing_bucket); !made.ok()) {
        return made;
      }
    }
    core::log::info("sandbox AWS organization ready in the simulator",
                    {{"account_id", o.account_id}});
  }
  return {};
}

}  // namespace app
