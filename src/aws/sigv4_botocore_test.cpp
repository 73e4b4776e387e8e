// Cross-checks our SigV4 signatures against botocore's (SigV4Auth, and S3SigV4Auth for s3) on a
// few hundred generated requests. Runs tests/aws/botocore_sigv4.py with Debian's
// /usr/bin/python3; fails, never skips, when that interpreter or botocore is missing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "aws/botocore_test_support.h"
#include "aws/sigv4.h"

namespace aws {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct GeneratedCase {
  HttpRequest request;
  std::string url;  // what botocore sees: scheme://host + target
  std::string service;
  std::string region;
  Credentials credentials;
  bool s3 = false;
  bool unsigned_payload = false;
};

class Generator {
 public:
  explicit Generator(unsigned seed) : rng_(seed) {}

  GeneratedCase make(int index) {
    static constexpr const char* kServices[] = {"iam", "sts", "s3", "aws-marketplace"};
    GeneratedCase c;
    c.service = kServices[index % 4];
    c.s3 = c.service == "s3";
    c.region = pick({"us-east-1", "eu-west-1", "ap-southeast-2"});
    c.credentials.access_key_id = "AKID" + std::to_string(index);
    c.credentials.secret_access_key = "secret/" + std::to_string(index) + "+KEY";
    if (chance(3)) c.credentials.session_token = "FwoGZXIvYXdzE" + std::to_string(index) + "//+=";
    c.unsigned_payload = c.s3 && chance(4);

    HttpRequest& r = c.request;
    r.method = pick({"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"});
    r.path = make_path(c.s3);
    const int nquery = static_cast<int>(rng_() % 5);
    for (int i = 0; i < nquery; ++i) {
      // Repeated keys, empty values, reserved and non-ASCII characters.
      r.query.emplace_back(pick({"a", "A", "b", "key with space", "x-id", "prefix", "Ω", "a"}),
                           pick({"", "1", "2", "v a/l+u=e&", "~tilde", "ünï", "*", "a"}));
    }
    const std::string host = chance(5) ? "127.0.0.1:4566" : c.service + ".amazonaws.com";
    r.headers.emplace_back(chance(2) ? "Host" : "host", host);
    if (c.service == "iam" || c.service == "sts") {
      r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
      r.body = "Action=GetCallerIdentity&Version=2011-06-15&Name=" + uri_encode(pick({"a b", "ü"}));
    } else if (c.service == "aws-marketplace") {
      r.headers.emplace_back("Content-Type", "application/x-amz-json-1.1");
      r.headers.emplace_back("X-Amz-Target", "AWSMPMeteringService.ResolveCustomer");
      r.body = R"({"RegistrationToken": "tok )" + std::to_string(index) + "\"}";
    } else if (chance(2)) {
      r.body = "{\"Version\": \"2012-10-17\", \"Statement\": []}";
    }
    // Extra headers: odd spacing, tabs, repeats, empty values, mixed case.
    const int nheaders = static_cast<int>(rng_() % 4);
    for (int i = 0; i < nheaders; ++i) {
      r.headers.emplace_back(pick({"My-Header", "x-amz-meta-Thing", "X-Custom", "my-header"}),
                             pick({"  padded  ", "a   b\t\tc", "", "UPPER", "q\"uote\"", "a,b"}));
    }
    if (chance(4)) r.headers.emplace_back("User-Agent", "aws-cli/2.9.19");

    c.url = (host.find(':') != std::string::npos ? "http://" : "https://") + host + r.target();
    return c;
  }

 private:
  std::string make_path(bool s3) {
    static constexpr const char* kSegments[] = {"bucket", "a b", "ünïcødé",  "..",
                                                ".",      "",    "key+plus", "$dollar",
                                                "x%2Fy",  "~t",  "dir",      "o'q"};
    const int n = static_cast<int>(rng_() % 5);
    std::string path;
    for (int i = 0; i < n; ++i) {
      const std::string seg = kSegments[rng_() % std::size(kSegments)];
      // Most segments are encoded as a client sends them; some go raw, as a hand-made URL might.
      path += "/" + (chance(4) && !s3 ? seg : uri_encode(percent_decode(seg, false)));
    }
    if (path.empty() || chance(3)) path += "/";
    return path;
  }

