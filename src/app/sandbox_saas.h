// The sandbox's SaaS side: two demo products, one of each identity kind (a legacy listing with
// customer identifiers, a listing with concurrent agreements), registered both in the simulator
// (with this hub's fulfillment URL) and in the hub; three demo buyers in the simulator; and a
// customer organization without a plan of its own, to show a refused link.
#pragma once

#include <string>

#include "app/wiring.h"
#include "core/result.h"
#include "sim/simulator.h"

namespace app {

inline constexpr const char* kDemoSaasDataKey = "sandbox.demo_data.saas";

struct DemoProduct {
  const char* code;
  const char* name;
  const char* pricing_model;
  bool concurrent_agreements;
  identity::SubscriptionStatus new_org_subscription;
};
const std::vector<DemoProduct>& demo_products();

struct DemoBuyer {
  const char* account_id;
  const char* name;
};
const std::vector<DemoBuyer>& demo_buyers();

// The demo products (fulfillment URL `hub_url`/aws/fulfillment) and buyers, in the simulator.
core::Status seed_simulator_saas(sim::Simulator& simulator, const std::string& hub_url);
// The demo products in the hub (AWS Marketplace pages at `sim_url`'s console) and the
// organization without a plan; what exists is left alone.
core::Status load_saas_demo_data(IdentityDomain& identity, SaasDomain& saas,
                                 const std::string& sim_url);

}  // namespace app
