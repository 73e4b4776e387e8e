// The simulator's behaviour, driven through Marketlink's own typed AWS clients in-process with a
// ManualClock: de-duplication, windows, token expiry, asynchronous account creation, uniqueness,
// AssumeRole trust, SNS signatures (checked with OpenSSL), the unsubscribe lifecycle, paging, SQS
// long polls on the simulator's clock and saved state.
#include "sim/simulator.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <future>

#include "aws/account.h"
#include "aws/agreement.h"
#include "aws/cur.h"
#include "aws/entitlement.h"
#include "aws/iam.h"
#include "aws/metering.h"
#include "aws/organizations.h"
#include "aws/s3.h"
#include "aws/sigv4.h"
#include "aws/sqs.h"
#include "aws/sts.h"
#include "sim/sim_test_support.h"

namespace sim {
namespace {

using namespace std::chrono_literals;
using aws::aws_error_code;

class SimulatorTest : public ::testing::Test {
 protected:
  SimulatorTest()
      : clock_(core::TimePoint(std::chrono::seconds(1'800'000'000))),
        sim_({}, clock_),
        transport_(sim_),
        context_{transport_, clock_, sleeper_, aws::system_random()} {}

  aws::AwsClient client(const aws::Credentials& keys, int attempts = 1) {
    return aws::AwsClient(context_, aws::static_credentials(keys),
                          {.region = "us-east-1",
                           .endpoint = "http://127.0.0.1:4566",
                           .retry = {.max_attempts = attempts}});
  }
  aws::AwsClient seller() { return client(seller_keys()); }
  Json account(Json request = Json::object()) { return sim_.create_account(request).value(); }
  void product(const std::string& code, Json extra = Json::object()) {
    Json p = {{"product_code", code},
              {"name", "Product " + code},
              {"pricing_model", "subscription"},
              {"dimensions", {{{"name", "users"}}, {{"name", "seats"}}}},
              {"fulfillment_url", "http://127.0.0.1:9/aws/fulfillment"}};
    p.update(extra);
    ASSERT_TRUE(sim_.create_product(p).ok());
  }
  Json subscribe(const std::string& buyer, const std::string& code, Json extra = Json::object()) {
    Json r = {{"buyer_account_id", buyer}, {"product_code", code}};
    r.update(extra);
    return sim_.subscribe(r).value();
  }
  aws::metering::UsageRecord usage(const Json& sub, int quantity, core::TimePoint at,
                                   const std::string& dimension = "users") {
    return {.timestamp = at,
            .customer_identifier = sub["customer_identifier"],
            .dimension = dimension,
            .quantity = quantity};
  }
  void advance(std::chrono::seconds s) { sim_.advance_clock(s); }

  core::ManualClock clock_;
  Simulator sim_;
  InProcessTransport transport_;
  NoSleep sleeper_;
  aws::ClientContext context_;
};

TEST_F(SimulatorTest, MeteringDeduplicatesPerProductCustomerDimensionAndHour) {
  product("p1");
  const Json sub = subscribe(account()["account_id"], "p1");
  aws::metering::MeteringClient metering(seller());
  const auto hour = sim_.now() - 2h;
  auto first =
      metering.batch_meter_usage({.usage_records = {usage(sub, 5, hour)}, .product_code = "p1"});
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_EQ(first->results.at(0).status, "Success");
  const std::string id = first->results[0].metering_record_id;
  auto same = metering.batch_meter_usage(
      {.usage_records = {usage(sub, 5, hour + 10min)}, .product_code = "p1"});
  ASSERT_TRUE(same.ok()) << same.error().message;
  EXPECT_EQ(same->results.at(0).status, "Success");
  EXPECT_EQ(same->results[0].metering_record_id, id);
  auto different =
      metering.batch_meter_usage({.usage_records = {usage(sub, 6, hour)}, .product_code = "p1"});
  ASSERT_TRUE(different.ok()) << different.error().message;
  EXPECT_EQ(different->results.at(0).status, "DuplicateRecord");
  auto other_dimension = metering.batch_meter_usage(
      {.usage_records = {usage(sub, 6, hour, "seats")}, .product_code = "p1"});
  ASSERT_TRUE(other_dimension.ok()) << other_dimension.error().message;
  EXPECT_EQ(other_dimension->results.at(0).status, "Success");
  auto next_hour = metering.batch_meter_usage(
      {.usage_records = {usage(sub, 6, hour + 1h)}, .product_code = "p1"});
  ASSERT_TRUE(next_hour.ok()) << next_hour.error().message;
  EXPECT_EQ(next_hour->results.at(0).status, "Success");
  EXPECT_NE(next_hour->results[0].metering_record_id, id);
  EXPECT_EQ(sim_.metering_records_json()["records"].size(), 4u);
}

TEST_F(SimulatorTest, OneTimestampOutsideTheWindowRejectsTheWholeBatch) {
  product("p1");
  const Json sub = subscribe(account()["account_id"], "p1");
  aws::metering::MeteringClient metering(seller());
  auto r = metering.batch_meter_usage(
      {.usage_records = {usage(sub, 1, sim_.now()), usage(sub, 1, sim_.now() - 6h - 1s)},
       .product_code = "p1"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(aws_error_code(r.error()), "TimestampOutOfBoundsException");
  EXPECT_TRUE(sim_.metering_records_json()["records"].empty());
  auto settings = sim_.settings();
  settings.metering_window = 1h;
  sim_.set_settings(settings);
  r = metering.batch_meter_usage(
      {.usage_records = {usage(sub, 1, sim_.now() - 2h)}, .product_code = "p1"});
  EXPECT_EQ(aws_error_code(r.error()), "TimestampOutOfBoundsException");
  r = metering.batch_meter_usage(
      {.usage_records = {usage(sub, 1, sim_.now() - 59min)}, .product_code = "p1"});
  EXPECT_TRUE(r.ok());
}

TEST_F(SimulatorTest, AtMost25RecordsPerBatch) {
  product("p1");
  const Json sub = subscribe(account()["account_id"], "p1");
  aws::metering::MeteringClient metering(seller());
  std::vector<aws::metering::UsageRecord> records;
  for (int i = 0; i < 26; ++i)
    records.push_back(usage(sub, 1, sim_.now() - std::chrono::hours(i % 5)));
  auto r = metering.batch_meter_usage({.usage_records = records, .product_code = "p1"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(aws_error_code(r.error()), "ValidationException");
  records.pop_back();
  EXPECT_TRUE(metering.batch_meter_usage({.usage_records = records, .product_code = "p1"}).ok());
}

TEST_F(SimulatorTest, CustomerNotSubscribedBeforeSubscribeSuccessAndAfterUnsubscribeSuccess) {
  auto settings = sim_.settings();
  settings.subscribe_delay = 60s;
  settings.unsubscribe_delay = 600s;
  sim_.set_settings(settings);
  product("p1");
  const Json sub = subscribe(account()["account_id"], "p1");
  EXPECT_EQ(sub["status"], "subscribe-pending");
  aws::metering::MeteringClient metering(seller());
  auto status = [&](std::chrono::minutes back) {
    return metering
        .batch_meter_usage(
            {.usage_records = {usage(sub, 1, sim_.now() - back)}, .product_code = "p1"})
        ->results.at(0)
        .status;
  };
  EXPECT_EQ(status(0min), "CustomerNotSubscribed");
  advance(61s);
  EXPECT_EQ(status(60min), "Success");
  ASSERT_TRUE(sim_.cancel_subscription(sub["agreement_id"]).ok());
  EXPECT_EQ(status(120min), "Success");  // final records during unsubscribe-pending
  advance(601s);
  EXPECT_EQ(status(180min), "CustomerNotSubscribed");
}

TEST_F(SimulatorTest, BuyersIdentifiedByAccountAndLicense) {
  product("p2", {{"legacy_identity", false}, {"pricing_model", "contract_with_consumption"}});
  const std::string buyer = account()["account_id"];
  const Json a = subscribe(buyer, "p2", {{"entitlements", {{"seats", 10}}}});
  const Json b =
      subscribe(buyer, "p2", {{"entitlements", {{"seats", 3}}}});  // concurrent agreement
  ASSERT_NE(a["license_arn"], b["license_arn"]);
  aws::metering::MeteringClient metering(seller());
  auto resolved = metering.resolve_customer({.registration_token = a["registration_token"]});
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->customer_identifier, "");
  EXPECT_EQ(resolved->customer_aws_account_id, buyer);
  EXPECT_EQ(resolved->license_arn, a["license_arn"]);
  aws::metering::UsageRecord record{.timestamp = sim_.now(),
                                    .customer_aws_account_id = buyer,
                                    .license_arn = b["license_arn"],
                                    .dimension = "users",
                                    .quantity = 2};
  // Concurrent-agreement listings: no ProductCode, the product is the license's.
  auto r = metering.batch_meter_usage({.usage_records = {record}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->results.at(0).status, "Success");
  record.license_arn = a["license_arn"];
  record.quantity = 3;  // another agreement: another customer for de-duplication
  EXPECT_EQ(metering.batch_meter_usage({.usage_records = {record}})->results.at(0).status,
            "Success");
  aws::entitlement::EntitlementClient entitlements(seller());
  auto e = entitlements.get_entitlements(
      {.product_code = "p2", .filter = {{"LICENSE_ARN", {b["license_arn"].get<std::string>()}}}});
  ASSERT_TRUE(e.ok()) << e.error().message;
  ASSERT_EQ(e->entitlements.size(), 1u);
  EXPECT_EQ(e->entitlements[0].value.integer_value, 3);
  EXPECT_EQ(e->entitlements[0].customer_aws_account_id, buyer);
}

TEST_F(SimulatorTest, BatchMeterUsageIdentityFollowsTheListingsKind) {
  product("legacy");
  product("modern", {{"legacy_identity", false}});
  product("modern2", {{"legacy_identity", false}});
  const std::string buyer = account()["account_id"];
  const Json old_sub = subscribe(buyer, "legacy");
  const Json sub = subscribe(buyer, "modern");
  const Json sub2 = subscribe(buyer, "modern2");
  aws::metering::MeteringClient metering(seller());
  const auto hour = sim_.now() - 1h;
  const aws::metering::UsageRecord legacy_record = usage(old_sub, 1, hour);
  const aws::metering::UsageRecord modern{.timestamp = hour,
                                          .customer_aws_account_id = buyer,
                                          .license_arn = sub["license_arn"],
                                          .dimension = "users",
                                          .quantity = 4};
  auto code = [&](const aws::metering::BatchMeterUsageRequest& request) {
    auto r = metering.batch_meter_usage(request);
    return r.ok() ? std::string("ok") : aws_error_code(r.error());
  };
  // ProductCode together with LicenseArn: refused, as AWS does.
  EXPECT_EQ(code({.usage_records = {modern}, .product_code = "modern"}), "ValidationException");
  EXPECT_EQ(code({.usage_records = {legacy_record, modern}, .product_code = "legacy"}),
            "ValidationException");
  // Without ProductCode every record needs its LicenseArn.
  EXPECT_EQ(code({.usage_records = {legacy_record}}), "ValidationException");
  EXPECT_EQ(code({.usage_records = {modern, legacy_record}}), "ValidationException");
  // A concurrent listing does not take CustomerIdentifier, nor an account without a license.
  aws::metering::UsageRecord mixed = modern;
  mixed.customer_identifier = "CUSTOMER123";
  EXPECT_EQ(code({.usage_records = {mixed}}), "InvalidCustomerIdentifierException");
  aws::metering::UsageRecord no_license = modern;
  no_license.license_arn.clear();
  EXPECT_EQ(code({.usage_records = {no_license}, .product_code = "modern"}),
            "InvalidLicenseException");
  EXPECT_EQ(code({.usage_records = {legacy_record}, .product_code = "modern"}),
            "InvalidCustomerIdentifierException");
  // A legacy listing needs CustomerIdentifier.
  aws::metering::UsageRecord by_account = legacy_record;
  by_account.customer_identifier.clear();
  by_account.customer_aws_account_id = buyer;
  EXPECT_EQ(code({.usage_records = {by_account}, .product_code = "legacy"}),
            "InvalidCustomerIdentifierException");
  // Unknown licenses, licenses of two products, another seller's license.
  aws::metering::UsageRecord unknown = modern;
  unknown.license_arn = "arn:aws:license-manager::1:license:l-unknown";
  EXPECT_EQ(code({.usage_records = {unknown}}), "InvalidLicenseException");
  aws::metering::UsageRecord other_product = modern;
  other_product.license_arn = sub2["license_arn"];
  EXPECT_EQ(code({.usage_records = {modern, other_product}}), "ValidationException");
  const Json other_seller = account();
  aws::metering::MeteringClient stranger(client(keys_of(other_seller)));
  auto refused = stranger.batch_meter_usage({.usage_records = {modern}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(aws_error_code(refused.error()), "InvalidLicenseException");
  // Nothing above was recorded; the valid forms are, with de-duplication per license.
  EXPECT_TRUE(sim_.metering_records_json()["records"].empty());
  auto first = metering.batch_meter_usage({.usage_records = {modern}});
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->results.at(0).status, "Success");
  aws::metering::UsageRecord later = modern;
  later.timestamp = hour + 5min;
  auto again = metering.batch_meter_usage({.usage_records = {later}});
  EXPECT_EQ(again->results.at(0).status, "Success");
  EXPECT_EQ(again->results[0].metering_record_id, first->results[0].metering_record_id);
  later.quantity = 5;
  EXPECT_EQ(metering.batch_meter_usage({.usage_records = {later}})->results.at(0).status,
            "DuplicateRecord");
  EXPECT_EQ(code({.usage_records = {legacy_record}, .product_code = "legacy"}), "ok");
  const Json records = sim_.metering_records_json()["records"];
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0]["product_code"], "modern");
  // The window and faults apply as to legacy calls.
  aws::metering::UsageRecord stale = modern;
  stale.timestamp = sim_.now() - 6h - 1s;
  EXPECT_EQ(code({.usage_records = {stale}}), "TimestampOutOfBoundsException");
  ASSERT_TRUE(
      sim_.add_fault(
              {{"operation", "BatchMeterUsage"}, {"error", "ThrottlingException"}, {"count", 1}})
          .ok());
  EXPECT_EQ(code({.usage_records = {modern}}), "ThrottlingException");
  EXPECT_EQ(code({.usage_records = {modern}}), "ok");
}

TEST_F(SimulatorTest, EventBridgeEventsReachAnSqsQueue) {
  product("p1", {{"legacy_identity", false}});
  ASSERT_TRUE(sim_.subscribe_notifications({{"topic", "entitlement"},
                                            {"product_code", "p1"},
                                            {"endpoint", "http://127.0.0.1:9/sns"},
                                            {"auto_confirm", true}})
                  .ok());
  auto by_name = sim_.add_event_destination({{"sqs_queue", "mp-events"}});
  ASSERT_TRUE(by_name.ok()) << by_name.error().message;
  const std::string queue = by_name->at("queue_url");
  EXPECT_EQ(queue, "http://127.0.0.1:4566/111122223333/mp-events");
  // The same queue by its URL: every event arrives twice.
  ASSERT_TRUE(sim_.add_event_destination({{"sqs_queue", queue}}).ok());
  EXPECT_FALSE(sim_.add_event_destination({{"sqs_queue", "bad name!"}}).ok());
  EXPECT_FALSE(
      sim_.add_event_destination({{"sqs_queue", "q"}, {"endpoint", "http://127.0.0.1:9/"}}).ok());

  aws::sqs::SqsClient sqs(seller());
  auto drain = [&] {
    std::vector<Json> events;
    for (;;) {
      auto r = sqs.receive_message({.queue_url = queue, .max_number_of_messages = 10});
      EXPECT_TRUE(r.ok());
      if (!r.ok() || r->messages.empty()) return events;
      for (const auto& m : r->messages) {
        events.push_back(Json::parse(m.body));
        EXPECT_TRUE(
            sqs.delete_message({.queue_url = queue, .receipt_handle = m.receipt_handle}).ok());
      }
    }
  };
  auto detail_types = [](const std::vector<Json>& events) {
    std::vector<std::string> out;
    for (size_t i = 0; i < events.size(); i += 2) {
      EXPECT_EQ(events[i], events[i + 1]);  // one event, two targets
      out.push_back(events[i]["detail-type"]);
    }
    return out;
  };

  const std::string buyer = account()["account_id"];
  const Json sub = subscribe(buyer, "p1", {{"entitlements", {{"seats", 5}}}});
  std::vector<Json> events = drain();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(detail_types(events),
            (std::vector<std::string>{"Purchase Agreement Created - Manufacturer",
                                      "License Updated - Manufacturer"}));
  const Json& created = events[0];
  EXPECT_EQ(created["source"], "aws.agreement-marketplace");
  EXPECT_EQ(created["account"], std::string(kSellerAccountId));
  EXPECT_EQ(created["detail"]["agreement"]["id"], sub["agreement_id"]);
  EXPECT_EQ(created["detail"]["agreement"]["intent"], "NEW");
  EXPECT_EQ(created["detail"]["agreement"]["status"], "ACTIVE");
  EXPECT_EQ(created["detail"]["acceptor"]["accountId"], buyer);
  EXPECT_EQ(created["detail"]["license"]["arn"], sub["license_arn"]);
  EXPECT_EQ(created["detail"]["product"]["code"], "p1");
  EXPECT_EQ(sim_.take_deliveries().size(), 1u);  // SNS entitlement-updated

  // Entitlements change: SNS entitlement-updated, Amended and License Updated.
  auto amended = sim_.set_entitlements(sub["agreement_id"], {{"seats", 9}});
  ASSERT_TRUE(amended.ok()) << amended.error().message;
  EXPECT_EQ((*amended)["entitlements"]["seats"], 9);
  events = drain();
  EXPECT_EQ(detail_types(events),
            (std::vector<std::string>{"Purchase Agreement Amended - Manufacturer",
                                      "License Updated - Manufacturer"}));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0]["detail"]["agreement"]["intent"], "AMEND");
  const auto sns = sim_.take_deliveries();
  ASSERT_EQ(sns.size(), 1u);
  EXPECT_EQ(Json::parse(Json::parse(sns[0].body)["Message"].get<std::string>())["action"],
            "entitlement-updated");
  aws::entitlement::EntitlementClient entitlements(seller());
  auto e = entitlements.get_entitlements(
      {.product_code = "p1", .filter = {{"LICENSE_ARN", {sub["license_arn"].get<std::string>()}}}});
  ASSERT_TRUE(e.ok()) << e.error().message;
  ASSERT_EQ(e->entitlements.size(), 1u);
  EXPECT_EQ(e->entitlements[0].value.integer_value, 9);
  EXPECT_FALSE(sim_.set_entitlements(sub["agreement_id"], {{"seats", Json::array()}}).ok());
  EXPECT_EQ(sim_.set_entitlements("agmt-nope", {{"seats", 1}}).error().code,
            core::ErrorCode::kNotFound);

  // Cancel: Ended at once (the agreement ends), Deprovisioned once unsubscribe-success comes.
  ASSERT_TRUE(sim_.cancel_subscription(sub["agreement_id"]).ok());
  events = drain();
  EXPECT_EQ(detail_types(events),
            (std::vector<std::string>{"Purchase Agreement Ended - Manufacturer"}));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0]["detail"]["agreement"]["status"], "CANCELLED");
  EXPECT_EQ(events[0]["detail"]["agreement"]["intent"], "CANCEL");
  advance(sim_.settings().unsubscribe_delay + 1s);
  events = drain();
  EXPECT_EQ(detail_types(events),
            (std::vector<std::string>{"License Deprovisioned - Manufacturer"}));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0]["detail"]["agreement"]["status"], "CANCELLED");
  EXPECT_EQ(sim_.set_entitlements(sub["agreement_id"], {{"seats", 1}}).error().code,
            core::ErrorCode::kConflict);
}

TEST_F(SimulatorTest, StartedHoursAgoDatesTheSubscriptionItsEventsAndTheAgreement) {
  product("p1", {{"legacy_identity", false}});
  ASSERT_TRUE(sim_.subscribe_notifications({{"topic", "subscription"},
                                            {"product_code", "p1"},
                                            {"endpoint", "http://127.0.0.1:9/sns"},
                                            {"auto_confirm", true}})
                  .ok());
  ASSERT_TRUE(sim_.add_event_destination({{"endpoint", "http://127.0.0.1:9/events"}}).ok());
  (void)sim_.take_deliveries();
  const std::string buyer = account()["account_id"];
  const core::TimePoint now = clock_.now();
  const core::TimePoint started = now - 3h;

  for (const Json& bad : {Json(-1), Json(6), Json(2.5), Json("3"), Json(true)}) {
    auto refused = sim_.subscribe(
        {{"buyer_account_id", buyer}, {"product_code", "p1"}, {"started_hours_ago", bad}});
    ASSERT_FALSE(refused.ok()) << bad.dump();
    EXPECT_EQ(refused.error().code, core::ErrorCode::kInvalid);
    EXPECT_EQ(refused.error().message, "started_hours_ago must be an integer from 0 to 5.");
  }
  EXPECT_TRUE(sim_.subscriptions_json()["subscriptions"].empty());  // nothing was created
  EXPECT_TRUE(sim_.take_deliveries().empty());

  const Json sub = subscribe(buyer, "p1", {{"started_hours_ago", 3}});
  EXPECT_EQ(sub["status"], "active");
  const Json listed = sim_.subscriptions_json()["subscriptions"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(core::parse_rfc3339(listed[0]["created_at"].get<std::string>()), started);

  const auto deliveries = sim_.take_deliveries();
  int sns = 0;
  int events = 0;
  for (const auto& d : deliveries) {
    const Json body = Json::parse(d.body);
    if (d.kind == "sns") {
      ++sns;
      EXPECT_EQ(core::parse_rfc3339(body["Timestamp"].get<std::string>()), started);
    } else {
      ++events;
      EXPECT_EQ(core::parse_rfc3339(body["time"].get<std::string>()), started) << d.body;
      EXPECT_EQ(core::parse_rfc3339(body["detail"]["agreement"]["startTime"].get<std::string>()),
                started);
    }
  }
  EXPECT_EQ(sns, 1);     // subscribe-success
  EXPECT_EQ(events, 2);  // Purchase Agreement Created, License Updated

  // The Agreement API agrees on the start; the agreement runs its term from it.
  aws::agreement::AgreementClient agreements(seller());
  auto described = agreements.describe_agreement({.agreement_id = sub["agreement_id"]});
  ASSERT_TRUE(described.ok()) << described.error().message;
  EXPECT_EQ(described->start_time, started);

  // Usage from the start on is accepted: the hours before are the buyer's.
  aws::metering::MeteringClient metering(seller());
  auto sent = metering.batch_meter_usage({.usage_records = {{.timestamp = started,
                                                             .customer_aws_account_id = buyer,
                                                             .license_arn = sub["license_arn"],
                                                             .dimension = "users",
                                                             .quantity = 0}}});
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  ASSERT_EQ(sent->results.size(), 1u);
  EXPECT_EQ(sent->results[0].status, "Success");

  // Events of later changes carry their own time.
  ASSERT_TRUE(sim_.cancel_subscription(sub["agreement_id"]).ok());
  const auto later = sim_.take_deliveries();
  ASSERT_FALSE(later.empty());
  for (const auto& d : later) {
    const Json body = Json::parse(d.body);
    const std::string at = body.value(d.kind == "sns" ? "Timestamp" : "time", "");
    EXPECT_EQ(core::parse_rfc3339(at), now) << d.body;
  }

  // Default and 0: now, as before.
  product("p2");
  subscribe(buyer, "p2", {{"started_hours_ago", 0}});
  const Json all = sim_.subscriptions_json()["subscriptions"];
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(core::parse_rfc3339(all[1]["created_at"].get<std::string>()), now);
}

TEST_F(SimulatorTest, RegistrationTokensResolveForFourHours) {
  product("p1");
  const Json sub = subscribe(account()["account_id"], "p1");
  aws::metering::MeteringClient metering(seller());
  const std::string token = sub["registration_token"];
  advance(4h - 1s);
  auto r = metering.resolve_customer({.registration_token = token});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->customer_identifier, sub["customer_identifier"]);
  EXPECT_EQ(metering.resolve_customer({.registration_token = token})->product_code, "p1");
  advance(2s);
  r = metering.resolve_customer({.registration_token = token});
  EXPECT_EQ(aws_error_code(r.error()), "ExpiredTokenException");
  r = metering.resolve_customer({.registration_token = "not-a-token"});
  EXPECT_EQ(aws_error_code(r.error()), "InvalidTokenException");
  // A fresh token from "Set up product" resolves to the same customer.
  auto fresh = sim_.new_registration_token(sub["agreement_id"]);
  EXPECT_EQ(metering.resolve_customer({.registration_token = *fresh})->customer_identifier,
            sub["customer_identifier"]);
}

TEST_F(SimulatorTest, CreateAccountIsAsynchronousAndRefusesUsedEmails) {
  account({{"email", "taken@example.com"}});
  const Json mgmt = account({{"organization", "management"}});
  aws::organizations::OrganizationsClient orgs(client(keys_of(mgmt)));
  auto created = orgs.create_account({.email = "new@example.com", .account_name = "New"});
  ASSERT_TRUE(created.ok()) << created.error().message;
  const std::string id = created->create_account_status.id;
  EXPECT_EQ(created->create_account_status.state, "IN_PROGRESS");
  advance(4s);
  EXPECT_EQ(orgs.describe_create_account_status({.create_account_request_id = id})
                ->create_account_status.state,
            "IN_PROGRESS");
  advance(2s);
  auto done = orgs.describe_create_account_status({.create_account_request_id = id});
  EXPECT_EQ(done->create_account_status.state, "SUCCEEDED");
  EXPECT_EQ(done->create_account_status.account_id.size(), 12u);
  auto taken = orgs.create_account({.email = "TAKEN@example.com", .account_name = "Dup"});
  advance(10s);
  auto failed = orgs.describe_create_account_status(
      {.create_account_request_id = taken->create_account_status.id});
  EXPECT_EQ(failed->create_account_status.state, "FAILED");
  EXPECT_EQ(failed->create_account_status.failure_reason, "EMAIL_ALREADY_EXISTS");
  auto accounts = orgs.list_all_accounts();
  ASSERT_TRUE(accounts.ok());
  EXPECT_EQ(accounts->size(), 2u);
}

TEST_F(SimulatorTest, AliasesAndBucketsAreUniqueAcrossTheSimulator) {
  const Json a = account(), b = account();
  aws::iam::IamClient iam_a(client(keys_of(a))), iam_b(client(keys_of(b)));
  ASSERT_TRUE(iam_a.create_account_alias({.account_alias = "acme-prod"}).ok());
  auto taken = iam_b.create_account_alias({.account_alias = "acme-prod"});
  EXPECT_EQ(aws_error_code(taken.error()), "EntityAlreadyExists");
  EXPECT_TRUE(iam_a.create_account_alias({.account_alias = "acme-prod"}).ok());
  aws::s3::S3Client s3_a(client(keys_of(a))), s3_b(client(keys_of(b)));
  ASSERT_TRUE(s3_a.create_bucket({.bucket = "acme-cur"}).ok());
  EXPECT_EQ(aws_error_code(s3_b.create_bucket({.bucket = "acme-cur"}).error()),
            "BucketAlreadyExists");
  EXPECT_EQ(aws_error_code(s3_a.create_bucket({.bucket = "acme-cur"}).error()),
            "BucketAlreadyOwnedByYou");
  auto head = s3_b.head_bucket({.bucket = "acme-cur"});
  EXPECT_EQ(aws::aws_error_of(head.error())->http_status, 403);
  head = s3_b.head_bucket({.bucket = "nothing-here"});
  EXPECT_EQ(aws::aws_error_of(head.error())->http_status, 404);
}

TEST_F(SimulatorTest, AssumeRoleOnlyIntoRolesThatTrustTheCaller) {
  const Json mgmt = account({{"organization", "management"}});
  aws::organizations::OrganizationsClient orgs(client(keys_of(mgmt)));
  auto created = orgs.create_account({.email = "m@example.com", .account_name = "M"});
  advance(10s);
  const std::string member =
      orgs.describe_create_account_status(
              {.create_account_request_id = created->create_account_status.id})
          ->create_account_status.account_id;
  const std::string role = "arn:aws:iam::" + member + ":role/OrganizationAccountAccessRole";
  aws::sts::StsClient sts(client(keys_of(mgmt)));
  auto assumed = sts.assume_role({.role_arn = role, .role_session_name = "marketlink"});
  ASSERT_TRUE(assumed.ok()) << assumed.error().message;
  aws::Credentials temp{assumed->credentials.access_key_id, assumed->credentials.secret_access_key,
                        assumed->credentials.session_token, std::nullopt};
  auto who = aws::sts::StsClient(client(temp)).get_caller_identity();
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->account, member);
  EXPECT_EQ(who->arn,
            "arn:aws:sts::" + member + ":assumed-role/OrganizationAccountAccessRole/marketlink");
  // Roles chain from the member: it trusts nobody but the management account.
  auto stranger = aws::sts::StsClient(client(keys_of(account())))
                      .assume_role({.role_arn = role, .role_session_name = "x1"});
  EXPECT_EQ(aws_error_code(stranger.error()), "AccessDenied");
  advance(3601s);
  who = aws::sts::StsClient(client(temp)).get_caller_identity();
  EXPECT_EQ(aws_error_code(who.error()), "ExpiredToken");
}

bool verify_sns(const Json& message, const std::string& pem) {
  std::string text;
  const bool notification = message["Type"] == "Notification";
  const std::vector<std::string> keys =
      notification ? std::vector<std::string>{"Message",   "MessageId", "Subject",
                                              "Timestamp", "TopicArn",  "Type"}
                   : std::vector<std::string>{"Message", "MessageId", "SubscribeURL", "Timestamp",
                                              "Token",   "TopicArn",  "Type"};
  for (const auto& k : keys) {
    if (message.contains(k)) text += k + "\n" + message[k].get<std::string>() + "\n";
  }
  std::string sig(512, '\0');
  const std::string b64 = message["Signature"];
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(sig.data()),
                                reinterpret_cast<const unsigned char*>(b64.data()),
                                static_cast<int>(b64.size()));
  sig.resize(static_cast<size_t>(n - std::count(b64.end() - 2, b64.end(), '=')));
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  EVP_PKEY* key = X509_get_pubkey(cert);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const EVP_MD* md = message["SignatureVersion"] == "2" ? EVP_sha256() : EVP_sha1();
  const bool ok =
      EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(text.data()), text.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  X509_free(cert);
  BIO_free(bio);
  return ok;
}

