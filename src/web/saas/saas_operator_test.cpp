// HTTP-level tests of the operator's pages on both backends: products (list, register, edit) and
// registrations (filters, paging, support reference lookup, a registration's timeline), through
// the real routes, Auth, SaasService and templates, driven in-process by signed-in browsers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "web/saas/saas_seller_web_test_support.h"

namespace web {
namespace {

using db::testing::TestBackend;
using testing::Reply;
using testing::TestClient;
using Fields = std::vector<std::pair<std::string, std::string>>;

class SaasOperatorTest : public testing::SaasSellerWebTest {
 protected:
  void SetUp() override {
    open_saas_web();
    if (IsSkipped() || HasFatalFailure()) return;
    omar_ = h_.user("omar@marketlink.test", "Omar Member");
    add_member(operator_org_, omar_);
    cathy_ = h_.user("cathy@acme.test", "Cathy Admin");
    acme_ = customer("Acme", cathy_);
  }

  static Fields product_form(const std::string& csrf, const std::string& code) {
    return {{"csrf_token", csrf},
            {"product_code", code},
            {"name", "Acme Analytics"},
            {"pricing_model", "subscription"},
            {"dimensions", "users: Active users per hour\n\nadmins: Admin seats\n"},
            {"concurrent_agreements", "legacy"},
            {"manage_url", "https://aws.amazon.com/marketplace/pp/" + code},
            {"support_contact", "help@seller.test"},
            {"new_org_subscription", "active"}};
  }
  static Fields with(Fields fields, const std::string& key, const std::string& value) {
    for (auto& [k, v] : fields) {
      if (k == key) v = value;
    }
    return fields;
  }
  static Fields without(Fields fields, const std::string& key) {
    std::erase_if(fields, [&](const auto& f) { return f.first == key; });
    return fields;
  }

  size_t product_count() {
    auto products = saas_->products();
    EXPECT_TRUE(products.ok());
    return products.ok() ? products->size() : 0;
  }

  // Registrations of two products, a bad token and a link, over two days:
  //   day 1: a1 (prod-a, 111…), b1 (prod-b, 222…, free trial, linked to Acme), bad, b2 (prod-b,
  //   111…); day 2: a2 (prod-a, 333…).
  void seed() {
    product("prod-a", /*legacy=*/true);
    product("prod-b");
    a1_ = land(token("a1", "prod-a", "111111111111", "cust-a1"));
    b1_ = land(token("b1", "prod-b", "222222222222", "", "arn:aws:license-manager::1:license:l-b1"),
               "free-trial");
    bad_ = land("garbage-token");
    b2_ =
        land(token("b2", "prod-b", "111111111111", "", "arn:aws:license-manager::1:license:l-b2"));
    link(b1_, acme_, cathy_);
    h_.clock.advance(std::chrono::hours(24));
    a2_ = land(token("a2", "prod-a", "333333333333", "cust-a2"));
  }

  // Which of the seeded registrations a page lists.
  std::vector<std::string> listed(const Reply& page) const {
    std::vector<std::string> out;
    for (const auto* r : {&a1_, &b1_, &bad_, &b2_, &a2_}) {
      if (contains(page.body, ">" + r->reference + "</a>")) out.push_back(r->reference);
    }
    return out;
  }
  std::vector<std::string> refs(std::initializer_list<const saas::Registration*> rs) const {
    std::vector<std::string> out;
    for (const auto* r : {&a1_, &b1_, &bad_, &b2_, &a2_}) {
      if (std::find(rs.begin(), rs.end(), r) != rs.end()) out.push_back(r->reference);
    }
    return out;
  }
  static size_t rows(const Reply& page) {
    return occurrences(page.body, "<td class=\"mono\"><a href=\"/operator/registrations/");
  }

