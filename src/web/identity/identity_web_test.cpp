// HTTP-level tests of identity's pages and API through web::Auth, on both backends: the real
// routes and handlers, driven in-process with a cookie jar.
#include "web/auth.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/ids.h"
#include "core/metrics.h"
#include "http/server.h"
#include "http/server_test_support.h"
#include "identity/identity_test_support.h"
#include "web/identity/identity_routes.h"
#include "web/identity/identity_web_test_support.h"
#include "web/pages.h"
#include "web/web_test_support.h"

namespace web {
namespace {

using db::testing::TestBackend;
using identity::testing::IdentityHarness;
using testing::Reply;
using testing::TestClient;
using namespace std::chrono_literals;

class AuthTest : public testing::WebTest {
 protected:
  void SetUp() override {
    open_web();
    if (IsSkipped() || HasFatalFailure()) return;
    // A route only provider organizations have, as other modules register theirs.
    router_.get("/orgs/{org}/pool", auth_->member(
                                        [](http::Request&, RequestContext& ctx) {
                                          return http::Response::text(200,
                                                                      "pool of " + ctx.org_id());
                                        },
                                        {identity::OrgKind::kProvider}));

    alice_ = h_.user("alice@example.com", "Alice");
    bob_ = h_.user("bob@example.com", "Bob");
    acme_ = h_.org("Acme", alice_);
    globex_ = h_.org("Globex", bob_, identity::OrgKind::kProvider);
  }

