// HTTP-level tests of the SaaS JSON API on both backends: the operator's products and
// registrations, and an organization's subscriptions, with API tokens and signed-in sessions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "web/saas/saas_seller_web_test_support.h"

namespace web {
namespace {

using db::testing::TestBackend;
using nlohmann::json;
using testing::Reply;
using testing::TestClient;

class SaasApiTest : public testing::SaasSellerWebTest {
 protected:
  void SetUp() override {
    open_saas_web();
    if (IsSkipped() || HasFatalFailure()) return;
    omar_ = h_.user("omar@marketlink.test", "Omar Member");
    add_member(operator_org_, omar_);
    cathy_ = h_.user("cathy@acme.test", "Cathy Admin");
    acme_ = customer("Acme", cathy_);
    const identity::User gus = h_.user("gus@globex.test", "Gus");
    globex_ = customer("Globex", gus);
    operator_token_ = api_token(operator_org_);
    acme_token_ = api_token(acme_);
    globex_token_ = api_token(globex_);
  }

  static json new_product(const std::string& code) {
    return {{"product_code", code},
            {"name", "Acme Analytics"},
            {"pricing_model", "contract_with_consumption"},
            {"dimensions", json::array({json{{"name", "users"}, {"description", "Active users"}},
                                        json{{"name", "gb"}}})},
            {"concurrent_agreements", true},
            {"manage_url", "https://aws.amazon.com/marketplace/pp/" + code},
            {"support_contact", "help@seller.test"},
            {"new_org_subscription", "active"}};
  }
  Reply op(http::Method method, const std::string& path, const std::string& body = "") {
    return call(operator_token_, method, path, body);
  }
  static std::set<std::string> keys(const json& object) {
    std::set<std::string> out;
    for (const auto& [key, value] : object.items()) out.insert(key);
    return out;
  }
  // The references of a registration list, in order.
  static std::vector<std::string> references(const Reply& r) {
    std::vector<std::string> out;
    const json j = body(r);
    if (!j.contains("registrations")) return out;
    for (const json& g : j["registrations"]) out.push_back(g["reference"]);
    return out;
  }

