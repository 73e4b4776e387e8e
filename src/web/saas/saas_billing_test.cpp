// HTTP-level tests of a customer organization's AWS Marketplace subscription page and billing
// page on both backends: with and without a link, the payment method and its navigation item,
// and other tenants.
#include <gtest/gtest.h>

#include <string>

#include "web/saas/saas_seller_web_test_support.h"

namespace web {
namespace {

using db::testing::TestBackend;
using testing::Reply;
using testing::TestClient;

class SaasBillingTest : public testing::SaasSellerWebTest {
 protected:
  void SetUp() override {}

  // Opens the site with `billing_url` as the seller's billing page.
  void start(const std::string& billing_url = "https://billing.seller.test") {
    open_saas_web({.billing_url = billing_url, .secure_cookies = false});
    if (IsSkipped() || HasFatalFailure()) return;
    cathy_ = h_.user("cathy@acme.test", "Cathy Admin");
    acme_ = customer("Acme", cathy_);
    const identity::User gus = h_.user("gus@globex.test", "Gus");
    globex_ = customer("Globex", gus);
    const identity::User pia = h_.user("pia@provider.test", "Pia");
    h_.org("Pia Provider", pia, identity::OrgKind::kProvider);
  }

  // A concurrent-agreements product's buyer linked to Acme, on a free trial.
  saas::Link link_acme() {
    product("prod-c");
    const saas::Registration r =
        land(token("c1", "prod-c", "555555555555", "", "arn:aws:license-manager::1:license:l-c1"),
             "free-trial");
    return link(r, acme_, cathy_);
  }