  identity::User omar_, cathy_;
  identity::Organization acme_;
  saas::Registration a1_, b1_, bad_, b2_, a2_;
};

TEST_P(SaasOperatorTest, OnlyTheOperatorSeesItsPagesAndOnlyItsAdminsChangeProducts) {
  product("prod-a");
  TestClient admin(router_);
  sign_in(admin, "operator@marketlink.test");
  const Reply list = admin.get("/operator/products");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_TRUE(contains(list.body, "<a href=\"/operator/products\" aria-current=\"page\">Products"));
  EXPECT_TRUE(contains(list.body, "href=\"/operator/registrations\">Registrations"));
  EXPECT_TRUE(contains(list.body, "href=\"/operator/products/new\">Register product"));
  EXPECT_TRUE(contains(list.body, "<a href=\"/orgs/marketlink-operator\">Operator</a>"));
  EXPECT_EQ(admin.get("/operator/products/new").status, 200);
  EXPECT_EQ(admin.get("/operator/registrations").status, 200);

  TestClient member(router_);
  const std::string csrf = sign_in(member, "omar@marketlink.test");
  const Reply read = member.get("/operator/products");
  ASSERT_EQ(read.status, 200);
  EXPECT_TRUE(contains(read.body, "Product prod-a"));
  EXPECT_FALSE(contains(read.body, "/operator/products/new")) << "no primary action to a member";
  EXPECT_EQ(member.get("/operator/products/new").status, 403);
  EXPECT_EQ(member.post_form("/operator/products", product_form(csrf, "prod-m")).status, 403);
  EXPECT_EQ(member
                .post_form("/operator/products/prod-a",
                           without(product_form(csrf, "prod-a"), "product_code"))
                .status,
            403);
  EXPECT_EQ(product_count(), 1u);
  EXPECT_EQ(saas_->product("prod-a")->name, "Product prod-a") << "unchanged";
  const Reply shown = member.get("/operator/products/prod-a");
  ASSERT_EQ(shown.status, 200);
  EXPECT_TRUE(contains(shown.body, "Only an admin of Marketlink Operator can change a product."));
  EXPECT_FALSE(contains(shown.body, "action=\"/operator/products/prod-a\""));
  EXPECT_EQ(member.get("/operator/registrations").status, 200);

  // Everyone else: as if the pages did not exist.
  TestClient customer(router_);
  sign_in(customer, "cathy@acme.test");
  EXPECT_EQ(customer.get("/operator/products").status, 404);
  EXPECT_EQ(customer.get("/operator/products/prod-a").status, 404);
  EXPECT_EQ(customer.get("/operator/registrations").status, 404);
  const Reply home = customer.get("/orgs/acme");
  ASSERT_EQ(home.status, 200);
  EXPECT_FALSE(contains(home.body, "/operator/products")) << "no operator navigation";
  TestClient anonymous(router_);
  const Reply signed_out = anonymous.get("/operator/products");
  EXPECT_EQ(signed_out.status, 303);
  EXPECT_EQ(signed_out.location(), "/login?next=%2Foperator%2Fproducts");
}

TEST_P(SaasOperatorTest, RegistersAProductWithErrorsNextToTheirFields) {
  TestClient c(router_);
  const std::string csrf = sign_in(c, "operator@marketlink.test");
  const Reply empty = c.get("/operator/products");
  ASSERT_EQ(empty.status, 200);
  EXPECT_TRUE(contains(empty.body, "No product is registered yet."));

  const Reply bad = c.post_form(
      "/operator/products",
      with(with(with(product_form(csrf, "prod-new"), "name", "  "), "manage_url", "ftp://x"),
           "dimensions", "users: Active users\nbad name!: Broken"));
  ASSERT_EQ(bad.status, 422) << bad.body;
  EXPECT_TRUE(contains(bad.body, "class=\"error-summary\""));
  EXPECT_TRUE(contains(bad.body, "id=\"name-error\""));
  EXPECT_TRUE(contains(bad.body, "id=\"manage_url-error\">Use an https:// URL."));
  EXPECT_TRUE(contains(bad.body, "id=\"dimensions-error\">Line 2: Use 1 to 100 letters"));
  EXPECT_FALSE(contains(bad.body, "id=\"support_contact-error\""));
  EXPECT_TRUE(contains(bad.body, "value=\"prod-new\"")) << "input kept";
  EXPECT_TRUE(contains(bad.body, "bad name!: Broken</textarea>"));
  EXPECT_TRUE(contains(bad.body, "value=\"legacy\" checked"));
  EXPECT_TRUE(contains(bad.body, "<option value=\"active\" selected>"));
  EXPECT_EQ(product_count(), 0u);

  const Reply no_identity = c.post_form(
      "/operator/products", without(product_form(csrf, "prod-new"), "concurrent_agreements"));
  EXPECT_EQ(no_identity.status, 422);
  EXPECT_TRUE(contains(no_identity.body, "id=\"concurrent_agreements-error\""));
  EXPECT_EQ(product_count(), 0u);

  const Reply created = c.post_form("/operator/products", product_form(csrf, "prod-new"));
  ASSERT_EQ(created.status, 303) << created.body;
  EXPECT_EQ(created.location(), "/operator/products");
  const Reply list = c.get("/operator/products");
  EXPECT_TRUE(contains(list.body, "Product Acme Analytics (prod-new) registered."));
  EXPECT_TRUE(contains(list.body, "<td class=\"mono\">prod-new</td>"));
  EXPECT_TRUE(contains(list.body, "<td>Legacy customer identifier</td>"));
  EXPECT_TRUE(contains(list.body, "<td class=\"num\">2</td>")) << "two dimensions";
  EXPECT_TRUE(contains(list.body, "<td>Active</td>"));
  auto p = saas_->product("prod-new");
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->concurrent_agreements);
  ASSERT_EQ(p->dimensions.size(), 2u);
  EXPECT_EQ(p->dimensions[1].name, "admins");
  EXPECT_EQ(p->dimensions[1].description, "Admin seats");
  EXPECT_EQ(p->new_org_subscription, identity::SubscriptionStatus::kActive);

