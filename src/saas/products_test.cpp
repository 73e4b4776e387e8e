// Products: create, read, update, with every rule answered as a field error, and audited in the
// operator's log in the same transaction.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>

#include "saas/saas.h"
#include "saas/saas_test_support.h"

namespace saas {
namespace {

using db::testing::TestBackend;
using testing::SaasFixture;

class ProductsTest : public SaasFixture {
 protected:
  ProductFields full(const std::string& code) {
    return {.product_code = code,
            .name = "  Acme Analytics  ",
            .pricing_model = PricingModel::kContractWithConsumption,
            .dimensions = std::vector<Dimension>{{.name = "seats", .description = "Seats"},
                                                 {.name = "gb.scanned", .description = ""}},
            .concurrent_agreements = false,
            .manage_url = "https://aws.amazon.com/marketplace/pp/prodview-abc",
            .support_contact = "support@acme.test",
            .new_org_subscription = identity::SubscriptionStatus::kActive};
  }

  // The fields named by an invalid_product error.
  static std::set<std::string> fields_of(const core::Error& e) {
    std::set<std::string> out;
    for (const auto& d : e.details) out.insert(d.field);
    return out;
  }

  // The operator organization's saas entries, newest first.
  std::vector<identity::AuditEvent> operator_log() {
    auto page = h_.id.audit->list(h_.operator_org.id, 50, "");
    EXPECT_TRUE(page.ok());
    std::vector<identity::AuditEvent> out;
    if (!page.ok()) return out;
    for (const auto& e : page->events) {
      if (e.action.starts_with("saas.")) out.push_back(e);
    }
    return out;
  }
};

TEST_P(ProductsTest, CreatesAndReadsBackEveryField) {
  auto created =
      h_.service->create_product(h_.operator_org.id, full("acme-1"), h_.operator_actor());
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->name, "Acme Analytics") << "trimmed";
  auto read = h_.service->product("acme-1");
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->product_code, "acme-1");
  EXPECT_EQ(read->name, "Acme Analytics");
  EXPECT_EQ(read->pricing_model, PricingModel::kContractWithConsumption);
  ASSERT_EQ(read->dimensions.size(), 2U);
  EXPECT_EQ(read->dimensions[0].name, "seats");
  EXPECT_EQ(read->dimensions[0].description, "Seats");
  EXPECT_EQ(read->dimensions[1].name, "gb.scanned");
  EXPECT_FALSE(read->concurrent_agreements);
  EXPECT_EQ(read->manage_url, "https://aws.amazon.com/marketplace/pp/prodview-abc");
  EXPECT_EQ(read->support_contact, "support@acme.test");
  EXPECT_EQ(read->new_org_subscription, identity::SubscriptionStatus::kActive);
  EXPECT_EQ(read->created_at, created->created_at);

  auto log = operator_log();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.front().action, "saas.product_created");
  EXPECT_EQ(log.front().target_id, "acme-1");
  EXPECT_EQ(log.front().actor_user_id, h_.operator_admin.id);
}

TEST_P(ProductsTest, DefaultsConcurrentAgreementsAndATrialForNewOrganizations) {
  ProductFields f = full("acme-2");
  f.concurrent_agreements.reset();
  f.new_org_subscription.reset();
  auto created = h_.service->create_product(h_.operator_org.id, f, h_.operator_actor());
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_TRUE(created->concurrent_agreements);
  EXPECT_EQ(created->new_org_subscription, identity::SubscriptionStatus::kTrial);
}

TEST_P(ProductsTest, ListsByName) {
  h_.product("zzz", true, "Beta");
  h_.product("aaa", false, "Gamma");
  h_.product("mmm", true, "Alpha");
  auto all = h_.service->products();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3U);
  EXPECT_EQ((*all)[0].name, "Alpha");
  EXPECT_EQ((*all)[1].name, "Beta");
  EXPECT_EQ((*all)[2].name, "Gamma");
  EXPECT_EQ((*all)[1].dimensions.size(), 1U) << "dimensions come with the list";
}

