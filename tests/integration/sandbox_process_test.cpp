// `marketlink serve --sandbox` on a database it has served before: demo data is written on the
// first start only, so what users changed since stays changed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/ids.h"
#include "process.h"

namespace {

using testing_support::Connection;
using testing_support::HttpReply;
using testing_support::ServerProcess;

class SandboxProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("marketlink-sandbox-" + core::RandomIdGenerator().new_id());
    std::filesystem::create_directories(dir_);
    db_ = "sqlite:" + (dir_ / "sandbox.db").string();
    // The sandbox's mail stays in this test's folder.
    setenv("MARKETLINK_OUTBOX_DIR", (dir_ / "outbox").c_str(), 1);
  }
  void TearDown() override {
    unsetenv("MARKETLINK_OUTBOX_DIR");
    std::filesystem::remove_all(dir_);
  }

  ServerProcess start() {
    std::string error;
    auto p = ServerProcess::start(db_, {"--sandbox", "--sim-listen", "127.0.0.1:0"}, error);
    EXPECT_TRUE(p.has_value()) << error;
    if (!p) std::abort();
    return std::move(*p);
  }

  void stop(ServerProcess& p) {
    p.signal(SIGTERM);
    EXPECT_EQ(p.wait_exit(std::chrono::seconds(20)), 0);
  }

  // `marketlink token create` for an admin of `org`: the bearer token.
  std::string token(const std::string& email, const std::string& org) {
    const auto out = dir_ / "token.txt";
    const std::string command = std::string(MARKETLINK_BINARY_PATH) + " token create --email " +
                                email + " --org " + org + " --db '" + db_ + "' >'" + out.string() +
                                "' 2>&1";
    const int status = std::system(command.c_str());
    std::stringstream text;
    text << std::ifstream(out).rdbuf();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << text.str();
    std::string s = text.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s.substr(s.find_last_of(" \n") + 1);
  }

  static HttpReply call(unsigned short port, const std::string& method, const std::string& path,
                        const std::string& bearer) {
    Connection c(port);
    c.send(method + " " + path +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nAuthorization: Bearer " +
           bearer + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    return c.read_reply();
  }

  std::filesystem::path dir_;
  std::string db_;
};

TEST_F(SandboxProcessTest, ALaterStartLeavesWhatUsersChangedAlone) {
  ServerProcess first = start();
  const std::string provider = token("admin@demo.marketlink.test", "demo-provider");
  const std::string customer = token("admin@demo.marketlink.test", "demo-customer");
  ASSERT_EQ(
      call(first.port(), "GET", "/api/v1/orgs/demo-provider/pool/aws-access", provider).status, 200)
      << "the first start saves the demo provider's AWS access";
  // The provider's admin removes the AWS access; the customer's admin removes its member.
  ASSERT_EQ(
      call(first.port(), "DELETE", "/api/v1/orgs/demo-provider/pool/aws-access", provider).status,
      204);
  const HttpReply members =
      call(first.port(), "GET", "/api/v1/orgs/demo-customer/members", customer);
  ASSERT_EQ(members.status, 200);
  std::string member_id;
  const nlohmann::json listed = nlohmann::json::parse(members.body);
  for (const auto& m : listed["members"]) {
    if (m["email"] == "member@demo.marketlink.test") member_id = m["user_id"];
  }
  ASSERT_FALSE(member_id.empty()) << members.body;
  const HttpReply removed =
      call(first.port(), "DELETE", "/api/v1/orgs/demo-customer/members/" + member_id, customer);
  ASSERT_EQ(removed.status, 204) << removed.body;
  stop(first);

  ServerProcess second = start();
  const HttpReply access =
      call(second.port(), "GET", "/api/v1/orgs/demo-provider/pool/aws-access", provider);
  EXPECT_EQ(access.status, 404) << access.body;
  EXPECT_NE(access.body.find("aws_access_not_configured"), std::string::npos);
  EXPECT_EQ(call(second.port(), "GET", "/api/v1/orgs/demo-customer/members", customer)
                .body.find("member@demo.marketlink.test"),
            std::string::npos)
      << "the removed member stays removed";
  EXPECT_TRUE(second.wait_for_log("sandbox demo data already loaded")) << second.stderr_text();
  stop(second);
}

// One form or JSON POST over a fresh connection.
HttpReply post(unsigned short port, const std::string& path, const std::string& type,
               const std::string& body) {
  Connection c(port);
  c.send("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         body);
  return c.read_reply();
}

std::string form_encoded(const std::string& text) {
  std::string out;
  for (unsigned char ch : text) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.') {
      out += static_cast<char>(ch);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", ch);
      out += buf;
    }
  }
  return out;
}

TEST_F(SandboxProcessTest, AMarketplaceTokenReachesNoLogLineAndNoDatabaseFile) {
  // Every log line the server can write, debug included.
  setenv("MARKETLINK_LOG_LEVEL", "debug", 1);
  ServerProcess hub = start();
  unsetenv("MARKETLINK_LOG_LEVEL");
  ASSERT_TRUE(hub.wait_for_log("simulator listening"));
  const std::string log = hub.stderr_text();
  const std::string marker = "\"url\":\"http://127.0.0.1:";
  const auto at = log.find(marker, log.find("simulator listening"));
  ASSERT_NE(at, std::string::npos) << log;
  const auto sim_port = static_cast<unsigned short>(std::stoi(log.substr(at + marker.size(), 6)));

  // A buyer subscribes to the demo product with concurrent agreements; AWS's form posts the token.
  const HttpReply subscribed =
      post(sim_port, "/_sim/subscriptions", "application/json",
           R"({"buyer_account_id": "444455556666", "product_code": "marketlinkdemo00000000002"})");
  ASSERT_EQ(subscribed.status, 201) << subscribed.body;
  const std::string token = nlohmann::json::parse(subscribed.body)["registration_token"];
  ASSERT_GT(token.size(), 40U);
  const HttpReply landed = post(hub.port(), "/aws/fulfillment", "application/x-www-form-urlencoded",
                                "x-amzn-marketplace-token=" + form_encoded(token));
  ASSERT_EQ(landed.status, 303) << landed.head << landed.body;
  const std::string onboarding = landed.header("Location");
  ASSERT_EQ(onboarding.rfind("/onboarding/", 0), 0U) << landed.head;
  EXPECT_EQ(testing_support::http_get(hub.port(), onboarding).status, 200);
  // The same token in a URL (a proxy's GET): redirected to the same place.
  EXPECT_EQ(testing_support::http_get(
                hub.port(), "/aws/fulfillment?x-amzn-marketplace-token=" + form_encoded(token))
                .header("Location"),
            onboarding);
  stop(hub);  // flushes every log line

  const std::string all_logs = hub.stderr_text();
  ASSERT_NE(all_logs.find("/aws/fulfillment"), std::string::npos) << "the landings were logged";
  for (const std::string& form : {token, form_encoded(token), token.substr(0, 24)}) {
    EXPECT_EQ(all_logs.find(form), std::string::npos) << "a log line holds the token";
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_)) {
      if (!entry.is_regular_file()) continue;
      std::stringstream bytes;
      bytes << std::ifstream(entry.path(), std::ios::binary).rdbuf();
      EXPECT_EQ(bytes.str().find(form), std::string::npos) << entry.path() << " holds the token";
    }
  }
}

}  // namespace
