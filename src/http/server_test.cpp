#include "http/server.h"

#include <utility>

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "http/server_test_support.h"

namespace http {
namespace {

using testing::RawClient;

std::string get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n";
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.get("/hello",
                [](Request& r) { return Response::json(200, "{\"hi\":\"" + r.remote_ip + "\"}"); });
    router_.get("/items/{id}",
                [](Request& r) { return Response::text(200, r.param("id") + ":" + r.route); });
    router_.post("/echo", [](Request& r) { return Response::text(200, r.body); });
    router_.get("/boom", [](Request&) -> Response { throw std::runtime_error("secret detail"); });
    router_.get("/slow", [this](Request&) {
      slow_started_.set_value();
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      return Response::text(200, "done");
    });
    router_.get("/inline", [](Request&) { return Response::text(200, "fast"); },
                {.inline_io = true});
    start({});
  }
  void start(ServerSettings s) {
    s.host = "127.0.0.1";
    s.port = 0;
    s.io_threads = 2;
    s.worker_threads = 2;
    if (s.max_body_bytes == ServerSettings{}.max_body_bytes) s.max_body_bytes = 1024;
    s.default_headers = security_headers();
    server_ = std::make_unique<Server>(s, router_, metrics_, ids_);
    auto port = server_->start();
    ASSERT_TRUE(port.ok());
    port_ = *port;
  }
  Router router_;
  core::Metrics metrics_;
  core::SequentialIdGenerator ids_{"req"};
  std::unique_ptr<Server> server_;
  unsigned short port_ = 0;
  std::promise<void> slow_started_;
};

TEST_F(ServerTest, ServesManyRequestsOnOneKeepAliveConnection) {
  RawClient c(port_);
  for (int i = 0; i < 3; ++i) {
    c.send(get("/hello"));
    auto r = c.read();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "{\"hi\":\"127.0.0.1\"}");
    EXPECT_TRUE(r.has("Content-Type: application/json"));
    EXPECT_TRUE(r.has("X-Frame-Options: DENY"));
    EXPECT_TRUE(r.has("Content-Security-Policy: default-src 'self'"));
    EXPECT_TRUE(r.has("X-Content-Type-Options: nosniff"));
  }
  c.send(get("/items/a%2Fb") + get("/inline"));  // pipelined
  EXPECT_EQ(c.read().body, "a/b:/items/{id}");
  EXPECT_EQ(c.read().body, "fast");
}

TEST_F(ServerTest, EchoesASaneRequestIdAndReplacesAnInsaneOne) {
  RawClient c(port_);
  c.send(get("/hello", "X-Request-Id: abc-123\r\n"));
  EXPECT_TRUE(c.read().has("X-Request-Id: abc-123\r\n"));
  c.send(get("/hello", "X-Request-Id: bad id<script>\r\n"));
  auto r = c.read();
  EXPECT_FALSE(r.has("<script>"));
  EXPECT_TRUE(r.has("X-Request-Id: req-"));
}

TEST_F(ServerTest, UnknownRoutesAnswer404InTheClientsLanguage) {
  RawClient c(port_);
  c.send(get("/nope"));
  auto json = c.read();
  EXPECT_EQ(json.status, 404);
  EXPECT_EQ(
      json.body,
      "{\"error\":{\"code\":\"not_found\",\"message\":\"There is nothing at this address.\"}}");
  c.send(get("/nope", "Accept: text/html\r\n"));
  auto html = c.read();
  EXPECT_EQ(html.status, 404);
  EXPECT_TRUE(html.has("Content-Type: text/html"));
  EXPECT_NE(html.body.find("There is nothing at this address."), std::string::npos);
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
  RawClient c(port_);
  c.send("DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  auto r = c.read();
  EXPECT_EQ(r.status, 405);
  EXPECT_TRUE(r.has("Allow: GET"));
}

TEST_F(ServerTest, AThrowingHandlerIs500WithoutDetail) {
  RawClient c(port_);
  c.send(get("/boom"));
  auto r = c.read();
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("secret"), std::string::npos);
  EXPECT_NE(r.body.find("\"code\":\"internal\""), std::string::npos);
}

