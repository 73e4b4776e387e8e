// MeteringService on both databases: usage in (validation, idempotency, CSV), hours out
// (aggregation, zero records, the 25-record split, contract rules, every AWS status,
// unprocessed records, throttling), late usage, ended links, and a crash between the AWS call
// and the record of its answer.
#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "core/metrics.h"
#include "jobs/job_queue.h"
#include "saas/metering.h"
#include "saas/metering_test_support.h"

namespace saas {
namespace {

using db::testing::TestBackend;
using std::chrono::hours;
using std::chrono::minutes;
using testing::FakeUsageMeter;
using testing::MeteringHarness;

core::TimePoint at(const char* text) { return core::parse_rfc3339(text).value(); }

class MeteringTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    std::unique_ptr<db::testing::TestDatabase> database;
    MARKETLINK_OPEN_TEST_DATABASE(database);
    ASSERT_TRUE(h_.init(std::move(database)));
    // The harness clock starts at 2026-03-02T09:00:00Z.
    legacy_ = h_.product("prod-legacy", PricingModel::kSubscription, false, {"users", "gb"});
  }

  const std::string& op() const { return h_.saas.operator_org.id; }

  core::Result<UsageReceipt> post(const std::vector<UsageInput>& records, const std::string& key) {
    return h_.service->record_usage(op(), records, key);
  }
  void post_ok(const std::string& org, const std::string& code, const std::string& dimension,
               long long quantity, const char* when) {
    static int n = 0;
    auto r = post({{.org = org,
                    .product_code = code,
                    .dimension = dimension,
                    .quantity = quantity,
                    .timestamp = when}},
                  "key-" + std::to_string(++n));
    ASSERT_TRUE(r.ok()) << r.error().message
                        << (r.error().details.empty() ? "" : ": " + r.error().details[0].message);
  }
  std::string slug_of(const Link& l) {
    auto org = h_.saas.id.service->find_organization(l.org_id);
    return org.ok() ? org->slug : "";
  }
  MeterRun run_ok() {
    auto r = h_.service->run();
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : MeterRun{};
  }

  MeteringHarness h_;
  Product legacy_;
};

TEST_P(MeteringTest, AggregatesEachHourAndSendsZeroForIdleHoursOnce) {
  const Link link = h_.linked("acme", legacy_, LinkStatus::kActive);
  h_.clock().set(at("2026-03-02T09:40:00Z"));
  post_ok(slug_of(link), "prod-legacy", "users", 3, "2026-03-02T09:10:00Z");
  post_ok(link.org_id, "prod-legacy", "users", 4, "2026-03-02T09:39:00Z");
  h_.clock().set(at("2026-03-02T10:30:00Z"));
  post_ok(link.org_id, "prod-legacy", "users", 5, "2026-03-02T10:20:00Z");
  h_.clock().set(at("2026-03-02T12:10:00Z"));

  const MeterRun run = run_ok();
  EXPECT_EQ(run.hours_fixed, 6);  // 09, 10, 11 × users, gb
  EXPECT_EQ(run.billed, 6);
  const auto calls = h_.meter.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].product_code, "prod-legacy");
  EXPECT_FALSE(calls[0].concurrent_agreements);
  std::map<std::string, long long> sent;
  for (const MeterRecord& r : calls[0].records) {
    EXPECT_EQ(r.customer_identifier, "cust-acme");
    EXPECT_TRUE(r.customer_aws_account_id.empty());
    EXPECT_TRUE(r.license_arn.empty());
    sent[core::format_rfc3339(r.hour) + " " + r.dimension] = r.quantity;
  }
  EXPECT_EQ(sent, (std::map<std::string, long long>{{"2026-03-02T09:00:00.000Z gb", 0},
                                                    {"2026-03-02T09:00:00.000Z users", 7},
                                                    {"2026-03-02T10:00:00.000Z gb", 0},
                                                    {"2026-03-02T10:00:00.000Z users", 5},
                                                    {"2026-03-02T11:00:00.000Z gb", 0},
                                                    {"2026-03-02T11:00:00.000Z users", 0}}));
  // Nothing due: nothing changes, nothing is sent.
  const MeterRun again = run_ok();
  EXPECT_TRUE(again.nothing_due());
  EXPECT_EQ(h_.meter.calls().size(), 1u);
  auto hours_of = h_.service->hours(link.id);
  ASSERT_TRUE(hours_of.ok());
  ASSERT_EQ(hours_of->size(), 6u);
  for (const MeteredHour& m : *hours_of) {
    EXPECT_EQ(m.state, HourState::kBilled);
    EXPECT_EQ(m.submissions, 1);
    EXPECT_FALSE(m.metering_record_id.empty());
  }
  auto usage = h_.service->usage(link.id);
  ASSERT_TRUE(usage.ok());
  for (const Usage& u : *usage) EXPECT_EQ(u.state, UsageState::kFixed);
}

