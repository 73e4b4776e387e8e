// Outbound webhooks end to end: events recorded in a transaction, delivered by the job queue over
// libcurl (CurlWebhookSender) to a real HTTP receiver on a free port (the project's own server),
// which checks every signature itself with OpenSSL's HMAC. Both databases.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <soci/soci.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "app/curl_webhook_sender.h"
#include "core/log.h"
#include "core/metrics.h"
#include "http/server.h"
#include "identity/identity_test_support.h"
#include "jobs/job_queue.h"
#include "saas/health.h"
#include "saas/migrations.h"
#include "saas/saas_test_support.h"
#include "saas/webhooks.h"

namespace app {
namespace {

using db::testing::TestBackend;
using namespace std::chrono_literals;

// What the receiver was sent.
struct Received {
  std::string path;
  std::string body;
  std::string signature;
  std::string event_id_header;
  std::string content_type;
};

// The seller's application: records every POST, answers what the test says (200 by default,
// after an optional delay).
class Receiver {
 public:
  Receiver() {
    router_.post("/hooks/{name}", [this](http::Request& r) {
      std::chrono::milliseconds delay;
      int status;
      {
        std::lock_guard lock(mutex_);
        const auto header = [&](const char* name) {
          const std::string* v = r.header(name);
          return v != nullptr ? *v : std::string();
        };
        received_.push_back({.path = r.path,
                             .body = r.body,
                             .signature = header("Marketlink-Signature"),
                             .event_id_header = header("Marketlink-Event-Id"),
                             .content_type = header("Content-Type")});
        delay = delay_;
        status = status_;
      }
      if (delay.count() > 0) std::this_thread::sleep_for(delay);
      return http::Response::text(status, status == 200 ? "thanks" : "upstream broke\x01\xff");
    });
    server_ = std::make_unique<http::Server>(
        http::ServerSettings{.host = "127.0.0.1", .port = 0, .io_threads = 1, .worker_threads = 2},
        router_, metrics_, ids_);
    auto port = server_->start();
    EXPECT_TRUE(port.ok());
    base_ = "http://127.0.0.1:" + std::to_string(port.ok() ? *port : 0);
  }
  ~Receiver() { server_->shutdown(); }

