// HTTP-level tests of the metering API on both backends: who may report usage, Idempotency-Key
// repeats, bad records named, the CSV import, run-now and an organization's usage.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "saas/metering_test_support.h"
#include "web/saas/metering_routes.h"
#include "web/saas/saas_seller_web_test_support.h"
#include "web/saas/saas_shared.h"

namespace web {
namespace {

using db::testing::TestBackend;
using nlohmann::json;
using testing::Reply;
using testing::TestClient;

class MeteringApiTest : public testing::SaasSellerWebTest {
 protected:
  void SetUp() override {
    open_saas_web();
    if (IsSkipped() || HasFatalFailure()) return;
    metering_ = std::make_unique<saas::MeteringService>(h_.database->db(), h_.clock, h_.ids,
                                                        *h_.service, meter_, &outbox_);
    add_metering_routes(router_, *auth_, *metering_);
    product("prod-legacy", true);
    cathy_ = h_.user("cathy@acme.test", "Cathy Admin");
    acme_ = customer("Acme", cathy_);
    link_ = link(land(token("acme", "prod-legacy", "111111111111", "cust-acme")), acme_, cathy_);
    set_link_status(link_.id, saas::LinkStatus::kActive);
    operator_token_ = api_token(operator_org_);
    acme_token_ = api_token(acme_);
  }

  Reply post_usage(const std::string& token, const json& body, const std::string& key) {
    TestClient c(router_);
    http::Headers headers = {{"authorization", "Bearer " + token}};
    if (!key.empty()) headers.emplace_back("idempotency-key", key);
    return c.api(http::Method::kPost, "/api/v1/usage", body.dump(), headers);
  }
  json record(long long quantity, const std::string& when = "2026-03-02T09:01:00Z") const {
    return {{"org", "acme"},
            {"product_code", "prod-legacy"},
            {"dimension", "users"},
            {"quantity", quantity},
            {"timestamp", when}};
  }

  saas::testing::FakeUsageMeter meter_;
  saas::testing::RecordingOutbox outbox_;
  std::unique_ptr<saas::MeteringService> metering_;
  identity::User cathy_;
  identity::Organization acme_;
  saas::Link link_;
  std::string operator_token_, acme_token_;
};

TEST_P(MeteringApiTest, TheOperatorsTokenReportsUsageOnceByIdempotencyKey) {
  const Reply first = post_usage(operator_token_, record(3), "req-1");
  ASSERT_EQ(first.status, 202) << first.body;
  const json stored = body(first)["records"];
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0]["quantity"], 3);
  EXPECT_EQ(stored[0]["hour"], "2026-03-02T09:00:00.000Z");
  EXPECT_EQ(stored[0]["state"], "pending");
  EXPECT_EQ(stored[0]["link_id"], link_.id);

  const Reply again = post_usage(operator_token_, record(3), "req-1");
  EXPECT_EQ(again.status, 202);
  EXPECT_EQ(body(again)["records"][0]["id"], stored[0]["id"]);
  EXPECT_EQ(body(again)["repeated"], true);
  const Reply reused = post_usage(operator_token_, record(4), "req-1");
  EXPECT_EQ(reused.status, 409);
  EXPECT_EQ(error_code(reused), "idempotency_key_reused");
  EXPECT_EQ(metering_->usage(link_.id)->size(), 1u);

  // A customer's own token cannot meter, not even itself.
  EXPECT_EQ(post_usage(acme_token_, record(5), "req-2").status, 404);
  const Reply no_key = post_usage(operator_token_, record(5), "");
  EXPECT_EQ(no_key.status, 422);
  EXPECT_EQ(error_code(no_key), "missing_idempotency_key");
}

TEST_P(MeteringApiTest, ABatchWithBadRecordsNamesEachAndStoresNone) {
  json batch = {{"records", json::array({record(1), record(-2), record(1, "2026-03-03T00:00:00Z"),
                                         json{{"org", "acme"}, {"quantity", 1.5}}})}};
  const Reply r = post_usage(operator_token_, batch, "batch-1");
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(error_code(r), "invalid_usage");
  std::set<std::string> fields;
  const json answer = body(r);
  for (const json& d : answer["error"]["details"]) fields.insert(d["field"].get<std::string>());
  EXPECT_TRUE(fields.contains("records[1].quantity"));
  EXPECT_TRUE(fields.contains("records[2].timestamp"));
  EXPECT_TRUE(fields.contains("records[3].quantity"));
  EXPECT_TRUE(fields.contains("records[3].product_code"));
  EXPECT_FALSE(fields.contains("records[0].quantity"));
  EXPECT_TRUE(metering_->usage(link_.id)->empty());
  batch["records"] = json::array({record(1), record(2, "2026-03-02T09:30:00Z")});
  h_.clock.set(core::parse_rfc3339("2026-03-02T09:40:00Z").value());
  EXPECT_EQ(post_usage(operator_token_, batch, "batch-2").status, 202);
  EXPECT_EQ(metering_->usage(link_.id)->size(), 2u);
}