TEST_P(MeteringTest, ConcurrentAgreementsSendAccountAndLicenseWithoutProductCodeFlag) {
  const Product ca = h_.product("prod-ca", PricingModel::kSubscription, true);
  const Link link = h_.linked("bolt", ca, LinkStatus::kActive);
  h_.clock().set(at("2026-03-02T10:05:00Z"));
  run_ok();
  const auto calls = h_.meter.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_TRUE(calls[0].concurrent_agreements);
  ASSERT_EQ(calls[0].records.size(), 1u);
  const MeterRecord& r = calls[0].records[0];
  EXPECT_TRUE(r.customer_identifier.empty());
  EXPECT_EQ(r.customer_aws_account_id, link.customer_aws_account_id);
  EXPECT_EQ(r.license_arn, link.license_arn);
  EXPECT_FALSE(r.license_arn.empty());
  EXPECT_EQ(r.hour, at("2026-03-02T09:00:00Z"));
  EXPECT_EQ(r.quantity, 0);
}

TEST_P(MeteringTest, SplitsIntoCallsOfAtMost25RecordsAndOneProduct) {
  const Product other = h_.product("prod-other", PricingModel::kSubscription, false);
  for (int i = 0; i < 27; ++i) h_.linked("org" + std::to_string(i), legacy_, LinkStatus::kActive);
  h_.linked("solo", other, LinkStatus::kActive);
  h_.clock().set(at("2026-03-02T10:05:00Z"));
  const MeterRun run = run_ok();
  EXPECT_EQ(run.billed, 27 * 2 + 1);
  const auto calls = h_.meter.calls();
  ASSERT_EQ(calls.size(), 4u);  // 54 records: 25 + 25 + 4, then the other product's 1
  std::map<std::string, size_t> per_product;
  for (const MeterBatch& b : calls) {
    EXPECT_LE(b.records.size(), 25u);
    per_product[b.product_code] += b.records.size();
  }
  EXPECT_EQ(per_product["prod-legacy"], 54u);
  EXPECT_EQ(per_product["prod-other"], 1u);
  EXPECT_EQ(calls[0].records.size(), 25u);
}

TEST_P(MeteringTest, ContractsAreNeverMeteredAndConsumptionOnlyForHoursWithUsage) {
  const Product contract = h_.product("prod-contract", PricingModel::kContract, false);
  const Product cwc = h_.product("prod-cwc", PricingModel::kContractWithConsumption, false,
                                 {"requests", "storage"});
  const Link c = h_.linked("cora", contract, LinkStatus::kActive);
  const Link w = h_.linked("wade", cwc, LinkStatus::kActive);
  h_.clock().set(at("2026-03-02T09:30:00Z"));
  auto refused = post({{.org = c.org_id,
                        .product_code = "prod-contract",
                        .dimension = "users",
                        .quantity = 1,
                        .timestamp = "2026-03-02T09:20:00Z"}},
                      "contract-1");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().slug, "invalid_usage");
  ASSERT_EQ(refused.error().details.size(), 1u);
  EXPECT_EQ(refused.error().details[0].field, "records[0].product_code");
  post_ok(w.org_id, "prod-cwc", "requests", 12, "2026-03-02T09:20:00Z");
  h_.clock().set(at("2026-03-02T12:05:00Z"));
  const MeterRun run = run_ok();
  EXPECT_EQ(run.hours_fixed, 1);
  const auto calls = h_.meter.calls();
  ASSERT_EQ(calls.size(), 1u);
  ASSERT_EQ(calls[0].records.size(), 1u);
  EXPECT_EQ(calls[0].product_code, "prod-cwc");
  EXPECT_EQ(calls[0].records[0].dimension, "requests");
  EXPECT_EQ(calls[0].records[0].quantity, 12);
}