  const Reply again = c.post_form("/operator/products", product_form(csrf, "prod-new"));
  EXPECT_EQ(again.status, 409);
  EXPECT_TRUE(contains(again.body, "id=\"product_code-error\""));
  EXPECT_EQ(product_count(), 1u);
}

TEST_P(SaasOperatorTest, EditsAProductButNotItsCode) {
  product("prod-a");
  TestClient c(router_);
  const std::string csrf = sign_in(c, "operator@marketlink.test");
  const Reply form = c.get("/operator/products/prod-a");
  ASSERT_EQ(form.status, 200) << form.body;
  EXPECT_TRUE(contains(form.body, "value=\"prod-a\" readonly"));
  EXPECT_TRUE(contains(form.body, ">users: Active users\n</textarea>"));
  EXPECT_TRUE(contains(form.body, "value=\"concurrent\" checked"));
  EXPECT_TRUE(contains(form.body, "<a href=\"/operator/products\">Products</a>"));
  EXPECT_EQ(c.get("/operator/products/prod-zzz").status, 404);

  const Fields edit = without(product_form(csrf, "prod-a"), "product_code");
  const Reply bad = c.post_form("/operator/products/prod-a", with(edit, "support_contact", ""));
  ASSERT_EQ(bad.status, 422);
  EXPECT_TRUE(contains(bad.body, "id=\"support_contact-error\""));
  EXPECT_TRUE(contains(bad.body, "value=\"Acme Analytics\"")) << "input kept";
  EXPECT_EQ(saas_->product("prod-a")->name, "Product prod-a");

  // A code in the form does not change the product's.
  const Reply saved = c.post_form("/operator/products/prod-a",
                                  with(product_form(csrf, "prod-a"), "product_code", "prod-other"));
  ASSERT_EQ(saved.status, 303) << saved.body;
  EXPECT_TRUE(contains(c.get(saved.location()).body, "Product Acme Analytics (prod-a) saved."));
  auto p = saas_->product("prod-a");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name, "Acme Analytics");
  EXPECT_FALSE(p->concurrent_agreements);
  EXPECT_EQ(p->support_contact, "help@seller.test");
  EXPECT_EQ(p->dimensions.size(), 2u);
  EXPECT_FALSE(saas_->product("prod-other").ok());
  EXPECT_EQ(c.post_form("/operator/products/prod-zzz", edit).status, 404);
}

