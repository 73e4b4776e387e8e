// Lifecycle events: each action on a link, events before the link, twice and out of order, the
// EventBridge mapping with the Agreement API's free trial, AWS not answering, the scheduled
// refresh, and the entitlements the seller's application reads. Both databases.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "saas/lifecycle.h"
#include "saas/lifecycle_test_support.h"
#include "saas/queue_intake.h"

namespace saas {
namespace {

using db::testing::TestBackend;
using testing::LifecycleFixture;
using testing::SaasHarness;

constexpr const char* kAccount = "210987654321";
constexpr const char* kLicense =
    "arn:aws:license-manager::294406891311:license:l-0123456789abcdef0123456789abcdef";

class LifecycleTest : public LifecycleFixture {
 protected:
  void SetUp() override {
    LifecycleFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    h_.saas.product("legacy-prod", false, "Legacy Product");
    h_.saas.product("concurrent-prod", true, "Concurrent Product");
    auto contract = h_.saas.service->create_product(
        h_.saas.operator_org.id,
        {.product_code = "contract-prod",
         .name = "Contract Product",
         .pricing_model = PricingModel::kContract,
         .dimensions = std::vector<Dimension>{{.name = "seats", .description = "Seats"}},
         .concurrent_agreements = true,
         .manage_url = "https://aws.amazon.com/marketplace/pp/contract-prod",
         .support_contact = "support@seller.test",
         .new_org_subscription = identity::SubscriptionStatus::kTrial},
        h_.saas.operator_actor());
    ASSERT_TRUE(contract.ok());
    ann_ = h_.saas.id.user("ann@acme.test", "Ann Admin");
    acme_ = h_.saas.customer("Acme", ann_);
    start_ = h_.saas.clock().now();
  }

  Link link_legacy(const std::string& customer = "cust-legacy-1", const std::string& token = "") {
    auto r = h_.saas.land(h_.saas.token(token.empty() ? "legacy-" + customer : token, "legacy-prod",
                                        kAccount, customer));
    auto linked = h_.saas.service->link(r.id, acme_.id, SaasHarness::actor(ann_));
    EXPECT_TRUE(linked.ok()) << (linked.ok() ? "" : linked.error().message);
    return linked.ok() ? linked->link : Link{};
  }
  Link link_concurrent(const std::string& product = "concurrent-prod",
                       const std::string& license = kLicense) {
    auto r = h_.saas.land(h_.saas.token("conc-" + product, product, kAccount, "", license));
    auto linked = h_.saas.service->link(r.id, acme_.id, SaasHarness::actor(ann_));
    EXPECT_TRUE(linked.ok()) << (linked.ok() ? "" : linked.error().message);
    return linked.ok() ? linked->link : Link{};
  }

  // An SNS notification of the legacy product, `seconds` after the test's start.
  LifecycleEvent sns(const std::string& action, int seconds, const std::string& id = "",
                     const std::string& customer = "cust-legacy-1") {
    const std::string message = nlohmann::json{
        {"action", action},
        {"customer-identifier", customer},
        {"product-code", "legacy-prod"},
        {"isFreeTrialTermPresent",
         "false"}}.dump();
    auto e = parse_sns_notification(message, id.empty() ? action + std::to_string(seconds) : id,
                                    start_ + std::chrono::seconds(seconds));
    EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.error().message);
    return e.ok() ? *e : LifecycleEvent{};
  }

  static std::string eventbridge_body(const std::string& detail_type, int seconds_after,
                                      core::TimePoint start, const std::string& id,
                                      const std::string& product = "concurrent-prod",
                                      const std::string& status = "ACTIVE",
                                      const std::string& license = kLicense) {
    return nlohmann::json{
        {"version", "0"},
        {"id", id},
        {"detail-type", detail_type},
        {"source", "aws.agreement-marketplace"},
        {"account", "111122223333"},
        {"time", core::format_rfc3339(start + std::chrono::seconds(seconds_after))},
        {"region", "us-east-1"},
        {"resources", nlohmann::json::array()},
        {"detail",
         {{"agreement", {{"id", "agmt-0001"}, {"intent", "NEW"}, {"status", status}}},
          {"acceptor", {{"accountId", kAccount}}},
          {"proposer", {{"accountId", "111122223333"}}},
          {"offer", {{"id", "offer-1"}}},
          {"product", {{"code", product}, {"id", "prod-1"}}},
          {"license", {{"arn", license}}}}}}
        .dump();
  }
  LifecycleEvent eventbridge(const std::string& detail_type, int seconds, const std::string& id,
                             const std::string& product = "concurrent-prod",
                             const std::string& status = "ACTIVE") {
    auto e = parse_eventbridge_event(
        eventbridge_body(detail_type, seconds, start_, id, product, status));
    EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.error().message);
    return e.ok() ? *e : LifecycleEvent{};
  }