TEST_P(MeteringTest, ReadsEachRecordsStatus) {
  const Link held = h_.linked("held", legacy_, LinkStatus::kActive);
  const Link taken = h_.linked("taken", legacy_, LinkStatus::kActive);
  const Link fine = h_.linked("fine", legacy_, LinkStatus::kActive);
  h_.meter.not_subscribed("cust-held");
  // Someone else metered taken's 09:00 users with another quantity.
  h_.meter.preset(FakeUsageMeter::key("prod-legacy", {.customer_identifier = "cust-taken",
                                                      .dimension = "users",
                                                      .hour = at("2026-03-02T09:00:00Z")}),
                  9);
  h_.clock().set(at("2026-03-02T10:05:00Z"));
  const MeterRun run = run_ok();
  EXPECT_EQ(run.not_subscribed, 2);
  EXPECT_EQ(run.alarms, 1);
  EXPECT_EQ(run.billed, 3);
  auto hour_state = [&](const Link& l, const char* dim) {
    auto hs = h_.service->hours(l.id);
    for (const MeteredHour& m : *hs) {
      if (m.dimension == dim) return m.state;
    }
    return HourState::kFixed;
  };
  EXPECT_EQ(hour_state(held, "users"), HourState::kNotSubscribed);
  EXPECT_EQ(hour_state(taken, "users"), HourState::kAlarm);
  EXPECT_EQ(hour_state(taken, "gb"), HourState::kBilled);
  EXPECT_EQ(hour_state(fine, "users"), HourState::kBilled);
  int not_subscribed = 0, duplicates = 0;
  for (const OutboxEntry& e : h_.outbox.entries()) {
    EXPECT_EQ(e.event, OutboxEvent::kMeteringFailed);
    if (e.data.find("customer_not_subscribed") != std::string::npos) {
      ++not_subscribed;
      EXPECT_EQ(e.link_id, held.id);
    }
    if (e.data.find("duplicate_record") != std::string::npos) {
      ++duplicates;
      EXPECT_EQ(e.org_id, taken.org_id);
    }
  }
  EXPECT_EQ(not_subscribed, 2);
  EXPECT_EQ(duplicates, 1);
  auto health = h_.service->health();
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->hours_alarm, 1);
  EXPECT_EQ(health->hours_not_subscribed, 2);
  EXPECT_EQ(health->hours_unanswered, 0);
  EXPECT_EQ(health->last_answer, at("2026-03-02T10:05:00Z"));
  // The operator's list of alarmed hours, with AWS's answer.
  auto alarmed = h_.service->alarmed_hours();
  ASSERT_TRUE(alarmed.ok());
  ASSERT_EQ(alarmed->size(), 1u);
  EXPECT_EQ(alarmed->front().link_id, taken.id);
  EXPECT_EQ(alarmed->front().dimension, "users");
  EXPECT_EQ(alarmed->front().aws_status, "DuplicateRecord");
  // Held and alarmed hours are not sent again.
  const size_t calls = h_.meter.calls().size();
  EXPECT_TRUE(run_ok().nothing_due());
  EXPECT_EQ(h_.meter.calls().size(), calls);
}

TEST_P(MeteringTest, AnHourTooLargeForOneRecordIsAnAlarmNotSent) {
  const Link link = h_.linked("acme", legacy_, LinkStatus::kActive);
  h_.clock().set(at("2026-03-02T09:30:00Z"));
  post_ok(link.org_id, "prod-legacy", "users", 2147483647, "2026-03-02T09:10:00Z");
  post_ok(link.org_id, "prod-legacy", "users", 1, "2026-03-02T09:20:00Z");
  h_.clock().set(at("2026-03-02T10:05:00Z"));
  const MeterRun run = run_ok();
  EXPECT_EQ(run.alarms, 1);
  EXPECT_EQ(run.billed, 1);  // gb's zero record
  for (const MeterBatch& b : h_.meter.calls()) {
    for (const MeterRecord& r : b.records) EXPECT_EQ(r.dimension, "gb");
  }
  ASSERT_EQ(h_.outbox.entries().size(), 1u);
  EXPECT_NE(h_.outbox.entries()[0].data.find("quantity_too_large"), std::string::npos);
}

TEST_P(MeteringTest, RetriesUnprocessedRecordsThenLeavesThemForTheNextRun) {
  h_.linked("acme", legacy_, LinkStatus::kActive);
  h_.meter.unprocessed("gb", 1);
  h_.clock().set(at("2026-03-02T10:05:00Z"));
  MeterRun run = run_ok();
  EXPECT_EQ(run.calls, 2);
  EXPECT_EQ(run.billed, 2);
  EXPECT_EQ(run.unprocessed_left, 0);
  ASSERT_EQ(h_.meter.calls()[1].records.size(), 1u);
  EXPECT_EQ(h_.meter.calls()[1].records[0].dimension, "gb");

  // More unprocessed answers than rounds: the next run sends what is left.
  h_.meter.unprocessed("users", 3);
  h_.clock().set(at("2026-03-02T11:05:00Z"));
  run = run_ok();
  EXPECT_EQ(run.unprocessed_left, 1);
  run = run_ok();
  EXPECT_EQ(run.calls, 1);
  EXPECT_EQ(run.billed, 1);
  EXPECT_EQ(h_.meter.billed().size(), 4u);
}