TEST_F(SimulatorTest, SnsMessagesAreSignedWithVersionOneAndTwo) {
  product("p1");
  ASSERT_TRUE(sim_.subscribe_notifications({{"topic", "subscription"},
                                            {"product_code", "p1"},
                                            {"endpoint", "http://127.0.0.1:9/v1"},
                                            {"signature_version", "1"},
                                            {"auto_confirm", true}})
                  .ok());
  ASSERT_TRUE(sim_.subscribe_notifications({{"topic", "subscription"},
                                            {"product_code", "p1"},
                                            {"endpoint", "http://127.0.0.1:9/v2"},
                                            {"signature_version", "2"},
                                            {"auto_confirm", true}})
                  .ok());
  ASSERT_TRUE(sim_.subscribe_notifications({{"topic", "entitlement"},
                                            {"product_code", "p1"},
                                            {"endpoint", "http://127.0.0.1:9/confirm"}})
                  .ok());
  EXPECT_FALSE(sim_.subscribe_notifications({{"topic", "subscription"},
                                             {"product_code", "p1"},
                                             {"endpoint", "http://192.0.2.1/outside"}})
                   .ok());
  subscribe(account()["account_id"], "p1", {{"free_trial", true}});
  const auto deliveries = sim_.take_deliveries();
  ASSERT_EQ(deliveries.size(), 3u);
  const std::string pem = sim_.sns_certificate_pem();
  for (const auto& d : deliveries) {
    const Json body = Json::parse(d.body);
    EXPECT_TRUE(verify_sns(body, pem)) << d.url;
    Json tampered = body;
    tampered["Timestamp"] = "2000-01-01T00:00:00.000Z";
    EXPECT_FALSE(verify_sns(tampered, pem));
  }
  EXPECT_EQ(Json::parse(deliveries[0].body)["Type"], "SubscriptionConfirmation");
  const Json v1 = Json::parse(deliveries[1].body), v2 = Json::parse(deliveries[2].body);
  EXPECT_EQ(v1["SignatureVersion"], "1");
  EXPECT_EQ(v2["SignatureVersion"], "2");
  EXPECT_EQ(Json::parse(v2["Message"].get<std::string>())["isFreeTrialTermPresent"], "true");
  bool has_type_header = false;
  for (const auto& [k, v] : deliveries[1].headers)
    has_type_header |= k == "x-amz-sns-message-type" && v == "Notification";
  EXPECT_TRUE(has_type_header);
}

