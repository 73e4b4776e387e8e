// The client over real HTTP: a small server on 127.0.0.1 (port 0) answers with scripted
// responses and checks every request's signature with our own verifier.
#include "aws/aws_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "aws/agreement.h"
#include "aws/assume_role_credentials_provider.h"
#include "aws/curl_transport.h"
#include "aws/entitlement.h"
#include "aws/iam.h"
#include "aws/metering.h"
#include "aws/s3.h"
#include "aws/sigv4.h"
#include "aws/sts.h"

namespace aws {
namespace {

using namespace std::chrono_literals;

// A blocking HTTP/1.1 server with keep-alive, one thread per connection.
class TestServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  explicit TestServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listen_fd_, 64), 0);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~TestServer() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    accept_thread_.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
      threads.swap(connection_threads_);
    }
    for (auto& t : threads) t.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  int connections() const { return connections_.load(); }
  std::vector<HttpRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void accept_loop() {
    while (!stopping_) {
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      ++connections_;
      std::lock_guard lock(mu_);
      open_fds_.push_back(fd);
      connection_threads_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int fd) {
    std::string buffer;
    while (true) {
      size_t head_end;
      while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
        if (!read_more(fd, buffer)) return close_fd(fd);
      }
      HttpRequest req;
      const std::string head = buffer.substr(0, head_end);
      buffer.erase(0, head_end + 4);
      size_t line_end = head.find("\r\n");
      const std::string request_line = head.substr(0, line_end);
      const size_t sp1 = request_line.find(' ');
      const size_t sp2 = request_line.rfind(' ');
      req.method = request_line.substr(0, sp1);
      split_target(request_line.substr(sp1 + 1, sp2 - sp1 - 1), req.path, req.query);
      size_t content_length = 0;
      while (line_end != std::string::npos) {
        const size_t start = line_end + 2;
        line_end = head.find("\r\n", start);
        const std::string line = head.substr(
            start, line_end == std::string::npos ? std::string::npos : line_end - start);
        const size_t colon = line.find(':');
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        if (iequals(line.substr(0, colon), "Content-Length")) content_length = std::stoul(value);
        req.headers.emplace_back(line.substr(0, colon), value);
      }
      while (buffer.size() < content_length) {
        if (!read_more(fd, buffer)) return close_fd(fd);
      }
      req.body = buffer.substr(0, content_length);
      buffer.erase(0, content_length);
      {
        std::lock_guard lock(mu_);
        requests_.push_back(req);
      }
      const HttpResponse resp = handler_(req);
      std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " X\r\n";
      for (const auto& [k, v] : resp.headers) out += k + ": " + v + "\r\n";
      out += "Content-Length: " + std::to_string(resp.body.size()) + "\r\n\r\n";
      if (req.method != "HEAD") out += resp.body;
      if (::send(fd, out.data(), out.size(), MSG_NOSIGNAL) < 0) return close_fd(fd);
    }
  }

  static bool read_more(int fd, std::string& buffer) {
    char chunk[8192];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(n));
    return true;
  }

  void close_fd(int fd) {
    std::lock_guard lock(mu_);
    std::erase(open_fds_, fd);
    ::close(fd);
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread accept_thread_;
  mutable std::mutex mu_;
  std::vector<int> open_fds_;
  std::vector<std::thread> connection_threads_;
  std::vector<HttpRequest> requests_;
};

// Sleeping moves the manual clock instead of waiting.
class ClockSleeper final : public Sleeper {
 public:
  explicit ClockSleeper(core::ManualClock& clock) : clock_(clock) {}
  void sleep_for(std::chrono::milliseconds d) override {
    std::lock_guard lock(mu_);
    sleeps_.push_back(d);
    clock_.advance(d);
  }
  size_t count() {
    std::lock_guard lock(mu_);
    return sleeps_.size();
  }

 private:
  core::ManualClock& clock_;
  std::mutex mu_;
  std::vector<std::chrono::milliseconds> sleeps_;
};