TEST_F(ServerTest, HeadAnswersWithoutBody) {
  RawClient c(port_);
  c.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  auto r = c.read(true);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.has("Content-Length: 18"));
  c.send(get("/inline"));
  EXPECT_EQ(c.read().body, "fast");  // no stray body bytes in between
}

TEST_F(ServerTest, BodyOverTheLimitIs413AndCloses) {
  RawClient c(port_);
  c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'x'));
  auto r = c.read();
  EXPECT_EQ(r.status, 413);
  EXPECT_TRUE(r.has("Connection: close"));
}

TEST_F(ServerTest, HugeHeadersAre431) {
  RawClient c(port_);
  c.send(get("/hello", "X-Big: " + std::string(20000, 'a') + "\r\n"));
  EXPECT_EQ(c.read().status, 431);
}

TEST_F(ServerTest, GarbageIs400) {
  RawClient c(port_);
  c.send("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(c.read().status, 400);
}

TEST_F(ServerTest, AnswersExpectContinueBeforeReadingTheBody) {
  RawClient c(port_);
  c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  auto interim = c.read(true);
  EXPECT_EQ(interim.status, 100);
  c.send("data");
  auto r = c.read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "data");
}

// A route with a header check: only requests with `X-Key: open` get through.
class HeaderCheckTest : public ServerTest {
 protected:
  void SetUp() override {
    const HeaderCheck check = [this](const Request& r) -> std::optional<Response> {
      ++checks_;
      const std::string* key = r.header("x-key");
      if (key != nullptr && *key == "open") return std::nullopt;
      if (key != nullptr && *key == "throw") throw std::runtime_error("secret detail");
      return Response::text(401, "no key for " + r.route + " " + r.param("id"));
    };
    const Handler handler = [this](Request& r) {
      ++handled_;
      return Response::text(200, "got " + r.body);
    };
    router_.post("/locked/{id}", RouteHandler(handler, check));
    router_.post("/locked-inline/{id}", RouteHandler(handler, check), {.inline_io = true});
    ServerTest::SetUp();
  }
  static std::string expect_post(const std::string& path, const std::string& extra = "") {
    return "POST " + path + " HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n" + extra +
           "Expect: 100-continue\r\n\r\n";
  }
  std::atomic<int> checks_{0};
  std::atomic<int> handled_{0};
};

TEST_F(HeaderCheckTest, ARefusedRequestIsAnsweredBeforeItsBodyAndClosed) {
  for (const std::string path : {"/locked/7", "/locked-inline/7"}) {
    RawClient c(port_);
    c.send(expect_post(path));
    auto r = c.read();  // no 100 Continue first: the body is never asked for
    EXPECT_EQ(r.status, 401) << path;
    EXPECT_EQ(r.body, "no key for " + path.substr(0, path.size() - 1) + "{id} 7");
    EXPECT_TRUE(r.has("Connection: close"));
    EXPECT_TRUE(r.has("X-Frame-Options: DENY")) << "default headers as on every answer";
    EXPECT_TRUE(c.closed_by_peer());
  }
  EXPECT_EQ(checks_, 2);
  EXPECT_EQ(handled_, 0);
  EXPECT_NE(metrics_.render().find("marketlink_http_requests_total{method=\"POST\",route=\"/"
                                   "locked/{id}\",status=\"401\"} 1"),
            std::string::npos);
}

TEST_F(HeaderCheckTest, AnAdmittedRequestGets100ContinueThenItsAnswer) {
  RawClient c(port_);
  for (int i = 0; i < 2; ++i) {  // and the connection stays open
    c.send(expect_post("/locked/7", "X-Key: open\r\n"));
    EXPECT_EQ(c.read().status, 100);
    c.send("data");
    auto r = c.read();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "got data");
  }
  EXPECT_EQ(checks_, 2);
  EXPECT_EQ(handled_, 2);
}