  identity::User cathy_;
  identity::Organization acme_, globex_;
};

TEST_P(SaasBillingTest, WithoutALinkTheSubscriptionPageSaysHowOneStarts) {
  start();
  if (IsSkipped() || HasFatalFailure()) return;
  TestClient c(router_);
  sign_in(c, "cathy@acme.test");
  const Reply page = c.get("/orgs/acme/subscription");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(contains(page.body, "Acme has no AWS Marketplace subscription."));
  EXPECT_TRUE(contains(page.body, "Set up product"));
  EXPECT_TRUE(contains(
      page.body, "<a href=\"/orgs/acme/subscription\" aria-current=\"page\">AWS Marketplace"));
  EXPECT_FALSE(contains(page.body, "Manage or cancel in AWS Marketplace"));
}

TEST_P(SaasBillingTest, TheSubscriptionPageShowsTheLinkAndSendsCancellationToAws) {
  start();
  if (IsSkipped() || HasFatalFailure()) return;
  link_acme();
  TestClient c(router_);
  sign_in(c, "cathy@acme.test");
  const Reply page = c.get("/orgs/acme/subscription");
  ASSERT_EQ(page.status, 200) << page.body;
  const std::string& html = page.body;
  EXPECT_TRUE(contains(html, "<h2 id=\"sub-1-heading\">Product prod-c</h2>"));
  EXPECT_TRUE(contains(html, "<span class=\"chip wait\">Pending</span>"));
  EXPECT_TRUE(contains(html, "waiting for AWS to confirm the subscription"));
  EXPECT_TRUE(contains(html, "<dd class=\"mono\">555555555555</dd>"));
  EXPECT_TRUE(contains(html,
                       "<dt>License ARN</dt><dd class=\"mono\">"
                       "arn:aws:license-manager::1:license:l-c1</dd>"));
  EXPECT_FALSE(contains(html, "Customer identifier")) << "concurrent agreements";
  EXPECT_TRUE(contains(html, "Free trial — AWS tells us when it ends"));
  EXPECT_TRUE(contains(html, "by Cathy Admin"));
  EXPECT_TRUE(contains(html, "Billed through AWS Marketplace"));
  EXPECT_TRUE(contains(html,
                       "<a class=\"button\" href=\"https://aws.amazon.com/marketplace/pp/"
                       "prod-c\">Manage or cancel in AWS Marketplace</a>"));
  EXPECT_TRUE(contains(html, "Cancellation happens in AWS Marketplace"));
  const std::string content = html.substr(html.find("<main"));
  EXPECT_FALSE(contains(content, "<form")) << "nothing to cancel here";
  EXPECT_FALSE(contains(content, "<button")) << "nothing to cancel here";

  // A legacy listing shows the customer identifier instead.
  product("prod-l", /*legacy=*/true);
  const identity::User gus_admin = h_.user("gina@globex.test", "Gina");
  add_member(globex_, gus_admin, identity::Role::kAdmin);
  link(land(token("l1", "prod-l", "666666666666", "cust-l1")), globex_, gus_admin);
  TestClient g(router_);
  sign_in(g, "gina@globex.test");
  const Reply legacy = g.get("/orgs/globex/subscription");
  ASSERT_EQ(legacy.status, 200);
  EXPECT_TRUE(contains(legacy.body, "<dt>Customer identifier</dt><dd class=\"mono\">cust-l1</dd>"));
  EXPECT_FALSE(contains(legacy.body, "License ARN"));
  EXPECT_TRUE(contains(legacy.body, "<dt>Free trial</dt><dd>No</dd>"));
  EXPECT_FALSE(contains(legacy.body, "555555555555")) << "Acme's link is not Globex's";
}

TEST_P(SaasBillingTest, AnotherTenantsSubscriptionPageIsNotFound) {
  start();
  if (IsSkipped() || HasFatalFailure()) return;
  link_acme();
  TestClient other(router_);
  sign_in(other, "gus@globex.test");
  EXPECT_EQ(other.get("/orgs/acme/subscription").status, 404);
  EXPECT_EQ(other.get("/orgs/acme/billing").status, 404);
  EXPECT_EQ(other.get("/orgs/globex/subscription").status, 200);
  TestClient provider(router_);
  sign_in(provider, "pia@provider.test");
  EXPECT_EQ(provider.get("/orgs/pia-provider/subscription").status, 404) << "customers only";
  EXPECT_EQ(provider.get("/orgs/pia-provider/billing").status, 404);
  TestClient anonymous(router_);
  EXPECT_EQ(anonymous.get("/orgs/acme/subscription").status, 303);
}

TEST_P(SaasBillingTest, WithoutALinkBillingOffersThePaymentMethod) {
  start();
  if (IsSkipped() || HasFatalFailure()) return;
  TestClient c(router_);
  sign_in(c, "cathy@acme.test");
  const Reply page = c.get("/orgs/acme/billing");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(contains(page.body, "<span class=\"chip wait\">Trial</span>"));
  EXPECT_TRUE(contains(page.body, "The trial ends Mar 16, 2026, 09:00 UTC."));
  EXPECT_TRUE(contains(page.body, "id=\"payment-method\""));
  EXPECT_TRUE(contains(page.body, "href=\"https://billing.seller.test\">Manage payment method"));
  EXPECT_TRUE(contains(page.body, "href=\"/orgs/acme/billing\" aria-current=\"page\">Billing"));
  EXPECT_TRUE(contains(page.body, "href=\"/orgs/acme/billing#payment-method\">Payment method"));
  EXPECT_FALSE(contains(page.body, "Billed through AWS Marketplace"));
  // The navigation item is on the organization's other pages too.
  EXPECT_TRUE(contains(c.get("/orgs/acme").body, "/orgs/acme/billing#payment-method"));
}

TEST_P(SaasBillingTest, WhileLinkedAwsBillsAndThePaymentMethodIsGone) {
  start();
  if (IsSkipped() || HasFatalFailure()) return;
  const saas::Link l = link_acme();
  TestClient c(router_);
  sign_in(c, "cathy@acme.test");
  const Reply page = c.get("/orgs/acme/billing");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(contains(page.body, "Billed through AWS Marketplace"));
  EXPECT_TRUE(contains(page.body, "href=\"/orgs/acme/subscription\">See the AWS Marketplace"));
  EXPECT_FALSE(contains(page.body, "payment-method"));
  EXPECT_FALSE(contains(page.body, "Payment method"));
  EXPECT_FALSE(contains(page.body, "https://billing.seller.test"));
  EXPECT_TRUE(contains(page.body, ">Billing</a>")) << "Billing stays in the navigation";
  EXPECT_FALSE(contains(c.get("/orgs/acme").body, "Payment method"));
  // Globex has no link: its payment method stays.
  TestClient g(router_);
  sign_in(g, "gus@globex.test");
  EXPECT_TRUE(contains(g.get("/orgs/globex/billing").body, "https://billing.seller.test"));

  // Once the link has ended, the organization pays the seller again.
  set_link_status(l.id, saas::LinkStatus::kCancelled);
  const Reply ended = c.get("/orgs/acme/billing");
  EXPECT_TRUE(contains(ended.body, "id=\"payment-method\""));
  EXPECT_TRUE(contains(ended.body, "href=\"/orgs/acme/billing#payment-method\">Payment method"));
  EXPECT_FALSE(contains(ended.body, "Billed through AWS Marketplace"));
  const Reply subscription = c.get("/orgs/acme/subscription");
  EXPECT_TRUE(contains(subscription.body, "<span class=\"chip neutral\">Cancelled</span>"));
  EXPECT_TRUE(contains(subscription.body, "This subscription has ended."));
}

TEST_P(SaasBillingTest, APlanWithoutABillingPageSaysWhomToAsk) {
  start("");
  if (IsSkipped() || HasFatalFailure()) return;
  const identity::User ada = h_.user("ada@active.test", "Ada");
  customer("Active Co", ada, identity::SubscriptionStatus::kActive);
  TestClient c(router_);
  sign_in(c, "ada@active.test");
  const Reply page = c.get("/orgs/active-co/billing");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(contains(page.body, "<span class=\"chip ok\">Active</span>"));
  EXPECT_TRUE(contains(page.body, "id=\"payment-method\""));
  EXPECT_TRUE(contains(page.body, "Payment methods are not managed online yet."));
  EXPECT_FALSE(contains(page.body, "Manage payment method"));
}

INSTANTIATE_TEST_SUITE_P(Backends, SaasBillingTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace web
