// HTTP-level tests of the account pool's JSON API on both backends: the real routes, Auth and
// pool::Pool, driven in-process with API tokens and a signed-in member.
#include "web/pool/pool_routes.h"
#include "web/pool/pool_web_test_support.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "identity/identity_test_support.h"
#include "web/pages.h"
#include "web/web_test_support.h"

namespace web {
namespace {

using db::testing::TestBackend;
using identity::testing::IdentityHarness;
using nlohmann::json;
using testing::Reply;
using testing::TestClient;
using namespace std::chrono_literals;

class PoolApiTest : public testing::PoolWebTest {
 protected:
  void SetUp() override {
    open_pool_web();
    if (IsSkipped() || HasFatalFailure()) return;

    const identity::User alice = h_.user("alice@example.com", "Alice");
    const identity::User bob = h_.user("bob@example.com", "Bob");
    const identity::User mona = h_.user("mona@example.com", "Mona");
    h_.org("Demo Marketplace", mona, identity::OrgKind::kMarketplace, "MP-0000");
    h_.org("Second Marketplace", mona, identity::OrgKind::kMarketplace, "MP-0001");
    acme_ = h_.org("Acme", alice, identity::OrgKind::kProvider);
    globex_ = h_.org("Globex", bob, identity::OrgKind::kProvider);
    acme_token_ = token(acme_.id);
    globex_token_ = token(globex_.id);
  }

  std::string token(const std::string& org_id) {
    auto created = h_.service->create_api_token(org_id, "connector", identity::Actor::system());
    EXPECT_TRUE(created.ok());
    return created.ok() ? created->secret : "";
  }

  // An API call as `token` (acme's by default).
  Reply call(http::Method method, const std::string& path, const std::string& body = "",
             const std::string& as = "") {
    TestClient c(router_);
    return c.api(method, path, body,
                 {{"authorization", "Bearer " + (as.empty() ? acme_token_ : as)}});
  }
  Reply import(const std::string& csv, const std::string& as = "") {
    TestClient c(router_);
    return c.request(http::Method::kPost, "/api/v1/orgs/acme/pool/accounts/import", csv,
                     {{"accept", "application/json"},
                      {"content-type", "text/csv"},
                      {"authorization", "Bearer " + (as.empty() ? acme_token_ : as)}});
  }
  Reply add(const std::string& id, const std::string& marketplace = "MP-0000",
            const std::string& model = "SPAM") {
    Reply r =
        call(http::Method::kPost, "/api/v1/orgs/acme/pool/accounts",
             json{{"account_id", id}, {"marketplace_id", marketplace}, {"model", model}}.dump());
    h_.clock.advance(10ms);
    return r;
  }
  static json body(const Reply& r) { return json::parse(r.body, nullptr, false); }
  static std::string error_code(const Reply& r) {
    const json j = body(r);
    return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
  }
  pool::AccountStatus status_of(const std::string& id) {
    auto a = pool_->get(acme_.id, id);
    EXPECT_TRUE(a.ok()) << id;
    return a.ok() ? a->status : pool::AccountStatus::kReady;
  }