TEST_P(MeteringTest, ThrottlingLeavesTheHoursFixedForALaterRun) {
  const Link link = h_.linked("acme", legacy_, LinkStatus::kActive);
  h_.clock().set(at("2026-03-02T09:30:00Z"));
  post_ok(link.org_id, "prod-legacy", "users", 8, "2026-03-02T09:15:00Z");
  h_.clock().set(at("2026-03-02T10:05:00Z"));
  h_.meter.fail_next(1, core::unavailable("ThrottlingException: Rate exceeded"));
  MeterRun run = run_ok();
  EXPECT_FALSE(run.error.empty());
  EXPECT_EQ(run.billed, 0);
  auto hs = h_.service->hours(link.id);
  ASSERT_EQ(hs->size(), 2u);
  for (const MeteredHour& m : *hs) {
    EXPECT_EQ(m.state, HourState::kFixed);
    EXPECT_NE(m.last_error.find("Throttling"), std::string::npos);
  }
  auto health = h_.service->health();
  EXPECT_EQ(health->hours_unanswered, 2);
  EXPECT_EQ(health->oldest_unanswered, at("2026-03-02T09:00:00Z"));
  run = run_ok();
  EXPECT_TRUE(run.error.empty());
  EXPECT_EQ(run.billed, 2);
  EXPECT_EQ(run.hours_fixed, 0);
  EXPECT_EQ(h_.service->health()->hours_unanswered, 0);
  const auto calls = h_.meter.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].records.size(), calls[1].records.size());
  for (size_t i = 0; i < calls[0].records.size(); ++i) {
    EXPECT_EQ(calls[0].records[i].quantity, calls[1].records[i].quantity);
  }
}

TEST_P(MeteringTest, ACrashAfterTheCallResubmitsTheSameQuantitiesAndBillsOnce) {
  const Link link = h_.linked("acme", legacy_, LinkStatus::kActive);
  h_.clock().set(at("2026-03-02T09:30:00Z"));
  post_ok(link.org_id, "prod-legacy", "users", 6, "2026-03-02T09:15:00Z");
  h_.clock().set(at("2026-03-02T10:05:00Z"));
  h_.meter.set_after_call([] { throw std::runtime_error("the process died"); });
  EXPECT_THROW((void)h_.service->run(), std::runtime_error);
  h_.meter.set_after_call(nullptr);
  // Usage for that hour now is late: the hour's quantity is fixed.
  h_.clock().set(at("2026-03-02T10:06:00Z"));
  post_ok(link.org_id, "prod-legacy", "users", 100, "2026-03-02T09:50:00Z");
  // The restarted process resubmits; AWS answers DuplicateRecord for its own record.
  h_.meter.duplicate_on_repeat(true);
  const MeterRun run = run_ok();
  EXPECT_EQ(run.billed, 2);
  EXPECT_EQ(run.alarms, 0);
  const auto calls = h_.meter.calls();
  ASSERT_EQ(calls.size(), 2u);
  for (size_t i = 0; i < calls[0].records.size(); ++i) {
    EXPECT_EQ(calls[1].records[i].quantity, calls[0].records[i].quantity);
    EXPECT_EQ(calls[1].records[i].hour, calls[0].records[i].hour);
  }
  const auto billed = h_.meter.billed();
  EXPECT_EQ(billed.size(), 2u);
  EXPECT_EQ(billed.at(FakeUsageMeter::key("prod-legacy", {.customer_identifier = "cust-acme",
                                                          .dimension = "users",
                                                          .hour = at("2026-03-02T09:00:00Z")})),
            6);
  auto hs = h_.service->hours(link.id);
  for (const MeteredHour& m : *hs) EXPECT_EQ(m.submissions, 2);
}

TEST_P(MeteringTest, AnIdempotencyKeyRepeatReturnsTheFirstAnswer) {
  const Link link = h_.linked("acme", legacy_, LinkStatus::kActive);
  const std::vector<UsageInput> body = {{.org = link.org_id,
                                         .product_code = "prod-legacy",
                                         .dimension = "users",
                                         .quantity = 2,
                                         .timestamp = "2026-03-02T09:00:30Z"}};
  h_.clock().set(at("2026-03-02T09:01:00Z"));
  auto first = post(body, "k1");
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->repeated);
  auto again = post(body, "k1");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->repeated);
  ASSERT_EQ(again->records.size(), 1u);
  EXPECT_EQ(again->records[0].id, first->records[0].id);
  auto other = body;
  other[0].quantity = 3;
  auto reused = post(other, "k1");
  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.error().slug, "idempotency_key_reused");
  EXPECT_EQ(post(body, "").error().slug, "missing_idempotency_key");
  EXPECT_EQ(h_.service->usage(link.id)->size(), 1u);
}