TEST_P(MeteringApiTest, ImportsCsvAllOrNothingAndRunsNow) {
  h_.clock.set(core::parse_rfc3339("2026-03-02T09:50:00Z").value());
  const Reply bad = call(operator_token_, http::Method::kPost, "/api/v1/usage/import",
                         "org,product_code,dimension,quantity,hour\n"
                         "acme,prod-legacy,users,2,2026-03-02T09:10:00Z\n"
                         "acme,prod-legacy,nope,2,2026-03-02T09:10:00Z\n");
  ASSERT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(error_code(bad), "invalid_csv");
  EXPECT_EQ(body(bad)["error"]["rows"][0]["line"], 3);
  EXPECT_TRUE(metering_->usage(link_.id)->empty());
  const Reply good = call(operator_token_, http::Method::kPost, "/api/v1/usage/import",
                          "buyer,product_code,dimension,quantity,hour\n"
                          "cust-acme,prod-legacy,users,2,2026-03-02T09:10:00Z\n");
  ASSERT_EQ(good.status, 201) << good.body;
  EXPECT_EQ(body(good)["imported"], 1);
  EXPECT_EQ(call(acme_token_, http::Method::kPost, "/api/v1/usage/import", "x").status, 404);

  h_.clock.set(core::parse_rfc3339("2026-03-02T10:15:00Z").value());
  EXPECT_EQ(call(acme_token_, http::Method::kPost, "/api/v1/metering/run").status, 404);
  const Reply ran = call(operator_token_, http::Method::kPost, "/api/v1/metering/run");
  ASSERT_EQ(ran.status, 202) << ran.body;
  EXPECT_EQ(body(ran)["nothing_due"], false);
  EXPECT_EQ(body(ran)["billed"], 1);
  ASSERT_EQ(body(ran)["records"].size(), 1u);
  EXPECT_EQ(body(ran)["records"][0]["quantity"], 2);
  EXPECT_EQ(body(ran)["records"][0]["state"], "billed");
  const Reply idle = call(operator_token_, http::Method::kPost, "/api/v1/metering/run");
  EXPECT_EQ(body(idle)["nothing_due"], true);
  EXPECT_EQ(meter_.calls().size(), 1u);

  const Reply usage = call(acme_token_, http::Method::kGet, "/api/v1/orgs/acme/usage");
  ASSERT_EQ(usage.status, 200) << usage.body;
  EXPECT_EQ(body(usage)["this_month"]["users"], 2);
  EXPECT_EQ(body(usage)["billed_this_month"]["users"], 2);
}

TEST_P(MeteringApiTest, TheSubscriptionCarriesItsUsageWhenMeteringIsWired) {
  h_.clock.set(core::parse_rfc3339("2026-03-02T10:20:00Z").value());
  ASSERT_EQ(post_usage(operator_token_, record(4, "2026-03-02T09:30:00Z"), "s-1").status, 202);
  ASSERT_EQ(post_usage(operator_token_, record(3, "2026-03-02T10:10:00Z"), "s-2").status, 202);
  http::Router with_usage;
  add_saas_api(with_usage, *auth_, *saas_, metering_.get());
  TestClient c(with_usage);
  const Reply r = c.api(http::Method::kGet, "/api/v1/orgs/acme/subscription", "",
                        {{"authorization", "Bearer " + acme_token_}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json usage = body(r)["subscriptions"][0]["usage"];
  EXPECT_EQ(usage["this_hour"]["users"], 3);
  EXPECT_EQ(usage["this_month"]["users"], 7);
  EXPECT_TRUE(usage["billed_this_month"].empty());
  // Without metering (the router of the other tests) there is no usage field.
  const Reply plain = call(acme_token_, http::Method::kGet, "/api/v1/orgs/acme/subscription");
  EXPECT_FALSE(body(plain)["subscriptions"][0].contains("usage"));
}

INSTANTIATE_TEST_SUITE_P(Backends, MeteringApiTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace web
