#include "app/sandbox_saas.h"

#include <cstdlib>

#include "app/sandbox_data.h"
#include "core/log.h"

namespace app {

namespace {

const std::vector<saas::Dimension>& demo_dimensions() {
  static const std::vector<saas::Dimension> kDimensions = {
      {.name = "users", .description = "Active users per hour"},
      {.name = "api_calls", .description = "API calls per hour"}};
  return kDimensions;
}

constexpr const char* kNoPlanOrg = "Demo Startup";

}  // namespace

const std::vector<DemoProduct>& demo_products() {
  static const std::vector<DemoProduct> kProducts = {
      {"marketlinkdemo00000000001", "Marketlink Demo (SaaS)", "subscription", false,
       identity::SubscriptionStatus::kTrial},
      {"marketlinkdemo00000000002", "Marketlink Analytics", "subscription", true,
       identity::SubscriptionStatus::kActive},
  };
  return kProducts;
}

const std::vector<DemoBuyer>& demo_buyers() {
  static const std::vector<DemoBuyer> kBuyers = {{"444455556666", "Demo buyer"},
                                                 {"444455557777", "Second demo buyer"},
                                                 {"444455558888", "Third demo buyer"}};
  return kBuyers;
}

core::Status seed_simulator_saas(sim::Simulator& simulator, const std::string& hub_url) {
  for (const DemoProduct& p : demo_products()) {
    sim::Json dimensions = sim::Json::array();
    for (const auto& d : demo_dimensions()) {
      dimensions.push_back({{"name", d.name}, {"description", d.description}});
    }
    auto product = simulator.create_product({{"product_code", p.code},
                                             {"name", p.name},
                                             {"pricing_model", p.pricing_model},
                                             {"dimensions", dimensions},
                                             {"fulfillment_url", hub_url + "/aws/fulfillment"},
                                             {"free_trial", true},
                                             {"legacy_identity", !p.concurrent_agreements}});
    if (!product.ok()) return product.error();
  }
  // The simulator tells this hub what happens to subscriptions: SNS for the legacy listing,
  // EventBridge for every product. A hub the simulator cannot reach is only warned about.
  for (const DemoProduct& p : demo_products()) {
    if (p.concurrent_agreements) continue;
    for (const char* topic : {"subscription", "entitlement"}) {
      auto subscribed = simulator.subscribe_notifications(
          {{"topic", topic}, {"product_code", p.code}, {"endpoint", hub_url + "/aws/sns"}});
      if (!subscribed.ok()) {
        core::log::warn("the simulator's SNS cannot reach this hub",
                        {{"product", p.code}, {"error", subscribed.error().message}});
      }
    }
  }
  if (auto destination =
          simulator.add_event_destination({{"endpoint", hub_url + "/aws/events"},
                                           {"secret_header", "X-Marketlink-Events-Secret"},
                                           {"secret", std::getenv("MARKETLINK_EVENTS_SECRET")
                                                          ? std::getenv("MARKETLINK_EVENTS_SECRET")
                                                          : kSandboxEventsSecret}});
      !destination.ok()) {
    core::log::warn("the simulator's EventBridge cannot reach this hub",
                    {{"error", destination.error().message}});
  }
  for (const DemoBuyer& b : demo_buyers()) {
    auto buyer =
        simulator.create_account({{"account_id", b.account_id},
                                  {"email", std::string("buyer-") + b.account_id + "@example.com"},
                                  {"name", b.name}});
    if (!buyer.ok()) return buyer.error();
  }
  return {};
}

core::Status load_saas_demo_data(IdentityDomain& identity, SaasDomain& saas,
                                 const std::string& sim_url) {
  auto operator_org = identity.service.find_organization("marketlink-operations");
  if (!operator_org.ok()) return operator_org.error();
  auto operator_user = identity.service.find_user_by_email("operator@demo.marketlink.test");
  if (!operator_user.ok()) return operator_user.error();
  const identity::Actor actor{
      .user_id = operator_user->id, .label = operator_user->email, .ip = "127.0.0.1"};
  for (const DemoProduct& p : demo_products()) {
    if (saas.service.product(p.code).ok()) continue;
    auto created = saas.service.create_product(
        operator_org->id,
        {.product_code = p.code,
         .name = p.name,
         .pricing_model = saas::parse_pricing_model(p.pricing_model),
         .dimensions = demo_dimensions(),
         .concurrent_agreements = p.concurrent_agreements,
         .manage_url = sim_url + "/console/marketplace/products/" + p.code,
         .support_contact = "support@demo.marketlink.test",
         .new_org_subscription = p.new_org_subscription},
        actor);
    if (!created.ok()) return created.error();
  }
  if (!identity.service.find_organization(identity::slug_for(kNoPlanOrg)).ok()) {
    auto admin = identity.service.find_user_by_email("admin@demo.marketlink.test");
    if (!admin.ok()) return admin.error();
    auto org =
        identity.service.create_organization({.name = kNoPlanOrg,
                                              .kind = identity::OrgKind::kCustomer,
                                              .marketplace_id = "",
                                              .subscription = identity::SubscriptionStatus::kNone,
                                              .admin_user_id = admin->id},
                                             identity::Actor::system());
    if (!org.ok()) return org.error();
  }
  return {};
}

}  // namespace app
