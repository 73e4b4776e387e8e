// HTTP-level tests of marketplaces' AWS organizations (JSON and the settings page) on both
// backends: the real routes, Auth and orgs::AwsOrganizations; AWS is a fake.

#include "web/orgs/orgs_routes.h"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/log.h"
#include "orgs/migrations.h"
#include "web/identity/identity_web_test_support.h"
#include "web/web_test_support.h"

namespace web {
namespace {

using nlohmann::json;
using testing::Reply;
using testing::TestClient;

constexpr const char* kKeyId = "AKIAORGSMANAGEMENT01";
constexpr const char* kSecret = "Known-Secret-Access-Key-ORGS-000000000001";
constexpr const char* kUrl = "/api/v1/marketplaces/MP-0000/aws-organizations";

// Keys with kSecret are good; an account ending in 9 already has a Cost and Usage Report.
class FakeAws final : public orgs::OrgsAws {
 public:
  core::Result<std::string> caller_account(const orgs::OrgCredentials& c) override {
    if (c.secret_access_key != kSecret) {
      return core::invalid("SignatureDoesNotMatch: wrong signature.", "aws_keys_rejected");
    }
    return c.account_id;
  }
  core::Result<std::optional<orgs::OrganizationInfo>> organization(
      const orgs::OrgCredentials& c) override {
    if (!orgs_made.contains(c.account_id)) return std::optional<orgs::OrganizationInfo>();
    return std::optional<orgs::OrganizationInfo>(
        orgs::OrganizationInfo{.id = "o-" + c.account_id, .management_account_id = c.account_id});
  }
  core::Result<orgs::OrganizationInfo> create_organization(const orgs::OrgCredentials& c) override {
    orgs_made.insert(c.account_id);
    return orgs::OrganizationInfo{.id = "o-" + c.account_id, .management_account_id = c.account_id};
  }
  core::Status s3_usable(const orgs::OrgCredentials&) override { return {}; }
  core::Result<orgs::BucketState> bucket_state(const orgs::OrgCredentials&,
                                               const std::string& b) override {
    return buckets.contains(b) ? orgs::BucketState::kOurs : orgs::BucketState::kAbsent;
  }
  core::Result<std::vector<std::string>> report_names(const orgs::OrgCredentials& c) override {
    if (c.account_id.ends_with('9')) return std::vector<std::string>{"finance"};
    return reports.contains(c.account_id) ? std::vector<std::string>{std::string(orgs::kReportName)}
                                          : std::vector<std::string>{};
  }
  core::Status create_billing_bucket(const orgs::OrgCredentials&, const std::string& b) override {
    buckets.insert(b);
    return {};
  }
  core::Status create_report(const orgs::OrgCredentials& c, const std::string&,
                             const std::string&) override {
    reports.insert(c.account_id);
    return {};
  }
  std::set<std::string> orgs_made, buckets, reports;
};

class OrgsRoutesTest : public testing::WebTest {
 protected:
  void SetUp() override {
    core::log::observe_for_test([this](std::string_view line) {
      std::lock_guard lock(log_mutex_);
      log_ += line;
      log_ += '\n';
    });
    open_web({orgs::migrations()});
    if (IsSkipped() || HasFatalFailure()) return;
    auto box = identity::SecretBox::from_key_text(identity::SecretBox::generate_key_text());
    ASSERT_TRUE(box.ok());
    box_ = std::make_unique<identity::SecretBox>(*box);
    orgs_ = std::make_unique<orgs::AwsOrganizations>(h_.database->db(), h_.clock, ids_, aws_,
                                                     *h_.audit, box_.get());
    ASSERT_TRUE(add_orgs_routes(router_, *pages_, *auth_, *orgs_).ok());
    const identity::User mona = h_.user("mona@example.com", "Mona");
    const identity::User max = h_.user("max@example.com", "Max");
    const identity::User alice = h_.user("alice@example.com", "Alice");
    market_ = h_.org("Demo Marketplace", mona, identity::OrgKind::kMarketplace, "MP-0000");
    other_ = h_.org("Other Marketplace", max, identity::OrgKind::kMarketplace, "MP-0001");
    h_.org("Acme", alice, identity::OrgKind::kProvider);
    ASSERT_TRUE(h_.service
                    ->invite(market_.id, "alice@example.com", identity::Role::kMember,
                             identity::Actor::system())
                    .ok());
    token_ = h_.service->create_api_token(market_.id, "ops", identity::Actor::system())->secret;
    other_token_ =
        h_.service->create_api_token(other_.id, "ops", identity::Actor::system())->secret;
  }
  void TearDown() override { core::log::observe_for_test({}); }

