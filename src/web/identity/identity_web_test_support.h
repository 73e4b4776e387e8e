// Test-only: a fixture with a throwaway database per backend, the identity service, the page
// frame, Auth, and the site's and identity's routes registered on a router — the ground every web
// domain's tests stand on (a domain's pages live in the site identity signs people into). Tests
// add their own domain's routes in SetUp after calling open_web().
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "db/database_test_support.h"
#include "http/router.h"
#include "identity/identity_test_support.h"
#include "web/auth.h"
#include "web/identity/identity_routes.h"
#include "web/pages.h"
#include "web/web_test_support.h"

namespace web::testing {

class WebTest : public ::testing::TestWithParam<db::testing::TestBackend> {
 protected:
  // Opens the database (skipping or failing as the backend requires) with identity's schema and
  // `more` (the schema of the domain under test), and builds the web layer.
  void open_web(std::vector<db::MigrationSet> more = {}) {
    std::unique_ptr<db::testing::TestDatabase> db;
    MARKETLINK_OPEN_TEST_DATABASE(db);
    ASSERT_TRUE(h_.init(std::move(db), {}, std::move(more)));
    auto pages = Pages::create({.version = "test", .database = "test", .sandbox = false});
    ASSERT_TRUE(pages.ok());
    pages_ = std::move(pages).value();
    auth_ = std::make_unique<Auth>(*h_.service, *pages_);
    add_site_routes(router_, *pages_, *auth_);
    ASSERT_TRUE(add_identity_routes(router_, *pages_, *auth_, *h_.audit).ok());
  }

  // Signs in through the form; returns the signed-in client's page CSRF token.
  std::string sign_in(web::testing::TestClient& c, const std::string& email,
                      const std::string& password = identity::testing::IdentityHarness::kPassword) {
    const Reply form = c.get("/login");
    EXPECT_EQ(form.status, 200);
    const Reply r = c.post_form(
        "/login",
        {{"csrf_token", form.csrf()}, {"email", email}, {"password", password}, {"next", "/"}});
    EXPECT_EQ(r.status, 303) << r.body;
    const Reply home = c.get("/");
    EXPECT_EQ(home.status, 303);
    const Reply page = c.get(home.location());
    EXPECT_EQ(page.status, 200);
    return page.csrf();
  }

  identity::testing::IdentityHarness h_;
  std::unique_ptr<Pages> pages_;
  std::unique_ptr<Auth> auth_;
  http::Router router_;
};

}  // namespace web::testing
