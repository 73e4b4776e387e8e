// HTTP-level tests of a provider's AWS access (JSON and the settings page) on both backends: the
// real routes, Auth, pool::AwsAccess and a job queue driven by hand; AWS is a fake.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/metrics.h"
#include "jobs/job_queue.h"
#include "web/pool/pool_routes.h"
#include "web/pool/pool_web_test_support.h"
#include "web/web_test_support.h"

namespace web {
namespace {

using db::testing::TestBackend;
using nlohmann::json;
using testing::Reply;
using testing::TestClient;

constexpr const char* kKeyId = "AKIAACMEPROVIDER0001";
constexpr const char* kSecret = "acme-secret-access-key-0000000000000000";

// Keys are good unless the key id says REFUSED; accounts ending in 9 cannot be reached.
class FakeAws final : public pool::ProviderAws {
 public:
  core::Result<std::string> account_of(const pool::ProviderCredentials& c) override {
    if (c.access_key_id.find("REFUSED") != std::string::npos) {
      return core::invalid("AWS refused these keys. InvalidClientTokenId: invalid token.",
                           "aws_keys_rejected");
    }
    return std::string("210987654321");
  }
  core::Result<pool::AccessCheckOutcome> check(const pool::ProviderCredentials&,
                                               const std::string& account_id) override {
    if (account_id.ends_with('9')) {
      return pool::AccessCheckOutcome{.reachable = false, .reason = "AccessDenied"};
    }
    return pool::AccessCheckOutcome{.reachable = true};
  }
};

class PoolAwsAccessTest : public testing::PoolWebTest {
 protected:
  void SetUp() override {
    open_pool_web();
    if (IsSkipped() || HasFatalFailure()) return;
    queue_ =
        std::make_unique<jobs::JobQueue>(h_.database->db(), h_.clock, ids_, metrics_,
                                         jobs::QueueSettings{.workers = 0}, [] { return 0.5; });
    auto box = identity::SecretBox::from_key_text(identity::SecretBox::generate_key_text());
    ASSERT_TRUE(box.ok());
    box_ = std::make_unique<identity::SecretBox>(*box);
    access_ = std::make_unique<pool::AwsAccess>(h_.database->db(), h_.clock, *pool_, aws_, *queue_,
                                                *h_.audit, box_.get());
    ASSERT_TRUE(access_->register_jobs().ok());
    ASSERT_TRUE(add_pool_aws_access_routes(router_, *pages_, *auth_, *access_).ok());

    const identity::User alice = h_.user("alice@example.com", "Alice");
    const identity::User bob = h_.user("bob@example.com", "Bob");
    const identity::User mona = h_.user("mona@example.com", "Mona");
    h_.org("Demo Marketplace", mona, identity::OrgKind::kMarketplace, "MP-0000");
    acme_ = h_.org("Acme", alice, identity::OrgKind::kProvider);
    globex_ = h_.org("Globex", bob, identity::OrgKind::kProvider);
    auto invited = h_.service->invite(acme_.id, "mona@example.com", identity::Role::kMember,
                                      identity::Actor::system());
    ASSERT_TRUE(invited.ok());
    acme_token_ = h_.service->create_api_token(acme_.id, "ops", identity::Actor::system())->secret;
    globex_token_ =
        h_.service->create_api_token(globex_.id, "ops", identity::Actor::system())->secret;
  }

  Reply call(http::Method method, const std::string& path, const json& body = nullptr,
             const std::string& as = "") {
    TestClient c(router_);
    return c.api(method, path, body.is_null() ? "" : body.dump(),
                 {{"authorization", "Bearer " + (as.empty() ? acme_token_ : as)}});
  }
  Reply put_access(const json& body, const std::string& as = "") {
    return call(http::Method::kPut, "/api/v1/orgs/acme/pool/aws-access", body, as);
  }
  void add_account(const std::string& id) {
    ASSERT_TRUE(pool_->add(acme_.id, {.account_id = id, .marketplace_id = "MP-0000"}, "t").ok());
  }
  void drain() {
    while (true) {
      auto ran = queue_->run_next();
      ASSERT_TRUE(ran.ok());
      if (!*ran) return;
    }
  }
  static json body(const Reply& r) { return json::parse(r.body, nullptr, false); }
  static std::string error_code(const Reply& r) {
    const json j = body(r);
    return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
  }