TEST_P(ProductsTest, AnEmptyFormNamesEveryRequiredField) {
  auto r = h_.service->create_product(h_.operator_org.id, {}, h_.operator_actor());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kInvalid);
  EXPECT_EQ(r.error().slug, "invalid_product");
  EXPECT_EQ(fields_of(r.error()),
            (std::set<std::string>{"product_code", "name", "pricing_model", "manage_url",
                                   "support_contact", "dimensions"}));
  EXPECT_TRUE(h_.service->products()->empty());
  EXPECT_TRUE(operator_log().empty()) << "nothing audited for a refused product";
}

TEST_P(ProductsTest, RefusesBadFieldsOneByOne) {
  auto refused_field = [&](ProductFields f) -> std::set<std::string> {
    auto r = h_.service->create_product(h_.operator_org.id, f, h_.operator_actor());
    if (r.ok()) return {"(accepted)"};
    return fields_of(r.error());
  };
  using Fields = std::set<std::string>;
  ProductFields f = full("bad code!");
  EXPECT_EQ(refused_field(f), Fields{"product_code"});
  f = full(std::string(65, 'a'));
  EXPECT_EQ(refused_field(f), Fields{"product_code"});
  f = full("ok");
  f.name = "Line\nbreak";
  EXPECT_EQ(refused_field(f), Fields{"name"});
  f = full("ok");
  f.name = std::string(201, 'n');
  EXPECT_EQ(refused_field(f), Fields{"name"});
  for (const char* url :
       {"http://aws.amazon.com/marketplace", "ftp://aws.amazon.com/x", "https://", "https:///path",
        "https://user@host/", "https://a b/", "aws.amazon.com/marketplace"}) {
    f = full("ok");
    f.manage_url = url;
    EXPECT_EQ(refused_field(f), Fields{"manage_url"}) << url;
  }
  f = full("ok");
  f.support_contact = "   ";
  EXPECT_EQ(refused_field(f), Fields{"support_contact"});
  f = full("ok");
  f.new_org_subscription = identity::SubscriptionStatus::kExpired;
  EXPECT_EQ(refused_field(f), Fields{"new_org_subscription"});
  f = full("ok");
  f.dimensions = std::vector<Dimension>{{.name = "seats"}, {.name = "seats"}};
  EXPECT_EQ(refused_field(f), Fields{"dimensions[1].name"});
  f = full("ok");
  f.dimensions = std::vector<Dimension>{{.name = "has space"}, {.name = ""}};
  EXPECT_EQ(refused_field(f), (Fields{"dimensions[0].name", "dimensions[1].name"}));
  f = full("ok");
  f.dimensions = std::vector<Dimension>{{.name = "x", .description = std::string(501, 'd')}};
  EXPECT_EQ(refused_field(f), Fields{"dimensions[0].description"});
  f = full("ok");
  f.dimensions = std::vector<Dimension>(kMaxDimensions + 1);
  for (size_t i = 0; i < f.dimensions->size(); ++i) (*f.dimensions)[i].name = fmt::format("d{}", i);
  EXPECT_EQ(refused_field(f), Fields{"dimensions"});
  EXPECT_TRUE(h_.service->products()->empty());
}

TEST_P(ProductsTest, DimensionsFollowThePricingModel) {
  ProductFields f = full("free-1");
  f.pricing_model = PricingModel::kFree;
  auto r = h_.service->create_product(h_.operator_org.id, f, h_.operator_actor());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(fields_of(r.error()), std::set<std::string>{"dimensions"});
  f.dimensions = std::vector<Dimension>{};
  EXPECT_TRUE(h_.service->create_product(h_.operator_org.id, f, h_.operator_actor()).ok());

  f = full("sub-1");
  f.pricing_model = PricingModel::kSubscription;
  f.dimensions = std::vector<Dimension>{};
  r = h_.service->create_product(h_.operator_org.id, f, h_.operator_actor());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(fields_of(r.error()), std::set<std::string>{"dimensions"});
}