TEST_F(HeaderCheckTest, WithoutExpectTheHandlerDecidesAlone) {
  RawClient c(port_);
  c.send("POST /locked/7 HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\ndata");
  auto r = c.read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "got data");
  EXPECT_EQ(checks_, 0);
}

TEST_F(HeaderCheckTest, AThrowingCheckIs500WithoutDetail) {
  RawClient c(port_);
  c.send(expect_post("/locked/7", "X-Key: throw\r\n"));
  auto r = c.read();
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("secret"), std::string::npos);
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_EQ(handled_, 0);
}

TEST_F(HeaderCheckTest, NoRouteIsAnsweredBeforeTheBody) {
  RawClient nowhere(port_);
  nowhere.send(expect_post("/nowhere"));
  auto r = nowhere.read();
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(nowhere.closed_by_peer());
  RawClient wrong_method(port_);
  wrong_method.send(expect_post("/hello"));
  auto m = wrong_method.read();
  EXPECT_EQ(m.status, 405);
  EXPECT_TRUE(m.has("Allow: GET"));
  // A route without a check still says 100 Continue (AnswersExpectContinueBeforeReadingTheBody).
}

TEST_F(ServerTest, ARequestThatStallsGets408) {
  server_->shutdown();
  start({.request_timeout = std::chrono::seconds(1)});
  RawClient c(port_);
  c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
  auto r = c.read();
  EXPECT_EQ(r.status, 408);
  EXPECT_TRUE(r.has("Connection: close"));
}

