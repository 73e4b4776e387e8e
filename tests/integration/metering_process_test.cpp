// Metering end to end: a real `marketlink serve` and a real `marketlink sim` (its own process,
// MARKETLINK_AWS_ENDPOINT pointing at it). Usage posted to the API is metered by `marketlink
// saas meter` into the simulator at the right hours, with zero records for idle hours (legacy and
// concurrent-agreement listings); under throttling faults every hour is metered once; and a
// process (`saas meter`, then the server itself during POST /api/v1/metering/run) that dies right
// after BatchMeterUsage, before storing the answer, resubmits the same quantity once restarted,
// counted once by the simulator.
#include <gtest/gtest.h>
#include <signal.h>
#include <soci/soci.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/clock.h"
#include "core/ids.h"
#include "core/text.h"
#include "db/database.h"
#include "db/database_test_support.h"
#include "process.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing_support::Connection;
using testing_support::HttpReply;
using testing_support::ServerProcess;

HttpReply request(unsigned short port, const std::string& method, const std::string& path,
                  const std::string& body = "", const std::string& headers = "") {
  Connection c(port);
  c.send(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n" +
         headers + "Content-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body);
  return c.read_reply(std::chrono::seconds(60));
}

json body_of(const HttpReply& r) { return json::parse(r.body, nullptr, false); }

std::string hour_text(core::TimePoint t) {
  return core::format_rfc3339(
      core::TimePoint(std::chrono::floor<std::chrono::hours>(t.time_since_epoch())));
}

// On each backend: a fresh SQLite file, or a fresh PostgreSQL schema (MARKETLINK_TEST_PG_URL).
class MeteringProcessTest : public ::testing::TestWithParam<db::testing::TestBackend> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("marketlink-metering-" + core::RandomIdGenerator().new_id());
    std::filesystem::create_directories(dir_);
    std::string skip;
    test_db_ = db::testing::TestDatabase::create(GetParam(), skip, 1);
    if (!test_db_) {
      if (skip.starts_with("FAIL")) FAIL() << skip;
      GTEST_SKIP() << skip;
    }
    db_ = test_db_->url();
    std::string error;
    auto sim = ServerProcess::start_command({"sim", "--listen", "127.0.0.1:0"}, error);
    ASSERT_TRUE(sim) << error;
    sim_.emplace(std::move(*sim));
    const std::string endpoint = "http://127.0.0.1:" + std::to_string(sim_->port());
    setenv("MARKETLINK_AWS_ENDPOINT", endpoint.c_str(), 1);
    setenv("MARKETLINK_SELLER_ACCESS_KEY_ID", "AKIAMARKETLINKSIM001", 1);
    setenv("MARKETLINK_SELLER_SECRET_ACCESS_KEY", "marketlink-sim-secret-0000000000000000000", 1);
    setenv("MARKETLINK_OUTBOX_DIR", (dir_ / "outbox").c_str(), 1);
    // The server only enqueues jobs: the runs under test are `marketlink saas meter`.
    setenv("MARKETLINK_JOB_WORKERS", "0", 1);

    // A legacy listing (customer identifiers) and a concurrent-agreement one.
    for (const auto& [code, legacy] :
         {std::pair{"prod-meter", true}, std::pair{"prod-ca", false}}) {
      ASSERT_EQ(sim_post("/_sim/products", {{"product_code", code},
                                            {"name", "Metered"},
                                            {"pricing_model", "subscription"},
                                            {"dimensions", json::array({{{"name", "users"}}})},
                                            {"fulfillment_url", "http://127.0.0.1/aws/fulfillment"},
                                            {"legacy_identity", legacy}})
                    .status,
                201);
    }
    ASSERT_EQ(cli("user create --email op@seller.test --password-stdin --verified",
                  "correct horse battery staple\n"),
              0);
    ASSERT_EQ(cli("org create --name Operator --kind operator --admin op@seller.test"), 0);
    operator_token_ = token("op@seller.test", "operator");

    auto server = ServerProcess::start(db_, {}, error);
    ASSERT_TRUE(server) << error;
    server_.emplace(std::move(*server));
    for (const auto& [code, concurrent] :
         {std::pair{"prod-meter", false}, std::pair{"prod-ca", true}}) {
      const HttpReply product =
          api("POST", "/api/v1/products",
              json{{"product_code", code},
                   {"name", std::string("Metered ") + code},
                   {"pricing_model", "subscription"},
                   {"dimensions", json::array({{{"name", "users"}, {"description", "Users"}}})},
                   {"concurrent_agreements", concurrent},
                   {"manage_url", std::string("https://aws.amazon.com/marketplace/pp/") + code},
                   {"support_contact", "help@seller.test"}}
                  .dump());
      ASSERT_EQ(product.status, 201) << product.body;
    }
    database_ = &test_db_->db();
  }

  void TearDown() override {
    server_.reset();
    sim_.reset();
    database_ = nullptr;
    test_db_.reset();
    for (const char* v : {"MARKETLINK_AWS_ENDPOINT", "MARKETLINK_SELLER_ACCESS_KEY_ID",
                          "MARKETLINK_SELLER_SECRET_ACCESS_KEY", "MARKETLINK_OUTBOX_DIR",
                          "MARKETLINK_JOB_WORKERS", "MARKETLINK_TEST_KILL_AFTER_METER"}) {
      unsetenv(v);
    }
    std::filesystem::remove_all(dir_);
  }

  // Runs `marketlink ARGS --db DB`; returns the exit code (128 + signal when killed).
  int cli(const std::string& args, const std::string& input = "") {
    const auto in = dir_ / "stdin.txt";
    std::ofstream(in) << input;
    const std::string command = std::string(MARKETLINK_BINARY_PATH) + " " + args + " --db '" + db_ +
                                "' <'" + in.string() + "' >'" + (dir_ / "out.txt").string() +
                                "' 2>&1";
    const int status = std::system(command.c_str());
    std::stringstream text;
    text << std::ifstream(dir_ / "out.txt").rdbuf();
    last_output_ = text.str();
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    // std::system runs a shell: a child killed by a signal shows as 128 + signal.
    return 128 + WTERMSIG(status);
  }

  std::string token(const std::string& email, const std::string& org) {
    EXPECT_EQ(cli("token create --email " + email + " --org " + org), 0) << last_output_;
    std::string s = last_output_;
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s.substr(s.find_last_of(" \n") + 1);
  }

  HttpReply sim_post(const std::string& path, const json& body) {
    return request(sim_->port(), "POST", path, body.dump(), "Content-Type: application/json\r\n");
  }
  HttpReply api(const std::string& method, const std::string& path, const std::string& body,
                const std::string& extra = "") {
    return request(server_->port(), method, path, body,
                   "Content-Type: application/json\r\nAuthorization: Bearer " + operator_token_ +
                       "\r\n" + extra);
  }

  // A customer organization linked to a buyer who subscribed to `product` in the simulator; the
  // link became active `active_for` ago. Returns the buyer as the simulator's metering records
  // name it: the customer identifier, or "account|license ARN" for concurrent agreements.
  std::string buyer(const std::string& name, const std::string& account,
                    std::chrono::hours active_for, const std::string& product = "prod-meter") {
    EXPECT_EQ(cli("user create --email " + name + "@buyer.test --password-stdin --verified",
                  "correct horse battery staple\n"),
              0);
    EXPECT_EQ(cli("org create --name " + name + " --kind customer --subscription active --admin " +
                  name + "@buyer.test"),
              0)
        << last_output_;
    EXPECT_EQ(sim_post("/_sim/accounts", {{"account_id", account}}).status / 100, 2);
    const HttpReply sub =
        sim_post("/_sim/subscriptions", {{"buyer_account_id", account}, {"product_code", product}});
    EXPECT_EQ(sub.status, 201) << sub.body;
    const json s = body_of(sub);
    // The buyer lands: Marketlink resolves the token with the simulator.
    const HttpReply landed =
        request(server_->port(), "POST", "/aws/fulfillment",
                "x-amzn-marketplace-token=" +
                    core::percent_encode(s["registration_token"].get<std::string>()),
                "Content-Type: application/x-www-form-urlencoded\r\n");
    EXPECT_EQ(landed.status, 303) << landed.body;
    // The lifecycle (not under test here) confirmed the subscription `active_for` ago.
    const std::string customer = s["customer_identifier"];
    const std::string license = s["license_arn"];
    const bool concurrent = product != "prod-meter";
    const std::string since = core::format_rfc3339(std::chrono::system_clock::now() - active_for);
    auto done = database_->transact([&](db::Tx& tx) -> core::Status {
      std::string registration, org;
      std::string outcome;
      tx.sql() << "SELECT id, outcome FROM saas_registrations WHERE customer_aws_account_id = :a",
          soci::into(registration), soci::into(outcome), soci::use(account);
      EXPECT_EQ(outcome, "resolved") << landed.header("Location");
      tx.sql() << "SELECT id FROM organizations WHERE slug = :s", soci::into(org), soci::use(name);
      std::string id = "link-" + name;
      std::string key = concurrent ? "aws:" + account : "ci:" + customer;
      std::string identifier = concurrent ? "" : customer;
      std::string arn = concurrent ? license : "";
      std::string code = product;
      tx.sql() << "INSERT INTO saas_links (id, org_id, product_code, registration_id, buyer_key,"
                  " customer_identifier, customer_aws_account_id, license_arn, status, created_at,"
                  " updated_at) VALUES (:id, :org, :p, :r, :k, :c, :a, :l, 'active', :t, :t2)",
          soci::use(id), soci::use(org), soci::use(code), soci::use(registration), soci::use(key),
          soci::use(identifier), soci::use(account), soci::use(arn), soci::use(since),
          soci::use(since);
      return {};
    });
    EXPECT_TRUE(done.ok()) << done.error().message;
    return concurrent ? account + "|" + license : customer;
  }

  void post_usage(const std::string& org, long long quantity, core::TimePoint when,
                  const std::string& key, const std::string& product = "prod-meter") {
    const HttpReply r = api("POST", "/api/v1/usage",
                            json{{"org", org},
                                 {"product_code", product},
                                 {"dimension", "users"},
                                 {"quantity", quantity},
                                 {"timestamp", core::format_rfc3339(when)}}
                                .dump(),
                            "Idempotency-Key: " + key + "\r\n");
    ASSERT_EQ(r.status, 202) << r.body;
  }

  // The simulator's records of one customer: hour → (quantity, status) of each record.
  std::multimap<std::string, std::pair<long long, std::string>> records_of(
      const std::string& customer) {
    const json all = body_of(request(sim_->port(), "GET", "/_sim/metering-records"));
    std::multimap<std::string, std::pair<long long, std::string>> out;
    for (const json& r : all["records"]) {
      if (r["customer"] != customer) continue;
      out.emplace(r["hour"].get<std::string>(),
                  std::make_pair(r["quantity"].get<long long>(), r["status"].get<std::string>()));
    }
    return out;
  }
  // BatchMeterUsage calls the simulator answered with `error_code`.
  size_t batch_calls_failing_with(const std::string& error_code) {
    size_t n = 0;
    const json all = body_of(request(sim_->port(), "GET", "/_sim/calls?operation=BatchMeterUsage"));
    for (const json& c : all["calls"]) n += c["error_code"] == error_code ? 1 : 0;
    return n;
  }
  size_t batch_calls() {
    return body_of(request(sim_->port(), "GET", "/_sim/calls?operation=BatchMeterUsage"))["calls"]
        .size();
  }

  std::filesystem::path dir_;
  std::string db_;
  std::optional<ServerProcess> sim_;
  std::optional<ServerProcess> server_;
  std::unique_ptr<db::testing::TestDatabase> test_db_;
  db::Database* database_ = nullptr;
  std::string operator_token_;
  std::string last_output_;
};

