// `marketlink serve` and `marketlink sim` as separate processes: a buyer subscribes in the
// simulator, lands on the hub and links; the simulator's EventBridge event reaches the hub's
// /aws/events and the link becomes active by itself; cancelled in the simulator, it ends
// cancelled. What the seller's application reads is the entitlements API.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/ids.h"
#include "core/text.h"
#include "process.h"

namespace {

using nlohmann::json;
using testing_support::Connection;
using testing_support::HttpReply;
using testing_support::ServerProcess;

constexpr const char* kSecret = "lifecycle-process-secret-4f1d";
constexpr const char* kProduct = "lcproc00000000000001";

HttpReply request(unsigned short port, const std::string& method, const std::string& path,
                  const std::string& body = "", const std::string& headers = "") {
  Connection c(port);
  c.send(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  return c.read_reply();
}

// The cookies a reply sets, as "a=1; b=2" (added to `jar`).
void keep_cookies(const HttpReply& r, std::string& jar) {
  size_t at = 0;
  while ((at = r.head.find("\r\nSet-Cookie: ", at)) != std::string::npos) {
    at += 14;
    const std::string cookie = r.head.substr(at, r.head.find_first_of(";\r", at) - at);
    jar += (jar.empty() ? "" : "; ") + cookie;
  }
}

std::string form_value(const std::string& html, const std::string& name) {
  const std::string key = "name=\"" + name + "\" value=\"";
  const auto at = html.find(key);
  if (at == std::string::npos) return "";
  return html.substr(at + key.size(), html.find('"', at + key.size()) - at - key.size());
}

class LifecycleProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("marketlink-lifecycle-" + core::RandomIdGenerator().new_id());
    std::filesystem::create_directories(dir_);
    db_ = "sqlite:" + (dir_ / "hub.db").string();
    setenv("MARKETLINK_OUTBOX_DIR", (dir_ / "outbox").c_str(), 1);
  }
  void TearDown() override {
    for (const char* v : {"MARKETLINK_OUTBOX_DIR", "MARKETLINK_AWS_ENDPOINT",
                          "MARKETLINK_SELLER_ACCESS_KEY_ID", "MARKETLINK_SELLER_SECRET_ACCESS_KEY",
                          "MARKETLINK_EVENTS_SECRET", "MARKETLINK_SNS_TRUSTED_CERT_HOSTS"}) {
      unsetenv(v);
    }
    std::filesystem::remove_all(dir_);
  }

  // Runs the binary with `args` (and `input` on standard input); its output.
  std::string cli(const std::string& args, const std::string& input = "") {
    const auto out = dir_ / "cli.txt";
    const std::string command = (input.empty() ? "" : "printf '%s' '" + input + "' | ") +
                                std::string(MARKETLINK_BINARY_PATH) + " " + args + " --db '" + db_ +
                                "' >'" + out.string() + "' 2>&1";
    const int status = std::system(command.c_str());
    std::stringstream text;
    text << std::ifstream(out).rdbuf();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << args << ": " << text.str();
    return text.str();
  }
  std::string token(const std::string& email, const std::string& org) {
    std::string s = cli("token create --email " + email + " --org " + org);
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s.substr(s.find_last_of(" \n") + 1);
  }

  std::filesystem::path dir_;
  std::string db_;
};

