// HTTP-level tests of the account pool's pages on both backends: the real routes, Auth,
// pool::Pool and templates, driven in-process by a signed-in browser with a cookie jar.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "identity/identity_test_support.h"
#include "web/pool/pool_routes.h"
#include "web/pool/pool_web_test_support.h"
#include "web/web_test_support.h"

namespace web {
namespace {

using db::testing::TestBackend;
using identity::testing::IdentityHarness;
using testing::Reply;
using testing::TestClient;
using namespace std::chrono_literals;

constexpr const char* kBoundary = "----poolFormBoundary";

// How many times `needle` occurs in `text`.
size_t occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos;
       pos = text.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

class PoolPagesTest : public testing::PoolWebTest {
 protected:
  void SetUp() override {
    open_pool_web();
    if (IsSkipped() || HasFatalFailure()) return;

    const identity::User alice = h_.user("alice@example.com", "Alice Admin");
    const identity::User bob = h_.user("bob@example.com", "Bob");
    const identity::User mona = h_.user("mona@example.com", "Mona");
    h_.user("carl@example.com", "Carl");
    h_.org("Demo Marketplace", mona, identity::OrgKind::kMarketplace, "MP-0000");
    h_.org("Second Marketplace", mona, identity::OrgKind::kMarketplace, "MP-0001");
    acme_ = h_.org("Acme", alice, identity::OrgKind::kProvider);
    globex_ = h_.org("Globex", bob, identity::OrgKind::kProvider);
    initech_ = h_.org("Initech", bob, identity::OrgKind::kCustomer);
    ASSERT_TRUE(h_.service->invite(acme_.id, "carl@example.com", identity::Role::kMember, {}).ok());
  }

  // Imports `n` accounts into acme: ids 1000000000NN…, SPAM of MP-0000 for even i, ECAM of
  // MP-0001 for odd.
  void seed(int n) {
    std::string csv;
    for (int i = 0; i < n; ++i) {
      csv += fmt::format("{};{};{}\n", 100000000000LL + i, i % 2 ? "MP-0001" : "MP-0000",
                         i % 2 ? "ECAM" : "SPAM");
    }
    auto imported = pool_->import_csv(acme_.id, csv, "user:seed");
    ASSERT_TRUE(imported.ok()) << imported.error().message;
  }

  static std::string id(int i) { return std::to_string(100000000000LL + i); }

  // A multipart/form-data upload as a browser sends it.
  static Reply upload(TestClient& c, const std::string& csrf, const std::string& csv,
                      const std::string& filename = "accounts.csv") {
    std::string body;
    if (!csrf.empty()) {
      body +=
          fmt::format("--{}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{}\r\n",
                      kBoundary, csrf);
    }
    body += fmt::format(
        "--{}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n"
        "Content-Type: text/csv\r\n\r\n{}\r\n--{}--\r\n",
        kBoundary, filename, csv, kBoundary);
    return c.request(http::Method::kPost, "/orgs/acme/pool/import", body,
                     {{"accept", "text/html"},
                      {"content-type", std::string("multipart/form-data; boundary=") + kBoundary}});
  }

  pool::AccountStatus status_of(const std::string& account_id) {
    auto a = pool_->get(acme_.id, account_id);
    EXPECT_TRUE(a.ok()) << account_id;
    return a.ok() ? a->status : pool::AccountStatus::kReady;
  }
  // Whether acme's audit log has an entry of `action`.
  bool audited(const std::string& action) {
    auto page = h_.audit->list(acme_.id, 200, "");
    EXPECT_TRUE(page.ok());
    if (!page.ok()) return false;
    return std::any_of(page->events.begin(), page->events.end(),
                       [&](const identity::AuditEvent& e) { return e.action == action; });
  }
  bool exists(const std::string& account_id) { return pool_->get(acme_.id, account_id).ok(); }
  long long total() { return pool_->counts(acme_.id)->total(); }
  // The flash message the next page shows.
  static std::string follow(TestClient& c, const Reply& redirect) {
    EXPECT_EQ(redirect.status, 303) << redirect.body;
    return c.get(redirect.location()).body;
  }

