// POST /aws/events (the shared secret, refused and malformed events, a valid one applied) and
// GET /api/v1/orgs/{org}/entitlements (who may read, its shape, its errors), on both backends.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/metrics.h"
#include "jobs/job_queue.h"
#include "saas/lifecycle.h"
#include "saas/lifecycle_test_support.h"
#include "web/saas/lifecycle_routes.h"
#include "web/saas/saas_seller_web_test_support.h"

namespace web {
namespace {

using db::testing::TestBackend;
using nlohmann::json;
using testing::Reply;
using testing::TestClient;

constexpr const char* kSecret = "ev-secret-8c1f0b2e9d";
constexpr const char* kLicense = "arn:aws:license-manager::1:license:l-web1";

class LifecycleApiTest : public testing::SaasSellerWebTest {
 protected:
  void SetUp() override {
    open_saas_web();
    if (IsSkipped() || HasFatalFailure()) return;
    queue_ =
        std::make_unique<jobs::JobQueue>(h_.database->db(), h_.clock, h_.ids, metrics_,
                                         jobs::QueueSettings{.workers = 0}, [] { return 0.5; });
    lifecycle_ = std::make_unique<saas::LifecycleService>(
        h_.database->db(), h_.clock, h_.ids, *queue_, *h_.service, reader_, nullptr, nullptr);
    ASSERT_TRUE(lifecycle_->register_jobs().ok());
    saas_->set_link_observer(lifecycle_.get());
    add_lifecycle_routes(router_, *auth_, *lifecycle_, nullptr, {.events_secret = kSecret});

    cathy_ = h_.user("cathy@acme.test", "Cathy Admin");
    acme_ = customer("Acme", cathy_);
    globex_ = customer("Globex", h_.user("gus@globex.test", "Gus"));
    acme_token_ = api_token(acme_);
    globex_token_ = api_token(globex_);
    operator_token_ = api_token(operator_org_);
    product("prod-e");
    link_ = link(land(token("e1", "prod-e", "555555555555", "", kLicense)), acme_, cathy_);
    drain();
  }

  void drain() {
    for (int i = 0; i < 100; ++i) {
      auto ran = queue_->run_next();
      ASSERT_TRUE(ran.ok());
      if (!*ran) return;
    }
  }

  std::string created_event(const std::string& id) const {
    return json{{"version", "0"},
                {"id", id},
                {"detail-type", "Purchase Agreement Created - Manufacturer"},
                {"source", "aws.agreement-marketplace"},
                {"time", core::format_rfc3339(h_.clock.now())},
                {"detail",
                 {{"agreement", {{"id", "agmt-web"}, {"status", "ACTIVE"}}},
                  {"acceptor", {{"accountId", "555555555555"}}},
                  {"product", {{"code", "prod-e"}}},
                  {"license", {{"arn", kLicense}}}}}}
        .dump();
  }

  Reply post_event(const std::string& body, http::Headers headers) {
    headers.emplace_back("content-type", "application/json");
    TestClient c(router_);
    return c.request(http::Method::kPost, "/aws/events", body, std::move(headers));
  }

  saas::LinkStatus status() {
    auto subs = saas_->subscriptions(acme_.id);
    EXPECT_TRUE(subs.ok() && !subs->empty());
    return subs.ok() && !subs->empty() ? subs->front().link.status : saas::LinkStatus::kFailed;
  }