TEST_P(MeteringProcessTest, MetersEachHourOnceUnderThrottlingAndAfterACrash) {
  // The hours below are counted from now: the whole test must run within one clock hour, so it
  // starts after the next hour begins when that is less than a minute away.
  {
    const auto t = std::chrono::system_clock::now();
    const auto next = std::chrono::ceil<std::chrono::hours>(t);
    if (next - t < std::chrono::minutes(1)) std::this_thread::sleep_until(next + 1s);
  }
  const auto now = std::chrono::system_clock::now();
  const auto hour = [&](int back) { return hour_text(now - std::chrono::hours(back)); };

  // 1. Usage posted, then metered: the right hours, zero for idle ones.
  const std::string acme = buyer("acme", "222200000001", std::chrono::hours(3));
  post_usage("acme", 7, now - std::chrono::hours(2), "u-1");
  post_usage("acme", 7, now - std::chrono::hours(2), "u-1");  // a repeat changes nothing
  ASSERT_EQ(cli("saas meter"), 0) << last_output_;
  auto records = records_of(acme);
  ASSERT_EQ(records.size(), 3u) << last_output_;
  EXPECT_EQ(records.find(hour(3))->second, std::make_pair(0LL, std::string("Success")));
  EXPECT_EQ(records.find(hour(2))->second, std::make_pair(7LL, std::string("Success")));
  EXPECT_EQ(records.find(hour(1))->second, std::make_pair(0LL, std::string("Success")));
  ASSERT_EQ(cli("saas meter"), 0);
  EXPECT_NE(last_output_.find("Nothing to meter"), std::string::npos) << last_output_;
  EXPECT_EQ(records_of(acme).size(), 3u);

  // 2. Throttling on 30% of the calls (seeded: the first two calls are throttled, and the
  // client's retries get through); runs until one ends well; every hour once.
  const std::string bolt = buyer("bolt", "222200000002", std::chrono::hours(5));
  post_usage("bolt", 4, now - std::chrono::hours(4), "u-2");
  post_usage("bolt", 5, now - std::chrono::hours(1), "u-3");
  ASSERT_EQ(sim_post("/_sim/faults", {{"operation", "BatchMeterUsage"},
                                      {"error", "ThrottlingException"},
                                      {"rate", 0.3},
                                      {"seed", 1}})
                    .status /
                100,
            2);
  int status = 1;
  for (int attempt = 0; attempt < 10 && status != 0; ++attempt) status = cli("saas meter");
  EXPECT_EQ(status, 0) << last_output_;
  request(sim_->port(), "DELETE", "/_sim/faults");
  EXPECT_GE(batch_calls_failing_with("ThrottlingException"), 1u) << "no fault was injected";
  records = records_of(bolt);
  ASSERT_EQ(records.size(), 5u);
  for (int back = 1; back <= 5; ++back) {
    ASSERT_EQ(records.count(hour(back)), 1u) << hour(back);
    const long long expected = back == 4 ? 4 : back == 1 ? 5 : 0;
    EXPECT_EQ(records.find(hour(back))->second, std::make_pair(expected, std::string("Success")));
  }

  // 3. The process dies right after BatchMeterUsage: the next run resubmits the same quantity.
  const std::string cora = buyer("cora", "222200000003", std::chrono::hours(1));
  const auto this_hour =
      core::TimePoint(std::chrono::floor<std::chrono::hours>(now.time_since_epoch()));
  post_usage("cora", 9, this_hour - std::chrono::minutes(30), "u-4");
  const size_t calls_before = batch_calls();
  setenv("MARKETLINK_TEST_KILL_AFTER_METER", "1", 1);
  EXPECT_EQ(cli("saas meter"), 128 + SIGKILL) << last_output_;
  unsetenv("MARKETLINK_TEST_KILL_AFTER_METER");
  ASSERT_EQ(cli("saas meter"), 0) << last_output_;
  EXPECT_EQ(batch_calls(), calls_before + 2);
  records = records_of(cora);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records.begin()->second, std::make_pair(9LL, std::string("Success")));
  std::string state;
  std::string submissions;
  auto read = database_->transact([&](db::Tx& tx) -> core::Status {
    int n = 0;
    tx.sql() << "SELECT state, submissions FROM saas_meter_hours WHERE link_id = 'link-cora'",
        soci::into(state), soci::into(n);
    submissions = std::to_string(n);
    return {};
  });
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(state, "billed");
  EXPECT_EQ(submissions, "2");

  // 3b. The same with the server: it is killed (SIGKILL) right after the call made by POST
  // /api/v1/metering/run; restarted, it resubmits the same quantity, counted once.
  const std::string erin = buyer("erin", "222200000005", std::chrono::hours(1));
  post_usage("erin", 6, this_hour - std::chrono::minutes(20), "u-6");
  const size_t calls_then = batch_calls();
  server_.reset();
  setenv("MARKETLINK_TEST_KILL_AFTER_METER", "1", 1);
  std::string error;
  auto crashing = ServerProcess::start(db_, {}, error);
  unsetenv("MARKETLINK_TEST_KILL_AFTER_METER");
  ASSERT_TRUE(crashing) << error;
  server_.emplace(std::move(*crashing));
  const HttpReply lost = api("POST", "/api/v1/metering/run", "");
  EXPECT_EQ(lost.status, 0) << "the server answered: " << lost.body;
  EXPECT_EQ(server_->wait_exit(std::chrono::seconds(20)), 128 + SIGKILL);
  auto restarted = ServerProcess::start(db_, {}, error);
  ASSERT_TRUE(restarted) << error;
  server_.emplace(std::move(*restarted));
  const HttpReply rerun = api("POST", "/api/v1/metering/run", "");
  ASSERT_EQ(rerun.status, 202) << rerun.body;
  EXPECT_EQ(body_of(rerun)["billed"], 1) << rerun.body;
  EXPECT_EQ(batch_calls(), calls_then + 2);
  records = records_of(erin);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records.begin()->second, std::make_pair(6LL, std::string("Success")));

  // 4. A concurrent-agreement listing: records by account and license, no product code.
  const std::string dana = buyer("dana", "222200000004", std::chrono::hours(2), "prod-ca");
  post_usage("dana", 11, this_hour - std::chrono::minutes(90), "u-5", "prod-ca");
  ASSERT_EQ(cli("saas meter"), 0) << last_output_;
  records = records_of(dana);
  ASSERT_EQ(records.size(), 2u) << last_output_;
  EXPECT_EQ(records.find(hour(2))->second, std::make_pair(11LL, std::string("Success")));
  EXPECT_EQ(records.find(hour(1))->second, std::make_pair(0LL, std::string("Success")));
}

INSTANTIATE_TEST_SUITE_P(Backends, MeteringProcessTest,
                         ::testing::Values(db::testing::TestBackend::kSqlite,
                                           db::testing::TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