const Credentials kKeys{.access_key_id = "AKIDTEST", .secret_access_key = "test/secret+key"};

class AwsClientTest : public ::testing::Test {
 protected:
  // Checks the signature of every request against kKeys (and any temporary keys added).
  SigV4Verdict verify(const HttpRequest& r, std::string_view service, bool s3 = false) {
    return verify_request(r, {.service = service, .now = clock_.now(), .s3_rules = s3},
                          [this](std::string_view key) -> std::optional<VerificationKey> {
                            std::lock_guard lock(keys_mu_);
                            for (const auto& k : keys_) {
                              if (k.access_key_id == key) {
                                return VerificationKey{k.secret_access_key, k.session_token};
                              }
                            }
                            return std::nullopt;
                          });
  }

  AwsClient client(const std::string& endpoint, RetrySettings retry = {},
                   std::shared_ptr<CredentialsProvider> creds = static_credentials(kKeys),
                   std::chrono::milliseconds timeout = 5000ms) {
    return AwsClient(
        context_, std::move(creds),
        {.region = "eu-west-1", .endpoint = endpoint, .call_timeout = timeout, .retry = retry});
  }

  core::ManualClock clock_{*core::parse_rfc3339("2026-03-15T08:00:00Z")};
  ClockSleeper sleeper_{clock_};
  CurlTransport transport_{{.connect_timeout = 2000ms}};
  ClientContext context_{transport_, clock_, sleeper_, [] { return 0.5; }};
  std::mutex keys_mu_;
  std::vector<Credentials> keys_{kKeys};
};

HttpResponse json_error(int status, std::string_view type, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "application/x-amz-json-1.1"}, {"x-amzn-RequestId", "rid-err"}};
  r.body = R"({"__type":")" + std::string(type) + R"(","message":")" + std::string(message) + "\"}";
  return r;
}

