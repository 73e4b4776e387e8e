#include "http/router.h"

#include <gtest/gtest.h>

namespace http {
namespace {

Handler named(std::string name) {
  return [name](Request&) { return Response::text(200, name); };
}

std::string call(const Router& router, Method m, std::string_view path) {
  auto match = router.match(m, path);
  if (!match.route) return match.path_exists ? "405" : "404";
  Request r;
  return match.route->handler(r).body;
}

TEST(Router, MatchesLiteralsParamsAndTails) {
  Router router;
  router.get("/", named("home"));
  router.get("/orgs/{org}/pool", named("pool"));
  router.get("/orgs/new/pool", named("literal"));
  router.post("/orgs/{org}/pool", named("pool-post"));
  router.get("/static/{file*}", named("static"));
  EXPECT_EQ(call(router, Method::kGet, "/"), "home");
  EXPECT_EQ(call(router, Method::kGet, "/orgs/acme/pool"), "pool");
  EXPECT_EQ(call(router, Method::kGet, "/orgs/new/pool"), "literal");
  EXPECT_EQ(call(router, Method::kPost, "/orgs/acme/pool"), "pool-post");
  EXPECT_EQ(call(router, Method::kHead, "/orgs/acme/pool"), "pool");
  EXPECT_EQ(call(router, Method::kDelete, "/orgs/acme/pool"), "405");
  EXPECT_EQ(call(router, Method::kGet, "/orgs/acme"), "404");
  EXPECT_EQ(call(router, Method::kGet, "/orgs//pool"), "404");
  EXPECT_EQ(call(router, Method::kGet, "/orgs/acme/pool/x"), "404");
  EXPECT_EQ(call(router, Method::kGet, "/static/css/app.css"), "static");
  EXPECT_EQ(call(router, Method::kGet, "/static"), "404");
}

TEST(Router, DecodesParamsAndReportsAllowedMethods) {
  Router router;
  router.get("/orgs/{org}", named("get"));
  router.patch("/orgs/{org}", named("patch"));
  router.get("/static/{file*}", named("static"));
  auto m = router.match(Method::kGet, "/orgs/a%20b");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.params["org"], "a b");
  auto s = router.match(Method::kGet, "/static/css/app.css");
  EXPECT_EQ(s.params["file"], "css/app.css");
  auto d = router.match(Method::kDelete, "/orgs/x");
  EXPECT_FALSE(d.route);
  EXPECT_TRUE(d.path_exists);
  EXPECT_EQ(d.allowed, (std::vector<std::string>{"GET", "PATCH"}));
}

}  // namespace
}  // namespace http