  std::string url(const std::string& name) const { return base_ + "/hooks/" + name; }
  void answer(int status, std::chrono::milliseconds delay = 0ms) {
    std::lock_guard lock(mutex_);
    status_ = status;
    delay_ = delay;
  }
  std::vector<Received> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  http::Router router_;
  core::Metrics metrics_;
  core::SequentialIdGenerator ids_{"rcv"};
  std::unique_ptr<http::Server> server_;
  std::string base_;
  mutable std::mutex mutex_;
  std::vector<Received> received_;
  int status_ = 200;
  std::chrono::milliseconds delay_{0};
};

// The receiver's own check, as docs/webhooks.md tells it: HMAC-SHA256 over "<t>.<body>" with
// the secret, hex, compared with v1; t within five minutes of now.
bool receiver_accepts(const std::string& secret, const std::string& header, const std::string& body,
                      long long now) {
  const auto t_at = header.find("t=");
  const auto v1_at = header.find(",v1=");
  if (t_at != 0 || v1_at == std::string::npos) return false;
  const std::string t = header.substr(2, v1_at - 2);
  const std::string v1 = header.substr(v1_at + 4);
  if (std::llabs(now - std::stoll(t)) > 300) return false;
  const std::string text = t + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &len);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", mac[i]);
  return hex == v1;
}

class WebhookDeliveryTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    std::unique_ptr<db::testing::TestDatabase> database;
    MARKETLINK_OPEN_TEST_DATABASE(database);
    ASSERT_TRUE(h_.init(std::move(database), {}, {saas::migrations()}));
    jobs_ = std::make_unique<jobs::JobQueue>(db(), h_.clock, h_.ids, metrics_,
                                             jobs::QueueSettings{.workers = 0,
                                                                 .lease = 60'000ms,
                                                                 .heartbeat = 3'600'000ms,
                                                                 .poll_interval = 3'600'000ms,
                                                                 .backoff_base = 1000ms,
                                                                 .backoff_cap = 60'000ms,
                                                                 .instance = "test"},
                                             [] { return 0.5; });
    service_ = std::make_unique<saas::WebhookService>(
        db(), h_.clock, h_.ids, *jobs_, sender_, &box_, *h_.audit,
        saas::WebhookSettings{.timeout = 400ms, .max_attempts = 3});
    service_->register_jobs();
    admin_ = h_.user("operator@marketlink.test", "Olga Operator");
    operator_org_ = h_.org("Marketlink Operator", admin_, identity::OrgKind::kOperator);
  }

  db::Database& db() { return h_.database->db(); }
  identity::Actor actor() const { return {.user_id = admin_.id, .label = admin_.email, .ip = ""}; }
  long long now() const { return core::unix_seconds(h_.clock.now()); }

  saas::CreatedEndpoint endpoint(const std::string& name, std::vector<saas::OutboxEvent> events) {
    auto created = service_->create_endpoint(
        operator_org_.id, {.url = receiver_.url(name), .events = std::move(events)}, actor());
    EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().message);
    return created.ok() ? *created : saas::CreatedEndpoint{};
  }

  // Records `entry` in a transaction of its own that commits, or rolls back when `commit` is
  // false (after the record, as a failing later step of the caller would).
  void record(const saas::OutboxEntry& entry, bool commit = true) {
    auto done = db().transact([&](db::Tx& tx) -> core::Status {
      service_->record(tx, entry);
      if (!commit) return core::conflict("the caller's change was refused");
      return {};
    });
    EXPECT_EQ(done.ok(), commit);
  }

  saas::OutboxEntry linked() const {
    return {.event = saas::OutboxEvent::kLinked,
            .org_id = "org-acme",
            .product_code = "prod-abc",
            .link_id = "link-1",
            .data = R"({"status":"pending"})",
            .at = h_.clock.now()};
  }

  int run_all() {
    int n = 0;
    while (true) {
      auto ran = jobs_->run_next();
      EXPECT_TRUE(ran.ok());
      if (!ran.ok() || !*ran) return n;
      ++n;
    }
  }

  long long count(const std::string& sql) {
    auto c = db().connect();
    long long n = -1;
    c->sql() << sql, soci::into(n);
    return n;
  }

  identity::testing::IdentityHarness h_;
  core::Metrics metrics_;
  identity::SecretBox box_ =
      *identity::SecretBox::from_key_text(identity::SecretBox::generate_key_text());
  CurlWebhookSender sender_;
  Receiver receiver_;
  std::unique_ptr<jobs::JobQueue> jobs_;
  std::unique_ptr<saas::WebhookService> service_;
  identity::User admin_;
  identity::Organization operator_org_;
};

TEST_P(WebhookDeliveryTest, DeliversASignedEventToTheEndpointsSubscribedToItOnly) {
  const auto a = endpoint("a", {saas::OutboxEvent::kLinked, saas::OutboxEvent::kCancelled});
  const auto b = endpoint("b", {saas::OutboxEvent::kCancelled});
  const auto c = endpoint("c", {saas::OutboxEvent::kLinked});
  record(linked());
  EXPECT_EQ(run_all(), 2);

  const auto got = receiver_.received();
  ASSERT_EQ(got.size(), 2u);
  std::set<std::string> paths;
  for (const Received& r : got) {
    paths.insert(r.path);
    EXPECT_EQ(r.content_type, "application/json");
    const std::string& secret = r.path == "/hooks/a" ? a.secret : c.secret;
    EXPECT_TRUE(receiver_accepts(secret, r.signature, r.body, now())) << r.signature;
    // Another endpoint's secret does not verify it.
    EXPECT_FALSE(receiver_accepts(b.secret, r.signature, r.body, now()));
    EXPECT_FALSE(receiver_accepts(secret, r.signature, r.body + " ", now()));
    const auto body = nlohmann::json::parse(r.body);
    EXPECT_EQ(body["type"], "linked");
    EXPECT_EQ(body["org"], "org-acme");
    EXPECT_EQ(body["product_code"], "prod-abc");
    EXPECT_EQ(body["link_id"], "link-1");
    EXPECT_EQ(body["data"], nlohmann::json({{"status", "pending"}}));
    EXPECT_EQ(body["created_at"], core::format_rfc3339(h_.clock.now()));
    EXPECT_EQ(body["id"], r.event_id_header);
  }
  EXPECT_EQ(paths, (std::set<std::string>{"/hooks/a", "/hooks/c"}));
  // One event: both endpoints got the same event id.
  EXPECT_EQ(got[0].event_id_header, got[1].event_id_header);

  auto log = service_->deliveries(a.endpoint.id);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 1u);
  const saas::WebhookDelivery& d = log->front();
  EXPECT_EQ(d.status, saas::DeliveryStatus::kSucceeded);
  EXPECT_EQ(d.attempts, 1);
  EXPECT_TRUE(d.delivered_at.has_value());
  ASSERT_EQ(d.attempt_log.size(), 1u);
  EXPECT_EQ(d.attempt_log[0].status_code, 200);
  EXPECT_EQ(d.attempt_log[0].response_excerpt, "thanks");
  EXPECT_EQ(d.attempt_log[0].error, "");
  EXPECT_GE(d.attempt_log[0].duration_ms, 0);
  EXPECT_TRUE(service_->deliveries(b.endpoint.id)->empty());
}