TEST_F(AwsClientTest, RetriesThrottlingOverOneKeptAliveConnection) {
  std::atomic<int> calls{0};
  std::vector<SigV4Verdict> verdicts;
  std::mutex mu;
  TestServer server([&](const HttpRequest& r) {
    {
      std::lock_guard lock(mu);
      verdicts.push_back(verify(r, "aws-marketplace"));
    }
    if (++calls <= 2) {
      return json_error(400, "com.amazonaws.marketplace#ThrottlingException", "Rate exceeded");
    }
    auto decoded = Codec<metering::ResolveCustomer>::decode_request(r);
    EXPECT_TRUE(decoded.ok());
    return Codec<metering::ResolveCustomer>::encode_response(
        {.customer_identifier = "cust-" + decoded->registration_token,
         .product_code = "prod-1",
         .customer_aws_account_id = "111122223333"},
        "rid-ok");
  });

  metering::MeteringClient metering(client(server.url()));
  auto r = metering.resolve_customer({.registration_token = "tok"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->customer_identifier, "cust-tok");
  EXPECT_EQ(r->customer_aws_account_id, "111122223333");
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(sleeper_.count(), 2u);
  EXPECT_EQ(server.connections(), 1);
  for (const auto& v : verdicts) {
    EXPECT_TRUE(v.ok()) << v.message;
    EXPECT_EQ(v.authorization.region, "eu-west-1");
  }
  const auto received = server.requests();
  EXPECT_EQ(received[0].header("Host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(received[0].header("X-Amz-Target"), "AWSMPMeteringService.ResolveCustomer");
  EXPECT_FALSE(received[0].header("Accept"));  // nothing libcurl adds on its own
}

TEST_F(AwsClientTest, PermanentErrorFailsFastWithTheAwsCode) {
  TestServer server([&](const HttpRequest& r) {
    EXPECT_TRUE(verify(r, "iam").ok());
    // IAM is global: signed for us-east-1 whatever the client's region.
    EXPECT_EQ(verify(r, "iam").authorization.region, "us-east-1");
    auto user = Codec<iam::CreateUser>::decode_request(r);
    EXPECT_TRUE(user.ok());
    return encode_error(Service::kIam,
                        {.code = "EntityAlreadyExists",
                         .message = "User with name " + user->user_name + " already exists.",
                         .request_id = "rid-409",
                         .http_status = 409});
  });
  iam::IamClient iam(client(server.url()));
  auto r = iam.create_user({.user_name = "ops"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(aws_error_code(r.error()), "EntityAlreadyExists");
  const auto e = aws_error_of(r.error());
  EXPECT_EQ(e->request_id, "rid-409");
  EXPECT_EQ(e->http_status, 409);
  EXPECT_EQ(e->message, "User with name ops already exists.");
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(sleeper_.count(), 0u);
}

TEST_F(AwsClientTest, HeadBucketNotFoundHasNoBody) {
  TestServer server([&](const HttpRequest& r) {
    const auto v = verify(r, "s3", /*s3=*/true);
    EXPECT_TRUE(v.ok()) << v.message;
    EXPECT_EQ(r.header("x-amz-content-sha256"), kEmptyPayloadSha256);
    if (r.path == "/present-bucket") {
      HttpResponse ok;
      ok.headers = {{"x-amz-bucket-region", "eu-west-1"}};
      return ok;
    }
    return encode_error(Service::kS3,
                        {.code = "NoSuchBucket", .request_id = "h-1", .http_status = 404},
                        /*head=*/true);
  });
  s3::S3Client s3(client(server.url()));
  auto missing = s3.head_bucket({.bucket = "missing-bucket"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(aws_error_code(missing.error()), "NotFound");
  EXPECT_EQ(aws_error_of(missing.error())->request_id, "h-1");
  auto present = s3.head_bucket({.bucket = "present-bucket"});
  ASSERT_TRUE(present.ok()) << present.error().message;
  EXPECT_EQ(present->bucket_region, "eu-west-1");
}

TEST_F(AwsClientTest, S3PolicyAndListingAreSignedWithS3Rules) {
  TestServer server([&](const HttpRequest& r) {
    const auto v = verify(r, "s3", /*s3=*/true);
    EXPECT_TRUE(v.ok()) << v.message << "\n" << v.canonical_request;
    auto op = operation_name(Service::kS3, r);
    if (op.ok() && *op == "PutBucketPolicy") {
      auto put = Codec<s3::PutBucketPolicy>::decode_request(r);
      EXPECT_TRUE(put.ok());
      return Codec<s3::PutBucketPolicy>::encode_response({}, "r");
    }
    return Codec<s3::ListBuckets>::encode_response({.buckets = {{.name = "a"}, {.name = "b"}}},
                                                   "r");
  });
  s3::S3Client s3(client(server.url()));
  EXPECT_TRUE(s3.put_bucket_policy({.bucket = "b", .policy = R"({"Version":"2012-10-17"})"}).ok());
  auto list = s3.list_buckets();
  ASSERT_TRUE(list.ok()) << list.error().message;
  EXPECT_EQ(list->buckets.size(), 2u);
}

TEST_F(AwsClientTest, ConnectionErrorsAreRetriedThenUnavailable) {
  int port = 0;
  {
    TestServer closed([](const HttpRequest&) { return HttpResponse{}; });
    port = closed.port();
  }
  sts::StsClient sts(client("http://127.0.0.1:" + std::to_string(port), {.max_attempts = 3}));
  auto r = sts.get_caller_identity();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(aws_error_code(r.error()), kConnectionErrorCode);
  EXPECT_EQ(sleeper_.count(), 2u);
}

TEST_F(AwsClientTest, WholeCallTimeout) {
  // The server holds its answer until the client has given up. Were the 200 ms timeout not
  // applied, the call would get that answer, a success, after 30 s.
  std::mutex mu;
  std::condition_variable cv;
  bool given_up = false;
  TestServer server([&](const HttpRequest&) {
    std::unique_lock lock(mu);
    cv.wait_for(lock, 30s, [&] { return given_up; });
    return Codec<sts::GetCallerIdentity>::encode_response({.account = "111122223333"}, "r");
  });
  sts::StsClient sts(client(server.url(), {.max_attempts = 1}, static_credentials(kKeys), 200ms));
  auto r = sts.get_caller_identity();
  {
    std::lock_guard lock(mu);
    given_up = true;
  }
  cv.notify_all();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kUnavailable);
}

TEST_F(AwsClientTest, ConcurrentCallsDoNotWaitForEachOther) {
  // Every request is held until all kCalls are in flight at once, which calls made one after
  // the other never are: then, after 30 s, the server answers every call with an error.
  constexpr int kCalls = 6;
  std::mutex mu;
  std::condition_variable cv;
  int arrived = 0;
  bool serialized = false;
  TestServer server([&](const HttpRequest&) {
    std::unique_lock lock(mu);
    ++arrived;
    cv.notify_all();
    if (!serialized && !cv.wait_for(lock, 30s, [&] { return arrived >= kCalls; }))
      serialized = true;
    if (serialized) {
      return encode_error(
          Service::kSts,
          {.code = "ValidationError", .message = "calls were serialized", .http_status = 400});
    }
    return Codec<sts::GetCallerIdentity>::encode_response({.account = "111122223333"}, "r");
  });
  const AwsClient shared = client(server.url(), {}, static_credentials(kKeys), 60s);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&] {
      auto r = sts::StsClient(shared).get_caller_identity();
      if (r.ok() && r->account == "111122223333") ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kCalls);
  EXPECT_GE(server.connections(), 2);
}

TEST_F(AwsClientTest, AssumedRoleCredentialsAreCachedAndSignWithTheirToken) {
  const Credentials temporary{.access_key_id = "ASIATEMP",
                              .secret_access_key = "temp/secret",
                              .session_token = "session-token-1"};
  {
    std::lock_guard lock(keys_mu_);
    keys_.push_back(temporary);
  }
  std::atomic<int> assume_calls{0};
  TestServer server([&](const HttpRequest& r) {
    const auto v = verify(r, "");
    EXPECT_TRUE(v.ok()) << v.message;
    auto op = operation_name(Service::kSts, r);
    if (op.ok() && *op == "AssumeRole") {
      ++assume_calls;
      EXPECT_EQ(v.authorization.access_key_id, "AKIDTEST");
      auto req = Codec<sts::AssumeRole>::decode_request(r);
      EXPECT_EQ(req->role_arn, "arn:aws:iam::222233334444:role/OrganizationAccountAccessRole");
      EXPECT_EQ(req->external_id, "ext");
      return Codec<sts::AssumeRole>::encode_response(
          {.credentials = {temporary.access_key_id, temporary.secret_access_key,
                           temporary.session_token, clock_.now() + 1h},
           .assumed_role_user = {"AROA:marketlink", "arn:aws:sts::2:assumed-role/R/marketlink"}},
          "r");
    }
    EXPECT_EQ(v.authorization.access_key_id, "ASIATEMP");
    EXPECT_EQ(r.header("X-Amz-Security-Token"), "session-token-1");
    return Codec<iam::ListAccountAliases>::encode_response({.account_aliases = {"member"}}, "r");
  });

  auto provider = std::make_shared<AssumeRoleCredentialsProvider>(
      sts::StsClient(client(server.url())),
      AssumeRoleSettings{.role_arn = "arn:aws:iam::222233334444:role/OrganizationAccountAccessRole",
                         .external_id = "ext"},
      clock_);
  iam::IamClient member(client(server.url(), {}, provider));
  for (int i = 0; i < 3; ++i) {
    auto r = member.list_account_aliases();
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->account_aliases, std::vector<std::string>{"member"});
  }
  EXPECT_EQ(assume_calls.load(), 1);
  clock_.advance(56min);  // within the 5 minute refresh margin
  ASSERT_TRUE(member.list_account_aliases().ok());
  EXPECT_EQ(assume_calls.load(), 2);
}

TEST_F(AwsClientTest, AssumeRoleFailureReachesTheCaller) {
  TestServer server([](const HttpRequest&) {
    return encode_error(Service::kSts, {.code = "AccessDenied",
                                        .message = "not authorized to perform sts:AssumeRole",
                                        .http_status = 403});
  });
  auto provider = std::make_shared<AssumeRoleCredentialsProvider>(
      sts::StsClient(client(server.url())), AssumeRoleSettings{.role_arn = "arn:r"}, clock_);
  auto r = iam::IamClient(client(server.url(), {}, provider)).list_account_aliases();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kForbidden);
  EXPECT_EQ(aws_error_code(r.error()), "AccessDenied");
}

TEST_F(AwsClientTest, EntitlementPagesAreFollowed) {
  TestServer server([&](const HttpRequest& r) {
    EXPECT_TRUE(verify(r, "aws-marketplace").ok());
    auto req = Codec<entitlement::GetEntitlements>::decode_request(r);
    EXPECT_TRUE(req.ok());
    entitlement::GetEntitlementsResponse page;
    if (req->next_token.empty()) {
      page.entitlements.push_back({.product_code = "p", .dimension = "a"});
      page.next_token = "t1";
    } else if (req->next_token == "t1") {
      page.next_token = "t2";  // an empty page may still carry a token
    } else {
      page.entitlements.push_back({.product_code = "p", .dimension = "b"});
    }
    return Codec<entitlement::GetEntitlements>::encode_response(page, "r");
  });
  entitlement::EntitlementClient entitlements(client(server.url()));
  auto all = entitlements.get_all_entitlements(
      {.product_code = "p", .filter = {{"CUSTOMER_IDENTIFIER", {"c"}}}});
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->entitlements.size(), 2u);
  EXPECT_EQ(all->entitlements[1].dimension, "b");
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST_F(AwsClientTest, BatchMeterUsageWithoutProductCodeSendsNoProductCodeKey) {
  TestServer server([&](const HttpRequest& r) {
    EXPECT_TRUE(verify(r, "aws-marketplace").ok());
    return Codec<metering::BatchMeterUsage>::encode_response({}, "r");
  });
  metering::MeteringClient metering(client(server.url()));
  const metering::UsageRecord record{.timestamp = *core::parse_rfc3339("2026-03-15T07:00:00Z"),
                                     .customer_aws_account_id = "444455556666",
                                     .license_arn = "arn:aws:license-manager::1:license:l-1",
                                     .dimension = "users",
                                     .quantity = 0};
  ASSERT_TRUE(metering.batch_meter_usage({.usage_records = {record}}).ok());
  ASSERT_TRUE(metering.batch_meter_usage({.usage_records = {record}, .product_code = "p"}).ok());
  const auto received = server.requests();
  ASSERT_EQ(received.size(), 2u);
  const auto without = nlohmann::json::parse(received[0].body);
  EXPECT_FALSE(without.contains("ProductCode")) << received[0].body;
  EXPECT_EQ(without.at("UsageRecords").at(0).at("LicenseArn"),
            "arn:aws:license-manager::1:license:l-1");
  EXPECT_EQ(without.at("UsageRecords").at(0).at("Quantity"), 0);  // an idle hour is still sent
  EXPECT_EQ(nlohmann::json::parse(received[1].body).at("ProductCode"), "p");
}

TEST_F(AwsClientTest, AgreementTermsPagesAreFollowedOverJsonOneZero) {
  TestServer server([&](const HttpRequest& r) {
    const auto v = verify(r, "aws-marketplace");
    EXPECT_TRUE(v.ok()) << v.message;
    EXPECT_EQ(v.authorization.region, "us-east-1");  // the service lives in us-east-1 only
    EXPECT_EQ(r.header("Content-Type"), "application/x-amz-json-1.0");
    auto req = Codec<agreement::GetAgreementTerms>::decode_request(r);
    EXPECT_TRUE(req.ok());
    HttpResponse answer;
    answer.headers = {{"Content-Type", "application/x-amz-json-1.0"}};
    if (req->next_token.empty()) {
      answer.body = R"({"acceptedTerms": [{"legalTerm": {"type": "LegalTerm"}}],
                        "nextToken": "p2"})";
    } else {
      answer.body = R"({"acceptedTerms": [{"freeTrialPricingTerm":
                        {"type": "FreeTrialPricingTerm", "duration": "P7D"}}]})";
    }
    return answer;
  });
  agreement::AgreementClient agreements(client(server.url()));
  auto all = agreements.get_all_agreement_terms({.agreement_id = "agmt-1"});
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->accepted_terms.size(), 2u);
  ASSERT_NE(agreement::free_trial_term(all->accepted_terms), nullptr);
  EXPECT_EQ(agreement::free_trial_term(all->accepted_terms)->duration, "P7D");
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST_F(AwsClientTest, BadSignaturesAreRejectedByTheVerifier) {
  // The server knows another secret for the key: the client must see AWS's answer.
  TestServer server([&](const HttpRequest& r) {
    const auto v = verify_request(r, {.now = clock_.now()}, [](std::string_view) {
      return std::optional<VerificationKey>(VerificationKey{"other-secret", ""});
    });
    EXPECT_EQ(v.failure, SigV4Failure::kSignatureMismatch);
    const auto reply = sigv4_error_reply(v.failure, Protocol::kQuery);
    return encode_error(
        Service::kSts,
        {.code = std::string(reply.code), .message = v.message, .http_status = reply.http_status});
  });
  auto r = sts::StsClient(client(server.url())).get_caller_identity();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kUnauthenticated);
  EXPECT_EQ(aws_error_code(r.error()), "SignatureDoesNotMatch");
}