  identity::Organization acme_, globex_, initech_;
};

TEST_P(PoolPagesTest, ListsWithCountsFiltersAndCursorPaging) {
  seed(120);
  ASSERT_TRUE(pool_->take(acme_.id, "MP-0000", "order-1", "order:1").ok());  // id(0)
  TestClient c(router_);
  sign_in(c, "alice@example.com");

  const Reply first = c.get("/orgs/acme/pool");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_TRUE(contains(first.body, "<h1>Account pool</h1>"));
  EXPECT_TRUE(contains(first.body, "aria-current=\"page\">Account pool</a>")) << "navigation";
  EXPECT_TRUE(contains(first.body, "All <span class=\"tab-count\">120</span>"));
  EXPECT_TRUE(contains(first.body, "Ready <span class=\"tab-count\">119</span>"));
  EXPECT_TRUE(contains(first.body, "Provisioning in progress <span class=\"tab-count\">1</span>"));
  EXPECT_TRUE(contains(first.body, "href=\"/orgs/acme/pool?status=invalid\""));
  EXPECT_EQ(occurrences(first.body, "data-row-select"), 50u);
  EXPECT_TRUE(contains(first.body, "Showing 1–50 of 120"));
  EXPECT_TRUE(contains(first.body, "<span class=\"chip wait\">Provisioning in progress</span>"));
  EXPECT_TRUE(contains(first.body, "<span class=\"chip ok\">Ready</span>"));
  EXPECT_TRUE(contains(first.body, "Edit " + id(0)));
  EXPECT_TRUE(contains(first.body, "Delete " + id(1)));
  EXPECT_FALSE(contains(first.body, "Delete " + id(0) + "<")) << "no trash while provisioning";
  EXPECT_TRUE(contains(first.body, "href=\"/orgs/acme/pool/settings\"")) << "AWS access";
  EXPECT_FALSE(contains(first.body, "First page"));

  // Next pages through the cursor, with the position for "Showing".
  const auto next_href = [](const std::string& body) {
    const std::string marker = "<a class=\"button\" href=\"";
    const auto next = body.find("\">Next</a>");
    if (next == std::string::npos) return std::string();
    const auto start = body.rfind(marker, next) + marker.size();
    std::string href = body.substr(start, next - start);
    for (size_t p; (p = href.find("&amp;")) != std::string::npos;) href.replace(p, 5, "&");
    return href;
  };
  const std::string second_href = next_href(first.body);
  ASSERT_TRUE(second_href.starts_with("/orgs/acme/pool?cursor=")) << second_href;
  const Reply second = c.get(second_href);
  ASSERT_EQ(second.status, 200);
  EXPECT_TRUE(contains(second.body, "Showing 51–100 of 120"));
  EXPECT_TRUE(contains(second.body, ">First page</a>"));
  EXPECT_TRUE(contains(second.body, id(50)));
  EXPECT_FALSE(contains(second.body, ">" + id(49) + "<"));
  const Reply third = c.get(next_href(second.body));
  EXPECT_TRUE(contains(third.body, "Showing 101–120 of 120"));
  EXPECT_EQ(next_href(third.body), "") << "the last page";

  EXPECT_EQ(occurrences(c.get("/orgs/acme/pool?limit=200").body, "data-row-select"), 120u);
  EXPECT_EQ(occurrences(c.get("/orgs/acme/pool?limit=7").body, "data-row-select"), 50u)
      << "only the offered page sizes";

  // Filters, alone and together, stay in the links.
  const Reply ecam = c.get("/orgs/acme/pool?model=ECAM&limit=100");
  EXPECT_EQ(occurrences(ecam.body, "data-row-select"), 60u);
  EXPECT_EQ(occurrences(ecam.body, "<td>SPAM</td>"), 0u);
  EXPECT_TRUE(contains(ecam.body, "Showing 1–60 of the matching accounts (120 in the pool)"));
  EXPECT_TRUE(
      contains(ecam.body, "href=\"/orgs/acme/pool?status=ready&amp;model=ECAM&amp;limit=100\""))
      << "status tabs keep the other filters";
  EXPECT_TRUE(contains(ecam.body, "<option value=\"ECAM\" selected>"));
  const Reply search = c.get("/orgs/acme/pool?q=10000000001");  // 100000000010…019
  EXPECT_EQ(occurrences(search.body, "data-row-select"), 10u);
  EXPECT_TRUE(contains(search.body, "value=\"10000000001\""));
  const Reply mixed = c.get("/orgs/acme/pool?q=10000000001&marketplace_id=MP-0001&model=ECAM");
  EXPECT_EQ(occurrences(mixed.body, "data-row-select"), 5u);
  const Reply provisioning = c.get("/orgs/acme/pool?status=provisioning");
  EXPECT_EQ(occurrences(provisioning.body, "data-row-select"), 1u);
  EXPECT_TRUE(contains(provisioning.body, "Showing 1–1 of 1"));
  EXPECT_TRUE(contains(provisioning.body, "order-1"));
  const Reply none = c.get("/orgs/acme/pool?status=invalid");
  EXPECT_TRUE(contains(none.body, "No accounts match these filters."));

  const Reply bad_search = c.get("/orgs/acme/pool?q=abc");
  EXPECT_EQ(bad_search.status, 422);
  EXPECT_TRUE(contains(bad_search.body, "id=\"q-error\""));
  EXPECT_TRUE(contains(bad_search.body, "value=\"abc\"")) << "input kept";
  EXPECT_EQ(c.get("/orgs/acme/pool?cursor=garbage").status, 422);
}

TEST_P(PoolPagesTest, AnEmptyPoolOffersImportAndAdd) {
  TestClient c(router_);
  sign_in(c, "alice@example.com");
  const Reply page = c.get("/orgs/acme/pool");
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "The pool has no accounts yet."));
  EXPECT_TRUE(contains(page.body, "href=\"/orgs/acme/pool/import\""));
  EXPECT_FALSE(contains(page.body, "data-row-select"));
}