TEST_P(WebhookDeliveryTest, AnEventWhoseTransactionRollsBackIsNeverDelivered) {
  endpoint("a", {saas::OutboxEvent::kLinked});
  record(linked(), /*commit=*/false);
  EXPECT_EQ(count("SELECT COUNT(*) FROM saas_webhook_deliveries"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM jobs"), 0);
  EXPECT_EQ(run_all(), 0);
  EXPECT_TRUE(receiver_.received().empty());
}

TEST_P(WebhookDeliveryTest,
       FailedAnswersAreRetriedWithBackoffThenTheDeliveryIsDeadAndCanBeReplayed) {
  const auto a = endpoint("a", {saas::OutboxEvent::kCancelled});
  receiver_.answer(500);
  record({.event = saas::OutboxEvent::kCancelled,
          .org_id = "org-acme",
          .product_code = "prod-abc",
          .link_id = "link-1",
          .at = h_.clock.now()});

  // Attempt 1 fails; the next is due after 0.5 * 1 s, not before.
  EXPECT_EQ(run_all(), 1);
  auto d = service_->deliveries(a.endpoint.id)->front();
  EXPECT_EQ(d.status, saas::DeliveryStatus::kRetrying);
  EXPECT_EQ(d.last_status_code, 500);
  EXPECT_EQ(d.attempt_log.at(0).response_excerpt, "upstream broke??");
  EXPECT_EQ(d.attempt_log.at(0).error, "The endpoint answered HTTP 500.");
  h_.clock.advance(499ms);
  EXPECT_EQ(run_all(), 0);
  h_.clock.advance(1ms);
  EXPECT_EQ(run_all(), 1);
  // Attempt 3 after 0.5 * 2 s is the last.
  h_.clock.advance(1000ms);
  EXPECT_EQ(run_all(), 1);
  h_.clock.advance(1h);
  EXPECT_EQ(run_all(), 0);
  d = service_->deliveries(a.endpoint.id)->front();
  EXPECT_EQ(d.status, saas::DeliveryStatus::kDead);
  EXPECT_EQ(d.attempts, 3);
  ASSERT_EQ(d.attempt_log.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(d.attempt_log[i].attempt, i + 1);
  EXPECT_EQ(receiver_.received().size(), 3u);
  EXPECT_EQ(service_->figures()->dead, 1);
  EXPECT_EQ(*jobs_->count_dead(), 1);

  // The endpoint is fixed: a replay sends the same event (same id, same body) signed anew.
  receiver_.answer(200);
  h_.clock.advance(10s);
  auto replayed = service_->replay(a.endpoint.id, d.id);
  ASSERT_TRUE(replayed.ok());
  EXPECT_EQ(replayed->replay_of, d.id);
  EXPECT_EQ(run_all(), 1);
  const auto got = receiver_.received();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got.back().body, d.body);
  EXPECT_EQ(got.back().event_id_header, d.event_id);
  EXPECT_TRUE(receiver_accepts(a.secret, got.back().signature, got.back().body, now()));
  EXPECT_NE(got.back().signature, got.front().signature);
  auto after = service_->delivery(a.endpoint.id, replayed->id);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->status, saas::DeliveryStatus::kSucceeded);
  EXPECT_EQ(service_->replay(a.endpoint.id, "no-such-delivery").error().slug, "delivery_not_found");
}

TEST_P(WebhookDeliveryTest, AnEndpointThatDoesNotAnswerInTimeIsAFailedAttempt) {
  const auto a = endpoint("slow", {saas::OutboxEvent::kActive});
  receiver_.answer(200, 1500ms);
  record({.event = saas::OutboxEvent::kActive, .org_id = "org-acme", .at = h_.clock.now()});
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(run_all(), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1400ms);
  auto d = service_->deliveries(a.endpoint.id)->front();
  EXPECT_EQ(d.status, saas::DeliveryStatus::kRetrying);
  ASSERT_EQ(d.attempt_log.size(), 1u);
  EXPECT_EQ(d.attempt_log[0].status_code, 0);
  EXPECT_FALSE(d.attempt_log[0].error.empty());
  EXPECT_GE(d.attempt_log[0].duration_ms, 300);

  receiver_.answer(200);
  h_.clock.advance(1s);
  EXPECT_EQ(run_all(), 1);
  d = service_->deliveries(a.endpoint.id)->front();
  EXPECT_EQ(d.status, saas::DeliveryStatus::kSucceeded);
  EXPECT_EQ(d.attempts, 2);
}

TEST_P(WebhookDeliveryTest, AnUnreachableEndpointIsRetriedAndItsPathIsInNoErrorText) {
  // Port 1 on loopback: nothing listens there.
  auto created =
      service_->create_endpoint(operator_org_.id,
                                {.url = "http://127.0.0.1:1/hooks/receiver-credential?token=s3cr3t",
                                 .events = {saas::OutboxEvent::kLinked}},
                                actor());
  ASSERT_TRUE(created.ok());
  record(linked());
  EXPECT_EQ(run_all(), 1);
  const auto d = service_->deliveries(created->endpoint.id)->front();
  EXPECT_EQ(d.status, saas::DeliveryStatus::kRetrying);
  ASSERT_EQ(d.attempt_log.size(), 1u);
  EXPECT_EQ(d.attempt_log[0].status_code, 0);
  EXPECT_FALSE(d.attempt_log[0].error.empty());
  EXPECT_EQ(d.attempt_log[0].error.find("receiver-credential"), std::string::npos)
      << d.attempt_log[0].error;
  EXPECT_EQ(d.attempt_log[0].error.find("s3cr3t"), std::string::npos);
  const auto job = jobs_->dead_jobs();  // not dead: queued again
  EXPECT_TRUE(job->empty());
}

TEST_P(WebhookDeliveryTest, ATestEventGoesToThatEndpointOnly) {
  const auto a = endpoint("a", {saas::OutboxEvent::kMeteringFailed});
  endpoint("b", {saas::OutboxEvent::kMeteringFailed});
  auto sent = service_->send_test(a.endpoint.id);
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(sent->event_type, "test");
  EXPECT_EQ(sent->status, saas::DeliveryStatus::kPending);
  EXPECT_EQ(run_all(), 1);
  const auto got = receiver_.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].path, "/hooks/a");
  EXPECT_EQ(nlohmann::json::parse(got[0].body)["type"], "test");
  EXPECT_TRUE(receiver_accepts(a.secret, got[0].signature, got[0].body, now()));
  EXPECT_EQ(service_->send_test("no-such-endpoint").error().slug, "webhook_not_found");
}