std::vector<std::string> actions(const std::vector<Delivery>& deliveries) {
  std::vector<std::string> out;
  for (const auto& d : deliveries) {
    const Json body = Json::parse(d.body);
    out.push_back(Json::parse(body["Message"].get<std::string>())["action"]);
  }
  return out;
}

TEST_F(SimulatorTest, UnsubscribePendingThenSuccessAfterTheDelayUnlessResubscribed) {
  auto settings = sim_.settings();
  settings.unsubscribe_delay = 300s;
  sim_.set_settings(settings);
  product("p1");
  ASSERT_TRUE(sim_.subscribe_notifications({{"topic", "subscription"},
                                            {"product_code", "p1"},
                                            {"endpoint", "http://127.0.0.1:9/sns"},
                                            {"auto_confirm", true}})
                  .ok());
  const std::string buyer = account()["account_id"];
  const Json sub = subscribe(buyer, "p1");
  ASSERT_TRUE(sim_.cancel_subscription(sub["agreement_id"]).ok());
  advance(200s);
  EXPECT_EQ(subscribe(buyer, "p1")["agreement_id"], sub["agreement_id"]);
  advance(400s);
  EXPECT_EQ(
      actions(sim_.take_deliveries()),
      (std::vector<std::string>{"subscribe-success", "unsubscribe-pending", "subscribe-success"}));
  ASSERT_TRUE(sim_.cancel_subscription(sub["agreement_id"]).ok());
  advance(299s);
  EXPECT_EQ(actions(sim_.take_deliveries()), (std::vector<std::string>{"unsubscribe-pending"}));
  advance(2s);
  EXPECT_EQ(actions(sim_.take_deliveries()), (std::vector<std::string>{"unsubscribe-success"}));
  EXPECT_FALSE(sim_.cancel_subscription(sub["agreement_id"]).ok());
}