TEST_P(PoolPagesTest, AddsAnAccountOrShowsFieldErrorsWithTheInputKept) {
  TestClient c(router_);
  const std::string csrf = sign_in(c, "alice@example.com");
  const Reply form = c.get("/orgs/acme/pool/new");
  ASSERT_EQ(form.status, 200);
  EXPECT_TRUE(contains(form.body, "<label for=\"account_id\">AWS account id</label>"));

  const Reply bad = c.post_form("/orgs/acme/pool/accounts", {{"csrf_token", csrf},
                                                             {"account_id", "12345"},
                                                             {"marketplace_id", "MP-0000"},
                                                             {"model", "ECAM"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_TRUE(contains(bad.body, "id=\"account_id-error\""));
  EXPECT_TRUE(contains(bad.body, "value=\"12345\""));
  EXPECT_TRUE(contains(bad.body, "<option value=\"ECAM\" selected>")) << "model kept";

  const Reply unknown = c.post_form("/orgs/acme/pool/accounts", {{"csrf_token", csrf},
                                                                 {"account_id", "111111111111"},
                                                                 {"marketplace_id", "MP-9999"},
                                                                 {"model", "SPAM"}});
  EXPECT_EQ(unknown.status, 422);
  EXPECT_TRUE(contains(unknown.body, "id=\"marketplace_id-error\""));
  EXPECT_FALSE(exists("111111111111"));

  const Reply added = c.post_form("/orgs/acme/pool/accounts", {{"csrf_token", csrf},
                                                               {"account_id", " 111111111111 "},
                                                               {"marketplace_id", "MP-0000"},
                                                               {"model", "SPAM"}});
  EXPECT_EQ(added.location(), "/orgs/acme/pool");
  EXPECT_TRUE(contains(follow(c, added), "Account 111111111111 added."));
  EXPECT_TRUE(exists("111111111111"));

  const Reply again = c.post_form("/orgs/acme/pool/accounts", {{"csrf_token", csrf},
                                                               {"account_id", "111111111111"},
                                                               {"marketplace_id", "MP-0000"},
                                                               {"model", "SPAM"}});
  EXPECT_EQ(again.status, 409);
  EXPECT_TRUE(contains(again.body, "id=\"account_id-error\""));
}

TEST_P(PoolPagesTest, ImportsAnUploadedFileAllOrNothing) {
  TestClient c(router_);
  const std::string csrf = sign_in(c, "alice@example.com");
  const Reply form = c.get("/orgs/acme/pool/import");
  ASSERT_EQ(form.status, 200);
  EXPECT_TRUE(contains(form.body, "enctype=\"multipart/form-data\""));
  EXPECT_TRUE(contains(form.body, "<code>account_model</code>")) << "the format is explained";

  const Reply bad = upload(c, csrf,
                           "account_id;marketplace_id;account_model\r\n"
                           "111111111111;MP-0000;SPAM\r\n"
                           "12;MP-0000;SPAM\r\n"
                           "222222222222;MP-0000;BIG\r\n"
                           "333333333333;MP-9999;ECAM\r\n");
  ASSERT_EQ(bad.status, 422) << bad.body;
  EXPECT_TRUE(contains(bad.body, "Nothing was imported: the file has 3 problems."));
  EXPECT_EQ(occurrences(bad.body, "<td class=\"num mono\">"), 3u);
  EXPECT_TRUE(contains(bad.body, "<td class=\"num mono\">3</td>"));
  EXPECT_TRUE(contains(bad.body, "<td class=\"num mono\">5</td>"));
  EXPECT_TRUE(contains(bad.body, "<span class=\"mono\">accounts.csv</span>"));
  EXPECT_TRUE(contains(bad.body, "type=\"file\"")) << "the form is still there";
  EXPECT_EQ(total(), 0) << "nothing imported";

  const Reply good = upload(c, csrf,
                            "111111111111,MP-0000,SPAM\n222222222222,MP-0001,ecam\n"
                            "333333333333,MP-0000,SPAM\n");
  EXPECT_EQ(good.location(), "/orgs/acme/pool");
  EXPECT_TRUE(contains(follow(c, good), "Imported 3 accounts."));
  EXPECT_EQ(total(), 3);

  const Reply dup = upload(c, csrf, "111111111111,MP-0000,SPAM\n");
  EXPECT_EQ(dup.status, 422);
  EXPECT_EQ(total(), 3);
  const Reply empty = upload(c, csrf, "", "");
  EXPECT_EQ(empty.status, 422);
  EXPECT_TRUE(contains(empty.body, "Choose a CSV file to upload."));
  const Reply not_multipart = c.post_form("/orgs/acme/pool/import", {{"csrf_token", csrf}});
  EXPECT_EQ(not_multipart.status, 400);
  EXPECT_TRUE(contains(not_multipart.body, "id=\"file-error\""));

  // The import is in the organization's audit log.
  EXPECT_TRUE(audited("pool.imported"));
}

TEST_P(PoolPagesTest, EditsAnAccountAndShowsItsHistory) {
  seed(2);
  TestClient c(router_);
  const std::string csrf = sign_in(c, "alice@example.com");
  const std::string path = "/orgs/acme/pool/accounts/" + id(0) + "/edit";
  const Reply form = c.get(path);
  ASSERT_EQ(form.status, 200) << form.body;
  EXPECT_TRUE(contains(form.body, "value=\"MP-0000\""));
  EXPECT_TRUE(contains(form.body, "<option value=\"invalid\">Invalid</option>"));
  EXPECT_TRUE(contains(form.body, "imported from CSV"));

  const Reply no_reason = c.post_form(path, {{"csrf_token", csrf},
                                             {"marketplace_id", "MP-0001"},
                                             {"model", "ECAM"},
                                             {"status", "invalid"},
                                             {"reason", ""}});
  EXPECT_EQ(no_reason.status, 422);
  EXPECT_TRUE(contains(no_reason.body, "id=\"reason-error\""));
  EXPECT_TRUE(contains(no_reason.body, "value=\"MP-0001\"")) << "input kept";
  EXPECT_TRUE(contains(no_reason.body, "<option value=\"invalid\" selected>"));
  EXPECT_EQ(status_of(id(0)), pool::AccountStatus::kReady);

  const Reply unknown =
      c.post_form(path, {{"csrf_token", csrf}, {"marketplace_id", "MP-7777"}, {"model", "SPAM"}});
  EXPECT_EQ(unknown.status, 422);
  EXPECT_TRUE(contains(unknown.body, "id=\"marketplace_id-error\""));

  const Reply saved = c.post_form(path, {{"csrf_token", csrf},
                                         {"marketplace_id", "MP-0001"},
                                         {"model", "ECAM"},
                                         {"status", "invalid"},
                                         {"reason", "Closed by the customer"}});
  EXPECT_TRUE(contains(follow(c, saved), "Account " + id(0) + " saved."));
  auto a = pool_->get(acme_.id, id(0));
  EXPECT_EQ(a->marketplace_id, "MP-0001");
  EXPECT_EQ(a->model, pool::Model::kEcam);
  EXPECT_EQ(a->status, pool::AccountStatus::kInvalid);
  EXPECT_EQ(a->status_reason, "Closed by the customer");

  const Reply after = c.get(path);
  EXPECT_TRUE(contains(after.body, "<td class=\"wrap\">Closed by the customer</td>"));
  EXPECT_TRUE(contains(after.body, "<td>Alice Admin</td>")) << "the actor by name";
  EXPECT_TRUE(contains(after.body, "<option value=\"ready\">Ready</option>")) << "invalid → ready";
  EXPECT_TRUE(audited("pool.account_status_changed"));

  EXPECT_EQ(c.get("/orgs/acme/pool/accounts/999999999999/edit").status, 404);
}

TEST_P(PoolPagesTest, EditIsRefusedWhileProvisioning) {
  seed(1);
  ASSERT_TRUE(pool_->take(acme_.id, "MP-0000", "order-7", "order:7").ok());
  TestClient c(router_);
  const std::string csrf = sign_in(c, "alice@example.com");
  const std::string path = "/orgs/acme/pool/accounts/" + id(0) + "/edit";
  const Reply page = c.get(path);
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "This account is being provisioned for order"));
  EXPECT_FALSE(contains(page.body, "action=\"" + path + "\"")) << "no form";
  EXPECT_TRUE(contains(page.body, "<td>Order 7</td>")) << "history names the order's actor";

  const Reply refused =
      c.post_form(path, {{"csrf_token", csrf}, {"marketplace_id", "MP-0001"}, {"model", "SPAM"}});
  EXPECT_EQ(refused.status, 409);
  EXPECT_TRUE(contains(refused.body, "is being provisioned for an order; it cannot be changed"));
  EXPECT_EQ(pool_->get(acme_.id, id(0))->marketplace_id, "MP-0000");
}

TEST_P(PoolPagesTest, DeletesOneAndSelectedAllOrNothing) {
  seed(5);
  ASSERT_TRUE(pool_->take(acme_.id, "MP-0000", "order-1", "order:1").ok());  // id(0)
  TestClient c(router_);
  const std::string csrf = sign_in(c, "alice@example.com");

  const Reply one = c.post_form("/orgs/acme/pool/accounts/" + id(1) + "/delete",
                                {{"csrf_token", csrf}, {"back", "/orgs/acme/pool?model=ECAM"}});
  EXPECT_EQ(one.location(), "/orgs/acme/pool?model=ECAM") << "back to the same list";
  EXPECT_TRUE(contains(follow(c, one), "Account " + id(1) + " deleted."));
  EXPECT_FALSE(exists(id(1)));
  const Reply busy = c.post_form("/orgs/acme/pool/accounts/" + id(0) + "/delete",
                                 {{"csrf_token", csrf}, {"back", "https://evil.example/"}});
  EXPECT_EQ(busy.location(), "/orgs/acme/pool") << "never off the pool";
  EXPECT_TRUE(contains(follow(c, busy), "cannot be deleted"));
  EXPECT_TRUE(exists(id(0)));

  // Without the script's confirmation the server asks first.
  const Reply ask =
      c.post_form("/orgs/acme/pool/delete",
                  {{"csrf_token", csrf}, {"account_ids", id(2)}, {"account_ids", id(3)}});
  ASSERT_EQ(ask.status, 200);
  EXPECT_TRUE(contains(ask.body, "Delete 2 accounts?"));
  EXPECT_TRUE(contains(ask.body, "name=\"account_ids\" value=\"" + id(3) + "\""));
  EXPECT_TRUE(exists(id(2)));

  const Reply blocked = c.post_form(
      "/orgs/acme/pool/delete",
      {{"csrf_token", csrf}, {"confirmed", "yes"}, {"account_ids", id(2)}, {"account_ids", id(0)}});
  const std::string blocked_page = follow(c, blocked);
  EXPECT_TRUE(contains(blocked_page,
                       "Nothing was deleted: 1 selected account is in Provisioning "
                       "in progress: " +
                           id(0) + "."));
  EXPECT_TRUE(exists(id(2))) << "all or nothing";

  const Reply deleted = c.post_form(
      "/orgs/acme/pool/delete",
      {{"csrf_token", csrf}, {"confirmed", "yes"}, {"account_ids", id(2)}, {"account_ids", id(3)}});
  EXPECT_TRUE(contains(follow(c, deleted), "Deleted 2 accounts."));
  EXPECT_FALSE(exists(id(2)));
  EXPECT_FALSE(exists(id(3)));
  EXPECT_TRUE(contains(follow(c, c.post_form("/orgs/acme/pool/delete", {{"csrf_token", csrf}})),
                       "Select the accounts to delete first."));
}

TEST_P(PoolPagesTest, DeleteAllSkipsProvisioningAccountsAndSaysSo) {
  seed(60);
  ASSERT_TRUE(pool_->take(acme_.id, "MP-0000", "order-1", "order:1").ok());  // id(0)
  ASSERT_TRUE(
      pool_
          ->add(globex_.id, {.account_id = "999999999999", .marketplace_id = "MP-0000"}, "user:bob")
          .ok());
  TestClient c(router_);
  const std::string csrf = sign_in(c, "alice@example.com");
  const Reply list = c.get("/orgs/acme/pool");
  EXPECT_TRUE(contains(list.body, "Delete all 60 accounts"));
  EXPECT_TRUE(contains(list.body,
                       "Delete all 60 accounts of Acme? Accounts in Provisioning in "
                       "progress are skipped."));

  const Reply ask = c.post_form("/orgs/acme/pool/delete-all", {{"csrf_token", csrf}});
  ASSERT_EQ(ask.status, 200);
  EXPECT_TRUE(contains(ask.body, "Delete all 60 accounts?"));
  EXPECT_TRUE(contains(ask.body, "Accounts in Provisioning in progress (1) are skipped."));
  EXPECT_EQ(total(), 60);

  const Reply done =
      c.post_form("/orgs/acme/pool/delete-all", {{"csrf_token", csrf}, {"confirmed", "yes"}});
  EXPECT_EQ(done.location(), "/orgs/acme/pool");
  EXPECT_TRUE(contains(follow(c, done),
                       "Deleted 59 accounts. 1 account in Provisioning in "
                       "progress was kept: " +
                           id(0) + "."));
  EXPECT_EQ(total(), 1);
  EXPECT_TRUE(exists(id(0)));
  EXPECT_TRUE(pool_->get(globex_.id, "999999999999").ok()) << "another provider's pool untouched";
}

TEST_P(PoolPagesTest, StuckAccountsAreListedAndAnAdminResolvesThemWithAReason) {
  seed(2);
  ASSERT_TRUE(pool_->take(acme_.id, "MP-0000", "order-1", "order:1").ok());  // id(0)
  TestClient c(router_);
  const std::string csrf = sign_in(c, "alice@example.com");
  EXPECT_FALSE(contains(c.get("/orgs/acme/pool").body, "stuck in Provisioning in progress"));
  h_.clock.advance(3h);
  const Reply page = c.get("/orgs/acme/pool");
  EXPECT_TRUE(contains(page.body, "1 account stuck in Provisioning in progress"));
  EXPECT_TRUE(contains(page.body, "action=\"/orgs/acme/pool/accounts/" + id(0) + "/resolve\""));

  const std::string path = "/orgs/acme/pool/accounts/" + id(0) + "/resolve";
  const Reply no_reason =
      c.post_form(path, {{"csrf_token", csrf}, {"resolution", "mark_failed"}, {"reason", " "}});
  EXPECT_TRUE(contains(follow(c, no_reason), "Give a reason to mark failed account"));
  EXPECT_EQ(status_of(id(0)), pool::AccountStatus::kProvisioning);

  const Reply failed = c.post_form(
      path, {{"csrf_token", csrf}, {"resolution", "mark_failed"}, {"reason", "Order abandoned"}});
  EXPECT_TRUE(contains(follow(c, failed), "is marked Provisioning failed"));
  EXPECT_EQ(status_of(id(0)), pool::AccountStatus::kProvisioningFailed);
  auto history = pool_->history(acme_.id, id(0));
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().reason, "Order abandoned");
  EXPECT_TRUE(audited("pool.stuck_resolved"));

  // Not stuck any more: refused with the pool's message.
  const Reply again = c.post_form(
      path, {{"csrf_token", csrf}, {"resolution", "return_to_ready"}, {"reason", "retry"}});
  EXPECT_EQ(again.status, 303);
  EXPECT_EQ(status_of(id(0)), pool::AccountStatus::kProvisioningFailed);
}