  core::RandomIdGenerator ids_;
  core::Metrics metrics_;
  std::unique_ptr<jobs::JobQueue> queue_;
  std::unique_ptr<identity::SecretBox> box_;
  FakeAws aws_;
  std::unique_ptr<pool::AwsAccess> access_;
  identity::Organization acme_, globex_;
  std::string acme_token_, globex_token_;
};

TEST_P(PoolAwsAccessTest, PutStoresKeysAndNeverReturnsTheSecret) {
  EXPECT_EQ(call(http::Method::kGet, "/api/v1/orgs/acme/pool/aws-access").status, 404);
  const Reply saved = put_access({{"access_key_id", kKeyId},
                                  {"secret_access_key", kSecret},
                                  {"role_name", "OrganizationAccountAccessRole"}});
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(saved.body.find(kSecret), std::string::npos);
  EXPECT_EQ(body(saved)["aws_account_id"], "210987654321");
  EXPECT_EQ(body(saved)["access_check_enabled"], false);
  EXPECT_TRUE(body(saved)["last_check"].is_null());
  const Reply read = call(http::Method::kGet, "/api/v1/orgs/acme/pool/aws-access");
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.body.find(kSecret), std::string::npos);
  EXPECT_EQ(body(read)["access_key_id"], kKeyId);
  EXPECT_EQ(body(read)["role_name"], "OrganizationAccountAccessRole");
}

TEST_P(PoolAwsAccessTest, BadBodiesAndRefusedKeysChangeNothing) {
  EXPECT_EQ(error_code(call(http::Method::kPut, "/api/v1/orgs/acme/pool/aws-access", "[1]")),
            "invalid_json");
  EXPECT_EQ(error_code(put_access({{"secret_access_key", kSecret}})), "invalid_argument");
  EXPECT_EQ(error_code(put_access(
                {{"access_key_id", kKeyId}, {"secret_access_key", kSecret}, {"role_name", 5}})),
            "invalid_argument");
  const Reply malformed = put_access({{"access_key_id", "not a key"}, {"secret_access_key", "x"}});
  EXPECT_EQ(malformed.status, 422);
  EXPECT_EQ(body(malformed)["error"]["details"].size(), 2u);
  const Reply refused =
      put_access({{"access_key_id", "AKIAREFUSED000000001"}, {"secret_access_key", kSecret}});
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(error_code(refused), "aws_keys_rejected");
  EXPECT_EQ(call(http::Method::kGet, "/api/v1/orgs/acme/pool/aws-access").status, 404);
}

TEST_P(PoolAwsAccessTest, OnlyTheProvidersAdminsReachIt) {
  ASSERT_EQ(put_access({{"access_key_id", kKeyId}, {"secret_access_key", kSecret}}).status, 200);
  // Another provider's token: 404 for acme, and its own settings are separate.
  EXPECT_EQ(
      call(http::Method::kGet, "/api/v1/orgs/acme/pool/aws-access", nullptr, globex_token_).status,
      404);
  EXPECT_EQ(call(http::Method::kGet, "/api/v1/orgs/globex/pool/aws-access", nullptr, globex_token_)
                .status,
            404);
  EXPECT_EQ(error_code(call(http::Method::kGet, "/api/v1/orgs/globex/pool/aws-access", nullptr,
                            globex_token_)),
            "aws_access_not_configured");
  EXPECT_EQ(call(http::Method::kDelete, "/api/v1/orgs/acme/pool/aws-access", nullptr, globex_token_)
                .status,
            404);
  // A member of acme sees neither the page nor the API.
  TestClient member(router_);
  sign_in(member, "mona@example.com");
  EXPECT_EQ(member.get("/orgs/acme/pool/settings").status, 403);
  EXPECT_EQ(member.api(http::Method::kGet, "/api/v1/orgs/acme/pool/aws-access").status, 403);
}

TEST_P(PoolAwsAccessTest, AccessChecksRunInTheBackgroundAndReportProgress) {
  add_account("100000000001");
  add_account("100000000009");
  EXPECT_EQ(error_code(call(http::Method::kPost, "/api/v1/orgs/acme/pool/access-checks")),
            "aws_access_not_configured");
  ASSERT_EQ(put_access({{"access_key_id", kKeyId},
                        {"secret_access_key", kSecret},
                        {"access_check_enabled", true}})
                .status,
            200);
  json run = body(call(http::Method::kGet, "/api/v1/orgs/acme/pool/aws-access"))["last_check"];
  EXPECT_EQ(run["status"], "running");
  EXPECT_EQ(run["total"], 2);
  drain();
  run = body(call(http::Method::kGet, "/api/v1/orgs/acme/pool/aws-access"))["last_check"];
  EXPECT_EQ(run["status"], "finished");
  EXPECT_EQ(run["checked"], 2);
  EXPECT_EQ(run["invalidated"], 1);
  const Reply invalid = call(http::Method::kGet, "/api/v1/orgs/acme/pool/accounts?status=invalid");
  ASSERT_EQ(body(invalid)["accounts"].size(), 1u);
  EXPECT_EQ(body(invalid)["accounts"][0]["account_id"], "100000000009");
  EXPECT_EQ(body(invalid)["accounts"][0]["status_reason"], "access check: AccessDenied");

  h_.clock.advance(std::chrono::minutes(1));
  const Reply again = call(http::Method::kPost, "/api/v1/orgs/acme/pool/access-checks");
  EXPECT_EQ(again.status, 202);
  EXPECT_EQ(body(again)["status"], "running");
  EXPECT_EQ(body(again)["scope"], "all");
}

TEST_P(PoolAwsAccessTest, TheSettingsPageSavesShowsErrorsAndRunsTheCheck) {
  add_account("100000000001");
  TestClient c(router_);
  const std::string csrf = sign_in(c, "alice@example.com");
  const Reply empty = c.get("/orgs/acme/pool/settings");
  ASSERT_EQ(empty.status, 200);
  EXPECT_NE(empty.body.find("Save and verify"), std::string::npos);
  EXPECT_EQ(empty.body.find("Run check now"), std::string::npos);  // nothing to run with yet

  // Bad input: the form comes back with the errors next to the fields and the values kept.
  const Reply bad =
      c.post_form("/orgs/acme/pool/settings", {{"csrf_token", csrf},
                                               {"access_key_id", "AKIAREFUSED000000001"},
                                               {"secret_access_key", kSecret},
                                               {"role_name", "PoolAccess"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("id=\"access_key_id-error\""), std::string::npos);
  EXPECT_NE(bad.body.find("InvalidClientTokenId"), std::string::npos);
  EXPECT_NE(bad.body.find("value=\"PoolAccess\""), std::string::npos);
  EXPECT_EQ(bad.body.find(kSecret), std::string::npos);

  // Without the CSRF token nothing happens.
  EXPECT_EQ(c.post_form("/orgs/acme/pool/settings",
                        {{"access_key_id", kKeyId}, {"secret_access_key", kSecret}})
                .status,
            403);
  EXPECT_EQ(access_->get(acme_.id).error().slug, "aws_access_not_configured");

  const Reply saved = c.post_form("/orgs/acme/pool/settings", {{"csrf_token", csrf},
                                                               {"access_key_id", kKeyId},
                                                               {"secret_access_key", kSecret},
                                                               {"role_name", "PoolAccess"},
                                                               {"access_check", "on"}});
  ASSERT_EQ(saved.status, 303) << saved.body;
  const Reply page = c.get(saved.location());
  EXPECT_NE(page.body.find("210987654321"), std::string::npos);
  EXPECT_NE(page.body.find("Checking 1 accounts now"), std::string::npos);
  EXPECT_NE(page.body.find("<progress"), std::string::npos);
  EXPECT_NE(page.body.find("data-refresh-seconds=\"3\""), std::string::npos);
  EXPECT_EQ(page.body.find(kSecret), std::string::npos);

  drain();
  const Reply done = c.get("/orgs/acme/pool/settings");
  EXPECT_NE(done.body.find("Finished"), std::string::npos);
  EXPECT_EQ(done.body.find("<progress"), std::string::npos);

  h_.clock.advance(std::chrono::minutes(1));
  const Reply rerun = c.post_form("/orgs/acme/pool/settings/check", {{"csrf_token", csrf}});
  ASSERT_EQ(rerun.status, 303);
  EXPECT_NE(c.get(rerun.location()).body.find("Running"), std::string::npos);

  const Reply removed = c.post_form("/orgs/acme/pool/settings/remove", {{"csrf_token", csrf}});
  ASSERT_EQ(removed.status, 303);
  EXPECT_EQ(access_->get(acme_.id).error().slug, "aws_access_not_configured");
}

INSTANTIATE_TEST_SUITE_P(Backends, PoolAwsAccessTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace web
