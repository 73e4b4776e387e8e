// Webhooks through a real `marketlink serve`: its job workers deliver to a receiver in this test
// (the project's own HTTP server on a free port), retry a 500, and a delivery whose server was
// killed (-9) in the middle of the POST is delivered again by the restarted server.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/ids.h"
#include "core/metrics.h"
#include "http/server.h"
#include "identity/secret_box.h"
#include "process.h"
#include "saas/webhooks.h"

namespace {

using namespace std::chrono_literals;
using testing_support::Connection;
using testing_support::HttpReply;
using testing_support::ServerProcess;

struct Received {
  std::string body;
  std::string signature;
  std::string event_id;
};

// The seller's application: answers the statuses it is told, in order (then 200), holding each
// answer for `hold` when set.
class Receiver {
 public:
  Receiver() {
    router_.post("/hook", [this](http::Request& r) {
      int status = 200;
      std::chrono::milliseconds hold{0};
      {
        std::lock_guard lock(mutex_);
        const std::string* sig = r.header("Marketlink-Signature");
        const std::string* id = r.header("Marketlink-Event-Id");
        received_.push_back({r.body, sig ? *sig : "", id ? *id : ""});
        if (!statuses_.empty()) {
          status = statuses_.front();
          statuses_.erase(statuses_.begin());
        }
        hold = hold_;
      }
      if (hold.count() > 0) std::this_thread::sleep_for(hold);
      return http::Response::text(status, status == 200 ? "stored" : "try later");
    });
    server_ = std::make_unique<http::Server>(
        http::ServerSettings{.host = "127.0.0.1",
                             .port = 0,
                             .io_threads = 1,
                             .worker_threads = 2,
                             .shutdown_grace = std::chrono::seconds(1)},
        router_, metrics_, ids_);
    auto port = server_->start();
    EXPECT_TRUE(port.ok());
    url_ = "http://127.0.0.1:" + std::to_string(port.ok() ? *port : 0) + "/hook";
  }
  ~Receiver() { server_->shutdown(); }

  const std::string& url() const { return url_; }
  void answer(std::vector<int> statuses, std::chrono::milliseconds hold = 0ms) {
    std::lock_guard lock(mutex_);
    statuses_ = std::move(statuses);
    hold_ = hold;
  }
  std::vector<Received> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }
  bool wait_for(size_t n, std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (received().size() >= n) return true;
      std::this_thread::sleep_for(20ms);
    }
    return received().size() >= n;
  }

 private:
  http::Router router_;
  core::Metrics metrics_;
  core::SequentialIdGenerator ids_{"rcv"};
  std::unique_ptr<http::Server> server_;
  std::string url_;
  mutable std::mutex mutex_;
  std::vector<Received> received_;
  std::vector<int> statuses_;
  std::chrono::milliseconds hold_{0};
};

class WebhookProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("marketlink-webhooks-" + core::RandomIdGenerator().new_id());
    std::filesystem::create_directories(dir_);
    db_ = "sqlite:" + (dir_ / "hub.db").string();
    setenv("MARKETLINK_OUTBOX_DIR", (dir_ / "outbox").c_str(), 1);
    setenv("MARKETLINK_SECRET_KEY", identity::SecretBox::generate_key_text().c_str(), 1);
    setenv("MARKETLINK_JOB_LEASE", "5", 1);
    setenv("MARKETLINK_JOB_POLL_MS", "100", 1);
    run("echo 'a long operator passphrase' | " + binary() +
        " user create --email ops@seller.test --password-stdin --verified");
    run(binary() + " org create --name Ops --kind operator --admin ops@seller.test");
    const std::string out = run(binary() + " token create --email ops@seller.test --org ops");
    std::string text = out;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    token_ = text.substr(text.find_last_of(" \n") + 1);
  }
  void TearDown() override {
    for (const char* v : {"MARKETLINK_OUTBOX_DIR", "MARKETLINK_SECRET_KEY", "MARKETLINK_JOB_LEASE",
                          "MARKETLINK_JOB_POLL_MS"}) {
      unsetenv(v);
    }
    std::filesystem::remove_all(dir_);
  }

  static std::string binary() { return MARKETLINK_BINARY_PATH; }
  // Runs a command with --db; its output.
  std::string run(const std::string& command) {
    const auto out = dir_ / "out.txt";
    const int status =
        std::system((command + " --db '" + db_ + "' >'" + out.string() + "' 2>&1").c_str());
    std::stringstream text;
    text << std::ifstream(out).rdbuf();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command << "\n" << text.str();
    return text.str();
  }

  ServerProcess start() {
    std::string error;
    auto p = ServerProcess::start(db_, {}, error);
    EXPECT_TRUE(p.has_value()) << error;
    if (!p) std::abort();
    return std::move(*p);
  }

  HttpReply call(unsigned short port, const std::string& method, const std::string& path,
                 const std::string& body = "") {
    Connection c(port);
    c.send(method + " " + path +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nAuthorization: Bearer " +
           token_ + "\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    return c.read_reply();
  }

  nlohmann::json deliveries(unsigned short port, const std::string& endpoint) {
    const HttpReply r = call(port, "GET", "/api/v1/webhooks/" + endpoint + "/deliveries");
    EXPECT_EQ(r.status, 200) << r.body;
    return nlohmann::json::parse(r.body, nullptr, false)["deliveries"];
  }

  std::filesystem::path dir_;
  std::string db_;
  std::string token_;
  Receiver receiver_;
};