TEST_F(SimulatorTest, AgreementsExpireAtTheirEndAndATakeUpRunsANewTerm) {
  product("p1");
  ASSERT_TRUE(sim_.subscribe_notifications({{"topic", "subscription"},
                                            {"product_code", "p1"},
                                            {"endpoint", "http://127.0.0.1:9/sns"},
                                            {"auto_confirm", true}})
                  .ok());
  const std::string buyer = account()["account_id"];
  const Json sub = subscribe(buyer, "p1", {{"duration_days", 2}});
  aws::agreement::AgreementClient agreements(seller());
  const auto first_end = agreements.describe_agreement({sub["agreement_id"]})->end_time;
  ASSERT_TRUE(first_end.has_value());
  advance(47h);
  EXPECT_EQ(agreements.describe_agreement({sub["agreement_id"]})->status, "ACTIVE");
  advance(1h);
  auto expired = agreements.describe_agreement({sub["agreement_id"]});
  ASSERT_TRUE(expired.ok()) << expired.error().message;
  EXPECT_EQ(expired->status, "EXPIRED");
  EXPECT_EQ(expired->end_time, first_end);
  EXPECT_EQ(actions(sim_.take_deliveries()),
            (std::vector<std::string>{"subscribe-success", "unsubscribe-pending"}));
  // Taken up again before unsubscribe-success: the same agreement, active for a new term.
  EXPECT_EQ(subscribe(buyer, "p1", {{"duration_days", 2}})["agreement_id"], sub["agreement_id"]);
  auto renewed = agreements.describe_agreement({sub["agreement_id"]});
  EXPECT_EQ(renewed->status, "ACTIVE");
  EXPECT_EQ(renewed->end_time, sim_.now() + 48h);
  advance(2h);
  EXPECT_EQ(agreements.describe_agreement({sub["agreement_id"]})->status, "ACTIVE");
  EXPECT_EQ(actions(sim_.take_deliveries()), (std::vector<std::string>{"subscribe-success"}));
}