  std::string pick(std::initializer_list<const char*> options) {
    return *(options.begin() + rng_() % options.size());
  }
  bool chance(int one_in) { return rng_() % one_in == 0; }

  std::mt19937 rng_;
};

TEST(SigV4Botocore, SignaturesMatchBotocoreForGeneratedRequests) {
  const fs::path script = testing_support::aws_test_script("botocore_sigv4.py");
  ASSERT_FALSE(script.empty()) << "MARKETLINK_SOURCE_DIR must point at the repository";
  ASSERT_TRUE(fs::exists(script)) << script;
  ASSERT_TRUE(fs::exists(testing_support::kSystemPython))
      << testing_support::kSystemPython << " is required for the botocore cross-check";

  const std::string amz_date = "20260315T081502Z";
  const core::TimePoint when = *parse_amz_date(amz_date);
  Generator gen(20260315);
  std::vector<GeneratedCase> cases;
  json input = json::array();
  for (int i = 0; i < 240; ++i) {
    GeneratedCase c = gen.make(i);
    json headers = json::array();
    for (const auto& [k, v] : c.request.headers) headers.push_back({k, v});
    input.push_back({{"method", c.request.method},
                     {"url", c.url},
                     {"headers", headers},
                     {"body", c.request.body},
                     {"service", c.service},
                     {"region", c.region},
                     {"access_key", c.credentials.access_key_id},
                     {"secret_key", c.credentials.secret_access_key},
                     {"token", c.credentials.session_token},
                     {"amz_date", amz_date},
                     {"s3", c.s3},
                     {"unsigned_payload", c.unsigned_payload}});
    cases.push_back(std::move(c));
  }
  char dir_template[] = "/tmp/marketlink-sigv4-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const fs::path dir(dir_template);
  const fs::path input_path = dir / "requests.json";
  std::ofstream(input_path) << input.dump();

  const auto run = testing_support::run_python_script(script, {input_path.string()});
  fs::remove_all(dir);
  ASSERT_EQ(run.exit_code, 0) << "botocore signer failed (is python3-botocore installed for "
                              << testing_support::kSystemPython << "?):\n"
                              << run.errors << run.output;
  const json parsed = json::parse(run.output, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << run.output << run.errors;
  const json& results = parsed.at("results");
  ASSERT_EQ(results.size(), cases.size());

  for (size_t i = 0; i < cases.size(); ++i) {
    GeneratedCase& c = cases[i];
    SCOPED_TRACE(testing::Message() << "case " << i << ": " << c.request.method << " " << c.url
                                    << " service " << c.service);
    const SigningResult ours = sign_request(c.request, c.credentials,
                                            {.region = c.region,
                                             .service = c.service,
                                             .time = when,
                                             .s3_rules = c.s3,
                                             .unsigned_payload = c.unsigned_payload});
    const json& theirs = results[i];
    EXPECT_EQ(ours.authorization, theirs.at("authorization").get<std::string>())
        << "canonical request:\n"
        << ours.canonical_request;
    EXPECT_EQ(c.request.header("X-Amz-Date").value_or(""),
              theirs.at("x_amz_date").get<std::string>());
    if (c.s3) {
      EXPECT_EQ(c.request.header("x-amz-content-sha256").value_or(""),
                theirs.at("x_amz_content_sha256").get<std::string>());
    }
    if (!c.credentials.session_token.empty()) {
      EXPECT_EQ(c.request.header("X-Amz-Security-Token").value_or(""),
                theirs.at("x_amz_security_token").get<std::string>());
    }
  }
}

}  // namespace
}  // namespace aws
