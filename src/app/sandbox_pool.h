// The sandbox's demo account pool: Demo Provider's AWS account and pool accounts in the simulator
// (sandbox-only keys), and the same accounts in Demo Provider's pool in every status, with its AWS
// access saved and the access check on. Loading is idempotent.
#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "db/database.h"
#include "identity/identity_service.h"
#include "pool/aws_access.h"
#include "pool/pool.h"
#include "sim/simulator.h"

namespace app {

// Demo Provider's own AWS account in the simulator and its documented sandbox-only key.
inline constexpr const char* kDemoProviderAwsAccountId = "555566667777";
inline constexpr const char* kDemoProviderAccessKeyId = "AKIAMARKETLINKPROV01";
inline constexpr const char* kDemoProviderSecretAccessKey =
    "marketlink-sim-provider-secret-00000000";

// Creates the demo provider's account and its pool accounts in the simulator: every pool account
// trusts the provider with OrganizationAccountAccessRole except the last two, which the access
// check then marks Invalid.
core::Status load_simulator_pool_data(sim::Simulator& simulator);

// Fills Demo Provider's pool when it is empty (Ready, Provisioning — one of them stuck —,
// Allocated, Provisioning failed and Invalid accounts) and saves its AWS access, check on, when
// none is saved. The simulator must be running: saving the keys asks it whose they are.
core::Status load_pool_demo_data(identity::IdentityService& identity, db::Database& database,
                                 const core::Clock& clock,
                                 const pool::MarketplaceDirectory& marketplaces,
                                 identity::AuditLog& audit, pool::Pool& pool,
                                 pool::AwsAccess& access);

}  // namespace app
