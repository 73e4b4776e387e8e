// saas::SnsIntake with messages signed as SNS signs them (the simulator's signing identity):
// notifications of our topics stored once and applied; subscriptions of our topics confirmed;
// forged, replayed, wrong-topic and untrusted-certificate messages refused with nothing stored
// or fetched. Both databases.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "saas/lifecycle_test_support.h"
#include "saas/sns_intake.h"
#include "sim/sns_signer.h"

namespace app {
namespace {

using db::testing::TestBackend;
using nlohmann::json;

constexpr const char* kCertUrl =
    "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123.pem";
constexpr const char* kTopic =
    "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-legacy-prod";

class FakeWeb final : public saas::SnsWeb {
 public:
  std::map<std::string, std::string> pages;
  std::vector<std::string> fetched;
  core::Result<std::string> get(const std::string& url) override {
    fetched.push_back(url);
    const auto it = pages.find(url);
    if (it == pages.end()) return core::unavailable("404");
    return it->second;
  }
};

class SnsIntakeTest : public saas::testing::LifecycleFixture {
 protected:
  void SetUp() override {
    LifecycleFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    h_.saas.product("legacy-prod", false);
    web_.pages[kCertUrl] = signer_.certificate_pem();
    web_.pages["https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t1"] =
        "<ConfirmSubscriptionResponse/>";
    intake_ = std::make_unique<saas::SnsIntake>(*h_.lifecycle, *h_.saas.service, web_,
                                                saas::SnsSettings{});
    ann_ = h_.saas.id.user("ann@acme.test", "Ann");
    acme_ = h_.saas.customer("Acme", ann_);
  }

  std::string signed_body(const std::string& type,
                          std::vector<std::pair<std::string, std::string>> fields,
                          const std::string& version = "2", const std::string& cert_url = kCertUrl,
                          const sim::SnsSigner* signer = nullptr) {
    fields.emplace_back("Type", type);
    json body = json::object();
    for (const auto& [k, v] : fields) body[k] = v;
    body["SignatureVersion"] = version;
    body["Signature"] =
        (signer ? *signer : signer_).sign(sim::sns_string_to_sign(type, fields), version);
    body["SigningCertURL"] = cert_url;
    return body.dump();
  }

  std::string notification(const std::string& action, const std::string& id,
                           const std::string& topic = kTopic, const std::string& version = "2",
                           const std::string& cert_url = kCertUrl,
                           const sim::SnsSigner* signer = nullptr) {
    const std::string message = json{
        {"action", action},
        {"customer-identifier", "cust-1"},
        {"product-code", "legacy-prod"},
        {"isFreeTrialTermPresent",
         "false"}}.dump();
    return signed_body("Notification",
                       {{"MessageId", id},
                        {"TopicArn", topic},
                        {"Message", message},
                        {"Timestamp", core::format_rfc3339(h_.saas.clock().now())},
                        {"UnsubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=Unsub"}},
                       version, cert_url, signer);
  }

  saas::LinkStatus link_and_status() {
    auto subs = h_.saas.service->subscriptions(acme_.id);
    EXPECT_TRUE(subs.ok() && !subs->empty());
    return subs.ok() && !subs->empty() ? subs->front().link.status : saas::LinkStatus::kFailed;
  }
  void link() {
    auto r = h_.saas.land(h_.saas.token("sns", "legacy-prod", "210987654321", "cust-1"));
    ASSERT_TRUE(
        h_.saas.service->link(r.id, acme_.id, saas::testing::SaasHarness::actor(ann_)).ok());
    h_.drain();
  }
  // How many lifecycle events are stored.
  long long stored_events() {
    auto c = h_.saas.db().connect();
    EXPECT_TRUE(c.ok());
    long long n = 0;
    c->sql() << "SELECT COUNT(*) FROM saas_lifecycle_events", soci::into(n);
    return n;
  }

  sim::SnsSigner signer_;
  FakeWeb web_;
  std::unique_ptr<saas::SnsIntake> intake_;
  identity::User ann_;
  identity::Organization acme_;
};

TEST_P(SnsIntakeTest, NotificationsOfBothSignatureVersionsAreStoredOnceAndApplied) {
  link();
  auto first = intake_->handle(notification("subscribe-success", "m-1", kTopic, "1"));
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->outcome, saas::SnsOutcome::kReceived);
  h_.drain();
  EXPECT_EQ(link_and_status(), saas::LinkStatus::kActive);

  auto replay = intake_->handle(notification("subscribe-success", "m-1", kTopic, "1"));
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->outcome, saas::SnsOutcome::kDuplicate);
  EXPECT_EQ(replay->event_id, first->event_id);