  Received receive(const LifecycleEvent& e) {
    auto r = h_.lifecycle->receive(e);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : Received{};
  }
  // Receives and runs the jobs.
  Received deliver(const LifecycleEvent& e) {
    Received r = receive(e);
    h_.drain();
    return r;
  }

  LinkStatus status_of(const Link& l) {
    auto subs = h_.saas.service->subscriptions(acme_.id);
    EXPECT_TRUE(subs.ok());
    for (const Subscription& s : subs.ok() ? *subs : std::vector<Subscription>{}) {
      if (s.link.id == l.id) return s.link.status;
    }
    ADD_FAILURE() << "no such link";
    return LinkStatus::kFailed;
  }
  StoredEvent stored(const Received& r) {
    auto e = h_.lifecycle->event(r.event_id);
    EXPECT_TRUE(e.ok());
    return e.ok() ? *e : StoredEvent{};
  }
  EntitlementsView view(const std::string& product) {
    auto v = h_.lifecycle->entitlements(acme_.id, product);
    EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().message);
    return v.ok() ? *v : EntitlementsView{};
  }

  identity::User ann_;
  identity::Organization acme_;
  core::TimePoint start_;
};

TEST_P(LifecycleTest, SubscribeSuccessMakesTheLinkActiveWithItsEntitlements) {
  h_.reader.set("cust-legacy-1", {{.dimension = "users", .value = "10"}});
  Link l = link_legacy();
  h_.drain();
  EXPECT_EQ(h_.outbox.names(), std::vector<std::string>{"linked"});
  EXPECT_EQ(status_of(l), LinkStatus::kPending);
  EXPECT_FALSE(view("legacy-prod").entitled);

  Received r = deliver(sns("subscribe-success", 10));
  EXPECT_EQ(status_of(l), LinkStatus::kActive);
  StoredEvent e = stored(r);
  EXPECT_EQ(e.outcome, EventOutcome::kApplied);
  EXPECT_EQ(e.link_id, l.id);
  EXPECT_NE(e.change.find("pending → active"), std::string::npos) << e.change;
  EntitlementsView v = view("legacy-prod");
  EXPECT_TRUE(v.entitled);
  EXPECT_EQ(v.status, LinkStatus::kActive);
  ASSERT_EQ(v.entitlements.size(), 1u);
  EXPECT_EQ(v.entitlements[0].dimension, "users");
  EXPECT_EQ(v.entitlements[0].value, "10");
  EXPECT_EQ(h_.outbox.names(),
            (std::vector<std::string>{"linked", "active", "entitlements_changed"}));
}

TEST_P(LifecycleTest, SubscribeFailFailsAPendingLink) {
  Link l = link_legacy();
  deliver(sns("subscribe-fail", 5));
  EXPECT_EQ(status_of(l), LinkStatus::kFailed);
  // A failed link has ended: a later success does not bring it back; it waits for a new link.
  Received later = deliver(sns("subscribe-success", 9));
  EXPECT_EQ(status_of(l), LinkStatus::kFailed);
  EXPECT_EQ(stored(later).outcome, EventOutcome::kWaiting);
}

TEST_P(LifecycleTest, UnsubscribePendingQueuesTheFinalUsageThenCancelled) {
  Link l = link_legacy();
  deliver(sns("subscribe-success", 1));
  deliver(sns("unsubscribe-pending", 100));
  EXPECT_EQ(status_of(l), LinkStatus::kUnsubscribePending);
  EXPECT_EQ(h_.flushed, std::vector<std::string>{l.id});
  EXPECT_TRUE(view("legacy-prod").entitled);
  deliver(sns("unsubscribe-success", 200));
  EXPECT_EQ(status_of(l), LinkStatus::kCancelled);
  EXPECT_EQ(h_.flushed.size(), 1u);  // queued once, at unsubscribe-pending
  EXPECT_FALSE(view("legacy-prod").entitled);
  EXPECT_EQ(view("legacy-prod").status, LinkStatus::kCancelled);
  EXPECT_EQ(h_.outbox.names(),
            (std::vector<std::string>{"linked", "active", "unsubscribe_pending", "cancelled"}));
  auto events = h_.lifecycle->events_of_link(l.id);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->size(), 3u);
}

