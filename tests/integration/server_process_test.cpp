// Starts the real `marketlink` binary and checks what operators and load balancers rely on.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>

#include "core/ids.h"
#include "process.h"

namespace {

using testing_support::Connection;
using testing_support::http_get;
using testing_support::ServerProcess;

std::string temp_sqlite_url() {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("marketlink-it-" + core::RandomIdGenerator().new_id());
  std::filesystem::create_directories(dir);
  return "sqlite:" + (dir / "it.db").string();
}

class ServerProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    auto p = ServerProcess::start(temp_sqlite_url(), {}, error);
    ASSERT_TRUE(p.has_value()) << error;
    server_.emplace(std::move(*p));
  }
  std::optional<ServerProcess> server_;
};

TEST_F(ServerProcessTest, AnswersHealthReadinessAndVersion) {
  auto health = http_get(server_->port(), "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, R"({"status":"ok"})");
  auto ready = http_get(server_->port(), "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_NE(ready.body.find(R"("status":"ready")"), std::string::npos) << ready.body;
  EXPECT_NE(ready.body.find(R"("database":"ok")"), std::string::npos);
  auto version = http_get(server_->port(), "/api/v1/version");
  EXPECT_EQ(version.status, 200);
  EXPECT_NE(version.body.find(R"("database":"sqlite")"), std::string::npos);
}

TEST_F(ServerProcessTest, MetricsCountRequestsByRouteAndStatus) {
  http_get(server_->port(), "/healthz");
  http_get(server_->port(), "/no-such-page");
  auto metrics = http_get(server_->port(), "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics.body.find(
                R"(marketlink_http_requests_total{method="GET",route="/healthz",status="200"} 1)"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find(
                R"(marketlink_http_requests_total{method="GET",route="unmatched",status="404"} 1)"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("marketlink_http_request_duration_seconds_bucket{method=\"GET\","
                              "route=\"/healthz\",le=\"+Inf\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("marketlink_db_pool_in_use "), std::string::npos);
}

TEST_F(ServerProcessTest, UnknownRoutesAre404JsonOrHtml) {
  auto json = http_get(server_->port(), "/nowhere");
  EXPECT_EQ(json.status, 404);
  EXPECT_EQ(json.header("Content-Type"), "application/json");
  EXPECT_EQ(json.body,
            R"({"error":{"code":"not_found","message":"There is nothing at this address."}})");
  auto html = http_get(server_->port(), "/nowhere", "Accept: text/html,application/xhtml+xml\r\n");
  EXPECT_EQ(html.status, 404);
  EXPECT_EQ(html.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(html.body.find("Page not found"), std::string::npos);
  EXPECT_NE(html.body.find(html.header("X-Request-Id")), std::string::npos)
      << "the page shows its reference";
  EXPECT_EQ(html.header("X-Frame-Options"), "DENY");
}

TEST_F(ServerProcessTest, EchoesTheRequestId) {
  auto r = http_get(server_->port(), "/healthz", "X-Request-Id: trace-42\r\n");
  EXPECT_EQ(r.header("X-Request-Id"), "trace-42");
  auto generated = http_get(server_->port(), "/healthz");
  EXPECT_EQ(generated.header("X-Request-Id").size(), 22u);
  EXPECT_TRUE(server_->wait_for_log(R"("request_id":"trace-42")"));
}

TEST_F(ServerProcessTest, LogsNoQueryStrings) {
  http_get(server_->port(), "/healthz?token=very-secret-value");
  ASSERT_TRUE(server_->wait_for_log(R"("path":"/healthz")"));
  EXPECT_EQ(server_->stderr_text().find("very-secret-value"), std::string::npos);
}

// SIGTERM while a request is in flight: it still gets its answer, idle connections are closed,
// new connections are refused, and the process exits 0.
TEST_F(ServerProcessTest, SigtermFinishesInFlightRequestsThenExits) {
  Connection idle(server_->port());
  idle.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(idle.read_reply().status, 200);

  Connection in_flight(server_->port());
  in_flight.send("POST /api/v1/version HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhalf-");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the server has the head
  server_->signal(SIGTERM);
  EXPECT_TRUE(idle.closed_by_peer());
  in_flight.send("done!");
  auto reply = in_flight.read_reply();
  EXPECT_EQ(reply.status, 405);  // the route is GET-only; what matters is that it was answered
  EXPECT_EQ(reply.header("Connection"), "close");
  EXPECT_EQ(server_->wait_exit(std::chrono::seconds(10)), 0);
  EXPECT_FALSE(Connection(server_->port()).ok());
  EXPECT_NE(server_->stderr_text().find(R"("msg":"stopped")"), std::string::npos);
}

// Probes an attacker would try, against the real binary with its own routes and its settings
// from the environment.
TEST(ServerProcessProbes, StalledHeadersUnframableBodiesAndUnauthenticatedCallsAreRefused) {
  ::setenv("MARKETLINK_REQUEST_TIMEOUT", "1", 1);
  std::string error;
  auto p = ServerProcess::start(temp_sqlite_url(), {}, error);
  ::unsetenv("MARKETLINK_REQUEST_TIMEOUT");
  ASSERT_TRUE(p.has_value()) << error;
  const std::string tokens = "POST /api/v1/orgs/acme/tokens HTTP/1.1\r\nHost: x\r\n";

  // Headers that never end: 408 after the request timeout, not a silent close after the idle
  // timeout (60 s, beyond read_reply's patience).
  Connection slow(p->port());
  slow.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ");
  const auto timed_out = slow.read_reply();
  EXPECT_EQ(timed_out.status, 408);
  EXPECT_EQ(timed_out.header("Connection"), "close");

  Connection gzip(p->port());
  gzip.send(tokens + "Transfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  const auto unframable = gzip.read_reply();
  EXPECT_EQ(unframable.status, 501);
  EXPECT_NE(unframable.body.find(R"("code":"not_implemented")"), std::string::npos);
  EXPECT_TRUE(gzip.closed_by_peer());

  // Waiting for 100 Continue without credentials: the 401 comes first, the body is not read.
  Connection expect(p->port());
  expect.send(tokens + "Content-Length: 13\r\nExpect: 100-continue\r\n\r\n");
  const auto refused = expect.read_reply();
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.header("Connection"), "close");
  EXPECT_TRUE(expect.closed_by_peer());

  // The same call with its body and no credentials at all: 401, not a CSRF failure.
  Connection anonymous(p->port());
  anonymous.send(tokens +
                 "Accept: application/json\r\nContent-Type: application/json\r\n"
                 "Content-Length: 13\r\n\r\n{\"name\":\"ci\"}");
  const auto unauthenticated = anonymous.read_reply();
  EXPECT_EQ(unauthenticated.status, 401);
  EXPECT_EQ(unauthenticated.body,
            R"({"error":{"code":"unauthenticated","message":"Sign in or send an API token."}})");
}

TEST(ServerProcessPostgres, ServesOnPostgresql) {
  const char* url = std::getenv("MARKETLINK_TEST_PG_URL");
  if (url == nullptr) {
    const char* require = std::getenv("MARKETLINK_TEST_REQUIRE_PG");
    if (require != nullptr && std::string(require) == "1")
      FAIL() << "MARKETLINK_TEST_PG_URL is unset";
    GTEST_SKIP() << "MARKETLINK_TEST_PG_URL is unset";
  }
  std::string error;
  auto p = ServerProcess::start(url, {}, error);
  ASSERT_TRUE(p.has_value()) << error;
  auto ready = http_get(p->port(), "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  auto version = http_get(p->port(), "/api/v1/version");
  EXPECT_NE(version.body.find(R"("database":"postgresql")"), std::string::npos);
}

TEST(ServerProcessStartup, BadDatabaseUrlFailsWithAClearMessage) {
  std::string error;
  auto p = ServerProcess::start("mysql://nope", {}, error);
  EXPECT_FALSE(p.has_value());
  EXPECT_NE(error.find("must start with sqlite: or postgresql://"), std::string::npos) << error;
}

}  // namespace