  auto pending = intake_->handle(notification("unsubscribe-pending", "m-2", kTopic, "2"));
  ASSERT_TRUE(pending.ok()) << pending.error().message;
  h_.drain();
  EXPECT_EQ(link_and_status(), saas::LinkStatus::kUnsubscribePending);
  EXPECT_EQ(stored_events(), 2);
  // The certificate was fetched once and kept.
  EXPECT_EQ(std::count(web_.fetched.begin(), web_.fetched.end(), kCertUrl), 1);
}

TEST_P(SnsIntakeTest, ForgedWrongTopicAndUntrustedMessagesAreRefusedWithNothingStored) {
  link();
  // Forged: signed by another key than the certificate's.
  sim::SnsSigner other;
  auto forged =
      intake_->handle(notification("unsubscribe-success", "f-1", kTopic, "2", kCertUrl, &other));
  ASSERT_FALSE(forged.ok());
  EXPECT_EQ(forged.error().slug, "sns_signature");
  // Tampered: the signed message with another action.
  std::string tampered = notification("subscribe-success", "f-2");
  const size_t at = tampered.find("subscribe-success");
  tampered.replace(at, std::string("subscribe-success").size(), "unsubscribe-success");
  auto changed = intake_->handle(tampered);
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.error().slug, "sns_signature");
  // Another account's topic, a product that is not ours.
  for (const std::string topic :
       {"arn:aws:sns:us-east-1:999999999999:aws-mp-subscription-notification-legacy-prod",
        "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-other-prod",
        "arn:aws:sns:us-east-1:287250355862:something-else"}) {
    auto wrong = intake_->handle(notification("unsubscribe-success", "f-3", topic));
    ASSERT_FALSE(wrong.ok()) << topic;
    EXPECT_EQ(wrong.error().slug, "sns_topic");
  }
  // A certificate on a host that is not SNS's, or over http: not even fetched.
  for (const std::string url :
       {"https://evil.example.com/cert.pem", "http://sns.us-east-1.amazonaws.com/cert.pem",
        "https://sns.us-east-1.amazonaws.com/cert.txt"}) {
    web_.pages[url] = signer_.certificate_pem();
    auto untrusted = intake_->handle(notification("unsubscribe-success", "f-4", kTopic, "2", url));
    ASSERT_FALSE(untrusted.ok()) << url;
    EXPECT_EQ(untrusted.error().slug, "sns_cert_url");
    EXPECT_EQ(std::count(web_.fetched.begin(), web_.fetched.end(), url), 0) << url;
  }
  EXPECT_FALSE(intake_->handle("{not json").ok());
  h_.drain();
  EXPECT_EQ(stored_events(), 0);
  EXPECT_EQ(link_and_status(), saas::LinkStatus::kPending);
}

TEST_P(SnsIntakeTest, ConfirmsSubscriptionsOfOurTopicsOnTrustedHostsOnly) {
  const std::string good =
      "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t1";
  auto confirmed = intake_->handle(
      signed_body("SubscriptionConfirmation", {{"MessageId", "c-1"},
                                               {"Token", "t1"},
                                               {"TopicArn", kTopic},
                                               {"Message", "You have chosen to subscribe"},
                                               {"SubscribeURL", good},
                                               {"Timestamp", "2026-12-03T10:00:00.000Z"}}));
  ASSERT_TRUE(confirmed.ok()) << confirmed.error().message;
  EXPECT_EQ(confirmed->outcome, saas::SnsOutcome::kConfirmed);
  EXPECT_EQ(std::count(web_.fetched.begin(), web_.fetched.end(), good), 1);

  const std::string evil = "https://evil.example.com/?Action=ConfirmSubscription&Token=t2";
  auto refused = intake_->handle(
      signed_body("SubscriptionConfirmation", {{"MessageId", "c-2"},
                                               {"Token", "t2"},
                                               {"TopicArn", kTopic},
                                               {"Message", "You have chosen to subscribe"},
                                               {"SubscribeURL", evil},
                                               {"Timestamp", "2026-12-03T10:00:00.000Z"}}));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(std::count(web_.fetched.begin(), web_.fetched.end(), evil), 0);

  const std::string other_topic =
      "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-not-ours";
  auto not_ours = intake_->handle(
      signed_body("SubscriptionConfirmation", {{"MessageId", "c-3"},
                                               {"Token", "t1"},
                                               {"TopicArn", other_topic},
                                               {"Message", "You have chosen to subscribe"},
                                               {"SubscribeURL", good},
                                               {"Timestamp", "2026-12-03T10:00:00.000Z"}}));
  ASSERT_FALSE(not_ours.ok());
  EXPECT_EQ(not_ours.error().slug, "sns_topic");
  EXPECT_EQ(std::count(web_.fetched.begin(), web_.fetched.end(), good), 1);
}