TEST(AwsClientResolve, RealEndpointsAndOverride) {
  core::SystemClock clock;
  ThreadSleeper sleeper;
  CurlTransport transport;
  const ClientContext context{transport, clock, sleeper, system_random()};
  const AwsClient real(context, static_credentials(kKeys), {.region = "eu-west-1"});
  auto target = real.resolve(Service::kMetering, "/");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->origin, "https://metering.marketplace.eu-west-1.amazonaws.com");
  EXPECT_EQ(target->host, "metering.marketplace.eu-west-1.amazonaws.com");
  EXPECT_EQ(real.resolve(Service::kIam, "/")->origin, "https://iam.amazonaws.com");
  EXPECT_EQ(real.resolve(Service::kEntitlement, "/")->origin,
            "https://entitlement.marketplace.us-east-1.amazonaws.com");
  EXPECT_EQ(real.resolve(Service::kOrganizations, "/")->origin,
            "https://organizations.us-east-1.amazonaws.com");
  EXPECT_EQ(real.resolve(Service::kSts, "/")->origin, "https://sts.eu-west-1.amazonaws.com");
  // S3: virtual-hosted style for DNS-friendly buckets, path style otherwise.
  auto bucket = real.resolve(Service::kS3, "/my-bucket");
  EXPECT_EQ(bucket->origin, "https://my-bucket.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(bucket->path, "/");
  auto dotted = real.resolve(Service::kS3, "/my.bucket");
  EXPECT_EQ(dotted->origin, "https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(dotted->path, "/my.bucket");

  const AwsClient sim(context, static_credentials(kKeys),
                      {.region = "eu-west-1", .endpoint = "http://LOCALHOST:80/aws/"});
  auto s = sim.resolve(Service::kS3, "/my-bucket");
  EXPECT_EQ(s->origin, "http://LOCALHOST:80");
  EXPECT_EQ(s->host, "localhost");
  EXPECT_EQ(s->path, "/aws/my-bucket");
  EXPECT_FALSE(AwsClient(context, static_credentials(kKeys), {.endpoint = "ftp://x"})
                   .resolve(Service::kSts, "/")
                   .ok());
}

}  // namespace
}  // namespace aws