TEST_F(SimulatorTest, EntitlementPagesMayBeEmptyAndStillCarryANextToken) {
  product("c1", {{"pricing_model", "contract"}});
  const Json ended = subscribe(account()["account_id"], "c1", {{"entitlements", {{"seats", 1}}}});
  const Json live = subscribe(account()["account_id"], "c1", {{"entitlements", {{"seats", 2}}}});
  ASSERT_TRUE(sim_.cancel_subscription(ended["agreement_id"]).ok());
  advance(61s);
  aws::entitlement::EntitlementClient client(seller());
  auto first = client.get_entitlements({.product_code = "c1", .max_results = 1});
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->entitlements.empty());
  EXPECT_FALSE(first->next_token.empty());
  auto all = client.get_all_entitlements({.product_code = "c1", .max_results = 1});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->entitlements.size(), 1u);
  EXPECT_EQ(all->entitlements[0].customer_identifier, live["customer_identifier"]);
  auto bad = client.get_entitlements({.product_code = "c1", .max_results = 26});
  EXPECT_EQ(aws_error_code(bad.error()), "InvalidParameterException");
}

TEST_F(SimulatorTest, SignatureFailuresAnswerWithAwsCodes) {
  product("p1");
  aws::metering::MeteringClient wrong(
      client({std::string(kSellerAccessKeyId), "wrong", "", std::nullopt}));
  auto r = wrong.resolve_customer({.registration_token = "x"});
  EXPECT_EQ(aws_error_code(r.error()), "InvalidSignatureException");
  aws::iam::IamClient unknown(client({"AKIAUNKNOWN000000000", "x", "", std::nullopt}));
  EXPECT_EQ(aws_error_code(unknown.list_account_aliases({}).error()), "InvalidClientTokenId");

  // A request signed 16 minutes ago is refused, whatever business time says.
  aws::HttpRequest request = aws::Codec<aws::sts::GetCallerIdentity>::encode_request({});
  request.set_header("Host", "127.0.0.1:4566");
  aws::sign_request(request, seller_keys(),
                    {.region = "us-east-1", .service = "sts", .time = clock_.now() - 16min});
  EXPECT_EQ(sim_.handle(request).status, 400);
  EXPECT_NE(sim_.handle(request).body.find("RequestExpired"), std::string::npos);
  aws::sign_request(request, seller_keys(),
                    {.region = "us-east-1", .service = "sts", .time = clock_.now() - 14min});
  EXPECT_EQ(sim_.handle(request).status, 200);
}