TEST_P(MeteringTest, NamesEveryBadRecordAndStoresNone) {
  const Link link = h_.linked("acme", legacy_, LinkStatus::kActive);
  const Product ca = h_.product("prod-ca", PricingModel::kSubscription, true);
  h_.clock().set(at("2026-03-02T16:00:00Z"));
  auto r = post({{.org = link.org_id,
                  .product_code = "prod-legacy",
                  .dimension = "users",
                  .quantity = 1,
                  .timestamp = "2026-03-02T15:00:00Z"},
                 {.org = "nobody",
                  .product_code = "prod-legacy",
                  .dimension = "users",
                  .quantity = 1,
                  .timestamp = "2026-03-02T15:00:00Z"},
                 {.org = link.org_id,
                  .product_code = "prod-legacy",
                  .dimension = "cpu",
                  .quantity = -1,
                  .timestamp = "2026-03-02T17:00:00Z"},
                 {.org = link.org_id,
                  .product_code = "prod-legacy",
                  .dimension = "users",
                  .quantity = std::nullopt,
                  .timestamp = "2026-03-02T09:59:00Z"},
                 {.org = link.org_id,
                  .product_code = "prod-ca",
                  .dimension = "users",
                  .quantity = 1,
                  .timestamp = "yesterday"}},
                "bad-1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().slug, "invalid_usage");
  std::set<std::string> fields;
  for (const core::ErrorDetail& d : r.error().details) fields.insert(d.field);
  EXPECT_EQ(fields, (std::set<std::string>{"records[1].org", "records[2].dimension",
                                           "records[2].quantity", "records[2].timestamp",
                                           "records[3].quantity", "records[3].timestamp",
                                           "records[4].org", "records[4].timestamp"}));
  EXPECT_TRUE(h_.service->usage(link.id)->empty());
  (void)ca;
}

TEST_P(MeteringTest, LateUsageIsKeptAndReportedNotSent) {
  const Link link = h_.linked("acme", legacy_, LinkStatus::kActive);
  h_.clock().set(at("2026-03-02T10:05:00Z"));
  run_ok();
  post_ok(link.org_id, "prod-legacy", "users", 4, "2026-03-02T09:55:00Z");
  auto usage = h_.service->usage(link.id);
  ASSERT_EQ(usage->size(), 1u);
  EXPECT_EQ(usage->front().state, UsageState::kLate);
  ASSERT_EQ(h_.outbox.entries().size(), 1u);
  EXPECT_NE(h_.outbox.entries()[0].data.find("late_usage"), std::string::npos);
  EXPECT_TRUE(run_ok().nothing_due());
  EXPECT_EQ(h_.meter.calls().size(), 1u);
  auto late = h_.service->late_usage();
  ASSERT_EQ(late->size(), 1u);
  EXPECT_EQ(h_.service->health()->usage_late, 1);
  auto summary = h_.service->usage_summary(link.org_id, "prod-legacy");
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->late_records, 1);
}

TEST_P(MeteringTest, CancelledLinksUsageIsKeptNotSentAndHoursBeforeActiveAreNotBilled) {
  const Link gone = h_.linked("gone", legacy_, LinkStatus::kCancelled);
  const Link fresh = h_.linked("fresh", legacy_, LinkStatus::kPending);
  h_.clock().set(at("2026-03-02T09:30:00Z"));
  post_ok(gone.org_id, "prod-legacy", "users", 5, "2026-03-02T09:10:00Z");
  post_ok(fresh.org_id, "prod-legacy", "users", 5, "2026-03-02T09:10:00Z");
  EXPECT_EQ(h_.service->usage(gone.id)->front().state, UsageState::kNotBilled);
  EXPECT_EQ(h_.service->usage(fresh.id)->front().state, UsageState::kPending);
  h_.clock().set(at("2026-03-02T10:05:00Z"));
  EXPECT_TRUE(run_ok().nothing_due());  // pending: not billed yet
  h_.clock().set(at("2026-03-02T10:20:00Z"));
  h_.set_status(fresh.id, LinkStatus::kActive);
  h_.clock().set(at("2026-03-02T11:05:00Z"));
  const MeterRun run = run_ok();
  EXPECT_EQ(run.hours_fixed, 2);  // 10:00 users and gb; 09:00 was before active
  for (const MeterBatch& b : h_.meter.calls()) {
    for (const MeterRecord& r : b.records) {
      EXPECT_EQ(r.hour, at("2026-03-02T10:00:00Z"));
      EXPECT_EQ(r.customer_identifier, "cust-fresh");
    }
  }
  EXPECT_EQ(h_.service->usage(fresh.id)->front().state, UsageState::kNotBilled);
}