TEST_F(ServerTest, HeadersThatStallGet408AfterTheRequestTimeout) {
  server_->shutdown();
  start({.request_timeout = std::chrono::seconds(1), .idle_timeout = std::chrono::seconds(3)});
  RawClient c(port_);
  c.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Half: ");  // and nothing more
  auto r = c.read();
  EXPECT_EQ(r.status, 408);
  EXPECT_TRUE(r.has("Connection: close"));
  EXPECT_NE(r.body.find("took too long"), std::string::npos) << r.body;
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(ServerTest, AStalledPipelinedRequestGets408Too) {
  server_->shutdown();
  start({.request_timeout = std::chrono::seconds(1), .idle_timeout = std::chrono::seconds(3)});
  RawClient c(port_);
  c.send(get("/inline") + "GET /hello HTTP/1.1\r\n");  // the second one never ends
  EXPECT_EQ(c.read().status, 200);
  EXPECT_EQ(c.read().status, 408);
}

TEST_F(ServerTest, AConnectionWithoutANewRequestIsClosedSilentlyAfterTheIdleTimeout) {
  server_->shutdown();
  // A request timeout shorter than the idle one must not turn an idle connection into a 408.
  start({.request_timeout = std::chrono::seconds(1), .idle_timeout = std::chrono::seconds(2)});
  RawClient fresh(port_);
  RawClient used(port_);
  used.send(get("/inline"));
  EXPECT_EQ(used.read().status, 200);
  EXPECT_TRUE(fresh.closed_by_peer()) << "no byte sent: closed without an answer";
  EXPECT_TRUE(used.closed_by_peer()) << "between requests: closed without an answer";
}

TEST_F(ServerTest, AnIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  server_->shutdown();
  start({.idle_timeout = std::chrono::seconds(1)});
  RawClient c(port_);
  c.send(get("/inline"));
  EXPECT_EQ(c.read().status, 200);
  EXPECT_TRUE(c.closed_by_peer());
}

std::string post(const std::string& path, const std::string& headers, const std::string& body) {
  return "POST " + path + " HTTP/1.1\r\nHost: t\r\n" + headers + "\r\n" + body;
}

TEST_F(ServerTest, ChunkedAloneFramesABody) {
  RawClient c(port_);
  c.send(post("/echo", "Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n"));
  auto r = c.read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello");
  c.send(post("/echo", "Transfer-Encoding: Chunked\r\n", "2\r\nok\r\n0\r\n\r\n"));
  EXPECT_EQ(c.read().body, "ok") << "coding names are case-insensitive; keep-alive goes on";
}

TEST_F(ServerTest, OtherTransferCodingsAre501AndClose) {
  const std::string chunked_hello = "5\r\nhello\r\n0\r\n\r\n";
  for (const std::string headers : {
           "Transfer-Encoding: gzip, chunked\r\n",
           "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
           "Transfer-Encoding: chunked, chunked\r\n",
           "Transfer-Encoding: chunked;ext=1\r\n",
           "Transfer-Encoding: gzip\r\n",
           "Transfer-Encoding: gzip\r\nContent-Length: 17\r\n",
           "Transfer-Encoding: identity\r\n",
       }) {
    RawClient c(port_);
    c.send(post("/echo", headers, chunked_hello));
    auto r = c.read();
    EXPECT_EQ(r.status, 501) << headers;
    EXPECT_EQ(r.body,
              "{\"error\":{\"code\":\"not_implemented\",\"message\":\"The only transfer coding "
              "this server accepts is chunked, alone.\"}}")
        << headers;
    EXPECT_TRUE(r.has("Connection: close")) << headers;
    EXPECT_TRUE(c.closed_by_peer()) << headers << ": the body is never read as a request";
  }
  RawClient browser(port_);
  browser.send(
      post("/echo", "Accept: text/html\r\nTransfer-Encoding: gzip, chunked\r\n", chunked_hello));
  auto html = browser.read();
  EXPECT_EQ(html.status, 501);
  EXPECT_TRUE(html.has("Content-Type: text/html"));
  EXPECT_NE(html.body.find("chunked, alone"), std::string::npos);
}

TEST_F(ServerTest, AmbiguousBodyFramingIs400AndCloses) {
  for (const std::string headers : {
           "Content-Length: 17\r\nTransfer-Encoding: chunked\r\n",
           "Transfer-Encoding: chunked\r\nContent-Length: 17\r\n",
           "Content-Length: 17\r\nContent-Length: 5\r\n",
       }) {
    RawClient c(port_);
    c.send(post("/echo", headers, "5\r\nhello\r\n0\r\n\r\n"));
    auto r = c.read();
    EXPECT_EQ(r.status, 400) << headers;
    EXPECT_NE(r.body.find("not both"), std::string::npos) << headers << r.body;
    EXPECT_TRUE(r.has("Connection: close")) << headers;
    EXPECT_TRUE(c.closed_by_peer()) << headers;
  }
  // HTTP/1.0 has no Transfer-Encoding (RFC 9112, 6.1): its framing is faulty.
  RawClient old(port_);
  old.send("POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  auto r = old.read();
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("HTTP/1.0"), std::string::npos) << r.body;
  EXPECT_TRUE(old.closed_by_peer());
}

TEST_F(ServerTest, CountsRequestsByRouteAndStatus) {
  RawClient c(port_);
  c.send(get("/items/1"));
  c.read();
  c.send(get("/nope"));
  c.read();
  const std::string text = metrics_.render();
  EXPECT_NE(
      text.find(
          "marketlink_http_requests_total{method=\"GET\",route=\"/items/{id}\",status=\"200\"} 1"),
      std::string::npos);
  EXPECT_NE(
      text.find(
          "marketlink_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1"),
      std::string::npos);
  EXPECT_NE(
      text.find(
          "marketlink_http_request_duration_seconds_count{method=\"GET\",route=\"/items/{id}\"} 1"),
      std::string::npos);
}

TEST_F(ServerTest, ShutdownLetsInFlightRequestsFinishAndClosesIdleOnes) {
  RawClient idle(port_);
  idle.send(get("/hello"));
  ASSERT_EQ(idle.read().status, 200);  // now idle on keep-alive

  RawClient busy(port_);
  busy.send(get("/slow"));
  slow_started_.get_future().wait();
  auto stopped = std::async(std::launch::async, [this] { server_->shutdown(); });
  auto r = busy.read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "done");
  EXPECT_TRUE(r.has("Connection: close"));
  EXPECT_TRUE(idle.closed_by_peer());
  stopped.get();
  EXPECT_ANY_THROW(RawClient refused(port_));
}

}  // namespace
}  // namespace http