TEST_P(ProductsTest, HttpIsAcceptedOnlyForALoopbackConsole) {
  for (const char* url : {"http://127.0.0.1:4566/console/subscriptions", "http://localhost/x",
                          "http://[::1]:4566/", "https://aws.amazon.com:443/marketplace"}) {
    ProductFields f = full(fmt::format("p{}", std::hash<std::string>{}(url) % 100000));
    f.manage_url = url;
    auto r = h_.service->create_product(h_.operator_org.id, f, h_.operator_actor());
    EXPECT_TRUE(r.ok()) << url << ": " << (r.ok() ? "" : r.error().details.front().message);
  }
}

TEST_P(ProductsTest, ATakenCodeIsAConflictOnTheCodeField) {
  ASSERT_TRUE(
      h_.service->create_product(h_.operator_org.id, full("dup"), h_.operator_actor()).ok());
  auto again = h_.service->create_product(h_.operator_org.id, full("dup"), h_.operator_actor());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(again.error().slug, "product_exists");
  EXPECT_EQ(fields_of(again.error()), std::set<std::string>{"product_code"});
  EXPECT_EQ(operator_log().size(), 1U);
}

TEST_P(ProductsTest, UpdateChangesTheFieldsGivenAndKeepsTheOthers) {
  ASSERT_TRUE(h_.service->create_product(h_.operator_org.id, full("up"), h_.operator_actor()).ok());
  h_.clock().advance(std::chrono::minutes(5));
  auto updated = h_.service->update_product(
      h_.operator_org.id, "up",
      {.name = "Acme Analytics Pro",
       .dimensions = std::vector<Dimension>{{.name = "cores", .description = "vCPU hours"}},
       .concurrent_agreements = true},
      h_.operator_actor());
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  auto read = h_.service->product("up");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->name, "Acme Analytics Pro");
  ASSERT_EQ(read->dimensions.size(), 1U);
  EXPECT_EQ(read->dimensions[0].name, "cores");
  EXPECT_TRUE(read->concurrent_agreements);
  EXPECT_EQ(read->pricing_model, PricingModel::kContractWithConsumption) << "kept";
  EXPECT_EQ(read->support_contact, "support@acme.test") << "kept";
  EXPECT_EQ(read->new_org_subscription, identity::SubscriptionStatus::kActive) << "kept";
  EXPECT_GT(read->updated_at, read->created_at);

  auto log = operator_log();
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log.front().action, "saas.product_updated");
  EXPECT_NE(log.front().detail.find("name"), std::string::npos) << log.front().detail;
  EXPECT_NE(log.front().detail.find("dimensions"), std::string::npos) << log.front().detail;
  EXPECT_EQ(log.front().detail.find("support contact"), std::string::npos) << log.front().detail;
}

TEST_P(ProductsTest, UpdateChecksTheResultAndNeverTheCode) {
  ASSERT_TRUE(
      h_.service->create_product(h_.operator_org.id, full("up2"), h_.operator_actor()).ok());
  auto r = h_.service->update_product(h_.operator_org.id, "up2", {.product_code = "other"},
                                      h_.operator_actor());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(fields_of(r.error()), std::set<std::string>{"product_code"});
  // The same code is fine (a PATCH body may repeat it).
  EXPECT_TRUE(
      h_.service
          ->update_product(h_.operator_org.id, "up2", {.product_code = "up2"}, h_.operator_actor())
          .ok());
  // Free with the dimensions it has: refused, as on create.
  r = h_.service->update_product(h_.operator_org.id, "up2", {.pricing_model = PricingModel::kFree},
                                 h_.operator_actor());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(fields_of(r.error()), std::set<std::string>{"dimensions"});
  EXPECT_EQ(h_.service->product("up2")->pricing_model, PricingModel::kContractWithConsumption);

  auto missing =
      h_.service->update_product(h_.operator_org.id, "nope", {.name = "x"}, h_.operator_actor());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().slug, "product_not_found");
  EXPECT_EQ(h_.service->product("nope").error().code, core::ErrorCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, ProductsTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace saas