  identity::User alice_, bob_;
  identity::Organization acme_, globex_;
};

TEST_P(AuthTest, SignUpVerifySignInAndSignOutThroughThePages) {
  TestClient c(router_);
  const Reply form = c.get("/signup");
  ASSERT_EQ(form.status, 200);
  ASSERT_FALSE(form.csrf().empty());
  EXPECT_NE(form.body.find("name=\"csrf_token\""), std::string::npos);
  const Reply bad = c.post_form("/signup", {{"csrf_token", form.csrf()},
                                            {"email", "carol@example.com"},
                                            {"name", "Carol"},
                                            {"organization_name", "Initech"},
                                            {"password", "short"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("value=\"carol@example.com\""), std::string::npos) << "input kept";
  EXPECT_NE(bad.body.find("password-error"), std::string::npos) << "error next to the field";
  const Reply created = c.post_form("/signup", {{"csrf_token", form.csrf()},
                                                {"email", "Carol@Example.com"},
                                                {"name", "Carol"},
                                                {"organization_name", "Initech"},
                                                {"password", "carols long passphrase"}});
  ASSERT_EQ(created.status, 303) << created.body;
  EXPECT_EQ(created.location(), "/signup/check-email?email=Carol%40Example.com");
  EXPECT_NE(c.get(created.location()).body.find("Check your inbox"), std::string::npos);

  // Not yet verified: the page says so and offers to resend.
  Reply early = c.post_form("/login", {{"csrf_token", form.csrf()},
                                       {"email", "carol@example.com"},
                                       {"password", "carols long passphrase"}});
  EXPECT_EQ(early.status, 401);
  EXPECT_NE(early.body.find("Confirm your e-mail address"), std::string::npos);
  EXPECT_NE(early.body.find("action=\"/verify-email/resend\""), std::string::npos);

  const std::string token = h_.mail.last_token_to("Carol@Example.com");
  const Reply verified = c.get("/verify-email?token=" + token);
  EXPECT_EQ(verified.status, 200);
  EXPECT_NE(verified.body.find("E-mail address confirmed"), std::string::npos);

  const Reply in = c.post_form("/login", {{"csrf_token", form.csrf()},
                                          {"email", "carol@example.com"},
                                          {"password", "carols long passphrase"}});
  ASSERT_EQ(in.status, 303);
  EXPECT_NE(in.header("Set-Cookie").find("HttpOnly; SameSite=Lax"), std::string::npos);
  const Reply home = c.get("/");
  EXPECT_EQ(home.location(), "/orgs/initech");
  const Reply org_page = c.get("/orgs/initech");
  EXPECT_EQ(org_page.status, 200);
  EXPECT_NE(org_page.body.find("Initech"), std::string::npos);
  EXPECT_EQ(org_page.header("Cache-Control"), "no-store");

  const Reply out = c.post_form("/logout", {{"csrf_token", org_page.csrf()}});
  ASSERT_EQ(out.status, 303);
  EXPECT_EQ(out.location(), "/login");
  EXPECT_NE(c.get("/login").body.find("You are signed out."), std::string::npos) << "flash";
  EXPECT_EQ(c.get("/login").body.find("You are signed out."), std::string::npos) << "shown once";
  EXPECT_EQ(c.get("/orgs/initech").status, 303) << "signed out";
}

TEST_P(AuthTest, ExpiredVerificationLinkOffersANewOne) {
  TestClient c(router_);
  ASSERT_TRUE(h_.service
                  ->sign_up({.email = "dan@example.com",
                             .name = "Dan",
                             .password = "dans long passphrase",
                             .organization_name = "Dan Co"},
                            "")
                  .ok());
  h_.clock.advance(25h);
  const Reply r = c.get("/verify-email?token=" + h_.mail.last_token_to("dan@example.com"));
  EXPECT_EQ(r.status, 410);
  EXPECT_NE(r.body.find("This link has expired"), std::string::npos);
  EXPECT_NE(r.body.find("action=\"/verify-email/resend\""), std::string::npos);
  const Reply sent =
      c.post_form("/verify-email/resend", {{"csrf_token", r.csrf()}, {"email", "dan@example.com"}});
  EXPECT_EQ(sent.status, 303);
  EXPECT_EQ(h_.mail.messages().size(), 2u);
}

TEST_P(AuthTest, StateChangingRequestsNeedTheCsrfToken) {
  TestClient c(router_);
  const std::string csrf = sign_in(c, "alice@example.com");
  ASSERT_FALSE(csrf.empty());
  const std::string target = "/orgs/acme/members";
  Reply missing = c.post_form(target, {{"email", "x@example.com"}, {"role", "member"}});
  EXPECT_EQ(missing.status, 403);
  EXPECT_NE(missing.body.find("did not come from Marketlink"), std::string::npos);
  Reply wrong = c.post_form(target, {{"csrf_token", csrf + "x"}, {"email", "x@example.com"}});
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(h_.service->members(acme_.id)->size(), 1u) << "nothing happened";
  Reply ok = c.post_form(target, {{"csrf_token", csrf}, {"email", "x@example.com"}});
  EXPECT_EQ(ok.status, 303);
  // JSON with the session cookie: header X-CSRF-Token.
  Reply api_missing = c.api(http::Method::kPost, "/api/v1/orgs/acme/tokens", R"({"name":"a"})");
  EXPECT_EQ(api_missing.status, 403);
  EXPECT_NE(api_missing.body.find("csrf_failed"), std::string::npos);
  Reply api_ok = c.api(http::Method::kPost, "/api/v1/orgs/acme/tokens", R"({"name":"a"})",
                       {{"x-csrf-token", csrf}});
  EXPECT_EQ(api_ok.status, 201);
  // Forms before sign-in need the pre-session cookie's token too.
  TestClient stranger(router_);
  Reply forged = stranger.post_form(
      "/login", {{"email", "alice@example.com"}, {"password", IdentityHarness::kPassword}});
  EXPECT_EQ(forged.status, 403);
}

TEST_P(AuthTest, StateChangingCallsWithoutCredentialsAre401NotCsrfFailures) {
  router_.post("/account/settings", auth_->signed_in([](http::Request&, RequestContext&) {
    return http::Response::text(200, "changed");
  }));
  TestClient stranger(router_);
  const Reply api =
      stranger.api(http::Method::kPost, "/api/v1/orgs/acme/tokens", R"({"name":"a"})");
  EXPECT_EQ(api.status, 401);
  EXPECT_EQ(api.body,
            R"({"error":{"code":"unauthenticated","message":"Sign in or send an API token."}})");
  EXPECT_EQ(stranger.api(http::Method::kDelete, "/api/v1/orgs/acme/members/" + alice_.id).status,
            401);
  EXPECT_EQ(stranger.api(http::Method::kPost, "/account/settings").body,
            R"({"error":{"code":"unauthenticated","message":"Sign in to continue."}})");
  // Browsers are sent to sign in, as for a GET.
  const Reply form = stranger.post_form("/orgs/acme/members", {{"email", "x@example.com"}});
  EXPECT_EQ(form.status, 303);
  EXPECT_EQ(form.location(), "/login?next=%2Forgs%2Facme%2Fmembers");
  EXPECT_EQ(stranger.post_form("/account/settings", {}).location(),
            "/login?next=%2Faccount%2Fsettings");
  // A session cookie that no longer works is no credential either, and is cleared.
  TestClient stale(router_);
  stale.cookies()[kSessionCookie] = "ended-long-ago";
  EXPECT_EQ(stale.api(http::Method::kPost, "/api/v1/orgs/acme/tokens", R"({"name":"b"})").status,
            401);
  EXPECT_EQ(stale.cookies().count(kSessionCookie), 0u);
  EXPECT_TRUE(h_.service->api_tokens(acme_.id)->empty()) << "nothing happened";
  EXPECT_EQ(h_.service->members(acme_.id)->size(), 1u);

  // Forms used before signing in keep their double-submit token (the ml_csrf cookie).
  TestClient visitor(router_);
  const Reply no_cookie = visitor.post_form(
      "/login", {{"email", "alice@example.com"}, {"password", IdentityHarness::kPassword}});
  EXPECT_EQ(no_cookie.status, 403);
  EXPECT_NE(no_cookie.body.find("did not come from Marketlink"), std::string::npos);
  ASSERT_EQ(visitor.cookies().count(kCsrfCookie), 1u) << "a fresh token, for the reloaded form";
  const Reply wrong = visitor.post_form("/login", {{"csrf_token", "not-the-cookie's-token"},
                                                   {"email", "alice@example.com"},
                                                   {"password", IdentityHarness::kPassword}});
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(visitor.post_form("/logout", {}).status, 403) << "an anyone() route";
  const Reply in = visitor.post_form("/login", {{"csrf_token", visitor.cookies()[kCsrfCookie]},
                                                {"email", "alice@example.com"},
                                                {"password", IdentityHarness::kPassword}});
  EXPECT_EQ(in.status, 303);
}

// Over a real connection: a request that waits for `100 Continue` and may not go on gets its
// answer from the headers alone, before it sends its body.
TEST_P(AuthTest, ExpectContinueIsRefusedBeforeTheBody) {
  ASSERT_TRUE(h_.service->invite(acme_.id, "bob@example.com", identity::Role::kMember, {}).ok());
  TestClient alice(router_);
  const std::string csrf = sign_in(alice, "alice@example.com");
  TestClient bob(router_);
  sign_in(bob, "bob@example.com");
  const std::string alice_cookie =
      std::string("Cookie: ") + kSessionCookie + "=" + alice.cookies()[kSessionCookie] + "\r\n";
  const std::string bob_cookie =
      std::string("Cookie: ") + kSessionCookie + "=" + bob.cookies()[kSessionCookie] + "\r\n";

  core::Metrics metrics;
  core::SequentialIdGenerator ids{"req"};
  http::Server server({.port = 0, .worker_threads = 2, .request_timeout = 5s}, router_, metrics,
                      ids);
  const auto port = server.start();
  ASSERT_TRUE(port.ok());
  const std::string body = R"({"name":"ci"})";
  const auto expect_post = [&](const std::string& path, const std::string& extra) {
    return "POST " + path +
           " HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
           extra + "Expect: 100-continue\r\n\r\n";
  };
  const std::string json = "Accept: application/json\r\nContent-Type: application/json\r\n";
  struct Case {
    std::string what, path, headers;
    int status;
    std::string shows;
  };
  const std::vector<Case> refused = {
      {"no credentials", "/api/v1/orgs/acme/tokens", json, 401,
       R"({"error":{"code":"unauthenticated","message":"Sign in or send an API token."}})"},
      {"a browser without a session", "/orgs/acme/tokens",
       "Accept: text/html\r\nContent-Type: application/x-www-form-urlencoded\r\n", 303,
       "Location: /login?next=%2Forgs%2Facme%2Ftokens"},
      {"an unknown token", "/api/v1/orgs/acme/tokens",
       json + "Authorization: Bearer mlk_made_up\r\n", 401, "WWW-Authenticate: Bearer"},
      {"another tenant's organization", "/api/v1/orgs/globex/tokens", json + alice_cookie, 404,
       R"({"error":{"code":"not_found","message":"There is nothing at this address."}})"},
      {"a member on an admin route", "/api/v1/orgs/acme/tokens",
       json + bob_cookie + "X-CSRF-Token: whatever\r\n", 403,
       R"({"error":{"code":"forbidden","message":"Only an admin of this organization can do this."}})"},
  };
  for (const Case& c : refused) {
    http::testing::RawClient client(*port);
    client.send(expect_post(c.path, c.headers));
    const auto r = client.read();  // before any body byte was sent
    EXPECT_EQ(r.status, c.status) << c.what;
    EXPECT_TRUE(r.has(c.shows) || r.body == c.shows) << c.what << ": " << r.head << r.body;
    EXPECT_TRUE(r.has("Connection: close")) << c.what;
    EXPECT_TRUE(client.closed_by_peer()) << c.what;
  }

  // An admin gets the go-ahead; the CSRF token is checked once the body is in (it may be there).
  http::testing::RawClient admin(*port);
  admin.send(expect_post("/api/v1/orgs/acme/tokens", json + alice_cookie));
  EXPECT_EQ(admin.read().status, 100);
  admin.send(body);
  const auto no_token = admin.read();
  EXPECT_EQ(no_token.status, 403);
  EXPECT_NE(no_token.body.find("csrf_failed"), std::string::npos) << no_token.body;
  admin.send(expect_post("/api/v1/orgs/acme/tokens",
                         json + alice_cookie + "X-CSRF-Token: " + csrf + "\r\n"));
  EXPECT_EQ(admin.read().status, 100);
  admin.send(body);
  EXPECT_EQ(admin.read().status, 201);
  EXPECT_EQ(h_.service->api_tokens(acme_.id)->size(), 1u) << "only the admitted request counted";
  server.shutdown();
}

TEST_P(AuthTest, SessionsExpireWhenIdleAndAfterSevenDays) {
  TestClient c(router_);
  sign_in(c, "alice@example.com");
  h_.clock.advance(11h);
  EXPECT_EQ(c.get("/orgs/acme").status, 200);
  h_.clock.advance(12h);
  const Reply idle = c.get("/orgs/acme/members");
  EXPECT_EQ(idle.status, 303);
  EXPECT_EQ(idle.location(), "/login?next=%2Forgs%2Facme%2Fmembers");
  EXPECT_EQ(c.cookies().count(kSessionCookie), 0u) << "the dead cookie is cleared";

  sign_in(c, "alice@example.com");
  for (int i = 0; i < 16; ++i) {
    h_.clock.advance(10h);
    ASSERT_EQ(c.get("/orgs/acme").status, 200) << i;
  }
  h_.clock.advance(8h + 1s);
  EXPECT_EQ(c.get("/orgs/acme").status, 303);
  EXPECT_EQ(c.api(http::Method::kGet, "/api/v1/orgs/acme").status, 401);
}

TEST_P(AuthTest, CookiesAreSecureBehindHttps) {
  auto pages = Pages::create({.version = "test", .database = "test", .sandbox = false});
  ASSERT_TRUE(pages.ok());
  const Auth secure(*h_.service, **pages, {.secure_cookies = true});
  http::Router router;
  ASSERT_TRUE(add_identity_routes(router, **pages, secure, *h_.audit).ok());
  TestClient c(router);
  const Reply form = c.get("/login");
  EXPECT_NE(form.header("Set-Cookie").find("; Secure"), std::string::npos);
  const Reply in = c.post_form("/login", {{"csrf_token", form.csrf()},
                                          {"email", "alice@example.com"},
                                          {"password", IdentityHarness::kPassword}});
  ASSERT_EQ(in.status, 303);
  bool session_cookie = false;
  for (const auto& [k, v] : in.headers) {
    if (k != "Set-Cookie" || !v.starts_with(kSessionCookie)) continue;
    session_cookie = true;
    EXPECT_NE(v.find("HttpOnly; SameSite=Lax"), std::string::npos) << v;
    EXPECT_NE(v.find("Path=/"), std::string::npos) << v;
    EXPECT_NE(v.find("; Secure"), std::string::npos) << v;
  }
  EXPECT_TRUE(session_cookie);
}

TEST_P(AuthTest, SignInRotatesTheSessionId) {
  TestClient c(router_);
  const std::string csrf = sign_in(c, "alice@example.com");
  const std::string first = c.cookies()[kSessionCookie];
  ASSERT_FALSE(first.empty());
  // Signing in again from a browser that already holds a session (or a planted cookie).
  const Reply again = c.post_form("/login", {{"csrf_token", csrf},
                                             {"email", "alice@example.com"},
                                             {"password", IdentityHarness::kPassword}});
  ASSERT_EQ(again.status, 303);
  const std::string second = c.cookies()[kSessionCookie];
  EXPECT_NE(first, second);
  TestClient replay(router_);
  replay.cookies()[kSessionCookie] = first;
  EXPECT_EQ(replay.get("/orgs/acme").status, 303) << "the old id no longer works";
}

TEST_P(AuthTest, NextRedirectsStayOnThisSite) {
  EXPECT_EQ(safe_next("/orgs/acme?tab=1"), "/orgs/acme?tab=1");
  EXPECT_EQ(safe_next("//evil.example"), "/");
  EXPECT_EQ(safe_next("/\\evil.example"), "/");
  EXPECT_EQ(safe_next("https://evil.example/"), "/");
  EXPECT_EQ(safe_next("javascript:alert(1)"), "/");
  EXPECT_EQ(safe_next("/ok\r\nSet-Cookie: x"), "/");
  EXPECT_EQ(safe_next(""), "/");
  for (const std::string next : {"//evil.example/x", "https://evil.example", "/\\evil.example"}) {
    TestClient c(router_);
    const Reply form = c.get("/login?next=" + http::url_encode(next));
    EXPECT_NE(form.body.find("name=\"next\" value=\"/\""), std::string::npos) << next;
    const Reply r = c.post_form("/login", {{"csrf_token", form.csrf()},
                                           {"email", "alice@example.com"},
                                           {"password", IdentityHarness::kPassword},
                                           {"next", next}});
    EXPECT_EQ(r.status, 303);
    EXPECT_EQ(r.location(), "/") << next;
  }
  TestClient c(router_);
  const Reply form = c.get("/login");
  const Reply local = c.post_form("/login", {{"csrf_token", form.csrf()},
                                             {"email", "alice@example.com"},
                                             {"password", IdentityHarness::kPassword},
                                             {"next", "/orgs/acme/members"}});
  EXPECT_EQ(local.location(), "/orgs/acme/members");
}

TEST_P(AuthTest, FiveFailedSignInsMakeTheSixthWait) {
  TestClient c(router_);
  const Reply form = c.get("/login");
  for (int i = 0; i < 5; ++i) {
    const Reply r = c.post_form("/login", {{"csrf_token", form.csrf()},
                                           {"email", "alice@example.com"},
                                           {"password", "not the password"}});
    EXPECT_EQ(r.status, 401);
    EXPECT_NE(r.body.find("The e-mail address or password is not correct."), std::string::npos);
    EXPECT_NE(r.body.find("value=\"alice@example.com\""), std::string::npos);
  }
  const Reply unknown = c.post_form("/login", {{"csrf_token", form.csrf()},
                                               {"email", "nobody@example.com"},
                                               {"password", "not the password"}});
  EXPECT_EQ(unknown.status, 401);
  const Reply blocked = c.post_form("/login", {{"csrf_token", form.csrf()},
                                               {"email", "alice@example.com"},
                                               {"password", IdentityHarness::kPassword}});
  EXPECT_EQ(blocked.status, 429);
  EXPECT_EQ(blocked.header("Retry-After"), "900");
  EXPECT_NE(blocked.body.find("Too many failed sign-in attempts"), std::string::npos);
  h_.clock.advance(15min);
  const Reply later = c.post_form("/login", {{"csrf_token", form.csrf()},
                                             {"email", "alice@example.com"},
                                             {"password", IdentityHarness::kPassword}});
  EXPECT_EQ(later.status, 303);
  const std::string csrf = c.get("/orgs/acme").csrf();
  const Reply audit = c.get("/orgs/acme/audit");
  EXPECT_EQ(audit.status, 200);
  EXPECT_NE(audit.body.find("user.sign_in_throttled"), std::string::npos);
  EXPECT_NE(audit.body.find("user.sign_in_blocked"), std::string::npos);
  EXPECT_NE(audit.body.find("192.0.2.10"), std::string::npos) << "with the client's address";
  (void)csrf;
}

TEST_P(AuthTest, TheLastAdminIsProtectedOnPagesAndApi) {
  TestClient c(router_);
  const std::string csrf = sign_in(c, "alice@example.com");
  const Reply demote = c.post_form("/orgs/acme/members/" + alice_.id + "/role",
                                   {{"csrf_token", csrf}, {"role", "member"}});
  EXPECT_EQ(demote.status, 303);
  EXPECT_NE(c.get(demote.location()).body.find("at least one admin"), std::string::npos);
  const Reply remove = c.api(http::Method::kDelete, "/api/v1/orgs/acme/members/" + alice_.id, "",
                             {{"x-csrf-token", csrf}});
  EXPECT_EQ(remove.status, 409);
  EXPECT_NE(remove.body.find("\"code\":\"last_admin\""), std::string::npos);
  EXPECT_EQ(*h_.service->role_in(acme_.id, alice_.id), identity::Role::kAdmin);
}

TEST_P(AuthTest, AnotherTenantsPagesAndApiAnswer404) {
  TestClient c(router_);
  const std::string csrf = sign_in(c, "alice@example.com");
  for (const std::string& path :
       std::vector<std::string>{"/orgs/globex", "/orgs/globex/members", "/orgs/globex/tokens",
                                "/orgs/globex/audit", "/orgs/" + globex_.id, "/orgs/nope"}) {
    const Reply r = c.get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_NE(r.body.find("Page not found"), std::string::npos) << path;
  }
  EXPECT_EQ(c.api(http::Method::kGet, "/api/v1/orgs/globex/members").status, 404);
  const Reply post =
      c.post_form("/orgs/globex/members", {{"csrf_token", csrf}, {"email", "mallory@example.com"}});
  EXPECT_EQ(post.status, 404);
  const Reply api_delete = c.api(http::Method::kDelete, "/api/v1/orgs/globex/members/" + bob_.id,
                                 "", {{"x-csrf-token", csrf}});
  EXPECT_EQ(api_delete.status, 404);
  EXPECT_EQ(api_delete.body,
            R"({"error":{"code":"not_found","message":"There is nothing at this address."}})");
  // A kind-restricted route of one's own organization of another kind: 404 as well.
  EXPECT_EQ(c.get("/orgs/acme/pool").status, 404);
  TestClient b(router_);
  sign_in(b, "bob@example.com");
  EXPECT_EQ(b.get("/orgs/globex/pool").status, 200);
  EXPECT_EQ(b.get("/orgs/acme").status, 404);
}

TEST_P(AuthTest, MembersSeeButOnlyAdminsManage) {
  ASSERT_TRUE(h_.service->invite(acme_.id, "bob@example.com", identity::Role::kMember, {}).ok());
  TestClient c(router_);
  const std::string csrf = sign_in(c, "bob@example.com");
  EXPECT_EQ(c.get("/orgs/acme").status, 200);
  const Reply members = c.get("/orgs/acme/members");
  EXPECT_EQ(members.status, 200);
  EXPECT_EQ(members.body.find("Send invitation"), std::string::npos);
  EXPECT_EQ(members.body.find("href=\"/orgs/acme/tokens\""), std::string::npos)
      << "navigation hides admin pages";
  EXPECT_EQ(c.get("/orgs/acme/tokens").status, 403);
  EXPECT_EQ(c.get("/orgs/acme/audit").status, 403);
  EXPECT_EQ(
      c.post_form("/orgs/acme/members", {{"csrf_token", csrf}, {"email", "z@example.com"}}).status,
      403);
  // The switcher lists both organizations.
  EXPECT_NE(members.body.find("Switch organization"), std::string::npos);
  EXPECT_NE(members.body.find("href=\"/orgs/globex\""), std::string::npos);
}

TEST_P(AuthTest, BearerTokensAreScopedToTheirOrganizationAndRevocable) {
  TestClient admin(router_);
  const std::string csrf = sign_in(admin, "alice@example.com");
  const Reply page = admin.post_form("/orgs/acme/tokens", {{"csrf_token", csrf}, {"name", "ci"}});
  ASSERT_EQ(page.status, 201);
  const auto start = page.body.find("mlk_");
  ASSERT_NE(start, std::string::npos) << "shown once, on creation";
  const std::string secret = page.body.substr(start, page.body.find('"', start) - start);
  EXPECT_EQ(admin.get("/orgs/acme/tokens").body.find(secret), std::string::npos)
      << "never shown again";

  TestClient script(router_);
  const http::Headers auth_header = {{"authorization", "Bearer " + secret}};
  const Reply members =
      script.api(http::Method::kGet, "/api/v1/orgs/acme/members", "", auth_header);
  EXPECT_EQ(members.status, 200);
  const auto body = nlohmann::json::parse(members.body);
  EXPECT_EQ(body["members"][0]["email"], "alice@example.com");
  EXPECT_EQ(script.api(http::Method::kGet, "/api/v1/orgs/" + acme_.id, "", auth_header).status,
            200);
  EXPECT_EQ(script.api(http::Method::kGet, "/api/v1/orgs/globex/members", "", auth_header).status,
            404);
  const Reply invite = script.api(http::Method::kPost, "/api/v1/orgs/acme/members",
                                  R"({"email":"eve@example.com","role":"member"})", auth_header);
  EXPECT_EQ(invite.status, 201) << "no CSRF token needed with a bearer token: " << invite.body;
  const Reply audit =
      script.api(http::Method::kGet, "/api/v1/orgs/acme/audit?limit=5", "", auth_header);
  EXPECT_EQ(audit.status, 200);
  EXPECT_NE(audit.body.find("API token ci"), std::string::npos);

  const auto tokens = h_.service->api_tokens(acme_.id);
  const Reply revoke =
      admin.post_form("/orgs/acme/tokens/" + tokens->at(0).id + "/revoke", {{"csrf_token", csrf}});
  EXPECT_EQ(revoke.status, 303);
  const Reply after = script.api(http::Method::kGet, "/api/v1/orgs/acme/members", "", auth_header);
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.header("WWW-Authenticate"), "Bearer");
  EXPECT_NE(after.body.find("invalid_token"), std::string::npos);
  EXPECT_EQ(script
                .api(http::Method::kGet, "/api/v1/orgs/acme/members", "",
                     {{"authorization", "Bearer mlk_made_up"}})
                .status,
            401);
}

TEST_P(AuthTest, PasswordResetAndInvitationPages) {
  TestClient c(router_);
  const Reply form = c.get("/password-reset");
  ASSERT_EQ(
      c.post_form("/password-reset", {{"csrf_token", form.csrf()}, {"email", "alice@example.com"}})
          .status,
      303);
  const std::string token = h_.mail.last_token_to("alice@example.com");
  const Reply set_form = c.get("/password-reset/new?token=" + token);
  ASSERT_EQ(set_form.status, 200);
  const Reply done = c.post_form(
      "/password-reset/new",
      {{"csrf_token", set_form.csrf()}, {"token", token}, {"password", "alices new passphrase"}});
  EXPECT_EQ(done.status, 303);
  EXPECT_EQ(c.get("/password-reset/new?token=" + token).status, 400) << "single use";
  sign_in(c, "alice@example.com", "alices new passphrase");
  const std::string csrf = c.get("/orgs/acme/members").csrf();
  ASSERT_EQ(c.post_form("/orgs/acme/members",
                        {{"csrf_token", csrf}, {"email", "frank@example.com"}, {"role", "admin"}})
                .status,
            303);
  TestClient frank(router_);
  const std::string invite = h_.mail.last_token_to("frank@example.com");
  const Reply accept_form = frank.get("/invitations/accept?token=" + invite);
  ASSERT_EQ(accept_form.status, 200);
  EXPECT_NE(accept_form.body.find("Join your team"), std::string::npos);
  const Reply accepted =
      frank.post_form("/invitations/accept", {{"csrf_token", accept_form.csrf()},
                                              {"token", invite},
                                              {"name", "Frank"},
                                              {"password", "franks own passphrase"}});
  EXPECT_EQ(accepted.status, 303);
  sign_in(frank, "frank@example.com", "franks own passphrase");
  EXPECT_EQ(frank.get("/orgs/acme/tokens").status, 200) << "invited as admin";
}

TEST_P(AuthTest, HomeSendsSignedInUsersToTheirOrganization) {
  TestClient c(router_);
  const Reply anonymous = c.get("/");
  EXPECT_EQ(anonymous.status, 200);
  EXPECT_NE(anonymous.body.find("href=\"/signup\""), std::string::npos);
  sign_in(c, "alice@example.com");
  EXPECT_EQ(c.get("/").location(), "/orgs/acme");
  const Reply me = c.api(http::Method::kGet, "/api/v1/me");
  EXPECT_EQ(me.status, 200);
  EXPECT_NE(me.body.find("\"slug\":\"acme\""), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuthTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace web