TEST_F(WebhookProcessTest, TheServersWorkersDeliverSignedEventsAndRetryA500) {
  ServerProcess server = start();
  HttpReply r = call(server.port(), "POST", "/api/v1/webhooks",
                     nlohmann::json{{"url", receiver_.url()}, {"events", {"linked"}}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  const auto endpoint = nlohmann::json::parse(r.body);
  const std::string secret = endpoint["secret"];
  const std::string id = endpoint["id"];

  receiver_.answer({500});
  r = call(server.port(), "POST", "/api/v1/webhooks/" + id + "/test");
  ASSERT_EQ(r.status, 202) << r.body;
  // The first attempt gets 500; the retry comes within the backoff (at most 2 s).
  ASSERT_TRUE(receiver_.wait_for(2, 10s));
  const auto got = receiver_.received();
  for (const Received& g : got) {
    EXPECT_TRUE(
        saas::verify_webhook_signature(secret, g.signature, g.body,
                                       std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count()));
  }
  EXPECT_EQ(got[0].event_id, got[1].event_id);
  nlohmann::json d;
  for (int i = 0; i < 50; ++i) {
    d = deliveries(server.port(), id)[0];
    if (d["status"] == "succeeded") break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(d["status"], "succeeded") << d.dump();
  EXPECT_EQ(d["attempts"], 2);
  EXPECT_EQ(d["log"][0]["status_code"], 500);
  EXPECT_EQ(d["log"][0]["response_excerpt"], "try later");
  EXPECT_EQ(d["log"][1]["status_code"], 200);
  // The secret is in no answer after creation, nor in the server's log.
  EXPECT_EQ(call(server.port(), "GET", "/api/v1/webhooks").body.find(secret), std::string::npos);
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(20s), 0);
  EXPECT_EQ(server.stderr_text().find(secret.substr(6)), std::string::npos);
}

TEST_F(WebhookProcessTest, ADeliveryCutByKillNineIsDeliveredByTheRestartedServer) {
  std::string id;
  {
    ServerProcess server = start();
    HttpReply r = call(server.port(), "POST", "/api/v1/webhooks",
                       nlohmann::json{{"url", receiver_.url()}, {"events", {"linked"}}}.dump());
    ASSERT_EQ(r.status, 201) << r.body;
    id = nlohmann::json::parse(r.body)["id"];
    receiver_.answer({}, 3000ms);  // the server dies while the receiver holds its answer
    ASSERT_EQ(call(server.port(), "POST", "/api/v1/webhooks/" + id + "/test").status, 202);
    ASSERT_TRUE(receiver_.wait_for(1, 10s));
    server.signal(SIGKILL);
    server.wait_exit(10s);
  }
  receiver_.answer({});
  ServerProcess again = start();
  // The lease (5 s) runs out, the reaper queues the job again, and it is delivered.
  ASSERT_TRUE(receiver_.wait_for(2, 20s));
  const auto got = receiver_.received();
  EXPECT_EQ(got[0].event_id, got[1].event_id);
  EXPECT_EQ(got[0].body, got[1].body);
  nlohmann::json d;
  for (int i = 0; i < 50; ++i) {
    d = deliveries(again.port(), id)[0];
    if (d["status"] == "succeeded") break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(d["status"], "succeeded") << d.dump();
  again.signal(SIGTERM);
  EXPECT_EQ(again.wait_exit(20s), 0);
}

}  // namespace
