// The webhook API and pages and the integration health page: who may see and change what, the
// signing secret in the creation answer only, deliveries with their answers, replay, test events,
// dead jobs retried and discarded. Deliveries here go to a sender that answers 200 at once; their
// HTTP side is tested with a real receiver in app/webhook_delivery_test.cpp.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/metrics.h"
#include "jobs/job_queue.h"
#include "saas/health.h"
#include "saas/saas_test_support.h"
#include "saas/webhooks.h"
#include "web/identity/identity_web_test_support.h"
#include "web/saas/webhook_routes.h"

namespace web {
namespace {

using db::testing::TestBackend;
using testing::Reply;
using testing::TestClient;
using namespace std::chrono_literals;

// Answers every post with 200 and keeps what it was sent.
class AcceptingSender final : public saas::WebhookSender {
 public:
  core::Result<saas::WebhookAnswer> post(const saas::WebhookPost& request) override {
    std::lock_guard lock(mutex_);
    posts_.push_back(request);
    return saas::WebhookAnswer{.status = 200, .body = "ok"};
  }
  size_t count() const {
    std::lock_guard lock(mutex_);
    return posts_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<saas::WebhookPost> posts_;
};

class WebhookWebTest : public testing::WebTest {
 protected:
  void SetUp() override {
    open_web(saas::testing::more_schema());
    if (IsSkipped() || HasFatalFailure()) return;
    jobs_ = std::make_unique<jobs::JobQueue>(
        h_.database->db(), h_.clock, h_.ids, metrics_,
        jobs::QueueSettings{.workers = 0, .poll_interval = 3'600'000ms, .instance = "test"},
        [] { return 0.5; });
    webhooks_ = std::make_unique<saas::WebhookService>(h_.database->db(), h_.clock, h_.ids, *jobs_,
                                                       sender_, &box_, *h_.audit);
    webhooks_->register_jobs();
    health_ = std::make_unique<saas::IntegrationHealth>(*jobs_);
    health_->add_action({.name = "poke",
                         .label = "Poke now",
                         .done = "Poked",
                         .run = [this](const identity::Actor&) -> core::Status {
                           ++pokes_;
                           return {};
                         }});
    ASSERT_TRUE(add_webhook_routes(router_, *pages_, *auth_, *webhooks_, *health_).ok());
    admin_ = h_.user("operator@marketlink.test", "Olga Operator");
    member_ = h_.user("watcher@marketlink.test", "Walt Watcher");
    operator_org_ = h_.org("Marketlink Operator", admin_, identity::OrgKind::kOperator);
    ASSERT_TRUE(h_.service
                    ->invite(operator_org_.id, member_.email, identity::Role::kMember,
                             identity::Actor::system())
                    .ok());
    customer_admin_ = h_.user("ann@acme.test", "Ann Admin");
    acme_ = h_.org("Acme", customer_admin_, identity::OrgKind::kCustomer);
    operator_token_ = token(operator_org_);
    acme_token_ = token(acme_);
  }

  std::string token(const identity::Organization& org) {
    auto created = h_.service->create_api_token(org.id, "connector", identity::Actor::system());
    EXPECT_TRUE(created.ok());
    return created.ok() ? created->secret : "";
  }

  Reply call(const std::string& token, http::Method method, const std::string& path,
             const std::string& body = "") {
    TestClient c(router_);
    return c.api(method, path, body, {{"authorization", "Bearer " + token}});
  }

  static nlohmann::json json(const Reply& r) {
    return nlohmann::json::parse(r.body, nullptr, false);
  }
  static std::string error_code(const Reply& r) {
    const nlohmann::json j = json(r);
    return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
  }