TEST_P(SaasOperatorTest, EachRegistrationFilterNarrowsTheList) {
  seed();
  TestClient c(router_);
  sign_in(c, "omar@marketlink.test");
  const auto page = [&](const std::string& query) {
    Reply r = c.get("/operator/registrations" + query);
    EXPECT_EQ(r.status, 200) << query << "\n" << r.body;
    return r;
  };
  const Reply all = page("");
  EXPECT_EQ(listed(all), refs({&a1_, &b1_, &bad_, &b2_, &a2_}));
  EXPECT_TRUE(contains(all.body, "Showing 1–5 of 5 registrations"));
  // The linked row: its organization, link status, free trial and outcome.
  EXPECT_TRUE(contains(all.body, "#link\">Acme</a>"));
  EXPECT_EQ(occurrences(all.body, "#link\">"), 1u) << "only the linked registration names one";
  EXPECT_TRUE(contains(all.body, "<span class=\"chip wait\">Pending</span>"));
  EXPECT_TRUE(contains(all.body, "<span class=\"chip ok\">Linked</span>"));
  EXPECT_TRUE(contains(all.body, "<td>Free trial</td>"));
  EXPECT_TRUE(contains(all.body, "<span class=\"chip fail\">Invalid token</span>"));
  EXPECT_TRUE(contains(all.body, "<td class=\"mono\">222222222222</td>"));

  EXPECT_EQ(listed(page("?product_code=prod-a")), refs({&a1_, &a2_}));
  EXPECT_EQ(listed(page("?outcome=invalid_token")), refs({&bad_}));
  EXPECT_EQ(listed(page("?outcome=linked")), refs({&b1_}));
  EXPECT_EQ(listed(page("?status=pending")), refs({&b1_}));
  const Reply active = page("?status=active");
  EXPECT_TRUE(listed(active).empty());
  EXPECT_TRUE(contains(active.body, "No registrations match these filters."));
  EXPECT_EQ(listed(page("?buyer=111111111111")), refs({&a1_, &b2_}));
  EXPECT_EQ(listed(page("?buyer=1111-1111-1111")), refs({&a1_, &b2_}));
  EXPECT_EQ(listed(page("?product_code=prod-b&buyer=111111111111")), refs({&b2_}));
  EXPECT_EQ(listed(page("?from=2026-03-03")), refs({&a2_}));
  EXPECT_EQ(listed(page("?to=2026-03-02")), refs({&a1_, &b1_, &bad_, &b2_}));
  EXPECT_EQ(listed(page("?from=2026-03-02&to=2026-03-02")), refs({&a1_, &b1_, &bad_, &b2_}));
  const Reply narrowed = page("?product_code=prod-a");
  EXPECT_TRUE(contains(narrowed.body, "Showing 1–2 of 2 registrations"));
  EXPECT_TRUE(contains(narrowed.body, "<option value=\"prod-a\" selected>"));

  const Reply bad_buyer = c.get("/operator/registrations?buyer=123");
  EXPECT_EQ(bad_buyer.status, 422);
  EXPECT_TRUE(contains(bad_buyer.body, "id=\"buyer-error\""));
  EXPECT_TRUE(contains(bad_buyer.body, "value=\"123\"")) << "input kept";
  EXPECT_TRUE(listed(bad_buyer).empty());
  const Reply bad_day = c.get("/operator/registrations?from=2026-02-30");
  EXPECT_EQ(bad_day.status, 422);
  EXPECT_TRUE(contains(bad_day.body, "id=\"from-error\""));
  const Reply backwards = c.get("/operator/registrations?from=2026-03-03&to=2026-03-02");
  EXPECT_EQ(backwards.status, 422);
  EXPECT_TRUE(contains(backwards.body, "id=\"to-error\""));
}