TEST_P(WebhookDeliveryTest, TheSecretIsNeverStoredNorLoggedInClear) {
  // Another test of this process may have quietened the log: info lines are what is checked.
  const bool quiet = !core::log::enabled(core::log::Level::kInfo);
  core::log::set_level("info");
  std::mutex logs_mutex;
  std::string logs;
  core::log::observe_for_test([&](std::string_view line) {
    std::lock_guard lock(logs_mutex);
    logs.append(line).append("\n");
  });
  const auto a = endpoint("a", {saas::OutboxEvent::kLinked});
  record(linked());
  EXPECT_EQ(run_all(), 1);
  receiver_.answer(500);
  ASSERT_TRUE(service_->send_test(a.endpoint.id).ok());
  EXPECT_EQ(run_all(), 1);
  core::log::observe_for_test({});
  if (quiet) core::log::set_level("warn");
  ASSERT_TRUE(a.secret.starts_with("whsec_"));
  EXPECT_EQ(a.secret.size(), 6u + 43u);
  EXPECT_NE(logs.find("webhook delivered"), std::string::npos) << logs;
  EXPECT_EQ(logs.find(a.secret), std::string::npos);
  EXPECT_EQ(logs.find(a.secret.substr(6)), std::string::npos);
  for (const auto& [column, value] : saas::testing::every_text_value(db())) {
    EXPECT_EQ(value.find(a.secret.substr(6)), std::string::npos) << column;
  }
  EXPECT_EQ(a.endpoint.secret_hint, "whsec_…" + a.secret.substr(a.secret.size() - 4));
  EXPECT_EQ(service_->endpoint(a.endpoint.id)->secret_hint, a.endpoint.secret_hint);
}