TEST_P(PoolPagesTest, MembersSeeTheListWithoutControlsAndCannotChangeAnything) {
  seed(3);
  TestClient c(router_);
  const std::string csrf = sign_in(c, "carl@example.com");
  const Reply page = c.get("/orgs/acme/pool");
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, id(2)));
  for (const char* control : {"Add account", "Import accounts", "data-row-select", "data-bulk",
                              "/delete", "Edit 1", "AWS access"}) {
    EXPECT_FALSE(contains(page.body, control)) << control;
  }
  EXPECT_EQ(c.get("/orgs/acme/pool/new").status, 403);
  EXPECT_EQ(c.get("/orgs/acme/pool/import").status, 403);
  EXPECT_EQ(c.get("/orgs/acme/pool/accounts/" + id(0) + "/edit").status, 403);
  EXPECT_EQ(c.post_form("/orgs/acme/pool/accounts", {{"csrf_token", csrf},
                                                     {"account_id", "111111111111"},
                                                     {"marketplace_id", "MP-0000"},
                                                     {"model", "SPAM"}})
                .status,
            403);
  EXPECT_EQ(upload(c, csrf, "111111111111,MP-0000,SPAM\n").status, 403);
  EXPECT_EQ(c.post_form("/orgs/acme/pool/accounts/" + id(0) + "/edit",
                        {{"csrf_token", csrf}, {"marketplace_id", "MP-0001"}, {"model", "SPAM"}})
                .status,
            403);
  EXPECT_EQ(
      c.post_form("/orgs/acme/pool/accounts/" + id(0) + "/delete", {{"csrf_token", csrf}}).status,
      403);
  EXPECT_EQ(c.post_form("/orgs/acme/pool/delete",
                        {{"csrf_token", csrf}, {"confirmed", "yes"}, {"account_ids", id(0)}})
                .status,
            403);
  EXPECT_EQ(c.post_form("/orgs/acme/pool/delete-all", {{"csrf_token", csrf}, {"confirmed", "yes"}})
                .status,
            403);
  EXPECT_EQ(c.post_form("/orgs/acme/pool/accounts/" + id(0) + "/resolve",
                        {{"csrf_token", csrf}, {"resolution", "mark_failed"}, {"reason", "x"}})
                .status,
            403);
  EXPECT_EQ(total(), 3);
}