  // Creates an endpoint through the API; returns its JSON (with the secret).
  nlohmann::json create(const std::string& url = "https://hooks.seller.test/marketlink") {
    const Reply r = call(operator_token_, http::Method::kPost, "/api/v1/webhooks",
                         nlohmann::json{{"url", url}, {"events", {"linked", "cancelled"}}}.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return json(r);
  }

  int run_all() {
    int n = 0;
    while (true) {
      auto ran = jobs_->run_next();
      if (!ran.ok() || !*ran) return n;
      ++n;
    }
  }

  core::Metrics metrics_;
  identity::SecretBox box_ =
      *identity::SecretBox::from_key_text(identity::SecretBox::generate_key_text());
  AcceptingSender sender_;
  std::unique_ptr<jobs::JobQueue> jobs_;
  std::unique_ptr<saas::WebhookService> webhooks_;
  std::unique_ptr<saas::IntegrationHealth> health_;
  int pokes_ = 0;
  identity::User admin_, member_, customer_admin_;
  identity::Organization operator_org_, acme_;
  std::string operator_token_, acme_token_;
};

TEST_P(WebhookWebTest, ApiShowsTheSigningSecretInTheCreationAnswerOnly) {
  const nlohmann::json created = create();
  const std::string secret = created.value("secret", "");
  const std::string id = created.value("id", "");
  ASSERT_TRUE(secret.starts_with("whsec_")) << created.dump();
  EXPECT_EQ(created["url"], "https://hooks.seller.test/marketlink");
  EXPECT_EQ(created["events"], nlohmann::json({"linked", "cancelled"}));
  EXPECT_EQ(created["secret_hint"], "whsec_…" + secret.substr(secret.size() - 4));

  ASSERT_TRUE(webhooks_->send_test(id).ok());
  run_all();
  for (const std::string& path :
       std::vector<std::string>{"/api/v1/webhooks", "/api/v1/webhooks/" + id,
                                "/api/v1/webhooks/" + id + "/deliveries"}) {
    const Reply r = call(operator_token_, http::Method::kGet, path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body.find(secret.substr(6)), std::string::npos) << path << " " << r.body;
  }
  const Reply list = call(operator_token_, http::Method::kGet, "/api/v1/webhooks");
  ASSERT_EQ(json(list)["webhooks"].size(), 1u);
  EXPECT_FALSE(json(list)["webhooks"][0].contains("secret"));
}

TEST_P(WebhookWebTest, ApiRefusesBadEndpointsAndAnyoneButTheOperator) {
  Reply r = call(operator_token_, http::Method::kPost, "/api/v1/webhooks",
                 R"({"url": "http://hooks.seller.test/x", "events": ["linked"]})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(error_code(r), "invalid_webhook");
  EXPECT_EQ(json(r)["error"]["details"][0]["field"], "url");
  r = call(operator_token_, http::Method::kPost, "/api/v1/webhooks",
           R"({"url": "https://hooks.seller.test/x", "events": []})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(json(r)["error"]["details"][0]["field"], "events");
  r = call(operator_token_, http::Method::kPost, "/api/v1/webhooks",
           R"({"url": "https://hooks.seller.test/x", "events": ["paid"]})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(error_code(r), "invalid_argument");
  r = call(operator_token_, http::Method::kPost, "/api/v1/webhooks",
           R"({"url": "https://hooks.seller.test/x", "events": ["linked"], "secret": "mine"})");
  EXPECT_EQ(r.status, 422);

  // Another organization's token: the webhooks do not exist for it.
  const std::string id = create().value("id", "");
  for (const auto& [method, path] : std::vector<std::pair<http::Method, std::string>>{
           {http::Method::kGet, "/api/v1/webhooks"},
           {http::Method::kGet, "/api/v1/webhooks/" + id + "/deliveries"},
           {http::Method::kDelete, "/api/v1/webhooks/" + id},
           {http::Method::kPost, "/api/v1/webhooks/" + id + "/test"}}) {
    EXPECT_EQ(call(acme_token_, method, path).status, 404) << path;
  }
  EXPECT_EQ(call(operator_token_, http::Method::kGet, "/api/v1/webhooks/nope").status, 404);
  EXPECT_EQ(call(operator_token_, http::Method::kDelete, "/api/v1/webhooks/" + id).status, 204);
  EXPECT_EQ(error_code(call(operator_token_, http::Method::kDelete, "/api/v1/webhooks/" + id)),
            "webhook_not_found");
}

TEST_P(WebhookWebTest, ApiSendsTestEventsListsDeliveriesWithTheirAnswersAndReplays) {
  const std::string id = create().value("id", "");
  Reply r = call(operator_token_, http::Method::kPost, "/api/v1/webhooks/" + id + "/test");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(json(r)["type"], "test");
  EXPECT_EQ(json(r)["status"], "pending");
  EXPECT_EQ(run_all(), 1);
  r = call(operator_token_, http::Method::kGet, "/api/v1/webhooks/" + id + "/deliveries");
  ASSERT_EQ(r.status, 200);
  const nlohmann::json d = json(r)["deliveries"][0];
  EXPECT_EQ(d["status"], "succeeded");
  EXPECT_EQ(d["attempts"], 1);
  EXPECT_EQ(d["body"]["type"], "test");
  EXPECT_EQ(d["log"][0]["status_code"], 200);
  EXPECT_EQ(d["log"][0]["response_excerpt"], "ok");
  EXPECT_TRUE(d["log"][0]["error"].is_null());

  r = call(operator_token_, http::Method::kPost,
           "/api/v1/webhooks/" + id + "/deliveries/" + d["id"].get<std::string>() + "/replay");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(json(r)["replay_of"], d["id"]);
  EXPECT_EQ(json(r)["event_id"], d["event_id"]);
  EXPECT_EQ(run_all(), 1);
  EXPECT_EQ(sender_.count(), 2u);
  EXPECT_EQ(json(call(operator_token_, http::Method::kGet,
                      "/api/v1/webhooks/" + id + "/deliveries"))["deliveries"]
                .size(),
            2u);
}

TEST_P(WebhookWebTest, PagesAddAnEndpointShowTheSecretOnceAndDeleteWithConfirmation) {
  TestClient c(router_);
  const std::string csrf = sign_in(c, admin_.email);
  Reply page = c.get("/operator/webhooks");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("No webhook endpoint yet"), std::string::npos);
  EXPECT_NE(page.body.find("value=\"entitlements_changed\""), std::string::npos);

  Reply bad = c.post_form(
      "/operator/webhooks",
      {{"csrf_token", csrf}, {"url", "http://hooks.seller.test/x"}, {"events", "linked"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("http://hooks.seller.test/x"), std::string::npos);  // kept as typed

  Reply created = c.post_form("/operator/webhooks", {{"csrf_token", csrf},
                                                     {"url", "https://hooks.seller.test/ml"},
                                                     {"events", "linked"},
                                                     {"events", "metering_failed"}});
  ASSERT_EQ(created.status, 201) << created.body;
  auto endpoints = webhooks_->endpoints();
  ASSERT_EQ(endpoints->size(), 1u);
  const saas::WebhookEndpoint& e = endpoints->front();
  EXPECT_EQ(e.events, (std::vector<saas::OutboxEvent>{saas::OutboxEvent::kLinked,
                                                      saas::OutboxEvent::kMeteringFailed}));
  const auto at = created.body.find("value=\"whsec_");
  ASSERT_NE(at, std::string::npos) << created.body;
  const std::string secret = created.body.substr(at + 7, 6 + 43);
  EXPECT_EQ(created.header("Cache-Control"), "no-store");

  page = c.get("/operator/webhooks");
  EXPECT_NE(page.body.find("https://hooks.seller.test/ml"), std::string::npos);
  EXPECT_EQ(page.body.find(secret), std::string::npos);
  Reply detail = c.get("/operator/webhooks/" + e.id);
  ASSERT_EQ(detail.status, 200);
  EXPECT_EQ(detail.body.find(secret), std::string::npos);
  EXPECT_NE(detail.body.find("Send test event"), std::string::npos);

  Reply test = c.post_form("/operator/webhooks/" + e.id + "/test", {{"csrf_token", csrf}});
  EXPECT_EQ(test.status, 303);
  run_all();
  detail = c.get("/operator/webhooks/" + e.id);
  EXPECT_NE(detail.body.find("Delivered"), std::string::npos) << detail.body;
  EXPECT_NE(detail.body.find("Replay"), std::string::npos);

  Reply confirm = c.post_form("/operator/webhooks/" + e.id + "/delete", {{"csrf_token", csrf}});
  EXPECT_EQ(confirm.status, 200);
  EXPECT_NE(confirm.body.find("Its delivery log is deleted with it"), std::string::npos);
  EXPECT_EQ(webhooks_->endpoints()->size(), 1u);
  Reply deleted = c.post_form("/operator/webhooks/" + e.id + "/delete",
                              {{"csrf_token", csrf}, {"confirmed", "yes"}});
  EXPECT_EQ(deleted.status, 303);
  EXPECT_TRUE(webhooks_->endpoints()->empty());
}

TEST_P(WebhookWebTest, MembersSeeTheWebhooksAndOnlyAdminsChangeThem) {
  const std::string id = create().value("id", "");
  TestClient c(router_);
  const std::string csrf = sign_in(c, member_.email);
  EXPECT_EQ(c.get("/operator/webhooks").status, 200);
  EXPECT_EQ(c.get("/operator/webhooks/" + id).status, 200);
  EXPECT_EQ(c.post_form("/operator/webhooks/" + id + "/test", {{"csrf_token", csrf}}).status, 403);
  EXPECT_EQ(c.post_form("/operator/webhooks/" + id + "/delete",
                        {{"csrf_token", csrf}, {"confirmed", "yes"}})
                .status,
            403);
  TestClient customer(router_);
  sign_in(customer, customer_admin_.email);
  EXPECT_EQ(customer.get("/operator/webhooks").status, 404);
  EXPECT_EQ(customer.get("/operator/health").status, 404);
}

TEST_P(WebhookWebTest, HealthPageListsDeadJobsToRetryOrDiscardAndRunsActions) {
  ASSERT_TRUE(jobs_->enqueue("no.such.kind", "{}").ok());
  ASSERT_TRUE(jobs_->enqueue("no.such.kind", "{}").ok());
  EXPECT_EQ(run_all(), 2);
  create();
  TestClient c(router_);
  const std::string csrf = sign_in(c, admin_.email);
  Reply page = c.get("/operator/health");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Dead jobs <span class=\"muted\">(2)</span>"), std::string::npos)
      << page.body;
  EXPECT_NE(page.body.find("no handler is registered for job kind"), std::string::npos);
  EXPECT_NE(page.body.find("Poke now"), std::string::npos);
  // Webhook figures only once a provider reports them; no metering or events section here.
  EXPECT_EQ(page.body.find("webhooks-heading"), std::string::npos);
  EXPECT_EQ(page.body.find("Metering"), std::string::npos);

  auto dead = health_->dead_jobs();
  ASSERT_EQ(dead->size(), 2u);
  Reply retried =
      c.post_form("/operator/health/jobs/" + dead->at(0).id + "/retry", {{"csrf_token", csrf}});
  EXPECT_EQ(retried.status, 303);
  EXPECT_EQ(jobs_->find(dead->at(0).id)->status, jobs::JobStatus::kQueued);
  Reply confirm =
      c.post_form("/operator/health/jobs/" + dead->at(1).id + "/discard", {{"csrf_token", csrf}});
  EXPECT_EQ(confirm.status, 200);
  EXPECT_NE(confirm.body.find("Discard job"), std::string::npos);
  Reply discarded = c.post_form("/operator/health/jobs/" + dead->at(1).id + "/discard",
                                {{"csrf_token", csrf}, {"confirmed", "yes"}});
  EXPECT_EQ(discarded.status, 303);
  EXPECT_EQ(*jobs_->count_dead(), 0);
  EXPECT_EQ(c.post_form("/operator/health/jobs/nope/retry", {{"csrf_token", csrf}}).status, 404);

  EXPECT_EQ(c.post_form("/operator/health/actions/poke", {{"csrf_token", csrf}}).status, 303);
  EXPECT_EQ(pokes_, 1);
  EXPECT_EQ(c.post_form("/operator/health/actions/nope", {{"csrf_token", csrf}}).status, 404);

  // With the webhooks provider, its figures show.
  health_->add_provider("webhooks", [this](saas::HealthFigures& f) -> core::Status {
    f.webhooks = *webhooks_->figures();
    return {};
  });
  page = c.get("/operator/health");
  EXPECT_NE(page.body.find("webhooks-heading"), std::string::npos);
}

TEST_P(WebhookWebTest, HealthPageAndMetricsShowUnconfirmedSnsSubscriptionsWithTheirError) {
  TestClient c(router_);
  sign_in(c, member_.email);
  EXPECT_EQ(c.get("/operator/health").body.find("sns-heading"), std::string::npos);
  health_->add_provider("lifecycle", [](saas::HealthFigures& f) -> core::Status {
    f.sns_subscriptions_unconfirmed = 1;
    f.sns_unconfirmed = std::vector<saas::SnsSubscriptionRequest>{
        {.id = "s1",
         .topic_arn = "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-p1",
         .received_at = core::TimePoint{},
         .last_received_at = core::TimePoint{},
         .deliveries = 3,
         .last_error = "ConfirmSubscription failed: 403"}};
    return {};
  });
  Reply page = c.get("/operator/health");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("sns-heading"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("aws-mp-subscription-notification-p1"), std::string::npos);
  EXPECT_NE(page.body.find("ConfirmSubscription failed: 403"), std::string::npos);
  EXPECT_NE(page.body.find("SNS subscriptions not confirmed</dt><dd>1"), std::string::npos);
  health_->refresh();
  std::string metrics;
  health_->render_metrics(metrics);
  EXPECT_NE(metrics.find("marketlink_saas_sns_subscriptions_unconfirmed 1"), std::string::npos)
      << metrics;
}

TEST_P(WebhookWebTest, HealthPageListsLateUsageAndAlarmedHoursWithAwsAnswer) {
  TestClient c(router_);
  sign_in(c, member_.email);
  Reply page = c.get("/operator/health");
  EXPECT_EQ(page.body.find("late-heading"), std::string::npos);
  EXPECT_EQ(page.body.find("alarmed-heading"), std::string::npos);
  health_->add_provider("metering", [](saas::HealthFigures& f) -> core::Status {
    f.metering_hours_alarmed = 1;
    f.metering_usage_late = 2;
    f.late_usage = std::vector<saas::LateUsageFigure>{
        {.org_id = "org-late", .product_code = "p1", .dimension = "seats", .quantity = 7}};
    f.alarmed_hours = std::vector<saas::AlarmedHourFigure>{{.link_id = "l1",
                                                            .org_id = "org-alarm",
                                                            .product_code = "p1",
                                                            .dimension = "gb",
                                                            .quantity = 9,
                                                            .aws_status = "DuplicateRecord"}};
    return {};
  });
  page = c.get("/operator/health");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("late-heading"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("org-late"), std::string::npos);
  EXPECT_NE(page.body.find("<a href=\"#late-heading\">2</a>"), std::string::npos);
  EXPECT_NE(page.body.find("alarmed-heading"), std::string::npos);
  EXPECT_NE(page.body.find("DuplicateRecord"), std::string::npos);
  health_->refresh();
  std::string metrics;
  health_->render_metrics(metrics);
  EXPECT_NE(metrics.find("marketlink_metering_usage_late 2"), std::string::npos) << metrics;
}

INSTANTIATE_TEST_SUITE_P(Backends, WebhookWebTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace web