TEST_P(LifecycleTest, ResubscribeBeforeUnsubscribeSuccessIsActiveAgain) {
  Link l = link_legacy();
  deliver(sns("subscribe-success", 1));
  deliver(sns("unsubscribe-pending", 100));
  deliver(sns("subscribe-success", 150));
  EXPECT_EQ(status_of(l), LinkStatus::kActive);
}

TEST_P(LifecycleTest, EventsBeforeTheLinkWaitAndApplyWhenItIsMade) {
  Received early = deliver(sns("subscribe-success", 1));
  EXPECT_EQ(stored(early).outcome, EventOutcome::kWaiting);
  HealthFigures waiting;
  ASSERT_TRUE(h_.lifecycle->figures(waiting).ok());
  EXPECT_EQ(waiting.events_waiting_for_link, 1);
  ASSERT_TRUE(waiting.events_by_source.has_value());
  ASSERT_EQ(waiting.events_by_source->size(), 1U);
  EXPECT_EQ((*waiting.events_by_source)[0].source, "sns");
  EXPECT_EQ((*waiting.events_by_source)[0].events, 1);
  EXPECT_TRUE((*waiting.events_by_source)[0].last_at.has_value());
  Link l = link_legacy();
  EXPECT_EQ(status_of(l), LinkStatus::kPending);  // applied by the job the link queued
  h_.drain();
  EXPECT_EQ(status_of(l), LinkStatus::kActive);
  EXPECT_EQ(stored(early).outcome, EventOutcome::kApplied);
  EXPECT_EQ(stored(early).link_id, l.id);
  HealthFigures applied;
  ASSERT_TRUE(h_.lifecycle->figures(applied).ok());
  EXPECT_EQ(applied.events_waiting_for_link, 0);
}

TEST_P(LifecycleTest, TheSameMessageTwiceIsStoredAndAppliedOnce) {
  Link l = link_legacy();
  Received first = deliver(sns("unsubscribe-pending", 50, "msg-1"));
  Received again = deliver(sns("unsubscribe-pending", 50, "msg-1"));
  EXPECT_FALSE(first.duplicate);
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.event_id, first.event_id);
  EXPECT_EQ(h_.flushed.size(), 1u);
  EXPECT_EQ(status_of(l), LinkStatus::kUnsubscribePending);
}

TEST_P(LifecycleTest, AnOlderUnsubscribePendingAfterUnsubscribeSuccessChangesNothing) {
  Link l = link_legacy();
  deliver(sns("subscribe-success", 1));
  deliver(sns("unsubscribe-success", 200));
  ASSERT_EQ(status_of(l), LinkStatus::kCancelled);
  // Cancelled with no unsubscribe-pending seen: the final usage is flushed all the same.
  EXPECT_EQ(h_.flushed, std::vector<std::string>{l.id});
  const auto outbox_before = h_.outbox.names();
  Received late = deliver(sns("unsubscribe-pending", 100));
  EXPECT_EQ(status_of(l), LinkStatus::kCancelled);
  EXPECT_EQ(stored(late).outcome, EventOutcome::kSuperseded);
  EXPECT_EQ(h_.flushed.size(), 1u);
  EXPECT_EQ(h_.outbox.names(), outbox_before);
  // Nor on a new link of the same buyer later.
  Link again = link_legacy("cust-legacy-1", "second-landing");
  ASSERT_NE(again.id, l.id);
  h_.drain();
  EXPECT_EQ(status_of(again), LinkStatus::kPending);
}

TEST_P(LifecycleTest, OutOfOrderOnALiveLinkTheNewestWins) {
  Link l = link_legacy();
  deliver(sns("unsubscribe-pending", 100));
  Received older = deliver(sns("subscribe-success", 10));
  EXPECT_EQ(status_of(l), LinkStatus::kUnsubscribePending);
  EXPECT_EQ(stored(older).outcome, EventOutcome::kSuperseded);
}

TEST_P(LifecycleTest, EqualTimesAreOrderedByRank) {
  Link l = link_legacy();
  deliver(sns("unsubscribe-pending", 100, "b"));
  Received same_time = deliver(sns("subscribe-success", 100, "a"));
  EXPECT_EQ(status_of(l), LinkStatus::kUnsubscribePending);
  EXPECT_EQ(stored(same_time).outcome, EventOutcome::kSuperseded);
}