  identity::Organization acme_, globex_;
  std::string acme_token_, globex_token_;
};

TEST_P(PoolApiTest, AddsAndListsAccounts) {
  const Reply added = add("111111111111");
  ASSERT_EQ(added.status, 201) << added.body;
  const json a = body(added);
  EXPECT_EQ(a["account_id"], "111111111111");
  EXPECT_EQ(a["marketplace_id"], "MP-0000");
  EXPECT_EQ(a["model"], "SPAM");
  EXPECT_EQ(a["status"], "ready");
  EXPECT_EQ(a["created_at"], "2026-03-02T09:00:00.000Z");
  EXPECT_TRUE(a["updated_at"].is_string());
  EXPECT_TRUE(a["order_id"].is_null());
  ASSERT_EQ(add("222222222222", "MP-0001", "ecam").status, 201);
  ASSERT_EQ(add("333333333333").status, 201);

  EXPECT_EQ(error_code(add("111111111111")), "account_exists");
  EXPECT_EQ(add("111111111111").status, 409);
  EXPECT_EQ(error_code(add("12345")), "invalid_account_id");
  EXPECT_EQ(error_code(add("444444444444", "MP-9999")), "invalid_marketplace")
      << "no marketplace organization has that id";
  EXPECT_EQ(add("444444444444", "MP-0000", "BIG").status, 422);
  const Reply malformed = call(http::Method::kPost, "/api/v1/orgs/acme/pool/accounts", "{oops");
  EXPECT_EQ(malformed.status, 422);
  EXPECT_EQ(error_code(malformed), "invalid_json");
  EXPECT_EQ(call(http::Method::kPost, "/api/v1/orgs/acme/pool/accounts",
                 R"({"account_id": 444444444444, "marketplace_id": "MP-0000", "model": "SPAM"})")
                .status,
            422);

  const Reply all = call(http::Method::kGet, "/api/v1/orgs/acme/pool/accounts");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(body(all)["accounts"].size(), 3u);
  EXPECT_TRUE(body(all)["next_cursor"].is_null());
  EXPECT_EQ(body(all)["accounts"][1]["model"], "ECAM");

  const Reply first = call(http::Method::kGet, "/api/v1/orgs/acme/pool/accounts?limit=2");
  ASSERT_EQ(body(first)["accounts"].size(), 2u);
  const std::string cursor = body(first)["next_cursor"];
  const Reply second =
      call(http::Method::kGet, "/api/v1/orgs/acme/pool/accounts?limit=2&cursor=" + cursor);
  ASSERT_EQ(second.status, 200);
  ASSERT_EQ(body(second)["accounts"].size(), 1u);
  EXPECT_EQ(body(second)["accounts"][0]["account_id"], "333333333333");
  EXPECT_TRUE(body(second)["next_cursor"].is_null());

  const Reply by_mp =
      call(http::Method::kGet, "/api/v1/orgs/acme/pool/accounts?marketplace_id=MP-0001");
  ASSERT_EQ(body(by_mp)["accounts"].size(), 1u);
  EXPECT_EQ(body(by_mp)["accounts"][0]["account_id"], "222222222222");
  EXPECT_EQ(
      body(call(http::Method::kGet, "/api/v1/orgs/acme/pool/accounts?status=invalid"))["accounts"]
          .size(),
      0u);
  const Reply by_model = call(http::Method::kGet, "/api/v1/orgs/acme/pool/accounts?model=ecam");
  ASSERT_EQ(body(by_model)["accounts"].size(), 1u);
  EXPECT_EQ(body(by_model)["accounts"][0]["account_id"], "222222222222");
  const Reply by_prefix =
      call(http::Method::kGet, "/api/v1/orgs/acme/pool/accounts?q=3333&marketplace_id=MP-0000");
  ASSERT_EQ(body(by_prefix)["accounts"].size(), 1u);
  EXPECT_EQ(body(by_prefix)["accounts"][0]["account_id"], "333333333333");
  EXPECT_EQ(body(call(http::Method::kGet,
                      "/api/v1/orgs/acme/pool/accounts?q=1111&model=ECAM"))["accounts"]
                .size(),
            0u);
  const Reply bad_q = call(http::Method::kGet, "/api/v1/orgs/acme/pool/accounts?q=12ab");
  EXPECT_EQ(bad_q.status, 422);
  EXPECT_EQ(error_code(bad_q), "invalid_argument");
  EXPECT_EQ(call(http::Method::kGet, "/api/v1/orgs/acme/pool/accounts?model=big").status, 422);
  EXPECT_EQ(call(http::Method::kGet, "/api/v1/orgs/acme/pool/accounts?status=lost").status, 422);
  EXPECT_EQ(call(http::Method::kGet, "/api/v1/orgs/acme/pool/accounts?limit=0").status, 422);
  EXPECT_EQ(call(http::Method::kGet, "/api/v1/orgs/acme/pool/accounts?limit=x").status, 422);
  EXPECT_EQ(error_code(call(http::Method::kGet, "/api/v1/orgs/acme/pool/accounts?cursor=zz")),
            "invalid_cursor");
}

TEST_P(PoolApiTest, ImportsCsvOrListsEveryBadRow) {
  const Reply ok = import(
      "account_id;marketplace_id;account_model\r\n111111111111;MP-0000;SPAM\r\n"
      "222222222222;MP-0001;ecam\r\n");
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(body(ok)["imported"], 2);

  const Reply bad = import(
      "account_id,marketplace_id,account_model\n333333333333,MP-0000,SPAM\n12,MP-0000,SPAM\n"
      "444444444444,MP-0000,XYZ\n");
  ASSERT_EQ(bad.status, 422) << bad.body;
  const json e = body(bad)["error"];
  EXPECT_EQ(e["code"], "invalid_csv");
  EXPECT_TRUE(e["message"].is_string());
  ASSERT_EQ(e["rows"].size(), 2u);
  EXPECT_EQ(e["rows"][0]["line"], 3);
  EXPECT_TRUE(e["rows"][0]["message"].is_string());
  EXPECT_EQ(e["rows"][1]["line"], 4);
  EXPECT_FALSE(pool_->get(acme_.id, "333333333333").ok()) << "nothing imported";

  const Reply taken = import("111111111111,MP-0000,SPAM\n");
  EXPECT_EQ(taken.status, 422) << "already in the pool: " << taken.body;
  EXPECT_EQ(pool_->counts(acme_.id)->total(), 2);
}

TEST_P(PoolApiTest, EditsAccounts) {
  ASSERT_EQ(add("111111111111").status, 201);
  const std::string path = "/api/v1/orgs/acme/pool/accounts/111111111111";
  const Reply edited =
      call(http::Method::kPatch, path, R"({"marketplace_id": "MP-0001", "model": "ECAM"})");
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(body(edited)["marketplace_id"], "MP-0001");
  EXPECT_EQ(body(edited)["model"], "ECAM");
  EXPECT_EQ(body(edited)["status"], "ready");

  const Reply invalid =
      call(http::Method::kPatch, path, R"({"status": "invalid", "reason": "closed"})");
  ASSERT_EQ(invalid.status, 200) << invalid.body;
  EXPECT_EQ(body(invalid)["status"], "invalid");
  EXPECT_EQ(pool_->get(acme_.id, "111111111111")->status_reason, "closed");
  EXPECT_EQ(body(call(http::Method::kPatch, path, R"({"status": "ready"})"))["status"], "ready");

  EXPECT_EQ(call(http::Method::kPatch, path, R"({"status": "allocated"})").status, 422);
  EXPECT_EQ(call(http::Method::kPatch, path, R"({"model": "BIG"})").status, 422);
  EXPECT_EQ(error_code(call(http::Method::kPatch, path, R"({"marketplace_id": "MP-7777"})")),
            "invalid_marketplace");
  EXPECT_EQ(call(http::Method::kPatch, path, "[1]").status, 422);
  EXPECT_EQ(pool_->get(acme_.id, "111111111111")->marketplace_id, "MP-0001") << "unchanged";
  EXPECT_EQ(call(http::Method::kPatch, "/api/v1/orgs/acme/pool/accounts/999999999999",
                 R"({"model": "SPAM"})")
                .status,
            404);
}

TEST_P(PoolApiTest, DeletesOneOrManyButNotWhileProvisioning) {
  for (const char* id : {"111111111111", "222222222222", "333333333333", "444444444444"}) {
    ASSERT_EQ(add(id).status, 201);
  }
  EXPECT_EQ(call(http::Method::kDelete, "/api/v1/orgs/acme/pool/accounts/111111111111").status,
            204);
  EXPECT_EQ(call(http::Method::kDelete, "/api/v1/orgs/acme/pool/accounts/111111111111").status,
            404);

  ASSERT_EQ(call(http::Method::kPost, "/api/v1/orgs/acme/pool/allocations",
                 R"({"marketplace_id": "MP-0000", "order_ref": "order-1"})")
                .status,
            201);
  ASSERT_EQ(status_of("222222222222"), pool::AccountStatus::kProvisioning);
  const Reply in_use = call(http::Method::kDelete, "/api/v1/orgs/acme/pool/accounts/222222222222");
  EXPECT_EQ(in_use.status, 409);
  EXPECT_EQ(error_code(in_use), "account_in_use");
  EXPECT_EQ(call(http::Method::kPatch, "/api/v1/orgs/acme/pool/accounts/222222222222",
                 R"({"model": "ECAM"})")
                .status,
            409);

  const std::string bulk = "/api/v1/orgs/acme/pool/accounts/delete";
  const Reply mixed =
      call(http::Method::kPost, bulk, R"({"account_ids": ["333333333333", "222222222222"]})");
  EXPECT_EQ(mixed.status, 409) << "all or nothing";
  EXPECT_TRUE(pool_->get(acme_.id, "333333333333").ok());
  EXPECT_EQ(call(http::Method::kPost, bulk, R"({"account_ids": ["999999999999"]})").status, 404);
  EXPECT_EQ(call(http::Method::kPost, bulk, R"({"account_ids": "333333333333"})").status, 422);
  EXPECT_EQ(call(http::Method::kPost, bulk, "{}").status, 422);
  const Reply selected = call(http::Method::kPost, bulk, R"({"account_ids": ["333333333333"]})");
  ASSERT_EQ(selected.status, 200) << selected.body;
  EXPECT_EQ(body(selected)["deleted"], 1);

  const Reply all = call(http::Method::kPost, bulk, R"({"all": true})");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(body(all)["deleted"], 1);
  EXPECT_EQ(body(all)["skipped_in_use"], json::array({"222222222222"}));
  EXPECT_EQ(pool_->counts(acme_.id)->total(), 1);

  // Each deletion that happened is in the organization's audit log, refused ones are not.
  auto events = h_.audit->list(acme_.id, 50, "");
  ASSERT_TRUE(events.ok());
  std::vector<std::string> deletions;
  for (const auto& e : events->events) {
    if (e.action.starts_with("pool.account")) deletions.push_back(e.action + " " + e.target_id);
  }
  std::sort(deletions.begin(), deletions.end());
  EXPECT_EQ(deletions,
            (std::vector<std::string>{"pool.account_deleted 111111111111", "pool.accounts_deleted ",
                                      "pool.accounts_deleted "}));
}

TEST_P(PoolApiTest, AllocatesCompletesAndFails) {
  ASSERT_EQ(add("111111111111").status, 201);
  ASSERT_EQ(add("222222222222").status, 201);
  ASSERT_EQ(add("333333333333", "MP-0001").status, 201);
  const std::string take = "/api/v1/orgs/acme/pool/allocations";
  const Reply first =
      call(http::Method::kPost, take, R"({"marketplace_id": "MP-0000", "order_ref": "order-1"})");
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(body(first)["account_id"], "111111111111") << "the oldest ready one";
  EXPECT_EQ(body(first)["status"], "provisioning");
  EXPECT_EQ(body(first)["order_id"], "order-1");
  const Reply again =
      call(http::Method::kPost, take, R"({"marketplace_id": "MP-0000", "order_ref": "order-1"})");
  EXPECT_EQ(body(again)["account_id"], "111111111111") << "same order, same account";
  const Reply second =
      call(http::Method::kPost, take, R"({"marketplace_id": "MP-0000", "order_ref": "order-2"})");
  EXPECT_EQ(body(second)["account_id"], "222222222222");
  const Reply none =
      call(http::Method::kPost, take, R"({"marketplace_id": "MP-0000", "order_ref": "order-3"})");
  EXPECT_EQ(none.status, 409);
  EXPECT_EQ(error_code(none), "no_ready_account");
  EXPECT_EQ(call(http::Method::kPost, take, R"({"marketplace_id": "MP-0000"})").status, 422);
  EXPECT_EQ(call(http::Method::kPost, take, "not json").status, 422);

  const Reply done =
      call(http::Method::kPost, "/api/v1/orgs/acme/pool/allocations/111111111111/complete");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(body(done)["status"], "allocated");
  EXPECT_EQ(body(done)["order_id"], "order-1");
  const Reply failed =
      call(http::Method::kPost, "/api/v1/orgs/acme/pool/allocations/222222222222/fail",
           R"({"reason": "CreateAccount was refused"})");
  ASSERT_EQ(failed.status, 200) << failed.body;
  EXPECT_EQ(body(failed)["status"], "provisioning_failed");
  EXPECT_EQ(pool_->get(acme_.id, "222222222222")->status_reason, "CreateAccount was refused");
  EXPECT_EQ(
      call(http::Method::kPost, "/api/v1/orgs/acme/pool/allocations/333333333333/complete").status,
      409)
      << "not provisioning";
  EXPECT_EQ(call(http::Method::kPost, "/api/v1/orgs/acme/pool/allocations/222222222222/fail",
                 R"({"reason": 5})")
                .status,
            422);
}

TEST_P(PoolApiTest, AnotherProvidersTokenSeesNothing) {
  ASSERT_EQ(add("111111111111").status, 201);
  const std::string& other = globex_token_;
  EXPECT_EQ(call(http::Method::kGet, "/api/v1/orgs/acme/pool/accounts", "", other).status, 404);
  EXPECT_EQ(call(http::Method::kPatch, "/api/v1/orgs/acme/pool/accounts/111111111111",
                 R"({"model": "ECAM"})", other)
                .status,
            404);
  EXPECT_EQ(
      call(http::Method::kDelete, "/api/v1/orgs/acme/pool/accounts/111111111111", "", other).status,
      404);
  EXPECT_EQ(call(http::Method::kPost, "/api/v1/orgs/acme/pool/allocations",
                 R"({"marketplace_id": "MP-0000", "order_ref": "order-1"})", other)
                .status,
            404);
  // Through its own organization the account is as missing as any other.
  EXPECT_EQ(call(http::Method::kPatch, "/api/v1/orgs/globex/pool/accounts/111111111111",
                 R"({"model": "ECAM"})", other)
                .status,
            404);
  EXPECT_EQ(call(http::Method::kDelete, "/api/v1/orgs/globex/pool/accounts/111111111111", "", other)
                .status,
            404);
  const Reply none = call(http::Method::kPost, "/api/v1/orgs/globex/pool/allocations",
                          R"({"marketplace_id": "MP-0000", "order_ref": "order-1"})", other);
  EXPECT_EQ(error_code(none), "no_ready_account");
  EXPECT_EQ(
      body(call(http::Method::kGet, "/api/v1/orgs/globex/pool/accounts", "", other))["accounts"]
          .size(),
      0u);
  EXPECT_EQ(status_of("111111111111"), pool::AccountStatus::kReady);
  EXPECT_EQ(pool_->get(acme_.id, "111111111111")->model, pool::Model::kSpam);
}

TEST_P(PoolApiTest, MembersReadButOnlyAdminsChange) {
  ASSERT_EQ(add("111111111111").status, 201);
  ASSERT_TRUE(h_.service->invite(acme_.id, "bob@example.com", identity::Role::kMember, {}).ok());
  TestClient c(router_);
  const Reply form = c.get("/login");
  ASSERT_EQ(c.post_form("/login", {{"csrf_token", form.csrf()},
                                   {"email", "bob@example.com"},
                                   {"password", IdentityHarness::kPassword}})
                .status,
            303);
  const std::string csrf = c.get("/orgs/acme").csrf();
  ASSERT_FALSE(csrf.empty());
  const http::Headers h = {{"x-csrf-token", csrf}};
  const Reply list = c.api(http::Method::kGet, "/api/v1/orgs/acme/pool/accounts", "", h);
  EXPECT_EQ(list.status, 200);
  EXPECT_EQ(body(list)["accounts"].size(), 1u);
  const auto forbidden = [&](http::Method method, const std::string& path,
                             const std::string& json_body) {
    const Reply r = c.api(method, path, json_body, h);
    EXPECT_EQ(r.status, 403) << path;
    EXPECT_NE(error_code(r), "csrf_failed") << path;
  };
  forbidden(http::Method::kPost, "/api/v1/orgs/acme/pool/accounts",
            R"({"account_id": "222222222222", "marketplace_id": "MP-0000", "model": "SPAM"})");
  forbidden(http::Method::kPost, "/api/v1/orgs/acme/pool/accounts/import",
            "222222222222,MP-0000,SPAM");
  forbidden(http::Method::kPatch, "/api/v1/orgs/acme/pool/accounts/111111111111",
            R"({"model": "ECAM"})");
  forbidden(http::Method::kDelete, "/api/v1/orgs/acme/pool/accounts/111111111111", "");
  forbidden(http::Method::kPost, "/api/v1/orgs/acme/pool/accounts/delete", R"({"all": true})");
  forbidden(http::Method::kPost, "/api/v1/orgs/acme/pool/allocations",
            R"({"marketplace_id": "MP-0000", "order_ref": "order-1"})");
  forbidden(http::Method::kPost, "/api/v1/orgs/acme/pool/allocations/111111111111/complete", "");
  forbidden(http::Method::kPost, "/api/v1/orgs/acme/pool/allocations/111111111111/fail", "");
  EXPECT_EQ(status_of("111111111111"), pool::AccountStatus::kReady);
  EXPECT_EQ(pool_->counts(acme_.id)->total(), 1);
  // Pool routes exist for provider organizations only.
  ASSERT_TRUE(h_.service
                  ->invite(h_.service->find_marketplace("MP-0000")->id, "bob@example.com",
                           identity::Role::kAdmin, {})
                  .ok());
  EXPECT_EQ(c.api(http::Method::kGet, "/api/v1/orgs/demo-marketplace/pool/accounts", "", h).status,
            404);
}

INSTANTIATE_TEST_SUITE_P(Backends, PoolApiTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace web
