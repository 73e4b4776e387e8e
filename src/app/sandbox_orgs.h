// The sandbox's demo AWS organization: Demo Marketplace's management account in the simulator
// (sandbox-only key), linked to Demo Marketplace (MP-0000) through the pre-flight checks as a
// marketplace admin would, so /marketplaces/MP-0000/settings/aws shows it. Loading is idempotent.
#pragma once

#include "app/organizations_aws.h"
#include "core/result.h"
#include "orgs/aws_organizations.h"
#include "sim/simulator.h"

namespace app {

inline constexpr const char* kDemoMarketplaceId = "MP-0000";
inline constexpr const char* kDemoMarketplaceAwsAccountId = "666677778888";
inline constexpr const char* kDemoMarketplaceAccessKeyId = "AKIAMARKETLINKMKTP01";
inline constexpr const char* kDemoMarketplaceSecretAccessKey =
    "marketlink-sim-marketplace-secret-00000";

// Creates the account (in no organization) in the simulator.
core::Status load_simulator_orgs_data(sim::Simulator& simulator);

// Links the account to Demo Marketplace when it has no organization (the checks create the
// organization, billing bucket and report). When it is linked already — the database outlived
// an earlier simulator — makes the organization, bucket and report again in this simulator, so
// that "Check again" passes.
core::Status load_orgs_demo_data(orgs::AwsOrganizations& organizations, orgs::OrgsAws& aws);

}  // namespace app