TEST_P(LifecycleTest, EventBridgeAgreementCreatedWithAFreeTrial) {
  h_.agreements.terms_of["agmt-0001"] = {
      .status = "ACTIVE",
      .free_trial = true,
      .free_trial_ends_at = start_ + std::chrono::hours(24 * 14)};
  h_.reader.set(kLicense, {{.dimension = "users", .value = "5"}});
  Link l = link_concurrent();
  Received r = deliver(eventbridge("Purchase Agreement Created - Manufacturer", 5, "eb-1"));
  EXPECT_EQ(status_of(l), LinkStatus::kActive);
  auto subs = h_.saas.service->subscriptions(acme_.id);
  ASSERT_TRUE(subs.ok());
  ASSERT_EQ(subs->size(), 1u);
  EXPECT_TRUE(subs->front().link.free_trial());
  EXPECT_EQ(subs->front().link.free_trial_ends_at, start_ + std::chrono::hours(24 * 14));
  EXPECT_NE(stored(r).change.find("free trial"), std::string::npos);

  // Renewed: nothing. Ended: unsubscribe pending. Deprovisioned: cancelled.
  Received renewed = deliver(eventbridge("Purchase Agreement Ended - Manufacturer", 50, "eb-2",
                                         "concurrent-prod", "RENEWED"));
  EXPECT_EQ(stored(renewed).outcome, EventOutcome::kIgnored);
  EXPECT_EQ(status_of(l), LinkStatus::kActive);
  deliver(eventbridge("Purchase Agreement Ended - Manufacturer", 60, "eb-3", "concurrent-prod",
                      "CANCELLED"));
  EXPECT_EQ(status_of(l), LinkStatus::kUnsubscribePending);
  EXPECT_EQ(h_.flushed, std::vector<std::string>{l.id});
  deliver(eventbridge("License Deprovisioned - Manufacturer", 70, "eb-4"));
  EXPECT_EQ(status_of(l), LinkStatus::kCancelled);
}

TEST_P(LifecycleTest, TheAgreementApiNotAnsweringDoesNotHoldTheLinkBack) {
  h_.agreements.unavailable = true;
  Link l = link_concurrent();
  Received r = deliver(eventbridge("Purchase Agreement Created - Manufacturer", 5, "eb-1"));
  EXPECT_EQ(status_of(l), LinkStatus::kActive);
  EXPECT_NE(stored(r).change.find("agreement terms not read"), std::string::npos)
      << stored(r).change;
}

TEST_P(LifecycleTest, LicenseUpdatedReadsEntitlementsAgainAndEmptyMeansTheContractEnded) {
  h_.reader.set(kLicense, {{.dimension = "seats", .value = "20"}});
  Link l = link_concurrent("contract-prod");
  deliver(eventbridge("Purchase Agreement Created - Manufacturer", 5, "c-1", "contract-prod"));
  EXPECT_TRUE(view("contract-prod").entitled);
  h_.reader.set(kLicense, {});
  Received r = deliver(eventbridge("License Updated - Manufacturer", 10, "c-2", "contract-prod"));
  EXPECT_EQ(stored(r).outcome, EventOutcome::kApplied);
  EntitlementsView v = view("contract-prod");
  EXPECT_FALSE(v.entitled);
  EXPECT_EQ(v.status, LinkStatus::kActive);
  EXPECT_TRUE(v.entitlements.empty());
  (void)l;
}

TEST_P(LifecycleTest, AwsNotAnsweringLeavesTheEventForARetry) {
  Link l = link_legacy();
  h_.drain();
  h_.reader.set_unavailable(true);
  Received r = deliver(sns("subscribe-success", 5));
  EXPECT_EQ(stored(r).outcome, EventOutcome::kReceived);
  EXPECT_EQ(status_of(l), LinkStatus::kPending);
  h_.reader.set_unavailable(false);
  h_.saas.clock().advance(std::chrono::minutes(5));  // past the job's backoff
  h_.drain();
  EXPECT_EQ(status_of(l), LinkStatus::kActive);
  EXPECT_EQ(stored(r).outcome, EventOutcome::kApplied);
}

