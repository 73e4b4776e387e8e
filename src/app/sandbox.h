// `marketlink serve --sandbox`: the AWS simulator in-process, seeded with a demo product and
// buyer; demo organizations, users and a demo pool; and the guide printed at start.
//
// Demo data is written once, on the sandbox's first start on a database, and the database
// remembers it (app_settings key kDemoDataKey): later starts leave everything as its users left
// it — a demo provider whose admin removed its AWS access keeps it removed, a removed member stays
// removed, and no access check starts by itself.
#pragma once

#include <memory>
#include <string>

#include "app/commands.h"
#include "app/wiring.h"
#include "core/clock.h"
#include "core/result.h"
#include "sim/sim_server.h"

namespace app {

inline constexpr const char* kDemoDataKey = "sandbox.demo_data";

// Starts the simulator with the demo pool's AWS accounts; nullptr (the reason printed) when it
// cannot start.
std::unique_ptr<sim::SimServer> start_sandbox_simulator(const SandboxOptions& options,
                                                        const core::Clock& clock);
// Seeds the simulator with the demo products, whose fulfillment URL is this hub's, and buyers.
core::Status seed_sandbox_marketplace(sim::Simulator& simulator, const std::string& hub_url);
// Writes the demo data unless this database has had it already (see above).
// `sim_url`: the simulator, whose console is the demo products' AWS Marketplace page.
core::Status load_sandbox_data(Platform& platform, IdentityDomain& identity, PoolDomain& pool,
                               SaasDomain& saas, const std::string& sim_url);
void print_sandbox_guide(const std::string& url, const std::string& mail_transport,
                         const std::string& sim_url);

}  // namespace app
