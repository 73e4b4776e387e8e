// The simulator's one JSON form: a state holding every kind of entity, with every field set away
// from its default, goes through the state file of a SimServer and comes back equal; the
// control API's read-outs show the same keys as the file; and states the simulator cannot read
// (the old format 1, malformed ones) are refused with a clear error and change nothing.
#include "sim/state_json.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/ids.h"
#include "sim/sim_server.h"
#include "sim/sim_state.h"
#include "sim/simulator.h"
#include "sim/sns_signer.h"

namespace sim {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const core::TimePoint kStart(std::chrono::seconds(1'800'000'000));

// Millisecond times: the precision the JSON form keeps.
core::TimePoint at(std::chrono::milliseconds since_start) { return kStart + since_start; }

// Every entity of State, every field with a value other than its default. A field added to an
// entity later is compared by the tests (operator== is defaulted), so give it a value here.
State full_state() {
  State st;
  st.offset = 7200s;
  st.settings.region = "eu-west-1";
  st.settings.create_account_delay = 11s;
  st.settings.subscribe_delay = 12s;
  st.settings.unsubscribe_delay = 13s;
  st.settings.metering_window = 14s;
  st.settings.token_lifetime = 15s;
  st.settings.max_signature_skew = 16s;
  st.settings.session_duration = 17s;
  st.settings.delivery_attempts = 3;
  st.settings.delivery_backoff = 250ms;

  Account management;
  management.id = "222233334444";
  management.email = "mgmt@example.com";
  management.name = "Management";
  management.created = at(-86'400'123ms);
  management.organization_id = "o-abcdefghij";
  management.joined_method = "CREATED";
  management.roles = {{"Auditor", "555566667777"}};
  management.contacts["BILLING"] = {"Ada", "CFO", "ada@example.com", "+1 555 0100"};
  management.contacts["SECURITY"] = {"Bob", "CISO", "bob@example.com", "+1 555 0101"};
  IamUser ops;
  ops.name = "ops";
  ops.user_id = "AIDAOPS0000000000001";
  ops.path = "/team/";
  ops.created = at(-3'600'250ms);
  ops.login_profile = true;
  ops.password_reset_required = true;
  ops.login_profile_created = at(-1'800'500ms);
  ops.policy_arns = {"arn:aws:iam::aws:policy/AdministratorAccess",
                     "arn:aws:iam::aws:policy/ReadOnlyAccess"};
  management.users[ops.name] = ops;
  management.alias = "mgmt-alias";
  management.reports["daily"] = {{"ReportName", "daily"},
                                 {"TimeUnit", "DAILY"},
                                 {"S3Bucket", "reports-mgmt"},
                                 {"AdditionalSchemaElements", {"RESOURCES"}}};
  st.accounts[management.id] = management;

  Account member;
  member.id = "555566667777";
  member.email = "member@example.com";
  member.name = "Member";
  member.created = at(-60'001ms);
  member.organization_id = "o-abcdefghij";
  member.joined_method = "INVITED";
  member.roles = {{"OrganizationAccountAccessRole", "222233334444"}};
  st.accounts[member.id] = member;

  Account buyer;
  buyer.id = "444455556666";
  buyer.email = "buyer@example.com";
  buyer.name = "Buyer";
  buyer.created = at(-30'002ms);
  st.accounts[buyer.id] = buyer;

  Account seller;
  seller.id = std::string(kSellerAccountId);
  seller.email = "seller@example.com";
  seller.name = "Seller";
  seller.created = at(-90'000'003ms);
  st.accounts[seller.id] = seller;

  st.keys["AKIAMANAGEMENT000001"] = {"AKIAMANAGEMENT000001",
                                     "management-secret-0000000000",
                                     "",
                                     "222233334444",
                                     "arn:aws:iam::222233334444:root",
                                     "222233334444",
                                     std::nullopt};
  st.keys["ASIATEMPORARY0000001"] = {
      "ASIATEMPORARY0000001",
      "temporary-secret-000000000000",
      "IQoJb3JpZ2luX2VjEsessiontoken",
      "555566667777",
      "arn:aws:sts::555566667777:assumed-role/OrganizationAccountAccessRole/ops",
      "AROAEXAMPLE:ops",
      at(3'600'750ms)};

  st.organizations["o-abcdefghij"] = {"o-abcdefghij", "222233334444", at(-86'000'004ms)};

  CreateAccountRequest succeeded;
  succeeded.id = "car-succeeded0000000001";
  succeeded.requester_account_id = "222233334444";
  succeeded.email = "member@example.com";
  succeeded.name = "Member";
  succeeded.role_name = "OrganizationAccountAccessRole";
  succeeded.requested = at(-70'005ms);
  succeeded.due = at(-65'006ms);
  succeeded.state = "SUCCEEDED";
  succeeded.account_id = "555566667777";
  succeeded.completed = at(-60'001ms);
  CreateAccountRequest failed = succeeded;
  failed.id = "car-failed0000000000002";
  failed.state = "FAILED";
  failed.account_id.clear();
  failed.failure_reason = "EMAIL_ALREADY_EXISTS";
  failed.completed = at(-50'007ms);
  // Due long after the test: nothing settles it while the servers run.
  CreateAccountRequest pending = succeeded;
  pending.id = "car-pending000000000003";
  pending.email = "later@example.com";
  pending.role_name = "Admin";
  pending.due = at(864'000'008ms);
  pending.state = "IN_PROGRESS";
  pending.account_id.clear();
  pending.completed.reset();
  // Not in id order, to show the order is kept.
  for (const auto* r : {&pending, &succeeded, &failed}) {
    st.create_requests[r->id] = *r;
    st.create_request_order.push_back(r->id);
  }

  st.buckets["reports-mgmt"] = {
      "reports-mgmt", "222233334444", "eu-west-1", at(-40'009ms),
      // Compact, with sorted keys: the text a policy read back from JSON has.
      R"({"Statement":[{"Principal":{"Service":"billingreports.amazonaws.com"}}],"Version":"2012-10-17"})"};
  st.buckets["plain-bucket"] = {"plain-bucket", "555566667777", "us-east-1", at(-20'010ms), ""};

  Product product;
  product.code = "prodcode0000000000000001";
  product.id = "prod-abcdefghijklm";
  product.name = "Product One";
  product.pricing_model = "contract_with_consumption";
  product.dimensions = {{"users", "Users"}, {"api_calls", "API calls"}};
  product.fulfillment_url = "http://127.0.0.1:9/aws/fulfillment";
  product.seller_account_id = std::string(kSellerAccountId);
  product.free_trial = false;
  product.legacy_identity = false;
  st.products[product.code] = product;

  Agreement active;
  active.id = "agmt-zzzactive000000001";
  active.buyer_account_id = "444455556666";
  active.product_code = product.code;
  active.customer_identifier = "cust-identifier-1";
  active.license_arn = "arn:aws:license-manager::444455556666:license:l-1";
  active.offer_id = "offer-1";
  active.free_trial = true;
  active.entitlements = {{"users", 10}, {"premium", true}, {"tier", "gold"}};
  active.status = "active";
  active.created = at(-10'011ms);
  active.status_due = at(-10'011ms);
  active.ends = at(31'536'000'012ms);
  // Its status moves on long after the test.
  Agreement cancelling = active;
  cancelling.id = "agmt-aaacancelling0002";
  cancelling.customer_identifier = "cust-identifier-2";
  cancelling.license_arn = "arn:aws:license-manager::444455556666:license:l-2";
  cancelling.offer_id = "offer-2";
  cancelling.free_trial = false;
  cancelling.entitlements = Json::object();
  cancelling.status = "unsubscribe-pending";
  cancelling.status_due = at(864'000'013ms);
  cancelling.ended = at(-1'016ms);
  cancelling.end_reason = "CANCELLED";
  active.free_trial_days = 14;
  for (const auto* a : {&active, &cancelling}) {
    st.agreements[a->id] = *a;
    st.agreement_order.push_back(a->id);
  }

  st.tokens["registration-token-1"] = {active.id, at(-5'014ms)};
  st.tokens["registration-token-2"] = {cancelling.id, at(-4'015ms)};

  MeteringRecord first;
  first.id = "record-1";
  first.product_code = product.code;
  first.customer = "cust-identifier-1";
  first.dimension = "users";
  first.hour = core::unix_seconds(kStart) - 3600;
  first.quantity = 5;
  first.status = "Success";
  first.timestamp = at(-3'599'016ms);
  first.received = at(-3'000'017ms);
  first.operation = "BatchMeterUsage";
  first.allocations = Json::array({{{"AllocatedUsageQuantity", 5}, {"Tags", Json::array()}}});
  MeteringRecord duplicate = first;
  duplicate.quantity = 6;
  duplicate.status = "DuplicateRecord";
  duplicate.received = at(-2'000'018ms);
  MeteringRecord refused = first;
  refused.id.clear();
  refused.customer = "444455556666|arn:aws:license-manager::444455556666:license:l-9";
  refused.dimension = "api_calls";
  refused.status = "CustomerNotSubscribed";
  refused.operation = "MeterUsage";
  refused.allocations = Json::array();
  st.metering = {first, duplicate, refused};
  st.metering_index[metering_dedup_key(first)] = 0;

  NotificationSubscription http;
  http.arn = sns_topic_arn("subscription", product.code) + ":11111111-2222-3333-4444-555555555555";
  http.topic_arn = sns_topic_arn("subscription", product.code);
  http.topic = "subscription";
  http.product_code = product.code;
  http.endpoint = "http://127.0.0.1:9/aws/sns";
  http.signature_version = "2";
  http.status = "Confirmed";
  http.token = "confirmation-token-1";
  NotificationSubscription sqs;
  sqs.arn = sns_topic_arn("entitlement", product.code) + ":66666666-7777-8888-9999-000000000000";
  sqs.topic_arn = sns_topic_arn("entitlement", product.code);
  sqs.topic = "entitlement";
  sqs.product_code = product.code;
  sqs.queue_key = std::string(kSellerAccountId) + "/events";
  sqs.status = "Deleted";
  sqs.token = "confirmation-token-2";
  st.notification_subscriptions = {http, sqs};

  st.event_destinations = {{"dest-000000000001", "http://127.0.0.1:9/aws/events", "X-Secret",
                            "s3cret", std::string(kSellerAccountId)},
                           {"dest-000000000002", "http://127.0.0.1:9/other", "X-Other", "", ""},
                           {"dest-000000000003", "", "X-Marketlink-Events-Secret", "", "",
                            std::string(kSellerAccountId) + "/events"}};

  Queue queue;
  queue.account_id = std::string(kSellerAccountId);
  queue.name = "events";
  QueueMessage in_flight;
  in_flight.id = "message-1";
  in_flight.body = R"({"Type":"Notification","Message":"{}"})";
  in_flight.receipt_handle = "receipt-handle-1=";
  in_flight.sent = at(-1'000'019ms);
  in_flight.visible_at = at(864'000'020ms);
  in_flight.first_received = at(-900'021ms);
  in_flight.receive_count = 2;
  QueueMessage waiting;
  waiting.id = "message-2";
  waiting.body = "second";
  waiting.sent = at(-800'022ms);
  waiting.visible_at = at(-800'022ms);
  queue.messages = {in_flight, waiting};
  st.queues[queue.account_id + "/" + queue.name] = queue;
  Queue empty;
  empty.account_id = "444455556666";
  empty.name = "empty";
  st.queues[empty.account_id + "/" + empty.name] = empty;
  return st;
}

std::string read(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class StateJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("marketlink-sim-state-" + core::base64url_encode(core::random_bytes(6)));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  SimServerSettings server_settings() {
    return {.port = 0, .state_file = (dir_ / "state.json").string(), .worker_threads = 1};
  }

  core::ManualClock clock_{kStart};
  fs::path dir_;
};

TEST_F(StateJsonTest, EveryEntitySurvivesTheStateFile) {
  const State before = full_state();
  {
    SimServer first(server_settings(), clock_);
    ASSERT_TRUE(first.start().ok());
    ASSERT_TRUE(first.simulator().load_json(state_to_json(before)).ok());
    first.shutdown();  // writes the state file
  }
  ASSERT_TRUE(fs::exists(dir_ / "state.json"));
  SimServer second(server_settings(), clock_);
  auto started = second.start();  // reads it
  ASSERT_TRUE(started.ok()) << started.error().message;
  State after;
  ASSERT_TRUE(state_from_json(second.simulator().save_json(), after).ok());
  second.shutdown();

  EXPECT_EQ(state_to_json(after), state_to_json(before));
  EXPECT_EQ(after.offset, before.offset);
  EXPECT_EQ(settings_to_json(after.settings), settings_to_json(before.settings));
  EXPECT_TRUE(after.accounts == before.accounts);
  EXPECT_TRUE(after.keys == before.keys);
  EXPECT_TRUE(after.organizations == before.organizations);
  EXPECT_TRUE(after.create_requests == before.create_requests);
  EXPECT_EQ(after.create_request_order, before.create_request_order);
  EXPECT_TRUE(after.buckets == before.buckets);
  EXPECT_TRUE(after.products == before.products);
  EXPECT_TRUE(after.agreements == before.agreements);
  EXPECT_EQ(after.agreement_order, before.agreement_order);
  EXPECT_TRUE(after.tokens == before.tokens);
  EXPECT_TRUE(after.metering == before.metering);
  EXPECT_EQ(after.metering_index, before.metering_index);
  EXPECT_TRUE(after.notification_subscriptions == before.notification_subscriptions);
  EXPECT_TRUE(after.event_destinations == before.event_destinations);
  EXPECT_TRUE(after.queues == before.queues);
}

TEST_F(StateJsonTest, ReadOutsShowTheKeysOfTheStateFile) {
  const State st = full_state();
  const Json file = state_to_json(st);
  Simulator sim({}, clock_);
  sim.set_base_url("http://127.0.0.1:4566");
  ASSERT_TRUE(sim.load_json(file).ok());

  EXPECT_EQ(sim.products_json()["products"], file["products"]);
  EXPECT_EQ(sim.subscriptions_json()["subscriptions"], file["subscriptions"]);
  EXPECT_EQ(sim.metering_records_json()["records"], file["metering_records"]);
  const Json accounts = sim.accounts_json()["accounts"];
  ASSERT_EQ(accounts.size(), file["accounts"].size());
  for (size_t i = 0; i < accounts.size(); ++i) {
    Json account = accounts[i];
    account.erase("organization");  // derived from the account's organization
    EXPECT_EQ(account, file["accounts"][i]);
  }
  const Json management = sim.account_json("222233334444").value();
  EXPECT_EQ(management["organization"]["id"], file["organizations"][0]["id"]);
  EXPECT_EQ(management["organization"]["role"], "management");
  EXPECT_EQ(management["organization"]["members"], Json::array({"555566667777"}));
  EXPECT_EQ(management["buckets"], Json::array({file["buckets"][1]}));  // reports-mgmt
  EXPECT_EQ(management["buckets"][0]["policy"]["Version"], "2012-10-17");
  const Json notifications = sim.notification_subscriptions_json()["subscriptions"];
  ASSERT_EQ(notifications.size(), 2u);
  EXPECT_EQ(notifications[0], file["notification_subscriptions"][0]);
  Json sqs = notifications[1];
  EXPECT_EQ(sqs["queue_url"], "http://127.0.0.1:4566/111122223333/events");
  sqs.erase("queue_url");  // derived from the simulator's URL
  EXPECT_EQ(sqs, file["notification_subscriptions"][1]);
  // Times are RFC 3339 with milliseconds everywhere.
  EXPECT_EQ(file["subscriptions"][0]["created_at"], "2027-01-15T07:59:49.989Z");
  EXPECT_EQ(file["accounts"][0]["created_at"], "2027-01-14T06:59:59.997Z");
}

// The format the state file had before it took the control API's keys.
Json old_format_state() {
  return Json::parse(R"({
    "format": 1, "offset_seconds": 0, "settings": {"region": "us-east-1"},
    "accounts": [{"id": "111122223333", "email": "seller@example.com", "name": "Seller",
                  "created": 1800000000000, "organization_id": "", "joined_method": "CREATED",
                  "roles": [], "contacts": {}, "users": [], "alias": "", "reports": {}}],
    "keys": [], "organizations": [], "create_account_requests": [], "buckets": [],
    "products": [], "agreements": [], "tokens": [], "metering": [],
    "notification_subscriptions": [], "event_destinations": [], "queues": []})");
}

TEST_F(StateJsonTest, AnOldStateFileIsRefusedAndLeftAsItWas) {
  const std::string text = old_format_state().dump(1) + "\n";
  std::ofstream(dir_ / "state.json") << text;
  {
    SimServer server(server_settings(), clock_);
    auto started = server.start();
    ASSERT_FALSE(started.ok());
    EXPECT_EQ(started.error().code, core::ErrorCode::kInvalid);
    EXPECT_NE(started.error().message.find((dir_ / "state.json").string()), std::string::npos)
        << started.error().message;
    EXPECT_NE(started.error().message.find("format 1"), std::string::npos)
        << started.error().message;
    server.shutdown();
  }
  EXPECT_EQ(read(dir_ / "state.json"), text);

  Simulator sim({}, clock_);
  ASSERT_TRUE(sim.create_product({{"product_code", "kept"}}).ok());
  EXPECT_FALSE(sim.load_json(old_format_state()).ok());
  EXPECT_EQ(sim.products_json()["products"][0]["product_code"], "kept");
}

TEST_F(StateJsonTest, MalformedStatesAreRefusedAndChangeNothing) {
  Simulator sim({}, clock_);
  ASSERT_TRUE(sim.create_product({{"product_code", "kept"}}).ok());
  const Json good = state_to_json(full_state());
  auto refused = [&](const Json& state) {
    auto s = sim.load_json(state);
    if (s.ok()) return std::string("loaded");
    EXPECT_EQ(s.error().code, core::ErrorCode::kInvalid);
    return s.error().message;
  };

  EXPECT_NE(refused(Json::array()).find("no \"format\""), std::string::npos);
  Json missing = good;
  missing.erase("products");
  EXPECT_NE(refused(missing).find("products"), std::string::npos);
  Json bad_time = good;
  bad_time["subscriptions"][0]["created_at"] = "yesterday";
  EXPECT_NE(refused(bad_time).find("\"yesterday\" is not an RFC 3339 time"), std::string::npos);
  Json wrong_type = good;
  wrong_type["metering_records"][0]["quantity"] = "five";
  EXPECT_NE(refused(wrong_type).find("not a simulator state"), std::string::npos);
  Json dangling = good;
  dangling["organizations"] = Json::array();
  EXPECT_NE(refused(dangling).find("organization o-abcdefghij, which the state does not have"),
            std::string::npos);
  Json orphan_token = good;
  orphan_token["subscriptions"] = Json::array();
  EXPECT_NE(refused(orphan_token).find("which the state does not have"), std::string::npos);
  Json neither = good;
  neither["notification_subscriptions"][0].erase("endpoint");
  EXPECT_NE(refused(neither).find("needs either endpoint or queue"), std::string::npos);

  ASSERT_EQ(sim.products_json()["products"].size(), 1u);
  EXPECT_EQ(sim.products_json()["products"][0]["product_code"], "kept");
}

}  // namespace
}  // namespace sim