TEST_P(LifecycleTest, EntitlementsOfContractsExpireAndTheScheduledRefreshReadsThemAgain) {
  h_.reader.set(
      kLicense,
      {{.dimension = "seats", .value = "20", .expires_at = start_ + std::chrono::hours(2)}});
  link_concurrent("contract-prod");
  deliver(eventbridge("Purchase Agreement Created - Manufacturer", 5, "c-1", "contract-prod"));
  EXPECT_TRUE(view("contract-prod").entitled);
  auto due = h_.lifecycle->refresh_due();
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(*due, 0);  // read just now, nothing expired

  // Past the expiry: not entitled from the database alone; the refresh reads AWS again.
  h_.saas.clock().advance(std::chrono::hours(3));
  EXPECT_FALSE(view("contract-prod").entitled);
  h_.reader.set(
      kLicense,
      {{.dimension = "seats", .value = "25", .expires_at = start_ + std::chrono::hours(24 * 365)}});
  const int calls = h_.reader.calls();
  due = h_.lifecycle->refresh_due();
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(*due, 1);
  EXPECT_EQ(h_.reader.calls(), calls + 1);
  EntitlementsView v = view("contract-prod");
  EXPECT_TRUE(v.entitled);
  ASSERT_EQ(v.entitlements.size(), 1u);
  EXPECT_EQ(v.entitlements[0].value, "25");
  // Daily even without an expiry near.
  due = h_.lifecycle->refresh_due();
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(*due, 0);
  h_.saas.clock().advance(std::chrono::hours(25));
  due = h_.lifecycle->refresh_due();
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(*due, 1);
}

TEST_P(LifecycleTest, EntitlementsOfAnUnknownProductOrWithoutALink) {
  auto unknown = h_.lifecycle->entitlements(acme_.id, "nope");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().slug, "product_not_found");
  EntitlementsView none = view("legacy-prod");
  EXPECT_FALSE(none.entitled);
  EXPECT_FALSE(none.status.has_value());
}

TEST_P(LifecycleTest, MalformedEventsAreRefused) {
  EXPECT_FALSE(parse_eventbridge_event("not json").ok());
  EXPECT_FALSE(parse_eventbridge_event(R"({"source":"aws.ec2","id":"1"})").ok());
  EXPECT_FALSE(parse_eventbridge_event(eventbridge_body("Something Else", 1, start_, "x")).ok());
  EXPECT_FALSE(parse_sns_notification(R"({"action":"subscribe-maybe","customer-identifier":"c",
      "product-code":"p"})",
                                      "m", start_)
                   .ok());
  EXPECT_FALSE(h_.lifecycle->receive(LifecycleEvent{}).ok());
}

// An SQS queue held in memory: what it gives, and what was deleted.
class FakeQueue final : public MessageQueue {
 public:
  std::vector<QueueMessage> waiting;
  std::vector<std::string> removed;
  core::Result<std::vector<QueueMessage>> receive() override {
    std::vector<QueueMessage> out;
    for (const QueueMessage& m : waiting) {
      if (std::find(removed.begin(), removed.end(), m.receipt) == removed.end()) out.push_back(m);
    }
    return out;
  }
  core::Status remove(const std::string& receipt) override {
    removed.push_back(receipt);
    return {};
  }
};

TEST_P(LifecycleTest, QueueMessagesAreDeletedOnlyAfterTheirEventCommitted) {
  Link l = link_concurrent();
  h_.drain();
  FakeQueue queue;
  queue.waiting = {
      {.receipt = "r-1",
       .body = eventbridge_body("Purchase Agreement Created - Manufacturer", 5, start_, "q-1")},
      {.receipt = "r-2", .body = "not an event"}};
  QueueIntake intake(QueueKind::kEventBridge, queue, *h_.lifecycle, nullptr);

  // The database refuses the event: the message stays for a later delivery; the garbage goes.
  {
    auto c = h_.saas.db().connect();
    ASSERT_TRUE(c.ok());
    c->sql() << "ALTER TABLE saas_lifecycle_events RENAME TO saas_lifecycle_events_away";
  }
  auto failed = intake.poll_once();
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->kept, 1);
  EXPECT_EQ(failed->refused, 1);
  EXPECT_EQ(queue.removed, std::vector<std::string>{"r-2"});
  {
    auto c = h_.saas.db().connect();
    ASSERT_TRUE(c.ok());
    c->sql() << "ALTER TABLE saas_lifecycle_events_away RENAME TO saas_lifecycle_events";
  }
  h_.drain();
  EXPECT_EQ(status_of(l), LinkStatus::kPending);

  // Given again: stored, then deleted; applied by the job.
  auto stored_now = intake.poll_once();
  ASSERT_TRUE(stored_now.ok());
  EXPECT_EQ(stored_now->stored, 1);
  EXPECT_EQ(queue.removed, (std::vector<std::string>{"r-2", "r-1"}));
  h_.drain();
  EXPECT_EQ(status_of(l), LinkStatus::kActive);
}

INSTANTIATE_TEST_SUITE_P(Backends, LifecycleTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace saas