TEST_F(SimulatorTest, CurNeedsABucketPolicyForBillingReports) {
  const Json a = account();
  aws::s3::S3Client s3(client(keys_of(a)));
  aws::cur::CurClient cur(client(keys_of(a)));
  ASSERT_TRUE(s3.create_bucket({.bucket = "reports-a"}).ok());
  aws::cur::ReportDefinition def{.report_name = "r1",
                                 .time_unit = "HOURLY",
                                 .format = "textORcsv",
                                 .compression = "GZIP",
                                 .additional_schema_elements = {"RESOURCES"},
                                 .s3_bucket = "reports-a",
                                 .s3_prefix = "cur",
                                 .s3_region = "us-east-1"};
  EXPECT_EQ(aws_error_code(cur.put_report_definition({.report_definition = def}).error()),
            "ValidationException");
  ASSERT_TRUE(
      s3.put_bucket_policy(
            {.bucket = "reports-a",
             .policy =
                 R"({"Statement":[{"Principal":{"Service":"billingreports.amazonaws.com"}}]})"})
          .ok());
  ASSERT_TRUE(cur.put_report_definition({.report_definition = def}).ok());
  EXPECT_EQ(aws_error_code(cur.put_report_definition({.report_definition = def}).error()),
            "DuplicateReportNameException");
  EXPECT_EQ(aws_error_code(cur.describe_report_definitions({.max_results = 4}).error()),
            "ValidationException");
  EXPECT_EQ(cur.describe_report_definitions({.max_results = 5})->report_definitions.size(), 1u);
}