TEST_P(SaasOperatorTest, PagesThroughRegistrationsWithACursor) {
  TestClient c(router_);
  sign_in(c, "operator@marketlink.test");
  const Reply none = c.get("/operator/registrations");
  ASSERT_EQ(none.status, 200);
  EXPECT_TRUE(contains(none.body, "No buyer has landed from AWS Marketplace yet."));
  EXPECT_FALSE(contains(none.body, "aria-label=\"Filter registrations\""));

  std::vector<std::string> references;
  for (int i = 0; i < 55; ++i) references.push_back(land("bad-" + std::to_string(i)).reference);
  const Reply first = c.get("/operator/registrations");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(rows(first), 50u);
  EXPECT_TRUE(contains(first.body, "Showing 1–50 of 55 registrations"));
  EXPECT_TRUE(contains(first.body, references.back())) << "newest first";
  EXPECT_FALSE(contains(first.body, references.front()));
  EXPECT_FALSE(contains(first.body, "First page"));
  const std::string marker = "<a class=\"button\" href=\"";
  const auto at = first.body.find(marker + "/operator/registrations?cursor=");
  ASSERT_NE(at, std::string::npos) << "a Next link";
  std::string next = first.body.substr(at + marker.size());
  next = next.substr(0, next.find('"'));
  for (size_t amp; (amp = next.find("&amp;")) != std::string::npos;) next.replace(amp, 5, "&");

  const Reply second = c.get(next);
  ASSERT_EQ(second.status, 200) << next;
  EXPECT_EQ(rows(second), 5u);
  EXPECT_TRUE(contains(second.body, "Showing 51–55 of 55 registrations"));
  EXPECT_TRUE(contains(second.body, references.front()));
  EXPECT_TRUE(contains(second.body, ">First page</a>"));
  EXPECT_FALSE(contains(second.body, ">Next</a>"));

  const Reply big = c.get("/operator/registrations?limit=100");
  EXPECT_EQ(rows(big), 55u);
  EXPECT_FALSE(contains(big.body, ">Next</a>"));
  EXPECT_TRUE(contains(big.body, "<option value=\"100\" selected>"));
  EXPECT_EQ(c.get("/operator/registrations?cursor=nonsense").status, 422);
}