  identity::User omar_, cathy_;
  identity::Organization acme_, globex_;
  std::string operator_token_, acme_token_, globex_token_;
};

TEST_P(SaasApiTest, OnlyTheOperatorReadsProductsAndOnlyItsAdminsWrite) {
  product("prod-a");
  EXPECT_EQ(op(http::Method::kGet, "/api/v1/products").status, 200);
  const Reply created = op(http::Method::kPost, "/api/v1/products", new_product("prod-t").dump());
  EXPECT_EQ(created.status, 201) << created.body;

  // A customer's token: the routes do not exist for it.
  EXPECT_EQ(call(acme_token_, http::Method::kGet, "/api/v1/products").status, 404);
  EXPECT_EQ(call(acme_token_, http::Method::kGet, "/api/v1/products/prod-a").status, 404);
  EXPECT_EQ(call(acme_token_, http::Method::kPost, "/api/v1/products", new_product("prod-x").dump())
                .status,
            404);
  EXPECT_EQ(
      call(acme_token_, http::Method::kPatch, "/api/v1/products/prod-a", R"({"name": "Taken"})")
          .status,
      404);
  EXPECT_EQ(call(acme_token_, http::Method::kGet, "/api/v1/registrations").status, 404);
  TestClient anonymous(router_);
  EXPECT_EQ(anonymous.api(http::Method::kGet, "/api/v1/products").status, 401);

  // An operator member reads but does not change.
  TestClient member(router_);
  const std::string csrf = sign_in(member, "omar@marketlink.test");
  EXPECT_EQ(member.api(http::Method::kGet, "/api/v1/products").status, 200);
  EXPECT_EQ(member.api(http::Method::kGet, "/api/v1/registrations").status, 200);
  const Reply refused = member.api(http::Method::kPost, "/api/v1/products",
                                   new_product("prod-m").dump(), {{"x-csrf-token", csrf}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(error_code(refused), "forbidden");
  EXPECT_EQ(member
                .api(http::Method::kPatch, "/api/v1/products/prod-a", R"({"name": "Mine"})",
                     {{"x-csrf-token", csrf}})
                .status,
            403);
  // The operator's admin, signed in, does.
  TestClient admin(router_);
  const std::string admin_csrf = sign_in(admin, "operator@marketlink.test");
  EXPECT_EQ(admin
                .api(http::Method::kPatch, "/api/v1/products/prod-a", R"({"name": "Renamed"})",
                     {{"x-csrf-token", admin_csrf}})
                .status,
            200);
  auto products = saas_->products();
  ASSERT_TRUE(products.ok());
  ASSERT_EQ(products->size(), 2u);
  EXPECT_EQ(saas_->product("prod-a")->name, "Renamed");
}

TEST_P(SaasApiTest, CreatesReadsAndChangesProducts) {
  const Reply created = op(http::Method::kPost, "/api/v1/products", new_product("prod-a").dump());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.location(), "/api/v1/products/prod-a");
  const json p = body(created);
  EXPECT_EQ(keys(p),
            (std::set<std::string>{"product_code", "name", "pricing_model", "dimensions",
                                   "concurrent_agreements", "manage_url", "support_contact",
                                   "new_org_subscription", "created_at", "updated_at"}));
  EXPECT_EQ(p["pricing_model"], "contract_with_consumption");
  EXPECT_EQ(p["dimensions"], json::parse(R"([{"name": "users", "description": "Active users"},
                                             {"name": "gb", "description": ""}])"));
  EXPECT_EQ(p["concurrent_agreements"], true);
  EXPECT_EQ(p["new_org_subscription"], "active");
  EXPECT_EQ(p["created_at"], "2026-03-02T09:00:00.000Z");

  const Reply read = op(http::Method::kGet, "/api/v1/products/prod-a");
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(body(read), p);
  const Reply list = op(http::Method::kGet, "/api/v1/products");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(body(list)["products"].size(), 1u);
  EXPECT_EQ(body(list)["products"][0], p);
  EXPECT_EQ(op(http::Method::kGet, "/api/v1/products/prod-zzz").status, 404);
  EXPECT_EQ(error_code(op(http::Method::kGet, "/api/v1/products/prod-zzz")), "product_not_found");

  h_.clock.advance(std::chrono::minutes(5));
  const Reply changed = op(http::Method::kPatch, "/api/v1/products/prod-a",
                           R"({"name": "Acme Insights", "concurrent_agreements": false})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(body(changed)["name"], "Acme Insights");
  EXPECT_EQ(body(changed)["concurrent_agreements"], false);
  EXPECT_EQ(body(changed)["manage_url"], p["manage_url"]) << "what was not sent stays";
  EXPECT_EQ(body(changed)["dimensions"], p["dimensions"]);
  EXPECT_EQ(body(changed)["updated_at"], "2026-03-02T09:05:00.000Z");
  EXPECT_EQ(body(changed)["created_at"], p["created_at"]);
  const Reply missing = op(http::Method::kPatch, "/api/v1/products/prod-zzz", R"({"name": "X"})");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(error_code(missing), "product_not_found");
}

TEST_P(SaasApiTest, RefusesBadProductBodiesAndChangesNothing) {
  ASSERT_EQ(op(http::Method::kPost, "/api/v1/products", new_product("prod-a").dump()).status, 201);
  const json before = body(op(http::Method::kGet, "/api/v1/products/prod-a"));
  const auto refused = [&](http::Method method, const std::string& path, const json& b,
                           const std::string& code, const std::string& field, int status = 422) {
    const Reply r = op(method, path, b.dump());
    EXPECT_EQ(r.status, status) << b.dump() << "\n" << r.body;
    EXPECT_EQ(error_code(r), code) << b.dump();
    EXPECT_EQ(error_field(r), field) << b.dump();
  };
  const auto post = http::Method::kPost;
  const auto patch = http::Method::kPatch;
  const std::string one = "/api/v1/products/prod-a";
  json unknown = new_product("prod-b");
  unknown["colour"] = "blue";
  refused(post, "/api/v1/products", unknown, "invalid_argument", "colour");
  refused(patch, one, {{"colour", "blue"}}, "invalid_argument", "colour");
  refused(patch, one, {{"created_at", "2020-01-01T00:00:00Z"}}, "invalid_argument", "created_at");
  refused(patch, one, {{"name", 5}}, "invalid_argument", "name");
  refused(patch, one, {{"concurrent_agreements", "yes"}}, "invalid_argument",
          "concurrent_agreements");
  refused(patch, one, {{"dimensions", "users"}}, "invalid_argument", "dimensions");
  refused(patch, one, {{"dimensions", json::array({json{{"name", 7}}})}}, "invalid_argument",
          "dimensions[0].name");
  refused(patch, one, {{"dimensions", json::array({json{{"name", "users"}, {"unit", "seats"}}})}},
          "invalid_argument", "dimensions[0].unit");
  refused(patch, one, {{"pricing_model", "monthly"}}, "invalid_argument", "pricing_model");
  refused(patch, one, {{"new_org_subscription", "expired"}}, "invalid_argument",
          "new_org_subscription");
  json no_identity = new_product("prod-b");
  no_identity.erase("concurrent_agreements");
  refused(post, "/api/v1/products", no_identity, "invalid_argument", "concurrent_agreements");
  // The service's rules of the values.
  refused(patch, one, {{"manage_url", "http://example.com/p"}}, "invalid_product", "manage_url");
  refused(patch, one, {{"product_code", "prod-other"}}, "invalid_product", "product_code");
  refused(patch, one, {{"pricing_model", "free"}}, "invalid_product", "dimensions");
  json no_name = new_product("prod-b");
  no_name.erase("name");
  refused(post, "/api/v1/products", no_name, "invalid_product", "name");
  refused(post, "/api/v1/products", new_product("prod-a"), "product_exists", "product_code", 409);
  const Reply malformed = op(post, "/api/v1/products", "{oops");
  EXPECT_EQ(malformed.status, 422);
  EXPECT_EQ(error_code(malformed), "invalid_json");

  EXPECT_EQ(body(op(http::Method::kGet, one)), before) << "nothing changed";
  EXPECT_EQ(body(op(http::Method::kGet, "/api/v1/products"))["products"].size(), 1u);
}

TEST_P(SaasApiTest, ListsRegistrationsWithFiltersPagesAndReferences) {
  product("prod-a", /*legacy=*/true);
  product("prod-b");
  const saas::Registration a1 = land(token("a1", "prod-a", "111111111111", "cust-a1"));
  const saas::Registration b1 =
      land(token("b1", "prod-b", "222222222222", "", "arn:aws:license-manager::1:license:l-b1"),
           "free-trial");
  const saas::Registration bad = land("garbage-token");
  const saas::Registration b2 =
      land(token("b2", "prod-b", "111111111111", "", "arn:aws:license-manager::1:license:l-b2"));
  const saas::Link l = link(b1, acme_, cathy_);
  h_.clock.advance(std::chrono::hours(24));
  const saas::Registration a2 = land(token("a2", "prod-a", "333333333333", "cust-a2"));

  const Reply all = op(http::Method::kGet, "/api/v1/registrations");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(references(all), (std::vector<std::string>{a2.reference, b2.reference, bad.reference,
                                                       b1.reference, a1.reference}));
  EXPECT_TRUE(body(all)["next_cursor"].is_null());
  EXPECT_FALSE(contains(all.body, "tok-")) << "never a token";
  const json linked = body(all)["registrations"][3];
  EXPECT_EQ(keys(linked), (std::set<std::string>{"id",
                                                 "reference",
                                                 "outcome",
                                                 "outcome_slug",
                                                 "outcome_message",
                                                 "product_code",
                                                 "customer_identifier",
                                                 "customer_aws_account_id",
                                                 "license_arn",
                                                 "offer_type",
                                                 "free_trial",
                                                 "choice",
                                                 "landings",
                                                 "linked_org_id",
                                                 "link_id",
                                                 "link_status",
                                                 "landed_at",
                                                 "resolved_at",
                                                 "expires_at",
                                                 "linked_at"}));
  EXPECT_EQ(linked["id"], b1.id);
  EXPECT_EQ(linked["outcome"], "linked");
  EXPECT_EQ(linked["product_code"], "prod-b");
  EXPECT_EQ(linked["customer_aws_account_id"], "222222222222");
  EXPECT_EQ(linked["license_arn"], "arn:aws:license-manager::1:license:l-b1");
  EXPECT_TRUE(linked["customer_identifier"].is_null());
  EXPECT_EQ(linked["offer_type"], "free-trial");
  EXPECT_EQ(linked["free_trial"], true);
  EXPECT_EQ(linked["linked_org_id"], acme_.id);
  EXPECT_EQ(linked["link_id"], l.id);
  EXPECT_EQ(linked["link_status"], "pending");
  EXPECT_EQ(linked["landings"], 1);
  EXPECT_EQ(linked["landed_at"], "2026-03-02T09:01:00.000Z");
  EXPECT_TRUE(linked["linked_at"].is_string());
  const json failed = body(all)["registrations"][2];
  EXPECT_EQ(failed["outcome"], "invalid_token");
  EXPECT_EQ(failed["outcome_slug"], "invalid_token");
  EXPECT_TRUE(failed["product_code"].is_null());
  EXPECT_TRUE(failed["resolved_at"].is_null());
  EXPECT_TRUE(failed["link_status"].is_null());

  const auto listed = [&](const std::string& query) {
    const Reply r = op(http::Method::kGet, "/api/v1/registrations" + query);
    EXPECT_EQ(r.status, 200) << query << "\n" << r.body;
    return references(r);
  };
  using Refs = std::vector<std::string>;
  EXPECT_EQ(listed("?product_code=prod-a"), (Refs{a2.reference, a1.reference}));
  EXPECT_EQ(listed("?outcome=invalid_token"), Refs{bad.reference});
  EXPECT_EQ(listed("?status=pending"), Refs{b1.reference});
  EXPECT_TRUE(listed("?status=cancelled").empty());
  EXPECT_EQ(listed("?buyer=111111111111"), (Refs{b2.reference, a1.reference}));
  EXPECT_EQ(listed("?product_code=prod-b&buyer=111111111111"), Refs{b2.reference});
  EXPECT_EQ(listed("?from=2026-03-03"), Refs{a2.reference});
  EXPECT_EQ(listed("?to=2026-03-02"),
            (Refs{b2.reference, bad.reference, b1.reference, a1.reference}));
  EXPECT_EQ(listed("?from=2026-03-02T09:01:00Z&to=2026-03-02T09:03:00Z"),
            (Refs{bad.reference, b1.reference}))
      << "times: from inclusive, to exclusive";

  // A support reference as people type it finds one; an unknown one finds none.
  std::string typed = b2.reference;
  std::erase(typed, '-');
  std::transform(typed.begin(), typed.end(), typed.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  EXPECT_EQ(listed("?reference=" + typed), Refs{b2.reference});
  const Reply by_reference =
      op(http::Method::kGet, "/api/v1/registrations?reference=" + b1.reference);
  EXPECT_EQ(body(by_reference)["registrations"][0]["link_status"], "pending");
  EXPECT_TRUE(listed("?reference=ML-2222-2222").empty());
  EXPECT_TRUE(listed("?reference=hello").empty());

  // Paging.
  const Reply first = op(http::Method::kGet, "/api/v1/registrations?limit=2");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(references(first), (Refs{a2.reference, b2.reference}));
  const std::string cursor = body(first)["next_cursor"];
  const Reply second =
      op(http::Method::kGet, "/api/v1/registrations?limit=2&cursor=" + http::url_encode(cursor));
  EXPECT_EQ(references(second), (Refs{bad.reference, b1.reference}));
  const std::string cursor2 = body(second)["next_cursor"];
  const Reply third =
      op(http::Method::kGet, "/api/v1/registrations?limit=2&cursor=" + http::url_encode(cursor2));
  EXPECT_EQ(references(third), Refs{a1.reference});
  EXPECT_TRUE(body(third)["next_cursor"].is_null());

  // Bad parameters name themselves.
  for (const auto& [query, field] :
       std::vector<std::pair<std::string, std::string>>{{"?outcome=won", "outcome"},
                                                        {"?status=open", "status"},
                                                        {"?buyer=12", "buyer"},
                                                        {"?from=yesterday", "from"},
                                                        {"?to=2026-13-01", "to"},
                                                        {"?limit=0", "limit"},
                                                        {"?limit=201", "limit"},
                                                        {"?limit=ten", "limit"}}) {
    const Reply r = op(http::Method::kGet, "/api/v1/registrations" + query);
    EXPECT_EQ(r.status, 422) << query;
    EXPECT_EQ(error_code(r), "invalid_argument") << query;
    EXPECT_EQ(error_field(r), field) << query;
  }
  EXPECT_EQ(op(http::Method::kGet, "/api/v1/registrations?cursor=nonsense").status, 422);
}

TEST_P(SaasApiTest, ARegistrationComesWithItsTimelineAndLink) {
  product("prod-b");
  const std::string t =
      token("d1", "prod-b", "444444444444", "", "arn:aws:license-manager::1:license:l-d1");
  const saas::Registration r = land(t);
  ASSERT_TRUE(saas_->record_choice(r.id, saas::Choice::kNew).ok());
  const saas::Link l = link(r, acme_, cathy_);

  const Reply got = op(http::Method::kGet, "/api/v1/registrations/" + r.id);
  ASSERT_EQ(got.status, 200) << got.body;
  const json g = body(got);
  EXPECT_EQ(g["reference"], r.reference);
  EXPECT_EQ(g["choice"], "new");
  EXPECT_EQ(g["product_name"], "Product prod-b");
  std::vector<std::string> kinds;
  for (const json& e : g["timeline"]) kinds.push_back(e["kind"]);
  EXPECT_EQ(kinds, (std::vector<std::string>{"landed", "resolved", "chose_new", "linked"}));
  EXPECT_EQ(g["timeline"][3]["org_id"], acme_.id);
  EXPECT_EQ(g["timeline"][3]["user_id"], cathy_.id);
  EXPECT_EQ(g["timeline"][0]["seq"], 1);
  ASSERT_TRUE(g["link"].is_object());
  EXPECT_EQ(g["link"]["id"], l.id);
  EXPECT_EQ(g["link"]["org_id"], acme_.id);
  EXPECT_EQ(g["link"]["status"], "pending");
  EXPECT_EQ(g["link"]["license_arn"], "arn:aws:license-manager::1:license:l-d1");
  EXPECT_EQ(g["link"]["linked_by_user_id"], cathy_.id);
  EXPECT_FALSE(contains(got.body, t)) << "never the token";

  const Reply unlinked = op(http::Method::kGet, "/api/v1/registrations/" + land("garbage").id);
  ASSERT_EQ(unlinked.status, 200);
  EXPECT_TRUE(body(unlinked)["link"].is_null());
  EXPECT_TRUE(body(unlinked)["product_name"].is_null());
  const Reply missing = op(http::Method::kGet, "/api/v1/registrations/no-such-id");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(error_code(missing), "registration_not_found");
}

TEST_P(SaasApiTest, AnOrganizationReadsItsOwnSubscriptions) {
  const Reply none = call(acme_token_, http::Method::kGet, "/api/v1/orgs/acme/subscription");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(body(none), json::parse(R"({"subscriptions": []})"));

  product("prod-c");
  const saas::Link l = link(
      land(token("c1", "prod-c", "555555555555", "", "arn:aws:license-manager::1:license:l-c1"),
           "free-trial"),
      acme_, cathy_);
  const Reply one = call(acme_token_, http::Method::kGet, "/api/v1/orgs/acme/subscription");
  ASSERT_EQ(one.status, 200);
  ASSERT_EQ(body(one)["subscriptions"].size(), 1u);
  const json s = body(one)["subscriptions"][0];
  EXPECT_EQ(keys(s),
            (std::set<std::string>{"id", "product_code", "product_name", "customer_aws_account_id",
                                   "customer_identifier", "license_arn", "offer_type", "free_trial",
                                   "free_trial_ends_at", "status", "linked_at", "manage_url",
                                   "entitlements"}));
  EXPECT_EQ(s["entitlements"], json::array()) << "until AWS tells";
  EXPECT_EQ(s["id"], l.id);
  EXPECT_EQ(s["product_code"], "prod-c");
  EXPECT_EQ(s["product_name"], "Product prod-c");
  EXPECT_EQ(s["customer_aws_account_id"], "555555555555");
  EXPECT_TRUE(s["customer_identifier"].is_null());
  EXPECT_EQ(s["license_arn"], "arn:aws:license-manager::1:license:l-c1");
  EXPECT_EQ(s["offer_type"], "free-trial");
  EXPECT_EQ(s["free_trial"], true);
  EXPECT_TRUE(s["free_trial_ends_at"].is_null()) << "until AWS tells";
  EXPECT_EQ(s["status"], "pending");
  EXPECT_EQ(s["manage_url"], "https://aws.amazon.com/marketplace/pp/prod-c");

  // A member signed in reads it too; other tenants and the operator do not.
  TestClient c(router_);
  sign_in(c, "cathy@acme.test");
  EXPECT_EQ(
      body(c.api(http::Method::kGet, "/api/v1/orgs/acme/subscription"))["subscriptions"].size(),
      1u);
  EXPECT_EQ(call(globex_token_, http::Method::kGet, "/api/v1/orgs/acme/subscription").status, 404);
  EXPECT_EQ(body(call(globex_token_, http::Method::kGet, "/api/v1/orgs/globex/subscription")),
            json::parse(R"({"subscriptions": []})"));
  EXPECT_EQ(op(http::Method::kGet, "/api/v1/orgs/acme/subscription").status, 404);
  EXPECT_EQ(op(http::Method::kGet, "/api/v1/orgs/marketlink-operator/subscription").status, 404)
      << "customer organizations only";
}

INSTANTIATE_TEST_SUITE_P(Backends, SaasApiTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace web