// A buyer subscribed at AWS at 09:30 and linked at 12:20: the hours from the event's on are the
// buyer's, idle ones at zero; usage in them is billed, not refused as before the link.
TEST_P(MeteringTest, TheFirstMeteredHourIsTheHourOfTheEventThatMadeTheLinkActive) {
  h_.clock().set(at("2026-03-02T12:20:00Z"));
  const Link link = h_.linked("early", legacy_, LinkStatus::kActive);  // updated_at 12:20
  h_.set_status_event_at(link.id, at("2026-03-02T09:30:00Z"));
  post_ok(link.org_id, "prod-legacy", "users", 4, "2026-03-02T10:15:00Z");
  EXPECT_EQ(h_.service->usage(link.id)->front().state, UsageState::kPending);
  h_.clock().set(at("2026-03-02T13:05:00Z"));
  const MeterRun run = run_ok();
  EXPECT_EQ(run.hours_fixed, 8);  // 09, 10, 11, 12 × users, gb
  std::map<std::string, long long> sent;
  for (const MeterBatch& b : h_.meter.calls()) {
    for (const MeterRecord& r : b.records) {
      EXPECT_TRUE(sent.emplace(core::format_rfc3339(r.hour) + " " + r.dimension, r.quantity).second)
          << "sent twice";
    }
  }
  EXPECT_EQ(sent, (std::map<std::string, long long>{{"2026-03-02T09:00:00.000Z gb", 0},
                                                    {"2026-03-02T09:00:00.000Z users", 0},
                                                    {"2026-03-02T10:00:00.000Z gb", 0},
                                                    {"2026-03-02T10:00:00.000Z users", 4},
                                                    {"2026-03-02T11:00:00.000Z gb", 0},
                                                    {"2026-03-02T11:00:00.000Z users", 0},
                                                    {"2026-03-02T12:00:00.000Z gb", 0},
                                                    {"2026-03-02T12:00:00.000Z users", 0}}));
  EXPECT_EQ(h_.service->usage(link.id)->front().state, UsageState::kFixed);
}

// An activation older than the window AWS accepts starts at the window's oldest whole hour.
TEST_P(MeteringTest, TheFirstMeteredHourIsNeverOlderThanTheWindow) {
  h_.clock().set(at("2026-03-02T17:30:00Z"));
  const Link link = h_.linked("old", legacy_, LinkStatus::kActive);
  h_.set_status_event_at(link.id, at("2026-03-02T09:10:00Z"));
  h_.clock().set(at("2026-03-02T18:05:00Z"));
  const MeterRun run = run_ok();
  // The window is 6 h: from 12:05 on, so 13:00 is the oldest whole hour; 13..17 × 2.
  std::set<core::TimePoint> hours;
  for (const MeterBatch& b : h_.meter.calls()) {
    for (const MeterRecord& r : b.records) hours.insert(r.hour);
  }
  ASSERT_FALSE(hours.empty());
  EXPECT_EQ(*hours.begin(), at("2026-03-02T13:00:00Z"));
  EXPECT_EQ(*hours.rbegin(), at("2026-03-02T17:00:00Z"));
  EXPECT_EQ(hours.size(), 5u);
  EXPECT_EQ(run.hours_fixed, 10);
}

TEST_P(MeteringTest, FlushSendsTheCurrentHourOfAnUnsubscribingLink) {
  const Link link = h_.linked("acme", legacy_, LinkStatus::kActive);
  h_.clock().set(at("2026-03-02T10:20:00Z"));
  post_ok(link.org_id, "prod-legacy", "users", 3, "2026-03-02T10:10:00Z");
  h_.set_status(link.id, LinkStatus::kUnsubscribePending);
  auto flushed = h_.service->flush(link.id);
  ASSERT_TRUE(flushed.ok());
  EXPECT_EQ(flushed->hours_fixed, 4);  // 09:00 and 10:00, two dimensions
  EXPECT_EQ(flushed->billed, 4);
  EXPECT_EQ(h_.meter.billed().at(
                FakeUsageMeter::key("prod-legacy", {.customer_identifier = "cust-acme",
                                                    .dimension = "users",
                                                    .hour = at("2026-03-02T10:00:00Z")})),
            3);
  h_.clock().set(at("2026-03-02T11:05:00Z"));
  const MeterRun run = run_ok();  // still unsubscribe_pending: 10:00 is done, 11:00 is not closed
  EXPECT_EQ(run.hours_fixed, 0);
  EXPECT_EQ(h_.service->flush("no-such-link").error().slug, "link_not_found");
}