TEST_P(SaasOperatorTest, FindsARegistrationByItsSupportReferenceAsTyped) {
  seed();
  TestClient c(router_);
  sign_in(c, "omar@marketlink.test");
  const std::string detail = "/operator/registrations/" + b2_.id;
  const Reply exact = c.get("/operator/registrations?reference=" + b2_.reference);
  EXPECT_EQ(exact.status, 303);
  EXPECT_EQ(exact.location(), detail);
  std::string typed = b2_.reference;
  std::erase(typed, '-');
  std::transform(typed.begin(), typed.end(), typed.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  const Reply loose = c.get("/operator/registrations?reference=" + typed);
  EXPECT_EQ(loose.status, 303) << typed;
  EXPECT_EQ(loose.location(), detail);

  // A well-formed reference nobody has: the list, saying so.
  std::string unknown = "ML-2222-2222";
  if (unknown == a1_.reference || unknown == b1_.reference) unknown = "ML-3333-3333";
  const Reply missing = c.get("/operator/registrations?reference=" + unknown);
  ASSERT_EQ(missing.status, 200);
  EXPECT_TRUE(contains(missing.body, "No registration has the support reference " + unknown));
  EXPECT_EQ(listed(missing).size(), 5u);
  const Reply garbage = c.get("/operator/registrations?reference=hello");
  ASSERT_EQ(garbage.status, 200);
  EXPECT_TRUE(contains(garbage.body, "is not a support reference"));
  EXPECT_TRUE(contains(garbage.body, "value=\"hello\""));
}

TEST_P(SaasOperatorTest, ARegistrationShowsItsFieldsTimelineAndLink) {
  product("prod-b");
  const identity::User mike = h_.user("mike@acme.test", "Mike Member");
  add_member(acme_, mike);
  const std::string t =
      token("d1", "prod-b", "444444444444", "", "arn:aws:license-manager::1:license:l-d1");
  const saas::Registration r = land(t, "free-trial");
  ASSERT_TRUE(saas_->land({.token = t, .offer_type = "free-trial"}).ok());  // a refresh
  h_.clock.advance(std::chrono::minutes(1));
  ASSERT_TRUE(saas_->record_choice(r.id, saas::Choice::kExisting).ok());
  h_.clock.advance(std::chrono::minutes(1));
  EXPECT_FALSE(
      saas_->link(r.id, acme_.id, {.user_id = mike.id, .label = mike.email, .ip = ""}).ok());
  h_.clock.advance(std::chrono::minutes(1));
  const saas::Link l = link(r, acme_, cathy_);

  TestClient c(router_);
  sign_in(c, "omar@marketlink.test");
  const Reply page = c.get("/operator/registrations/" + r.id);
  ASSERT_EQ(page.status, 200) << page.body;
  const std::string& html = page.body;
  EXPECT_TRUE(contains(html, "Registration <span class=\"mono\">" + r.reference + "</span>"));
  EXPECT_TRUE(contains(html, "<a href=\"/operator/registrations\">Registrations</a>"));
  EXPECT_TRUE(contains(html, "<dd class=\"mono\">444444444444</dd>"));
  EXPECT_TRUE(contains(html, "arn:aws:license-manager::1:license:l-d1"));
  EXPECT_TRUE(contains(html, "<dt>Landings</dt><dd>2</dd>"));
  EXPECT_TRUE(contains(html, "<dt>Buyer said</dt><dd>Has an account</dd>"));
  EXPECT_TRUE(contains(html, "<dt>Offer</dt><dd>Free trial</dd>"));
  EXPECT_TRUE(contains(html, "<dd>Product prod-b <span class=\"mono\">prod-b</span></dd>"));
  // The link.
  EXPECT_TRUE(contains(html, "<dd>Acme <span class=\"mono muted\">acme</span></dd>"));
  EXPECT_TRUE(contains(html, "<dd>Cathy Admin (cathy@acme.test)</dd>"));
  EXPECT_TRUE(contains(html, "<span class=\"chip wait\">Pending</span>"));
  EXPECT_TRUE(contains(html, l.id));
  EXPECT_TRUE(contains(html, "Yes; AWS has not said when it ends"));
  // The timeline, oldest first.
  const std::vector<std::string> steps = {
      "Landed from AWS Marketplace", "AWS named the buyer", "Landed again with the same token",
      "Chose an existing account",   "Link refused",        "<td class=\"wrap\">Linked"};
  size_t last = 0;
  for (const std::string& step : steps) {
    const size_t at = html.find(step, html.find("id=\"timeline-heading\""));
    ASSERT_NE(at, std::string::npos) << step;
    EXPECT_GT(at, last) << step << " comes after the step before";
    last = at;
  }
  EXPECT_TRUE(contains(html, "not_admin"));
  EXPECT_TRUE(contains(html, "Mike Member (mike@acme.test)"));

  const Reply unlinked_page = c.get("/operator/registrations/" + land("garbage").id);
  ASSERT_EQ(unlinked_page.status, 200);
  EXPECT_TRUE(contains(unlinked_page.body, "has not been linked to an organization"));
  EXPECT_TRUE(contains(unlinked_page.body, "The token did not resolve"));
  EXPECT_EQ(c.get("/operator/registrations/no-such-id").status, 404);
  TestClient customer(router_);
  sign_in(customer, "cathy@acme.test");
  EXPECT_EQ(customer.get("/operator/registrations/" + r.id).status, 404);
}

INSTANTIATE_TEST_SUITE_P(Backends, SaasOperatorTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace web
