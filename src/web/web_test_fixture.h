// Test-only: a fixture with a throwaway database per backend, the identity service, the page
// frame, Auth, and the site and identity pages registered on a router — the ground every web
// test stands on. Tests add their own routes in SetUp after calling open_web().
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "db/test_database.h"
#include "http/router.h"
#include "identity/test_support.h"
#include "web/auth.h"
#include "web/identity_routes.h"
#include "web/pages.h"
#include "web/test_client.h"

namespace web::testing {

class WebTest : public ::testing::TestWithParam<db::testing::TestBackend> {
 protected:
  // Opens the database (skipping or failing as the backend requires) and builds the web layer.
  void open_web() {
    std::unique_ptr<db::testing::TestDatabase> db;
    MARKETLINK_OPEN_TEST_DATABASE(db);
    ASSERT_TRUE(h_.init(std::move(db)));
    auto pages = Pages::create({.version = "test", .database = "test", .sandbox = false});
    ASSERT_TRUE(pages.ok());
    pages_ = std::move(pages).value();
    auth_ = std::make_unique<Auth>(*h_.service, *pages_);
    add_site_routes(router_, *pages_, *auth_);
    add_identity_pages(router_, *pages_, *auth_, *h_.audit);
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
