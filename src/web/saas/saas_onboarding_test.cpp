// The buyer's path over HTTP, on both databases: the landing from AWS Marketplace, the onboarding
// steps, every rule of a link and its page, sign-up through onboarding, a race of two browsers,
// and that the token is nowhere but in the landing request.
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <thread>

#include <fmt/format.h>

#include "web/saas/saas_web_test_support.h"

namespace web::testing {
namespace {

using identity::SubscriptionStatus;

constexpr const char* kAccount = "123456789012";
constexpr const char* kLicense = "arn:aws:license-manager::123456789012:license:l-0a1b2c";

class OnboardingTest : public SaasWebTest {
 protected:
  void SetUp() override {
    open_saas_web();
    if (IsSkipped() || HasFatalFailure()) return;
    concurrent_ = product("prod-concurrent");
    legacy_ = product("prod-legacy", /*legacy=*/true);
    admin_ = h_.user("ann@buyer.test", "Ann Admin");
    member_ = h_.user("max@buyer.test", "Max Member");
    acme_ = customer("Acme", admin_);
    ASSERT_TRUE(
        h_.service
            ->invite(acme_.id, member_.email, identity::Role::kMember, identity::Actor::system())
            .ok());
  }

  // AWS Marketplace's form post (cross-site: no cookies of ours, no CSRF token).
  static Reply post_token(TestClient& c, const std::string& token,
                          const std::string& offer_type = "") {
    std::vector<std::pair<std::string, std::string>> fields = {{"x-amzn-marketplace-token", token}};
    if (!offer_type.empty()) fields.emplace_back("x-amzn-marketplace-offer-type", offer_type);
    return c.post_form("/aws/fulfillment", fields);
  }

  // Lands `token` and answers the onboarding path it redirects to.
  std::string land(TestClient& c, const std::string& token, const std::string& offer_type = "") {
    const Reply r = post_token(c, token, offer_type);
    EXPECT_EQ(r.status, 303) << r.body;
    EXPECT_TRUE(r.location().starts_with("/onboarding/")) << r.location();
    return r.location();
  }

  static std::string id_of(const std::string& onboarding_path) {
    return onboarding_path.substr(std::string("/onboarding/").size());
  }

  // Confirms the link of `org_id` on the authorize page, as the signed-in client.
  Reply confirm(TestClient& c, const std::string& path, const std::string& org_id) {
    const Reply page = c.get(path + "/authorize");
    EXPECT_EQ(page.status, 200) << page.body;
    return c.post_form(path + "/authorize", {{"csrf_token", page.csrf()}, {"org", org_id}});
  }

