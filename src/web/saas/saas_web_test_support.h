#pragma once
// The fixture the SaaS web tests share: WebTest with saas's schema, a SaasService whose
// ResolveCustomer answers from a FakeResolver, the operator's organization and its admin, and the
// SaaS routes on the test router.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "saas/saas.h"
#include "saas/saas_test_support.h"
#include "web/identity/identity_web_test_support.h"
#include "web/saas/saas_routes.h"

namespace web::testing {

class SaasWebTest : public WebTest {
 protected:
  // Opens the database and adds the SaaS routes. Callers return early when the test was skipped
  // or failed here (IsSkipped() || HasFatalFailure()).
  void open_saas_web(SaasWebSettings settings = {.billing_url = "https://billing.seller.test",
                                                 .secure_cookies = false}) {
    open_web(saas::testing::more_schema());
    if (IsSkipped() || HasFatalFailure()) return;
    saas_ = std::make_unique<saas::SaasService>(
        h_.database->db(), h_.clock, h_.ids, resolver_, *h_.service, h_.mail, *h_.audit,
        saas::SaasSettings{.public_url = "http://marketlink.test"});
    ASSERT_TRUE(add_saas_routes(router_, *pages_, *auth_, *saas_, settings).ok());
    operator_admin_ = h_.user("operator@marketlink.test", "Olga Operator");
    operator_org_ = h_.org("Marketlink Operator", operator_admin_, identity::OrgKind::kOperator);
  }

  identity::Actor operator_actor() const {
    return {.user_id = operator_admin_.id, .label = operator_admin_.email, .ip = "192.0.2.1"};
  }

  // A registered product: concurrent agreements unless `legacy`.
  saas::Product product(
      const std::string& code, bool legacy = false,
      identity::SubscriptionStatus new_org = identity::SubscriptionStatus::kTrial) {
    auto p = saas_->create_product(
        operator_org_.id,
        {.product_code = code,
         .name = "Product " + code,
         .pricing_model = saas::PricingModel::kSubscription,
         .dimensions =
             std::vector<saas::Dimension>{{.name = "users", .description = "Active users"}},
         .concurrent_agreements = !legacy,
         .manage_url = "https://aws.amazon.com/marketplace/pp/" + code,
         .support_contact = "support@seller.test",
         .new_org_subscription = new_org},
        operator_actor());
    EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
    return p.ok() ? *p : saas::Product{};
  }

  // A customer organization with `admin` as its admin and a plan of its own (trial by default).
  identity::Organization customer(
      const std::string& name, const identity::User& admin,
      identity::SubscriptionStatus plan = identity::SubscriptionStatus::kTrial) {
    return h_.org(name, admin, identity::OrgKind::kCustomer, "", plan);
  }

  // A token the resolver knows, for a buyer of `product_code`.
  std::string token(const std::string& name, const std::string& product_code,
                    const std::string& account_id, const std::string& customer_identifier = "",
                    const std::string& license_arn = "") {
    std::string t = "tok-" + name + "-Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk";
    resolver_.add(t, {.product_code = product_code,
                      .customer_identifier = customer_identifier,
                      .customer_aws_account_id = account_id,
                      .license_arn = license_arn});
    return t;
  }

  saas::testing::FakeResolver resolver_;
  std::unique_ptr<saas::SaasService> saas_;
  identity::User operator_admin_;
  identity::Organization operator_org_;
};

}  // namespace web::testing