// Waits until the simulator's one long poll has answered, or has gone waiting again at business
// time `at` or later (a wait that began earlier is one the test already knew of).
Simulator::LongPolls next_long_poll_step(const Simulator& sim, Simulator::LongPolls seen,
                                         core::TimePoint at) {
  const Simulator::LongPolls before = seen;
  for (;;) {
    seen = sim.long_polls_after_for_test(seen);
    if (seen.answered != before.answered) return seen;
    if (seen.waits != before.waits && seen.last_wait_at >= at) return seen;
  }
}

TEST_F(SimulatorTest, SqsLongPollWaitsOnTheSimulatorsClock) {
  product("p1");
  product("p2");
  for (const char* code : {"p1", "p2"}) {
    ASSERT_TRUE(sim_.subscribe_notifications({{"topic", "subscription"},
                                              {"product_code", code},
                                              {"sqs_queue", std::string("queue-") + code}})
                    .ok());
  }
  aws::sqs::SqsClient sqs(seller());
  const std::string queue = "http://127.0.0.1:4566/111122223333/queue-p1";
  auto poll = [&] {
    return std::async(std::launch::async, [&] {
      return sqs.receive_message({.queue_url = queue, .wait_time_seconds = 20});
    });
  };
  // Should an assertion stop the test early, a poll still waiting ends before its future waits
  // for it.
  struct EndPolls {
    Simulator& sim;
    ~EndPolls() { sim.advance_clock(1h); }
  };

  // An empty queue answers once a message arrives, with no time passing.
  auto seen = sim_.long_polls_for_test();
  auto first = poll();
  EndPolls end_first{sim_};
  const core::TimePoint start = sim_.now();
  seen = next_long_poll_step(sim_, seen, start);
  ASSERT_EQ(seen.answered, 0);
  subscribe(account()["account_id"], "p1");  // subscribe-success goes to queue-p1
  auto arrived = first.get();
  ASSERT_TRUE(arrived.ok()) << arrived.error().message;
  ASSERT_EQ(arrived->messages.size(), 1u);
  EXPECT_EQ(sim_.now(), start);
  ASSERT_TRUE(sqs.delete_message(
                     {.queue_url = queue, .receipt_handle = arrived->messages[0].receipt_handle})
                  .ok());

  // An empty poll lasts WaitTimeSeconds of the simulator's time: still waiting after 19 s, even
  // when woken by a message to another queue, and answering empty at 20 s.
  seen = sim_.long_polls_for_test();
  auto second = poll();
  EndPolls end_second{sim_};
  seen = next_long_poll_step(sim_, seen, start);
  ASSERT_EQ(seen.answered, 1);
  sim_.advance_clock(19s);
  seen = next_long_poll_step(sim_, seen, start + 19s);
  ASSERT_EQ(seen.answered, 1) << "answered before WaitTimeSeconds";
  subscribe(account()["account_id"], "p2");  // a message to queue-p2 wakes every poll
  seen = next_long_poll_step(sim_, seen, start + 19s);
  ASSERT_EQ(seen.answered, 1) << "answered before WaitTimeSeconds";
  sim_.advance_clock(1s);
  seen = next_long_poll_step(sim_, seen, start + 20s);
  ASSERT_EQ(seen.answered, 2) << "still waiting once the simulator's clock passed WaitTimeSeconds";
  auto timed_out = second.get();
  ASSERT_TRUE(timed_out.ok()) << timed_out.error().message;
  EXPECT_TRUE(timed_out->messages.empty());
}