  saas::Product concurrent_, legacy_;
  identity::User admin_, member_;
  identity::Organization acme_;
};

bool has(const std::string& body, const std::string& text) {
  return body.find(text) != std::string::npos;
}

TEST_P(OnboardingTest, TheLandingRedirectsAndBindsTheSetupToTheBrowser) {
  TestClient c(router_);
  const std::string tok = token("a", concurrent_.product_code, kAccount, "", kLicense);
  const Reply r = post_token(c, tok, "free-trial");
  ASSERT_EQ(r.status, 303) << r.body;
  const std::string path = r.location();
  ASSERT_TRUE(path.starts_with("/onboarding/")) << path;
  // The cookie comes back on the top-level GET that follows AWS's cross-site POST.
  std::string cookie;
  for (const auto& [k, v] : r.headers) {
    if (k == "Set-Cookie" && v.starts_with("ml_onboarding=")) cookie = v;
  }
  EXPECT_EQ(cookie, "ml_onboarding=" + id_of(path) +
                        "; Path=/onboarding; Max-Age=86400; HttpOnly; SameSite=Lax");

  const Reply step1 = c.get(path);
  ASSERT_EQ(step1.status, 200);
  EXPECT_TRUE(has(step1.body, "Set up Product prod-concurrent"));
  EXPECT_TRUE(has(step1.body, kAccount));
  EXPECT_TRUE(has(step1.body, kLicense));
  EXPECT_TRUE(has(step1.body, "Free trial"));
  EXPECT_TRUE(has(step1.body, "aria-current=\"step\""));
  EXPECT_TRUE(has(step1.body, "Do you already have a Marketlink account?"));
  EXPECT_TRUE(has(step1.body, "href=\"/login?next=" + http::url_encode(path) + "\">Sign in</a>"))
      << "the top bar's Sign in comes back here";

  // /onboarding continues it in this browser; a browser without the cookie is told where to go.
  EXPECT_EQ(c.get("/onboarding").location(), path);
  TestClient other(router_);
  EXPECT_EQ(other.get("/onboarding").status, 404);
  // The link itself works in any browser.
  EXPECT_EQ(other.get(path).status, 200);
}

TEST_P(OnboardingTest, TheSameTokenAgainLandsOnTheSameRegistrationWithoutAskingAwsAgain) {
  TestClient c(router_);
  const std::string tok = token("b", concurrent_.product_code, kAccount, "", kLicense);
  const std::string first = land(c, tok);
  EXPECT_EQ(land(c, tok), first);  // a refresh of the POST
  TestClient proxy(router_);       // a proxy turned the POST into a GET
  const Reply g = proxy.get("/aws/fulfillment?x-amzn-marketplace-token=" + http::url_encode(tok));
  EXPECT_EQ(g.status, 303);
  EXPECT_EQ(g.location(), first) << "the redirect drops the token from the URL";
  EXPECT_EQ(resolver_.calls_for(tok), 1);
  EXPECT_EQ(saas_->registration(id_of(first))->landings, 3);
}

TEST_P(OnboardingTest, TokensAwsRefusesEndOnPagesThatSayWhatToDo) {
  TestClient c(router_);
  const Reply none = c.post_form("/aws/fulfillment", {});
  EXPECT_EQ(none.status, 400);
  EXPECT_TRUE(has(none.body, "This page is opened from AWS Marketplace"));

  const std::string garbage = land(c, "tok-garbage-Zq1Xw2Ce3Vr4");
  Reply page = c.get(garbage);
  EXPECT_EQ(page.status, 400);
  EXPECT_TRUE(has(page.body, "AWS Marketplace did not recognize this setup link."));
  EXPECT_TRUE(has(page.body, "Start again in AWS Marketplace"));
  const auto reg = saas_->registration(id_of(garbage));
  ASSERT_TRUE(reg.ok());
  EXPECT_TRUE(has(page.body, reg->reference)) << "the support reference";

  const std::string expired = "tok-expired-Pp0Oo9Ii8Uu7";
  resolver_.fail(expired, core::invalid("ExpiredTokenException", saas::kExpiredTokenSlug));
  page = c.get(land(c, expired));
  EXPECT_EQ(page.status, 410);
  EXPECT_TRUE(has(page.body, "This setup link has expired"));

  const std::string foreign = token("c", "not-ours", kAccount, "", kLicense);
  page = c.get(land(c, foreign));
  EXPECT_EQ(page.status, 404);
  EXPECT_TRUE(has(page.body, "This product is not sold here"));
  EXPECT_TRUE(has(page.body, "not-ours"));

  EXPECT_EQ(c.get("/onboarding/no-such-registration").status, 404);
}

TEST_P(OnboardingTest, WhenAwsDoesNotAnswerTheRetryButtonPostsTheTokenAgain) {
  TestClient c(router_);
  const std::string tok = token("d", concurrent_.product_code, kAccount, "", kLicense);
  resolver_.set_unavailable(true);
  const Reply down = post_token(c, tok, "free-trial");
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(down.header("Cache-Control"), "no-store");
  EXPECT_TRUE(has(down.body, "AWS Marketplace did not answer"));
  EXPECT_TRUE(has(down.body, "action=\"/aws/fulfillment\""));
  EXPECT_TRUE(has(down.body, "name=\"x-amzn-marketplace-token\" value=\"" + tok + "\""));
  EXPECT_TRUE(has(down.body, "name=\"x-amzn-marketplace-offer-type\" value=\"free-trial\""));
  // The retry, once AWS is back: the same registration, now resolved.
  resolver_.set_unavailable(false);
  const std::string path = land(c, tok, "free-trial");
  EXPECT_EQ(c.get(path).status, 200);
  EXPECT_EQ(saas_->registration(id_of(path))->outcome, saas::Outcome::kResolved);
}

TEST_P(OnboardingTest, AnAdminLinksAnExistingOrganizationAndEveryReloadIsSafe) {
  TestClient c(router_);
  const std::string path = land(c, token("e", concurrent_.product_code, kAccount, "", kLicense));
  // "Yes": signed out, sign-in comes back to the authorize step.
  Reply choice =
      c.post_form(path + "/choice", {{"csrf_token", c.get(path).csrf()}, {"choice", "existing"}});
  ASSERT_EQ(choice.status, 303);
  EXPECT_EQ(choice.location(), "/login?next=" + http::url_encode(path + "/authorize"));
  EXPECT_EQ(c.get(path + "/authorize").status, 303) << "authorize needs a signed-in user";
  sign_in(c, admin_.email);
  choice =
      c.post_form(path + "/choice", {{"csrf_token", c.get(path).csrf()}, {"choice", "existing"}});
  EXPECT_EQ(choice.location(), path + "/authorize");

  const identity::Organization no_plan = customer("No Plan Inc", admin_, SubscriptionStatus::kNone);
  Reply authorize = c.get(path + "/authorize");
  ASSERT_EQ(authorize.status, 200);
  EXPECT_TRUE(has(authorize.body, "value=\"" + acme_.id + "\" checked")) << authorize.body;
  EXPECT_TRUE(has(authorize.body, "value=\"" + no_plan.id + "\" disabled"));
  EXPECT_EQ(c.get(path + "/authorize").body, authorize.body) << "a reload shows the same";

  // Without the page's CSRF token nothing happens.
  EXPECT_EQ(c.post_form(path + "/authorize", {{"org", acme_.id}}).status, 403);
  EXPECT_FALSE(saas_->registration(id_of(path))->linked());

  const Reply linked = confirm(c, path, acme_.id);
  ASSERT_EQ(linked.status, 303) << linked.body;
  EXPECT_EQ(linked.location(), "/orgs/" + acme_.slug + "/subscription");
  EXPECT_TRUE(has(http::url_decode(c.cookies()["ml_flash"]), "Linked to AWS Marketplace"));
  auto subs = saas_->subscriptions(acme_.id);
  ASSERT_TRUE(subs.ok());
  ASSERT_EQ(subs->size(), 1U);
  EXPECT_EQ(subs->front().link.license_arn, kLicense);
  // The admins were told.
  EXPECT_FALSE(h_.mail.last_link_to(admin_.email).empty());

  // Back, reload, confirm again: no second link, the same outcome.
  for (const std::string& again : {path, path + "/authorize", path + "/signup"}) {
    const Reply r = c.get(again);
    EXPECT_EQ(r.status, 200) << again;
    EXPECT_TRUE(has(r.body, "This subscription is set up")) << again;
    EXPECT_TRUE(has(r.body, "/orgs/" + acme_.slug + "/subscription")) << again;
  }
  EXPECT_EQ(
      c.post_form(path + "/authorize", {{"csrf_token", c.get(path).csrf()}, {"org", acme_.id}})
          .status,
      303);
  EXPECT_EQ(saas_->subscriptions(acme_.id)->size(), 1U);
  // Someone else with the link learns it is set up, not where.
  TestClient stranger(router_);
  const Reply seen = stranger.get(path);
  EXPECT_TRUE(has(seen.body, "already linked to an organization"));
  EXPECT_FALSE(has(seen.body, acme_.name));
}

TEST_P(OnboardingTest, AMemberIsToldToAskAnAdminAndWhoTheyAre) {
  TestClient c(router_);
  const std::string path = land(c, token("f", concurrent_.product_code, kAccount, "", kLicense));
  sign_in(c, member_.email);
  const Reply page = c.get(path + "/authorize");
  EXPECT_TRUE(has(page.body, "value=\"" + acme_.id + "\" disabled"));
  const Reply refused =
      c.post_form(path + "/authorize", {{"csrf_token", page.csrf()}, {"org", acme_.id}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_TRUE(has(refused.body, "Only an admin can link this organization"));
  EXPECT_TRUE(has(refused.body, "Ann Admin"));
  EXPECT_TRUE(has(refused.body, admin_.email));
  EXPECT_TRUE(has(refused.body, "http://marketlink.test" + path)) << "a link to send them";
  EXPECT_TRUE(has(refused.body, saas_->registration(id_of(path))->reference));
  EXPECT_TRUE(saas_->subscriptions(acme_.id)->empty());
}

TEST_P(OnboardingTest, EveryOtherRuleOfALinkHasItsPage) {
  const identity::Organization no_plan = customer("No Plan Inc", admin_, SubscriptionStatus::kNone);
  const identity::Organization first = customer("First Co", admin_);
  const identity::Organization second = customer("Second Co", admin_);
  TestClient c(router_);
  sign_in(c, admin_.email);

  // No plan of its own.
  std::string path = land(c, token("g", legacy_.product_code, kAccount, "cust-1"));
  Reply r = confirm(c, path, no_plan.id);
  EXPECT_EQ(r.status, 409);
  EXPECT_TRUE(has(r.body, "This organization has no active plan"));

  // Linked; Set up product again (a new token) opens the same setup, done.
  ASSERT_EQ(confirm(c, path, first.id).status, 303);
  EXPECT_EQ(land(c, token("h", legacy_.product_code, kAccount, "cust-1")), path);
  r = c.get(path);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(has(r.body, "This subscription is set up"));
  EXPECT_TRUE(has(r.body, "First Co")) << "the viewer is a member of it";

  // The same AWS account with a new agreement, to another organization.
  ASSERT_EQ(
      confirm(c, land(c, token("h1", concurrent_.product_code, kAccount, "", kLicense)), first.id)
          .status,
      303);
  path = land(c, token("h2", concurrent_.product_code, kAccount, "", std::string(kLicense) + "-2"));
  r = confirm(c, path, second.id);
  EXPECT_EQ(r.status, 409);
  EXPECT_TRUE(has(r.body, "This AWS account is already linked"));
  EXPECT_TRUE(has(r.body, "First Co")) << "the viewer is a member of it";

  // Another buyer, to the organization that has the product already.
  path = land(c, token("i", legacy_.product_code, "210987654321", "cust-2"));
  r = confirm(c, path, first.id);
  EXPECT_EQ(r.status, 409);
  EXPECT_TRUE(has(r.body, "This organization already has Product prod-legacy"));

  // Expired: a day later.
  path = land(c, token("j", legacy_.product_code, "210987654322", "cust-3"));
  h_.clock.advance(std::chrono::hours(24) + std::chrono::seconds(1));
  sign_in(c, admin_.email);  // the session has ended meanwhile
  r = c.get(path);
  EXPECT_EQ(r.status, 410);
  EXPECT_TRUE(has(r.body, "This setup has expired"));
  r = c.post_form(path + "/authorize", {{"csrf_token", r.csrf()}, {"org", second.id}});
  EXPECT_EQ(r.status, 409);
  EXPECT_TRUE(has(r.body, "This setup has expired"));
  EXPECT_EQ(saas_->subscriptions(second.id)->size(), 0U);
}

TEST_P(OnboardingTest, ASecondAgreementOfALinkedAccountUpdatesItsLink) {
  TestClient c(router_);
  sign_in(c, admin_.email);
  const identity::Organization org = customer("Agreements Co", admin_);
  ASSERT_EQ(
      confirm(c, land(c, token("k", concurrent_.product_code, kAccount, "", kLicense)), org.id)
          .status,
      303);
  const std::string second = std::string(kLicense) + "-2";
  const Reply r =
      confirm(c, land(c, token("l", concurrent_.product_code, kAccount, "", second)), org.id);
  ASSERT_EQ(r.status, 303);
  EXPECT_TRUE(has(http::url_decode(c.cookies()["ml_flash"]), "new agreement"));
  auto subs = saas_->subscriptions(org.id);
  ASSERT_EQ(subs->size(), 1U);
  EXPECT_EQ(subs->front().link.license_arn, second);
}

TEST_P(OnboardingTest, ANewAccountVerifiesItsAddressAndComesBackToLink) {
  // The product decides the new organization's own subscription.
  const saas::Product active =
      product("prod-active", /*legacy=*/false, SubscriptionStatus::kActive);
  TestClient c(router_);
  const std::string path = land(c, token("m", active.product_code, kAccount, "", kLicense));
  Reply r = c.post_form(path + "/choice", {{"csrf_token", c.get(path).csrf()}, {"choice", "new"}});
  ASSERT_EQ(r.location(), path + "/signup");
  Reply form = c.get(path + "/signup");
  ASSERT_EQ(form.status, 200);
  EXPECT_TRUE(has(form.body, "action=\"" + path + "/signup\""));
  EXPECT_TRUE(has(form.body, "Product prod-active"));
  // A bad form keeps the input and creates nothing.
  r = c.post_form(path + "/signup", {{"csrf_token", form.csrf()},
                                     {"email", "nina@new.test"},
                                     {"name", "Nina New"},
                                     {"organization_name", "Nina's Team"},
                                     {"password", "short"}});
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(has(r.body, "nina@new.test"));
  EXPECT_FALSE(h_.service->find_user_by_email("nina@new.test").ok());
  r = c.post_form(path + "/signup", {{"csrf_token", form.csrf()},
                                     {"email", "nina@new.test"},
                                     {"name", "Nina New"},
                                     {"organization_name", "Nina's Team"},
                                     {"password", "a long enough passphrase"}});
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.location(), path + "/check-email?email=nina%40new.test");
  EXPECT_TRUE(has(c.get(r.location()).body, "Check your inbox"));

  const std::string link = h_.mail.last_link_to("nina@new.test");
  const auto at = link.find("/verify-email?");
  ASSERT_NE(at, std::string::npos) << link;
  EXPECT_TRUE(has(link, "&next=" + path + "/authorize")) << link;
  const Reply verified = c.get(link.substr(at));
  ASSERT_EQ(verified.status, 200);
  const std::string login =
      "/login?email=nina%40new.test&amp;next=" + http::url_encode(path + "/authorize");
  EXPECT_TRUE(has(verified.body, login)) << verified.body;

  const Reply login_form = c.get("/login");
  r = c.post_form("/login", {{"csrf_token", login_form.csrf()},
                             {"email", "nina@new.test"},
                             {"password", "a long enough passphrase"},
                             {"next", path + "/authorize"}});
  ASSERT_EQ(r.location(), path + "/authorize");
  auto user = h_.service->find_user_by_email("nina@new.test");
  auto orgs = h_.service->memberships(user->id);
  ASSERT_EQ(orgs->size(), 1U);
  EXPECT_EQ(orgs->front().org.subscription, SubscriptionStatus::kActive);
  r = confirm(c, path, orgs->front().org.id);
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.location(), "/orgs/" + orgs->front().org.slug + "/subscription");
}

TEST_P(OnboardingTest, TwoBrowsersRacingToLinkOneBuyerMakeOneLink) {
  // Two admins, each of an organization of their own with a plan, confirm the same buyer's setup
  // at the same moment, round after round: one link, and the other browser sees "already set up".
  constexpr int kRounds = 15;
  const identity::User bob = h_.user("bob@buyer.test", "Bob Admin");
  customer("Bob's Team", bob);  // signing in lands on an organization
  TestClient a(router_), b(router_);
  sign_in(a, admin_.email);
  sign_in(b, bob.email);
  for (int round = 0; round < kRounds; ++round) {
    const std::vector<identity::Organization> orgs = {
        customer(fmt::format("Race A{}", round), admin_),
        customer(fmt::format("Race B{}", round), bob)};
    const std::string account = fmt::format("{:012}", 100000000000LL + round);
    const std::string path = land(a, token("race-" + std::to_string(round), legacy_.product_code,
                                           account, "cust-race-" + std::to_string(round)));
    const std::string csrf_a = a.get(path + "/authorize").csrf();
    const std::string csrf_b = b.get(path + "/authorize").csrf();
    Reply ra, rb;
    std::barrier start(2);
    std::thread ta([&] {
      start.arrive_and_wait();
      ra = a.post_form(path + "/authorize", {{"csrf_token", csrf_a}, {"org", orgs[0].id}});
    });
    std::thread tb([&] {
      start.arrive_and_wait();
      rb = b.post_form(path + "/authorize", {{"csrf_token", csrf_b}, {"org", orgs[1].id}});
    });
    ta.join();
    tb.join();
    const int wins = (ra.status == 303 ? 1 : 0) + (rb.status == 303 ? 1 : 0);
    ASSERT_EQ(wins, 1) << "round " << round << ": " << ra.status << " " << rb.status << "\n"
                       << ra.body << "\n"
                       << rb.body;
    const Reply& loser = ra.status == 303 ? rb : ra;
    EXPECT_TRUE(has(loser.body, "already") && has(loser.body, "linked")) << loser.body;
    const size_t links =
        saas_->subscriptions(orgs[0].id)->size() + saas_->subscriptions(orgs[1].id)->size();
    ASSERT_EQ(links, 1U);
  }
}

TEST_P(OnboardingTest, TheTokenIsInNoRowCookieUrlOrMail) {
  TestClient c(router_);
  const std::string tok = token("secret-n", concurrent_.product_code, kAccount, "", kLicense);
  std::vector<Reply> replies;
  const auto keep = [&](Reply r) {
    replies.push_back(r);
    return r;
  };
  resolver_.set_unavailable(true);
  keep(post_token(c, tok));  // the one answer that carries it, in its retry form
  resolver_.set_unavailable(false);
  const std::string path = keep(post_token(c, tok)).location();
  sign_in(c, admin_.email);
  keep(c.get(path));
  keep(c.get(path + "/authorize"));
  keep(confirm(c, path, acme_.id));
  keep(c.get(path));
  keep(c.get("/aws/fulfillment?x-amzn-marketplace-token=" + http::url_encode(tok)));

  for (size_t i = 0; i < replies.size(); ++i) {
    for (const auto& [name, value] : replies[i].headers) {
      EXPECT_FALSE(has(value, tok)) << name << " of reply " << i;
      EXPECT_FALSE(has(value, http::url_encode(tok))) << name << " of reply " << i;
    }
    if (i > 0) {
      EXPECT_FALSE(has(replies[i].body, tok)) << "reply " << i;
    }
  }
  for (const auto& [name, value] : c.cookies()) EXPECT_FALSE(has(value, tok)) << name;
  for (const auto& m : h_.mail.messages()) {
    EXPECT_FALSE(has(m.text_body + m.html_body + m.subject, tok));
  }
  const auto values = saas::testing::every_text_value(h_.database->db());
  ASSERT_GT(values.size(), 20U);
  for (const auto& [where, value] : values) {
    EXPECT_FALSE(has(value, tok.substr(4, 20))) << "the tok is in " << where;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, OnboardingTest,
                         ::testing::Values(db::testing::TestBackend::kSqlite,
                                           db::testing::TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace web::testing
