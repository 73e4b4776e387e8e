#include "app/sandbox_data.h"

namespace app {

namespace {

struct DemoOrg {
  const char* name;
  identity::OrgKind kind;
  const char* marketplace_id;
  identity::SubscriptionStatus subscription;
  const char* admin;
  std::vector<std::pair<const char*, identity::Role>> others;
};

const std::vector<DemoOrg>& demo_orgs() {
  using identity::OrgKind;
  using identity::Role;
  using identity::SubscriptionStatus;
  static const std::vector<DemoOrg> kOrgs = {
      {"Marketlink Operations",
       OrgKind::kOperator,
       "",
       SubscriptionStatus::kNone,
       "operator@demo.marketlink.test",
       {}},
      {"Demo Customer",
       OrgKind::kCustomer,
       "",
       SubscriptionStatus::kActive,
       "admin@demo.marketlink.test",
       {{"member@demo.marketlink.test", Role::kMember}}},
      {"Demo Provider",
       OrgKind::kProvider,
       "",
       SubscriptionStatus::kNone,
       "admin@demo.marketlink.test",
       {}},
      {"Demo Marketplace",
       OrgKind::kMarketplace,
       "MP-0000",
       SubscriptionStatus::kNone,
       "admin@demo.marketlink.test",
       {}},
  };
  return kOrgs;
}

}  // namespace

const std::vector<DemoUser>& demo_users() {
  static const std::vector<DemoUser> kUsers = {
      {"admin@demo.marketlink.test", "Alex Admin",
       "admin of Demo Customer, Demo Startup (no plan), Demo Provider and Demo Marketplace "
       "(MP-0000)"},
      {"member@demo.marketlink.test", "Morgan Member", "member of Demo Customer"},
      {"operator@demo.marketlink.test", "Olivia Operator",
       "admin of Marketlink Operations (the platform operator)"},
  };
  return kUsers;
}

core::Status load_identity_demo_data(identity::IdentityService& identity) {
  for (const DemoUser& u : demo_users()) {
    if (identity.find_user_by_email(u.email).ok()) continue;
    auto created = identity.create_user(
        {.email = u.email, .name = u.name, .password = kDemoPassword, .verified = true});
    if (!created.ok()) return created.error();
  }
  const identity::Actor actor = identity::Actor::system();
  for (const DemoOrg& o : demo_orgs()) {
    auto admin = identity.find_user_by_email(o.admin);
    if (!admin.ok()) return admin.error();
    auto org = identity.find_organization(identity::slug_for(o.name));
    if (!org.ok()) {
      org = identity.create_organization({.name = o.name,
                                          .kind = o.kind,
                                          .marketplace_id = o.marketplace_id,
                                          .subscription = o.subscription,
                                          .admin_user_id = admin->id},
                                         actor);
      if (!org.ok()) return org.error();
    }
    for (const auto& [email, role] : o.others) {
      auto user = identity.find_user_by_email(email);
      if (!user.ok()) return user.error();
      if (identity.role_in(org->id, user->id).ok()) continue;
      auto added = identity.invite(org->id, email, role, actor);
      if (!added.ok()) return added.error();
    }
  }
  return {};
}

}  // namespace app