TEST_F(SimulatorTest, StateSurvivesSaveAndLoad) {
  product("p1");
  const Json sub = subscribe(account()["account_id"], "p1");
  aws::metering::MeteringClient metering(seller());
  const auto at = sim_.now() - 1h;
  const std::string id =
      metering.batch_meter_usage({.usage_records = {usage(sub, 4, at)}, .product_code = "p1"})
          ->results.at(0)
          .metering_record_id;
  const Json saved = sim_.save_json();

  Simulator restored({}, clock_);
  ASSERT_TRUE(restored.load_json(Json::parse(saved.dump())).ok());
  InProcessTransport transport(restored);
  aws::ClientContext context{transport, clock_, sleeper_, aws::system_random()};
  aws::metering::MeteringClient again(
      aws::AwsClient(context, aws::static_credentials(seller_keys()),
                     {.endpoint = "http://127.0.0.1:4566", .retry = {.max_attempts = 1}}));
  EXPECT_EQ(again.resolve_customer({.registration_token = sub["registration_token"]})
                ->customer_identifier,
            sub["customer_identifier"]);
  auto r = again.batch_meter_usage({.usage_records = {usage(sub, 4, at)}, .product_code = "p1"});
  EXPECT_EQ(r->results.at(0).metering_record_id, id);
  EXPECT_EQ(restored.save_json().dump(), saved.dump());
  EXPECT_FALSE(restored.load_json(Json{{"format", 99}}).ok());
}

}  // namespace
}  // namespace sim