  Reply call(http::Method method, const std::string& path, const json& body = nullptr,
             const std::string& as = "") {
    TestClient c(router_);
    Reply r = c.api(method, path, body.is_null() ? "" : body.dump(),
                    {{"authorization", "Bearer " + (as.empty() ? token_ : as)}});
    answers_ += r.body;
    return r;
  }
  static json body(const Reply& r) { return json::parse(r.body, nullptr, false); }
  json add_body(const std::string& account, bool make_default = false) {
    return {{"account_id", account},
            {"region", "us-east-1"},
            {"access_key_id", kKeyId},
            {"secret_access_key", kSecret},
            {"email_pattern", "aws+%s@example.com"},
            {"default", make_default}};
  }

  core::RandomIdGenerator ids_;
  std::unique_ptr<identity::SecretBox> box_;
  FakeAws aws_;
  std::unique_ptr<orgs::AwsOrganizations> orgs_;
  identity::Organization market_, other_;
  std::string token_, other_token_;
  std::mutex log_mutex_;
  std::string log_;
  std::string answers_;  // every API answer's body
};

TEST_P(OrgsRoutesTest, AddListEditRemoveOverTheApi) {
  EXPECT_EQ(body(call(http::Method::kGet, kUrl))["organizations"].size(), 0u);
  const Reply added = call(http::Method::kPost, kUrl, add_body("444455556666"));
  ASSERT_EQ(added.status, 201) << added.body;
  const json a = body(added);
  EXPECT_EQ(a["access_key_id"], "AKIA…NT01");
  EXPECT_EQ(a["default"], true);
  EXPECT_EQ(a["checks"].size(), 6u);
  for (const auto& c : a["checks"]) EXPECT_EQ(c["ok"], true) << c.dump();
  EXPECT_FALSE(a.contains("secret_access_key"));

  const Reply second = call(http::Method::kPost, kUrl, add_body("111122223333", true));
  ASSERT_EQ(second.status, 201) << second.body;
  const json listed = body(call(http::Method::kGet, kUrl));
  ASSERT_EQ(listed["organizations"].size(), 2u);
  EXPECT_EQ(listed["organizations"][0]["id"], body(second)["id"]);
  EXPECT_EQ(listed["organizations"][0]["default"], true);
  EXPECT_EQ(listed["organizations"][1]["default"], false);

  const std::string first_url = std::string(kUrl) + "/" + a["id"].get<std::string>();
  const Reply patched = call(http::Method::kPatch, first_url,
                             {{"email_pattern", "ops+%s@example.org"}, {"default", true}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(body(patched)["email_pattern"], "ops+%s@example.org");
  EXPECT_EQ(body(patched)["default"], true);
  const Reply bad_pattern = call(http::Method::kPatch, first_url, {{"email_pattern", "x%s"}});
  EXPECT_EQ(bad_pattern.status, 422);
  EXPECT_EQ(body(bad_pattern)["error"]["details"][0]["field"], "email_pattern");

  const Reply checked = call(http::Method::kPost, first_url + "/checks");
  ASSERT_EQ(checked.status, 200) << checked.body;
  EXPECT_EQ(body(checked)["last_check_ok"], true);

  const Reply refused = call(http::Method::kDelete, first_url);
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(body(refused)["error"]["code"], "default_required");
  const Reply removed =
      call(http::Method::kDelete,
           first_url + "?new_default_id=" + body(second)["id"].get<std::string>());
  EXPECT_EQ(removed.status, 204) << removed.body;
  const json after = body(call(http::Method::kGet, kUrl));
  ASSERT_EQ(after["organizations"].size(), 1u);
  EXPECT_EQ(after["organizations"][0]["default"], true);
}

TEST_P(OrgsRoutesTest, AFailedCheckIs422WithTheChecksAndSavesNothing) {
  const Reply failed = call(http::Method::kPost, kUrl, add_body("444455556669"));
  ASSERT_EQ(failed.status, 422) << failed.body;
  const json e = body(failed)["error"];
  EXPECT_EQ(e["code"], "preflight_failed");
  ASSERT_TRUE(e["checks"].is_array());
  bool cur_failed = false;
  for (const auto& c : e["checks"]) {
    if (c["name"] == "cost_report") cur_failed = c["ok"] == false;
  }
  EXPECT_TRUE(cur_failed) << e.dump();
  EXPECT_EQ(body(call(http::Method::kGet, kUrl))["organizations"].size(), 0u);

  json wrong = add_body("444455556666");
  wrong["secret_access_key"] = "Another-Secret-Access-Key-000000000";
  const Reply refused = call(http::Method::kPost, kUrl, wrong);
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(body(refused)["error"]["checks"][0]["name"], "keys");
  EXPECT_EQ(body(refused)["error"]["checks"][0]["ok"], false);
}

TEST_P(OrgsRoutesTest, OnlyTheMarketplacesAdminsReachIt) {
  ASSERT_EQ(call(http::Method::kPost, kUrl, add_body("444455556666")).status, 201);
  // Another marketplace's token: 404, as for a missing one.
  EXPECT_EQ(call(http::Method::kGet, kUrl, nullptr, other_token_).status, 404);
  EXPECT_EQ(call(http::Method::kGet, "/api/v1/marketplaces/MP-0001/aws-organizations", nullptr,
                 other_token_)
                .status,
            200);
  EXPECT_EQ(call(http::Method::kGet, "/api/v1/marketplaces/MP-9999/aws-organizations").status, 404);
  // A member who is not an admin: 403 on the page.
  TestClient member(router_);
  sign_in(member, "alice@example.com");
  EXPECT_EQ(member.get("/marketplaces/MP-0000/settings/aws").status, 403);
  TestClient stranger(router_);
  sign_in(stranger, "max@example.com");
  EXPECT_EQ(stranger.get("/marketplaces/MP-0000/settings/aws").status, 404);
}

TEST_P(OrgsRoutesTest, ThePageGuidesAddsShowsChecksAndEdits) {
  TestClient c(router_);
  const std::string csrf = sign_in(c, "mona@example.com");
  const Reply nav = c.get("/orgs/demo-marketplace/settings/aws");
  EXPECT_EQ(nav.status, 303);
  EXPECT_EQ(nav.location(), "/marketplaces/MP-0000/settings/aws");
  const Reply empty = c.get("/marketplaces/MP-0000/settings/aws");
  ASSERT_EQ(empty.status, 200);
  EXPECT_NE(empty.body.find("IAM user for Marketlink"), std::string::npos);
  EXPECT_NE(empty.body.find("daily-billing-report-"), std::string::npos);
  EXPECT_NE(empty.body.find("aws-accounts+1cc0c520-b@example.com"), std::string::npos);

  // A failing check: 422, the form again with the checks one by one, nothing listed.
  const Reply failed =
      c.post_form("/marketplaces/MP-0000/settings/aws", {{"csrf_token", csrf},
                                                         {"account_id", "444455556669"},
                                                         {"region", "eu-west-1"},
                                                         {"access_key_id", kKeyId},
                                                         {"secret_access_key", kSecret},
                                                         {"email_pattern", "team+%s@example.net"}});
  EXPECT_EQ(failed.status, 422);
  EXPECT_NE(failed.body.find("The checks did not pass"), std::string::npos);
  EXPECT_NE(failed.body.find("finance"), std::string::npos);
  EXPECT_NE(failed.body.find("Check again"), std::string::npos);
  EXPECT_NE(failed.body.find("team+1cc0c520-b@example.net"), std::string::npos)
      << "the examples follow the pattern entered";
  EXPECT_NE(failed.body.find("value=\"444455556669\""), std::string::npos);
  EXPECT_EQ(failed.body.find("Linked organizations"), std::string::npos);

  // A field error is shown next to its field.
  const Reply bad =
      c.post_form("/marketplaces/MP-0000/settings/aws", {{"csrf_token", csrf},
                                                         {"account_id", "444455556666"},
                                                         {"region", "eu-west-1"},
                                                         {"access_key_id", kKeyId},
                                                         {"secret_access_key", kSecret},
                                                         {"email_pattern", "team@example.net"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("email_pattern-error"), std::string::npos);

  const Reply added =
      c.post_form("/marketplaces/MP-0000/settings/aws", {{"csrf_token", csrf},
                                                         {"account_id", "444455556666"},
                                                         {"region", "eu-west-1"},
                                                         {"access_key_id", kKeyId},
                                                         {"secret_access_key", kSecret},
                                                         {"email_pattern", "team+%s@example.net"}});
  ASSERT_EQ(added.status, 303) << added.body;
  const Reply listed = c.get("/marketplaces/MP-0000/settings/aws");
  ASSERT_EQ(listed.status, 200);
  EXPECT_NE(listed.body.find("AKIA…NT01"), std::string::npos);
  EXPECT_NE(listed.body.find("team+%s@example.net"), std::string::npos);
  EXPECT_NE(listed.body.find("Default"), std::string::npos);
  EXPECT_NE(listed.body.find("Passed"), std::string::npos);
  EXPECT_EQ(listed.body.find(kKeyId), std::string::npos) << "the key id is shown masked";

  const std::string id = orgs_->list("MP-0000")->front().id;
  const Reply edited = c.post_form("/marketplaces/MP-0000/settings/aws/" + id,
                                   {{"csrf_token", csrf}, {"email_pattern", "ops+%s@example.org"}});
  EXPECT_EQ(edited.status, 303);
  EXPECT_EQ(orgs_->get("MP-0000", id)->email_pattern, "ops+%s@example.org");
  const Reply checked =
      c.post_form("/marketplaces/MP-0000/settings/aws/" + id + "/check", {{"csrf_token", csrf}});
  EXPECT_EQ(checked.status, 303);
  const Reply removed =
      c.post_form("/marketplaces/MP-0000/settings/aws/" + id + "/remove", {{"csrf_token", csrf}});
  EXPECT_EQ(removed.status, 303);
  EXPECT_TRUE(orgs_->list("MP-0000")->empty());
}

TEST_P(OrgsRoutesTest, TheSecretIsNowhereInTheDatabaseTheLogsOrAnyAnswer) {
  const Reply added = call(http::Method::kPost, kUrl, add_body("444455556666"));
  ASSERT_EQ(added.status, 201);
  const std::string url = std::string(kUrl) + "/" + body(added)["id"].get<std::string>();
  call(http::Method::kGet, kUrl);
  call(http::Method::kPatch, url,
       {{"access_key_id", "AKIAORGSMANAGEMENT02"}, {"secret_access_key", kSecret}});
  call(http::Method::kPost, url + "/checks");
  call(http::Method::kPost, kUrl, add_body("444455556669"));  // 422 with checks
  TestClient c(router_);
  sign_in(c, "mona@example.com");
  answers_ += c.get("/marketplaces/MP-0000/settings/aws").body;
  ASSERT_TRUE(orgs_->credentials("MP-0000", body(added)["id"]).ok());
  EXPECT_EQ(orgs_->credentials("MP-0000", body(added)["id"])->secret_access_key, kSecret);

  EXPECT_EQ(answers_.find(kSecret), std::string::npos);
  {
    std::lock_guard lock(log_mutex_);
    EXPECT_EQ(log_.find(kSecret), std::string::npos);
  }
  // Every text the database holds: the SQLite file itself; on PostgreSQL, every row of the
  // tables the change touched (the organizations and the audit log), as text.
  std::string stored;
  const std::string& db_url = h_.database->url();
  if (db_url.starts_with("sqlite:")) {
    // The database file and its write-ahead log, where recent writes are.
    for (const std::string& path : {db_url.substr(7), db_url.substr(7) + "-wal"}) {
      std::ifstream file(path, std::ios::binary);
      if (!file.good()) continue;
      std::stringstream all;
      all << file.rdbuf();
      stored += all.str();
    }
    ASSERT_NE(stored.find("444455556666"), std::string::npos) << "the file was read";
  } else {
    auto read = h_.database->db().transact([&](db::Tx& tx) -> core::Status {
      for (const char* table : {"orgs_aws_organizations", "audit_events"}) {
        std::string row;
        soci::statement st =
            (tx.sql().prepare << std::string("SELECT CAST(t AS TEXT) FROM ") + table + " t",
             soci::into(row));
        st.execute();
        while (st.fetch()) stored += row;
      }
      return {};
    });
    ASSERT_TRUE(read.ok()) << read.error().message;
    ASSERT_NE(stored.find("444455556666"), std::string::npos);
  }
  EXPECT_EQ(stored.find(kSecret), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, OrgsRoutesTest,
                         ::testing::Values(db::testing::TestBackend::kSqlite,
                                           db::testing::TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace web