// AWS's unsubscribe-success may be applied before the flush queued at unsubscribe-pending runs:
// the usage received while the link was live is still sent, once; later usage is kept, not sent.
TEST_P(MeteringTest, AFlushAfterTheLinkWasCancelledStillSendsItsFinalUsage) {
  const Link link = h_.linked("acme", legacy_, LinkStatus::kActive);
  h_.clock().set(at("2026-03-02T10:20:00Z"));
  post_ok(link.org_id, "prod-legacy", "users", 4, "2026-03-02T10:10:00Z");
  h_.set_status(link.id, LinkStatus::kCancelled);
  h_.clock().set(at("2026-03-02T10:25:00Z"));
  auto flushed = h_.service->flush(link.id);
  ASSERT_TRUE(flushed.ok()) << flushed.error().message;
  EXPECT_EQ(flushed->billed, 4);  // 09:00 and 10:00, two dimensions
  EXPECT_EQ(h_.meter.billed().at(
                FakeUsageMeter::key("prod-legacy", {.customer_identifier = "cust-acme",
                                                    .dimension = "users",
                                                    .hour = at("2026-03-02T10:00:00Z")})),
            4);
  const size_t calls = h_.meter.calls().size();
  // Usage after the cancellation is kept, not sent; nothing is sent twice.
  auto after = post({{.org = link.org_id,
                      .product_code = "prod-legacy",
                      .dimension = "users",
                      .quantity = 2,
                      .timestamp = "2026-03-02T10:22:00Z"}},
                    "after-cancel");
  ASSERT_TRUE(after.ok()) << after.error().message;
  ASSERT_EQ(after->records.size(), 1u);
  EXPECT_EQ(after->records.front().state, UsageState::kNotBilled);
  h_.clock().set(at("2026-03-02T11:05:00Z"));
  EXPECT_EQ(run_ok().hours_fixed, 0);
  ASSERT_TRUE(h_.service->flush(link.id).ok());
  EXPECT_EQ(h_.meter.calls().size(), calls);
}

TEST_P(MeteringTest, ImportsACsvAllOrNothing) {
  const Link acme = h_.linked("acme", legacy_, LinkStatus::kActive);
  const Link bolt = h_.linked("bolt", legacy_, LinkStatus::kActive);
  h_.clock().set(at("2026-03-02T11:30:00Z"));
  const std::string bad =
      "org,buyer,product_code,dimension,quantity,hour\n"
      "acme,,prod-legacy,users,5,2026-03-02T10:00:00Z\n"
      "nobody,,prod-legacy,users,5,2026-03-02T10:00:00Z\n"
      ",cust-bolt,prod-legacy,users,x,2026-03-02T10:00:00Z\n"
      "acme,,prod-legacy,users,1\n";
  auto refused = h_.service->import_csv(op(), bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().slug, "invalid_csv");
  std::set<std::string> lines;
  for (const core::ErrorDetail& d : refused.error().details) lines.insert(d.field);
  EXPECT_EQ(lines, (std::set<std::string>{"3", "4", "5"}));
  EXPECT_TRUE(h_.service->usage(acme.id)->empty());

  const std::string good =
      "\xEF\xBB\xBFhour;quantity;dimension;product_code;buyer\r\n"
      "2026-03-02T10:00:00Z;5;users;prod-legacy;cust-acme\r\n"
      "\"2026-03-02T10:30:00Z\";2;users;prod-legacy;" +
      bolt.customer_aws_account_id + "\r\n\r\n";
  auto imported = h_.service->import_csv(op(), good);
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ(imported->imported, 2);
  EXPECT_EQ(h_.service->usage(acme.id)->front().quantity, 5);
  EXPECT_EQ(h_.service->usage(bolt.id)->front().source, "import");
  auto missing = h_.service->import_csv(op(), "org,quantity\nacme,1\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().details[0].field, "1");
}

TEST_P(MeteringTest, UsageSummaryCountsThisHourAndThisMonth) {
  const Link link = h_.linked("acme", legacy_, LinkStatus::kActive);
  h_.clock().set(at("2026-03-02T10:30:00Z"));
  post_ok(link.org_id, "prod-legacy", "users", 3, "2026-03-02T09:30:00Z");
  post_ok(link.org_id, "prod-legacy", "users", 4, "2026-03-02T10:10:00Z");
  post_ok(link.org_id, "prod-legacy", "gb", 1, "2026-03-02T10:11:00Z");
  auto summary = h_.service->usage_summary(link.org_id);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->link_id, link.id);
  std::map<std::string, long long> hour, month;
  for (const UsageTotal& t : summary->this_hour) hour[t.dimension] = t.quantity;
  for (const UsageTotal& t : summary->this_month) month[t.dimension] = t.quantity;
  EXPECT_EQ(hour, (std::map<std::string, long long>{{"gb", 1}, {"users", 4}}));
  EXPECT_EQ(month, (std::map<std::string, long long>{{"gb", 1}, {"users", 7}}));
  EXPECT_EQ(h_.service->usage_summary("no-org").error().slug, "link_not_found");
}