TEST_P(WebhookDeliveryTest, DeletingAnEndpointDropsItsQueuedDeliveries) {
  const auto a = endpoint("a", {saas::OutboxEvent::kLinked});
  record(linked());
  ASSERT_TRUE(service_->delete_endpoint(operator_org_.id, a.endpoint.id, actor()).ok());
  EXPECT_EQ(run_all(), 1);  // the job finds nothing left to send
  EXPECT_TRUE(receiver_.received().empty());
  EXPECT_EQ(count("SELECT COUNT(*) FROM saas_webhook_deliveries"), 0);
  EXPECT_EQ(service_->delete_endpoint(operator_org_.id, a.endpoint.id, actor()).error().slug,
            "webhook_not_found");
}

TEST_P(WebhookDeliveryTest, HealthReportsDeadJobsAndFailingDeliveriesOnThePageAndInMetrics) {
  saas::IntegrationHealth health(*jobs_);
  health.add_provider("webhooks", [&](saas::HealthFigures& f) -> core::Status {
    auto figures = service_->figures();
    if (!figures.ok()) return figures.error();
    f.webhooks = *figures;
    return {};
  });
  std::string metrics;
  health.render_metrics(metrics);
  EXPECT_EQ(metrics, "");  // nothing before the first refresh

  const auto a = endpoint("a", {saas::OutboxEvent::kLinked});
  receiver_.answer(500);
  record(linked());
  EXPECT_EQ(run_all(), 1);
  auto f = health.collect();
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->dead_jobs, 0);
  ASSERT_TRUE(f->webhooks.has_value());
  EXPECT_EQ(f->webhooks->endpoints, 1);
  EXPECT_EQ(f->webhooks->failing, 1);
  EXPECT_FALSE(f->events_by_source.has_value());  // not reported by anyone here
  EXPECT_FALSE(f->metering_hours_pending.has_value());

  h_.clock.advance(1h);
  EXPECT_EQ(run_all(), 1);
  h_.clock.advance(1h);
  EXPECT_EQ(run_all(), 1);
  health.refresh();
  health.render_metrics(metrics);
  EXPECT_NE(metrics.find("\nmarketlink_jobs_dead 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("\nmarketlink_webhook_deliveries_dead 1\n"), std::string::npos);
  EXPECT_NE(metrics.find("\nmarketlink_webhook_deliveries_failing 0\n"), std::string::npos);
  EXPECT_NE(metrics.find("\nmarketlink_webhook_endpoints 1\n"), std::string::npos);
  EXPECT_EQ(metrics.find("marketlink_metering_hours"), std::string::npos);

  auto dead = health.dead_jobs();
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ(dead->front().kind, "saas.webhook_deliver");
  EXPECT_EQ(dead->front().attempts, 3);
  EXPECT_EQ(dead->front().last_error, "unavailable: The endpoint answered HTTP 500.");

  // Retried once the endpoint works again: delivered, and nothing is dead any more.
  receiver_.answer(200);
  ASSERT_TRUE(health.retry_job(dead->front().id).ok());
  EXPECT_EQ(run_all(), 1);
  EXPECT_EQ(service_->deliveries(a.endpoint.id)->front().status, saas::DeliveryStatus::kSucceeded);
  EXPECT_EQ(health.collect()->dead_jobs, 0);
  EXPECT_EQ(health.discard_job(dead->front().id).error().slug, "job_not_found");
}

INSTANTIATE_TEST_SUITE_P(Backends, WebhookDeliveryTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace app