TEST_P(PoolPagesTest, AnotherProvidersAccountsAndOtherKindsAnswer404) {
  seed(2);
  TestClient c(router_);
  const std::string csrf = sign_in(c, "bob@example.com");  // admin of Globex and Initech
  EXPECT_EQ(c.get("/orgs/acme/pool").status, 404);
  EXPECT_EQ(c.get("/orgs/globex/pool").status, 200);
  EXPECT_EQ(c.get("/orgs/initech/pool").status, 404) << "customers have no pool";
  EXPECT_FALSE(contains(c.get("/orgs/initech").body, "Account pool")) << "nor the navigation";
  EXPECT_EQ(c.get("/orgs/globex/pool/accounts/" + id(0) + "/edit").status, 404);
  EXPECT_EQ(c.post_form("/orgs/globex/pool/accounts/" + id(0) + "/edit",
                        {{"csrf_token", csrf}, {"marketplace_id", "MP-0001"}, {"model", "SPAM"}})
                .status,
            404);
  EXPECT_EQ(
      c.post_form("/orgs/globex/pool/accounts/" + id(0) + "/delete", {{"csrf_token", csrf}}).status,
      404);
  const Reply selected =
      c.post_form("/orgs/globex/pool/delete",
                  {{"csrf_token", csrf}, {"confirmed", "yes"}, {"account_ids", id(0)}});
  EXPECT_TRUE(contains(follow(c, selected), "Nothing was deleted: not in this pool"));
  EXPECT_EQ(total(), 2);
  EXPECT_FALSE(contains(c.get("/orgs/globex/pool").body, id(0)));
}

TEST_P(PoolPagesTest, FormsWithoutTheCsrfTokenAreRefused) {
  seed(2);
  TestClient c(router_);
  sign_in(c, "alice@example.com");
  EXPECT_EQ(c.post_form("/orgs/acme/pool/accounts/" + id(0) + "/delete", {}).status, 403);
  EXPECT_EQ(
      c.post_form("/orgs/acme/pool/delete-all", {{"csrf_token", "forged"}, {"confirmed", "yes"}})
          .status,
      403);
  EXPECT_EQ(upload(c, "", "111111111111,MP-0000,SPAM\n").status, 403);
  EXPECT_EQ(upload(c, "forged", "111111111111,MP-0000,SPAM\n").status, 403);
  EXPECT_EQ(total(), 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, PoolPagesTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace web