TEST_P(MeteringTest, TheHourlyScheduleAndTheFlushJobRunTheService) {
  core::Metrics metrics;
  jobs::JobQueue queue(h_.saas.db(), h_.clock(), h_.saas.id.ids, metrics,
                       jobs::QueueSettings{.workers = 0}, [] { return 0.5; });
  ASSERT_TRUE(h_.service->register_jobs(queue).ok());
  const Link link = h_.linked("acme", legacy_, LinkStatus::kActive);
  h_.clock().set(at("2026-03-02T10:20:00Z"));
  // The schedule fires once per hour and its job meters the closed hour.
  auto fired = queue.fire_due_schedules();
  ASSERT_TRUE(fired.ok());
  EXPECT_EQ(*fired, 1);
  EXPECT_EQ(*queue.fire_due_schedules(), 0);
  ASSERT_TRUE(*queue.run_next());
  EXPECT_EQ(h_.meter.billed().size(), 2u);

  // The lifecycle enqueues saas.flush_usage when the buyer unsubscribes: the current hour goes.
  post_ok(link.org_id, "prod-legacy", "users", 2, "2026-03-02T10:10:00Z");
  h_.set_status(link.id, LinkStatus::kUnsubscribePending);
  auto job = queue.enqueue(kFlushUsageJob, "{\"link_id\":\"" + link.id + "\"}");
  ASSERT_TRUE(job.ok());
  ASSERT_TRUE(*queue.run_next());
  EXPECT_EQ(queue.find(*job)->status, jobs::JobStatus::kSucceeded);
  EXPECT_EQ(h_.meter.billed().size(), 4u);

  // A malformed payload can never succeed: dead at once.
  auto bad = queue.enqueue(kFlushUsageJob, "{}");
  ASSERT_TRUE(*queue.run_next());
  EXPECT_EQ(queue.find(*bad)->status, jobs::JobStatus::kDead);

  // Throttling after the client's retries: the job fails and is retried later.
  h_.clock().set(at("2026-03-02T12:20:00Z"));
  h_.set_status(link.id, LinkStatus::kActive);
  h_.meter.fail_next(1, core::unavailable("ThrottlingException: Rate exceeded"));
  auto meter_job = queue.enqueue(kMeterJob, "{}");
  ASSERT_TRUE(*queue.run_next());
  auto record = queue.find(*meter_job);
  EXPECT_EQ(record->status, jobs::JobStatus::kQueued);
  EXPECT_NE(record->last_error.find("Throttling"), std::string::npos);
}

TEST_P(MeteringTest, RacingRunsAndRacingRepeatsFixEachHourOnce) {
  for (int i = 0; i < 6; ++i) h_.linked("org" + std::to_string(i), legacy_, LinkStatus::kActive);
  const Link first = h_.linked("first", legacy_, LinkStatus::kActive);
  h_.clock().set(at("2026-03-02T09:30:00Z"));
  // The same request twice at once: stored once.
  const std::vector<UsageInput> body = {{.org = first.org_id,
                                         .product_code = "prod-legacy",
                                         .dimension = "users",
                                         .quantity = 5,
                                         .timestamp = "2026-03-02T09:20:00Z"}};
  std::vector<std::thread> posters;
  std::atomic<int> stored{0};
  for (int i = 0; i < 4; ++i) {
    posters.emplace_back([&] {
      auto r = h_.service->record_usage(op(), body, "same-key");
      if (r.ok()) ++stored;
    });
  }
  for (auto& t : posters) t.join();
  EXPECT_EQ(stored.load(), 4);
  EXPECT_EQ(h_.service->usage(first.id)->size(), 1u);

  // Two instances run at once: every hour fixed once, with one quantity.
  MeteringService other(h_.saas.db(), h_.clock(), h_.saas.id.ids, *h_.saas.id.service, h_.meter,
                        &h_.outbox);
  h_.clock().set(at("2026-03-02T12:05:00Z"));
  std::atomic<int> fixed{0};
  std::atomic<int> alarms{0};
  std::thread a([&] {
    auto r = h_.service->run();
    ASSERT_TRUE(r.ok());
    fixed += r->hours_fixed;
    alarms += r->alarms;
  });
  std::thread b([&] {
    auto r = other.run();
    ASSERT_TRUE(r.ok());
    fixed += r->hours_fixed;
    alarms += r->alarms;
  });
  a.join();
  b.join();
  EXPECT_EQ(fixed.load(), 7 * 3 * 2);  // 7 links, 09-11, two dimensions
  EXPECT_EQ(alarms.load(), 0);
  EXPECT_EQ(h_.meter.billed().size(), 42u);
  EXPECT_EQ(h_.meter.billed().at(
                FakeUsageMeter::key("prod-legacy", {.customer_identifier = "cust-first",
                                                    .dimension = "users",
                                                    .hour = at("2026-03-02T09:00:00Z")})),
            5);
}

INSTANTIATE_TEST_SUITE_P(Backends, MeteringTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace saas