  core::Metrics metrics_;
  std::unique_ptr<jobs::JobQueue> queue_;
  saas::testing::FakeEntitlementReader reader_;
  std::unique_ptr<saas::LifecycleService> lifecycle_;
  identity::User cathy_;
  identity::Organization acme_, globex_;
  std::string acme_token_, globex_token_, operator_token_;
  saas::Link link_;
};

TEST_P(LifecycleApiTest, EventsWithoutOrWithAWrongSecretAreRefusedAndChangeNothing) {
  const Reply none = post_event(created_event("ev-1"), {});
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(error_code(none), "unauthenticated");
  const Reply wrong = post_event(created_event("ev-1"), {{"x-marketlink-events-secret", "nope"}});
  EXPECT_EQ(wrong.status, 401);
  const Reply longer = post_event(created_event("ev-1"),
                                  {{"x-marketlink-events-secret", std::string(kSecret) + "x"}});
  EXPECT_EQ(longer.status, 401);
  drain();
  EXPECT_EQ(status(), saas::LinkStatus::kPending);
}

TEST_P(LifecycleApiTest, AValidEventIsAcceptedAtOnceAndAppliedByTheJob) {
  reader_.set(kLicense, {{.dimension = "users", .value = "7"}});
  const Reply ok = post_event(created_event("ev-2"), {{"x-marketlink-events-secret", kSecret}});
  ASSERT_EQ(ok.status, 202) << ok.body;
  EXPECT_EQ(body(ok)["duplicate"], false);
  EXPECT_EQ(status(), saas::LinkStatus::kPending) << "stored, applied later";
  drain();
  EXPECT_EQ(status(), saas::LinkStatus::kActive);
  const Reply again = post_event(created_event("ev-2"), {{"x-marketlink-events-secret", kSecret}});
  ASSERT_EQ(again.status, 202);
  EXPECT_EQ(body(again)["duplicate"], true);
  EXPECT_EQ(body(again)["event_id"], body(ok)["event_id"]);

  const Reply bad =
      post_event("{\"source\":\"aws.ec2\"}", {{"x-marketlink-events-secret", kSecret}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(error_code(bad), "invalid_event");

  // The entitlements the seller's application reads.
  const Reply e =
      call(acme_token_, http::Method::kGet, "/api/v1/orgs/acme/entitlements?product_code=prod-e");
  ASSERT_EQ(e.status, 200) << e.body;
  EXPECT_EQ(body(e), json::parse(R"({"entitled": true, "status": "active", "product_code": "prod-e",
      "entitlements": [{"dimension": "users", "value": 7, "expires_at": null}]})"));
}

TEST_P(LifecycleApiTest, TheSubscriptionApiAndPageShowTheStatusAndEntitlements) {
  reader_.set(kLicense, {{.dimension = "users", .value = "7"}});
  ASSERT_EQ(post_event(created_event("ev-9"), {{"x-marketlink-events-secret", kSecret}}).status,
            202);
  drain();
  const Reply api = call(acme_token_, http::Method::kGet, "/api/v1/orgs/acme/subscription");
  ASSERT_EQ(api.status, 200) << api.body;
  const json s = body(api)["subscriptions"][0];
  EXPECT_EQ(s["status"], "active");
  EXPECT_EQ(s["entitlements"],
            json::parse(R"([{"dimension": "users", "value": 7, "expires_at": null}])"));
  TestClient member(router_);
  sign_in(member, "cathy@acme.test");
  const Reply page = member.get("/orgs/acme/subscription");
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "Entitlements, as AWS last told")) << page.body;
  EXPECT_TRUE(contains(page.body, "<td class=\"mono\">users</td><td>7</td>"));
  EXPECT_TRUE(contains(page.body, "Active"));
}

TEST_P(LifecycleApiTest, NoSecretConfiguredRefusesEveryEvent) {
  http::Router router;
  add_lifecycle_routes(router, *auth_, *lifecycle_, nullptr, {.events_secret = ""});
  TestClient c(router);
  const Reply r =
      c.request(http::Method::kPost, "/aws/events", created_event("ev-3"),
                {{"content-type", "application/json"}, {"x-marketlink-events-secret", ""}});
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(error_code(r), "events_not_configured");
  drain();
  EXPECT_EQ(status(), saas::LinkStatus::kPending);
}

TEST_P(LifecycleApiTest, EntitlementsAreReadByTheOrganizationAndTheOperatorOnly) {
  const std::string path = "/api/v1/orgs/acme/entitlements?product_code=prod-e";
  const Reply mine = call(acme_token_, http::Method::kGet, path);
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(body(mine)["entitled"], false);
  EXPECT_EQ(body(mine)["status"], "pending");

  EXPECT_EQ(call(operator_token_, http::Method::kGet, path).status, 200);
  EXPECT_EQ(call(globex_token_, http::Method::kGet, path).status, 404);
  EXPECT_EQ(
      call(globex_token_, http::Method::kGet, "/api/v1/orgs/nope/entitlements?product_code=prod-e")
          .status,
      404);
  TestClient anonymous(router_);
  EXPECT_EQ(anonymous.api(http::Method::kGet, path).status, 401);
  TestClient member(router_);
  sign_in(member, "cathy@acme.test");
  EXPECT_EQ(member.api(http::Method::kGet, path).status, 200);

  const Reply missing = call(acme_token_, http::Method::kGet, "/api/v1/orgs/acme/entitlements");
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(error_field(missing), "product_code");
  const Reply unknown =
      call(acme_token_, http::Method::kGet, "/api/v1/orgs/acme/entitlements?product_code=zzz");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(error_code(unknown), "product_not_found");
  const Reply globex = call(globex_token_, http::Method::kGet,
                            "/api/v1/orgs/globex/entitlements?product_code=prod-e");
  ASSERT_EQ(globex.status, 200);
  EXPECT_EQ(body(globex), json::parse(R"({"entitled": false, "status": null,
      "product_code": "prod-e", "entitlements": []})"));
}

TEST(ConstantTimeEqual, ComparesWholeTexts) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_FALSE(constant_time_equal("", "a"));
  EXPECT_TRUE(constant_time_equal("", ""));
}

INSTANTIATE_TEST_SUITE_P(Backends, LifecycleApiTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace web