TEST_P(SnsIntakeTest, SubscriptionRequestsAreStoredOnceWithTheirOutcomeAndNeverTheToken) {
  const std::string url =
      "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t9";
  const auto request = [&](const std::string& id, const std::string& token,
                           const std::string& subscribe_url) {
    return intake_->handle(
        signed_body("SubscriptionConfirmation", {{"MessageId", id},
                                                 {"Token", token},
                                                 {"TopicArn", kTopic},
                                                 {"Message", "You have chosen to subscribe"},
                                                 {"SubscribeURL", subscribe_url},
                                                 {"Timestamp", "2026-12-03T10:00:00.000Z"}}));
  };
  const auto figures = [&] {
    saas::HealthFigures f;
    EXPECT_TRUE(h_.lifecycle->figures(f).ok());
    return f;
  };
  EXPECT_EQ(figures().sns_subscriptions_unconfirmed, 0);
  // AWS does not answer: kept as not confirmed with the error, twice delivered, one row.
  for (const char* id : {"r-1", "r-2"}) {
    auto failed = request(id, "secret-token-9", url);
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code, core::ErrorCode::kUnavailable);
  }
  saas::HealthFigures f = figures();
  EXPECT_EQ(f.sns_subscriptions_unconfirmed, 1);
  ASSERT_TRUE(f.sns_unconfirmed && f.sns_unconfirmed->size() == 1u);
  EXPECT_EQ(f.sns_unconfirmed->front().topic_arn, kTopic);
  EXPECT_EQ(f.sns_unconfirmed->front().deliveries, 2);
  EXPECT_NE(f.sns_unconfirmed->front().last_error.find("ConfirmSubscription failed"),
            std::string::npos);
  // The third delivery is confirmed: AWS's subscription ARN is kept, the error cleared.
  web_.pages[url] =
      "<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>"
      "arn:aws:sns:us-east-1:287250355862:topic:abc</SubscriptionArn>"
      "</ConfirmSubscriptionResult></ConfirmSubscriptionResponse>";
  auto confirmed = request("r-3", "secret-token-9", url);
  ASSERT_TRUE(confirmed.ok()) << confirmed.error().message;
  EXPECT_EQ(figures().sns_subscriptions_unconfirmed, 0);
  auto c = h_.saas.db().connect();
  ASSERT_TRUE(c.ok());
  long long rows = 0;
  long long deliveries = 0;
  std::string arn;
  std::string digest;
  std::string error;
  c->sql() << "SELECT COUNT(*), MAX(deliveries), MAX(subscription_arn), MAX(token_digest),"
              " MAX(last_error) FROM saas_sns_subscriptions",
      soci::into(rows), soci::into(deliveries), soci::into(arn), soci::into(digest),
      soci::into(error);
  EXPECT_EQ(rows, 1);
  EXPECT_EQ(deliveries, 3);
  EXPECT_EQ(arn, "arn:aws:sns:us-east-1:287250355862:topic:abc");
  EXPECT_EQ(error, "");
  EXPECT_EQ(digest.size(), 64u);
  EXPECT_EQ(digest.find("secret-token-9"), std::string::npos);

  // A request that failed, older than a confirmed one of the same topic, no longer counts; a
  // newer failed one does.
  h_.saas.clock().advance(std::chrono::minutes(1));
  web_.pages.erase(url);
  ASSERT_FALSE(request("r-4", "secret-token-10", url).ok());
  EXPECT_EQ(figures().sns_subscriptions_unconfirmed, 1);
  h_.saas.clock().advance(std::chrono::minutes(1));
  ASSERT_TRUE(request("r-5", "t1",
                      "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t1")
                  .ok());
  EXPECT_EQ(figures().sns_subscriptions_unconfirmed, 0);
  // Nothing is stored for a refused request (not one of our topics' hosts).
  ASSERT_FALSE(request("r-6", "t7", "https://evil.example.com/?Token=t7").ok());
  c->sql() << "SELECT COUNT(*) FROM saas_sns_subscriptions", soci::into(rows);
  EXPECT_EQ(rows, 3);
}

INSTANTIATE_TEST_SUITE_P(Backends, SnsIntakeTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace app