TEST_F(LifecycleProcessTest, TheSimulatorsEventsMoveTheLinkToActiveThenCancelled) {
  std::string error;
  auto sim = ServerProcess::start_command({"sim", "--listen", "127.0.0.1:0"}, error);
  ASSERT_TRUE(sim.has_value()) << error;
  const std::string sim_url = "http://127.0.0.1:" + std::to_string(sim->port());

  // The hub, before it serves: its people and tokens.
  cli("migrate");
  cli("user create --email op@seller.test --name Olga --verified --password-stdin",
      "operator-password-1234");
  cli("user create --email ann@acme.test --name Ann --verified --password-stdin",
      "customer-password-1234");
  cli("org create --name Operator --kind operator --admin op@seller.test");
  cli("org create --name Acme --kind customer --subscription trial --admin ann@acme.test");
  const std::string operator_token = token("op@seller.test", "operator");
  const std::string acme_token = token("ann@acme.test", "acme");

  setenv("MARKETLINK_AWS_ENDPOINT", sim_url.c_str(), 1);
  setenv("MARKETLINK_SELLER_ACCESS_KEY_ID", "AKIAMARKETLINKSIM001", 1);
  setenv("MARKETLINK_SELLER_SECRET_ACCESS_KEY", "marketlink-sim-secret-0000000000000000000", 1);
  setenv("MARKETLINK_EVENTS_SECRET", kSecret, 1);
  setenv("MARKETLINK_SNS_TRUSTED_CERT_HOSTS", sim_url.c_str(), 1);
  auto hub = ServerProcess::start(db_, {}, error);
  ASSERT_TRUE(hub.has_value()) << error;
  const std::string hub_url = "http://127.0.0.1:" + std::to_string(hub->port());
  const std::string json_headers = "Content-Type: application/json\r\n";

  // The product, in the hub and in the simulator; the simulator's EventBridge to the hub.
  const json product = {{"product_code", kProduct},
                        {"name", "Lifecycle Product"},
                        {"pricing_model", "subscription"},
                        {"dimensions", json::array({{{"name", "users"}}})},
                        {"concurrent_agreements", true},
                        {"manage_url", "https://aws.amazon.com/marketplace/pp/lc"},
                        {"support_contact", "support@seller.test"}};
  HttpReply created = request(hub->port(), "POST", "/api/v1/products", product.dump(),
                              json_headers + "Authorization: Bearer " + operator_token + "\r\n");
  ASSERT_EQ(created.status, 201) << created.body;
  HttpReply sim_product = request(sim->port(), "POST", "/_sim/products",
                                  json{{"product_code", kProduct},
                                       {"name", "Lifecycle Product"},
                                       {"pricing_model", "subscription"},
                                       {"dimensions", json::array({{{"name", "users"}}})},
                                       {"fulfillment_url", hub_url + "/aws/fulfillment"}}
                                      .dump(),
                                  json_headers);
  ASSERT_LT(sim_product.status, 300) << sim_product.body;
  HttpReply destination = request(sim->port(), "POST", "/_sim/eventbridge/destinations",
                                  json{{"endpoint", hub_url + "/aws/events"},
                                       {"secret_header", "X-Marketlink-Events-Secret"},
                                       {"secret", kSecret}}
                                      .dump(),
                                  json_headers);
  ASSERT_EQ(destination.status, 201) << destination.body;

  // The buyer subscribes in the simulator and lands on the hub.
  HttpReply buyer = request(sim->port(), "POST", "/_sim/accounts",
                            json{{"account_id", "444455559999"}}.dump(), json_headers);
  ASSERT_LT(buyer.status, 300) << buyer.body;
  HttpReply subscribed = request(
      sim->port(), "POST", "/_sim/subscriptions",
      json{{"buyer_account_id", "444455559999"}, {"product_code", kProduct}}.dump(), json_headers);
  ASSERT_LT(subscribed.status, 300) << subscribed.body;
  const json subscription = json::parse(subscribed.body);
  HttpReply landed =
      request(hub->port(), "POST", "/aws/fulfillment",
              "x-amzn-marketplace-token=" +
                  core::percent_encode(subscription["registration_token"].get<std::string>()),
              "Content-Type: application/x-www-form-urlencoded\r\n");
  ASSERT_EQ(landed.status, 303) << landed.body;
  const std::string onboarding = landed.header("Location");
  ASSERT_NE(onboarding.find("/onboarding/"), std::string::npos) << landed.head;
  const std::string path = onboarding.substr(onboarding.find("/onboarding/"));

  // Ann signs in and links it to Acme.
  std::string jar;
  HttpReply login_form = request(hub->port(), "GET", "/login");
  keep_cookies(login_form, jar);
  HttpReply signed_in =
      request(hub->port(), "POST", "/login",
              "csrf_token=" + core::percent_encode(form_value(login_form.body, "csrf_token")) +
                  "&email=ann%40acme.test&password=customer-password-1234",
              "Content-Type: application/x-www-form-urlencoded\r\nCookie: " + jar + "\r\n");
  ASSERT_EQ(signed_in.status, 303) << signed_in.body;
  keep_cookies(signed_in, jar);
  HttpReply authorize =
      request(hub->port(), "GET", path + "/authorize", "", "Cookie: " + jar + "\r\n");
  ASSERT_EQ(authorize.status, 200) << authorize.head;
  const std::string org_marker = "name=\"org\" id=\"org-";
  const auto org_at = authorize.body.find(org_marker);
  ASSERT_NE(org_at, std::string::npos);
  const std::string org_id = authorize.body.substr(
      org_at + org_marker.size(),
      authorize.body.find('"', org_at + org_marker.size()) - org_at - org_marker.size());
  HttpReply linked =
      request(hub->port(), "POST", path + "/authorize",
              "csrf_token=" + core::percent_encode(form_value(authorize.body, "csrf_token")) +
                  "&org=" + org_id,
              "Content-Type: application/x-www-form-urlencoded\r\nCookie: " + jar + "\r\n");
  ASSERT_EQ(linked.status, 303) << linked.body;

  const auto status_is = [&](const std::string& wanted) {
    std::string last;
    for (int i = 0; i < 100; ++i) {
      HttpReply e = request(hub->port(), "GET",
                            std::string("/api/v1/orgs/acme/entitlements?product_code=") + kProduct,
                            "", "Authorization: Bearer " + acme_token + "\r\n");
      last = e.body;
      const json j = json::parse(e.body, nullptr, false);
      if (e.status == 200 && j.is_object() && j["status"] == wanted) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ADD_FAILURE() << "never " << wanted << ": " << last;
    return false;
  };
  EXPECT_TRUE(status_is("active"));

  // Cancelled in the simulator: unsubscribe pending, then (business time later) cancelled.
  HttpReply cancel =
      request(sim->port(), "POST",
              "/_sim/subscriptions/" + subscription["agreement_id"].get<std::string>() + "/cancel",
              "{}", json_headers);
  ASSERT_LT(cancel.status, 300) << cancel.body;
  HttpReply advanced = request(sim->port(), "POST", "/_sim/clock/advance",
                               json{{"seconds", 7200}}.dump(), json_headers);
  ASSERT_LT(advanced.status, 300) << advanced.body;
  EXPECT_TRUE(status_is("cancelled"));

  hub->signal(SIGTERM);
  EXPECT_EQ(hub->wait_exit(std::chrono::seconds(20)), 0);
  sim->signal(SIGTERM);
  sim->wait_exit(std::chrono::seconds(20));
}

}  // namespace
