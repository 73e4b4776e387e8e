#include "identity/identity_service.h"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include "identity/identity_test_support.h"

namespace identity {
namespace {

using db::testing::TestBackend;
using testing::IdentityHarness;
using namespace std::chrono_literals;

class IdentityServiceTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    std::unique_ptr<db::testing::TestDatabase> db;
    MARKETLINK_OPEN_TEST_DATABASE(db);
    ASSERT_TRUE(h_.init(std::move(db)));
  }
  IdentityService& svc() { return *h_.service; }

  SignUpResult sign_up(const std::string& email = "Jane@Example.com") {
    auto r = svc().sign_up({.email = email,
                            .name = "Jane Doe",
                            .password = IdentityHarness::kPassword,
                            .organization_name = "Acme Cloud"},
                           "203.0.113.7");
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : SignUpResult{};
  }
  std::vector<std::string> actions(const std::string& org_id) {
    auto page = h_.audit->list(org_id, 200, "");
    EXPECT_TRUE(page.ok());
    std::vector<std::string> out;
    if (page.ok()) {
      for (const auto& e : page->events) out.push_back(e.action);
    }
    return out;
  }
  static bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  }

  IdentityHarness h_;
};

TEST_P(IdentityServiceTest, SignUpCreatesAnUnverifiedAdminOfANewCustomerOnTrial) {
  const SignUpResult r = sign_up();
  EXPECT_FALSE(r.user.verified);
  EXPECT_EQ(r.organization.slug, "acme-cloud");
  EXPECT_EQ(r.organization.kind, OrgKind::kCustomer);
  EXPECT_EQ(r.organization.subscription, SubscriptionStatus::kTrial);
  auto role = svc().role_in(r.organization.id, r.user.id);
  ASSERT_TRUE(role.ok());
  EXPECT_EQ(*role, Role::kAdmin);
  const auto messages = h_.mail.messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].to, "Jane@Example.com");
  EXPECT_NE(messages[0].text_body.find("http://marketlink.test/verify-email?token="),
            std::string::npos);
  EXPECT_NE(messages[0].html_body.find("verify-email?token="), std::string::npos);
  EXPECT_TRUE(contains(actions(r.organization.id), "user.signed_up"));
}

TEST_P(IdentityServiceTest, SignUpReportsEveryBadFieldAtOnce) {
  auto r = svc().sign_up(
      {.email = "not-an-address", .name = "", .password = "short", .organization_name = ""}, "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kInvalid);
  std::set<std::string> fields;
  for (const auto& d : r.error().details) fields.insert(d.field);
  EXPECT_EQ(fields, (std::set<std::string>{"email", "name", "password", "organization_name"}));
  auto common = svc().sign_up(
      {.email = "a@gmail.com", .name = "A", .password = "password1234", .organization_name = "A"},
      "");
  ASSERT_FALSE(common.ok());
  EXPECT_EQ(common.error().details.at(0).field, "password");
}

TEST_P(IdentityServiceTest, EmailsAreCaseInsensitiveAndAnyDomainIsAccepted) {
  sign_up("Jane@Example.com");
  auto again = svc().sign_up({.email = "jane@EXAMPLE.com",
                              .name = "Other",
                              .password = IdentityHarness::kPassword,
                              .organization_name = "Other"},
                             "");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, core::ErrorCode::kConflict);
  EXPECT_STREQ(again.error().code_slug(), "email_taken");
  auto gmail = svc().sign_up({.email = "someone.else+tag@gmail.com",
                              .name = "Someone",
                              .password = IdentityHarness::kPassword,
                              .organization_name = "Acme Cloud"},
                             "");
  ASSERT_TRUE(gmail.ok()) << gmail.error().message;
  EXPECT_EQ(gmail->organization.slug, "acme-cloud-2") << "names may repeat; slugs are numbered";
}

TEST_P(IdentityServiceTest, UnverifiedUsersCannotSignInUntilTheyVerify) {
  const SignUpResult r = sign_up();
  auto early = svc().sign_in("jane@example.com", IdentityHarness::kPassword, "", "");
  ASSERT_FALSE(early.ok());
  EXPECT_STREQ(early.error().code_slug(), "email_not_verified");
  const std::string token = h_.mail.last_token_to("Jane@Example.com");
  ASSERT_FALSE(token.empty());
  auto verified = svc().verify_email(token, "");
  ASSERT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_TRUE(verified->verified);
  auto reused = svc().verify_email(token, "");
  ASSERT_FALSE(reused.ok());
  EXPECT_STREQ(reused.error().code_slug(), "token_invalid") << "single use";
  auto session = svc().sign_in("JANE@example.com", IdentityHarness::kPassword, "", "");
  ASSERT_TRUE(session.ok()) << session.error().message;
  EXPECT_EQ(session->user.id, r.user.id);
}

TEST_P(IdentityServiceTest, VerificationLinksExpireAfter24HoursAndCanBeResent) {
  sign_up();
  const std::string old_token = h_.mail.last_token_to("Jane@Example.com");
  h_.clock.advance(24h + 1s);
  auto expired = svc().verify_email(old_token, "");
  ASSERT_FALSE(expired.ok());
  EXPECT_STREQ(expired.error().code_slug(), "token_expired");
  ASSERT_TRUE(svc().resend_verification("jane@example.com", "").ok());
  const std::string fresh = h_.mail.last_token_to("Jane@Example.com");
  ASSERT_NE(fresh, old_token);
  EXPECT_TRUE(svc().verify_email(fresh, "").ok());
  // Unknown or verified addresses: quietly nothing.
  const size_t sent = h_.mail.messages().size();
  EXPECT_TRUE(svc().resend_verification("nobody@example.com", "").ok());
  EXPECT_TRUE(svc().resend_verification("jane@example.com", "").ok());
  EXPECT_EQ(h_.mail.messages().size(), sent);
}

TEST_P(IdentityServiceTest, WrongEmailAndWrongPasswordLookTheSame) {
  h_.user("a@example.com");
  auto wrong_password = svc().sign_in("a@example.com", "not the password", "", "");
  auto wrong_email = svc().sign_in("b@example.com", IdentityHarness::kPassword, "", "");
  ASSERT_FALSE(wrong_password.ok());
  ASSERT_FALSE(wrong_email.ok());
  EXPECT_EQ(wrong_password.error().code, core::ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong_password.error().message, wrong_email.error().message);
  EXPECT_STREQ(wrong_password.error().code_slug(), wrong_email.error().code_slug());
}

TEST_P(IdentityServiceTest, FiveFailuresIn15MinutesBlockFurtherAttemptsAndAreAudited) {
  const User u = h_.user("a@example.com");
  const Organization org = h_.org("Acme", u);
  for (int i = 0; i < 5; ++i) {
    auto r = svc().sign_in("a@example.com", "wrong password!", "198.51.100.1", "");
    ASSERT_EQ(r.error().code, core::ErrorCode::kUnauthenticated) << i;
    h_.clock.advance(1min);
  }
  auto blocked = svc().sign_in("A@example.com", IdentityHarness::kPassword, "198.51.100.1", "");
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().code, core::ErrorCode::kRateLimited);
  EXPECT_STREQ(blocked.error().code_slug(), "sign_in_throttled");
  ASSERT_FALSE(blocked.error().details.empty());
  EXPECT_EQ(blocked.error().details[0].field, "retry_after");
  EXPECT_EQ(blocked.error().details[0].message, std::to_string(10 * 60))
      << "the first failure leaves the window 15 minutes after it happened";
  const auto log = actions(org.id);
  EXPECT_TRUE(contains(log, "user.sign_in_failed"));
  EXPECT_TRUE(contains(log, "user.sign_in_throttled"));
  EXPECT_TRUE(contains(log, "user.sign_in_blocked"));
  // Another address is not affected.
  h_.user("b@example.com");
  EXPECT_TRUE(svc().sign_in("b@example.com", IdentityHarness::kPassword, "", "").ok());
  // Once the oldest failure leaves the window, one more attempt is allowed, and success resets.
  h_.clock.advance(10min + 1s);
  auto after = svc().sign_in("a@example.com", IdentityHarness::kPassword, "", "");
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_TRUE(contains(actions(org.id), "user.signed_in"));
}

TEST_P(IdentityServiceTest, ThrottlingAndSessionsHoldAcrossInstancesOnOneDatabase) {
  h_.user("a@example.com");
  auto other_db = h_.database->open_another();
  ASSERT_NE(other_db, nullptr);
  AuditLog other_audit(*other_db, h_.clock, h_.ids);
  IdentityService other(*other_db, h_.clock, h_.ids, h_.mail, other_audit,
                        {.password_cost = PasswordCost::kMinimum});
  for (int i = 0; i < 5; ++i) {
    IdentityService& instance = i % 2 == 0 ? svc() : other;
    EXPECT_FALSE(instance.sign_in("a@example.com", "wrong password!", "", "").ok());
  }
  EXPECT_EQ(svc().sign_in("a@example.com", IdentityHarness::kPassword, "", "").error().code,
            core::ErrorCode::kRateLimited);
  EXPECT_EQ(other.sign_in("a@example.com", IdentityHarness::kPassword, "", "").error().code,
            core::ErrorCode::kRateLimited);
  h_.clock.advance(15min);
  auto session = svc().sign_in("a@example.com", IdentityHarness::kPassword, "", "");
  ASSERT_TRUE(session.ok());
  EXPECT_TRUE(other.resume_session(session->token).ok()) << "a session works on every instance";
  ASSERT_TRUE(other.sign_out(session->token, "").ok());
  EXPECT_FALSE(svc().resume_session(session->token).ok());
}

TEST_P(IdentityServiceTest, SessionsExpireWhenIdleFor12Hours) {
  h_.user("a@example.com");
  auto s = svc().sign_in("a@example.com", IdentityHarness::kPassword, "", "agent");
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->token.empty());
  EXPECT_FALSE(s->csrf_token.empty());
  h_.clock.advance(11h);
  auto resumed = svc().resume_session(s->token);
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(resumed->csrf_token, s->csrf_token);
  h_.clock.advance(11h);
  EXPECT_TRUE(svc().resume_session(s->token).ok()) << "activity moved the idle deadline";
  h_.clock.advance(12h);
  auto idle = svc().resume_session(s->token);
  ASSERT_FALSE(idle.ok());
  EXPECT_EQ(idle.error().code, core::ErrorCode::kUnauthenticated);
}

TEST_P(IdentityServiceTest, SessionsEndSevenDaysAfterSignInWhateverTheActivity) {
  h_.user("a@example.com");
  auto s = svc().sign_in("a@example.com", IdentityHarness::kPassword, "", "");
  ASSERT_TRUE(s.ok());
  for (int i = 0; i < 16; ++i) {
    h_.clock.advance(10h);
    ASSERT_TRUE(svc().resume_session(s->token).ok()) << i;
  }
  h_.clock.advance(8h + 1s);  // 7 days and a second
  EXPECT_FALSE(svc().resume_session(s->token).ok());
  EXPECT_FALSE(svc().resume_session("").ok());
  EXPECT_FALSE(svc().resume_session("made-up").ok());
}

TEST_P(IdentityServiceTest, SignInRotatesTheSessionAndSignOutEndsIt) {
  h_.user("a@example.com");
  auto first = svc().sign_in("a@example.com", IdentityHarness::kPassword, "", "");
  ASSERT_TRUE(first.ok());
  auto second = svc().sign_in("a@example.com", IdentityHarness::kPassword, "", "", first->token);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(first->token, second->token);
  EXPECT_NE(first->csrf_token, second->csrf_token);
  EXPECT_FALSE(svc().resume_session(first->token).ok()) << "the old id no longer works";
  EXPECT_TRUE(svc().resume_session(second->token).ok());
  EXPECT_TRUE(svc().sign_out(second->token, "").ok());
  EXPECT_FALSE(svc().resume_session(second->token).ok());
}

TEST_P(IdentityServiceTest, PasswordResetIsSingleUseAndValidOneHour) {
  const User u = h_.user("a@example.com");
  auto session = svc().sign_in("a@example.com", IdentityHarness::kPassword, "", "");
  ASSERT_TRUE(svc().request_password_reset("A@EXAMPLE.COM", "").ok());
  const std::string token = h_.mail.last_token_to("a@example.com");
  ASSERT_FALSE(token.empty());
  EXPECT_TRUE(svc().check_email_token(token, false).ok());
  auto weak = svc().reset_password(token, "short", "");
  ASSERT_FALSE(weak.ok());
  EXPECT_EQ(weak.error().details.at(0).field, "password");
  auto done = svc().reset_password(token, "a brand new passphrase", "");
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_FALSE(svc().resume_session(session->token).ok()) << "every session ended";
  EXPECT_FALSE(svc().reset_password(token, "another new passphrase", "").ok());
  EXPECT_FALSE(svc().sign_in("a@example.com", IdentityHarness::kPassword, "", "").ok());
  EXPECT_TRUE(svc().sign_in("a@example.com", "a brand new passphrase", "", "").ok());
  ASSERT_TRUE(svc().request_password_reset("a@example.com", "").ok());
  const std::string late = h_.mail.last_token_to("a@example.com");
  h_.clock.advance(1h + 1s);
  auto expired = svc().reset_password(late, "yet another passphrase", "");
  ASSERT_FALSE(expired.ok());
  EXPECT_STREQ(expired.error().code_slug(), "token_expired");
  const size_t sent = h_.mail.messages().size();
  EXPECT_TRUE(svc().request_password_reset("nobody@example.com", "").ok());
  EXPECT_EQ(h_.mail.messages().size(), sent);
  (void)u;
}

TEST_P(IdentityServiceTest, OrganizationsHaveKindsSlugsAndMarketplaceIds) {
  const User admin = h_.user("ops@example.com");
  auto mp = svc().create_organization({.name = "Demo Marketplace",
                                       .kind = OrgKind::kMarketplace,
                                       .marketplace_id = "MP-0000",
                                       .admin_user_id = admin.id},
                                      Actor::system());
  ASSERT_TRUE(mp.ok()) << mp.error().message;
  EXPECT_EQ(mp->slug, "demo-marketplace");
  auto by_slug = svc().find_organization("demo-marketplace");
  auto by_id = svc().find_organization(mp->id);
  ASSERT_TRUE(by_slug.ok());
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(by_slug->id, mp->id);
  EXPECT_EQ(by_id->marketplace_id, "MP-0000");
  auto by_marketplace_id = svc().find_marketplace("MP-0000");
  ASSERT_TRUE(by_marketplace_id.ok());
  EXPECT_EQ(by_marketplace_id->id, mp->id);
  EXPECT_EQ(svc().find_marketplace("MP-0001").error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(svc().find_marketplace("").error().code, core::ErrorCode::kNotFound);
  auto no_id = svc().create_organization(
      {.name = "Other", .kind = OrgKind::kMarketplace, .admin_user_id = admin.id}, Actor::system());
  EXPECT_EQ(no_id.error().code, core::ErrorCode::kInvalid);
  auto same_id = svc().create_organization({.name = "Other",
                                            .kind = OrgKind::kMarketplace,
                                            .marketplace_id = "MP-0000",
                                            .admin_user_id = admin.id},
                                           Actor::system());
  EXPECT_EQ(same_id.error().code, core::ErrorCode::kConflict);
  auto same_slug = svc().create_organization(
      {.name = "demo marketplace", .kind = OrgKind::kProvider, .admin_user_id = admin.id},
      Actor::system());
  EXPECT_EQ(same_slug.error().code, core::ErrorCode::kConflict);
  auto trial = svc().create_organization({.name = "Trial Co",
                                          .kind = OrgKind::kCustomer,
                                          .subscription = SubscriptionStatus::kTrial,
                                          .admin_user_id = admin.id},
                                         Actor::system());
  ASSERT_TRUE(trial.ok());
  EXPECT_EQ(trial->subscription, SubscriptionStatus::kTrial);
  h_.clock.advance(24h * 15);
  EXPECT_EQ(svc().find_organization("trial-co")->subscription, SubscriptionStatus::kExpired);
  auto memberships = svc().memberships(admin.id);
  ASSERT_TRUE(memberships.ok());
  ASSERT_EQ(memberships->size(), 2u);
  EXPECT_EQ((*memberships)[0].org.name, "Demo Marketplace") << "ordered by name";
  EXPECT_EQ(svc().find_organization("nope").error().code, core::ErrorCode::kNotFound);
}

TEST_P(IdentityServiceTest, InvitationsAddExistingUsersOrCreateInvitedOnes) {
  const User admin = h_.user("admin@example.com");
  const Organization org = h_.org("Acme", admin);
  const User existing = h_.user("bob@example.com");
  const Actor actor{.user_id = admin.id, .label = "admin@example.com", .ip = "127.0.0.1"};
  auto added = svc().invite(org.id, "BOB@example.com", Role::kMember, actor);
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_FALSE(added->new_user);
  EXPECT_EQ(added->member.user.id, existing.id);
  auto twice = svc().invite(org.id, "bob@example.com", Role::kMember, actor);
  EXPECT_EQ(twice.error().code, core::ErrorCode::kConflict);

  auto invited = svc().invite(org.id, "carol@example.com", Role::kAdmin, actor);
  ASSERT_TRUE(invited.ok());
  EXPECT_TRUE(invited->new_user);
  EXPECT_FALSE(invited->member.user.has_password);
  EXPECT_FALSE(svc().sign_in("carol@example.com", "", "", "").ok());
  const std::string token = h_.mail.last_token_to("carol@example.com");
  ASSERT_FALSE(token.empty());
  EXPECT_NE(h_.mail.last_link_to("carol@example.com").find("/invitations/accept?token="),
            std::string::npos);
  auto accepted = svc().accept_invitation(token, "Carol", "carols own passphrase", "");
  ASSERT_TRUE(accepted.ok()) << accepted.error().message;
  EXPECT_TRUE(accepted->verified);
  EXPECT_TRUE(svc().sign_in("carol@example.com", "carols own passphrase", "", "").ok());
  EXPECT_FALSE(svc().accept_invitation(token, "Carol", "carols own passphrase", "").ok());
  auto members = svc().members(org.id);
  ASSERT_TRUE(members.ok());
  EXPECT_EQ(members->size(), 3u);
  const auto log = actions(org.id);
  EXPECT_TRUE(contains(log, "member.added"));
  EXPECT_TRUE(contains(log, "member.invited"));
  EXPECT_TRUE(contains(log, "member.joined"));
}

TEST_P(IdentityServiceTest, TheLastAdminCanNeitherBeDemotedNorRemoved) {
  const User admin = h_.user("admin@example.com");
  const Organization org = h_.org("Acme", admin);
  const User bob = h_.user("bob@example.com");
  const Actor actor{.user_id = admin.id, .label = "admin@example.com", .ip = ""};
  ASSERT_TRUE(svc().invite(org.id, "bob@example.com", Role::kMember, actor).ok());
  auto demote = svc().change_role(org.id, admin.id, Role::kMember, actor);
  ASSERT_FALSE(demote.ok());
  EXPECT_STREQ(demote.error().code_slug(), "last_admin");
  auto remove = svc().remove_member(org.id, admin.id, actor);
  ASSERT_FALSE(remove.ok());
  EXPECT_STREQ(remove.error().code_slug(), "last_admin");
  ASSERT_TRUE(svc().change_role(org.id, bob.id, Role::kAdmin, actor).ok());
  ASSERT_TRUE(svc().change_role(org.id, admin.id, Role::kMember, actor).ok());
  EXPECT_FALSE(svc().remove_member(org.id, bob.id, actor).ok());
  ASSERT_TRUE(svc().remove_member(org.id, admin.id, actor).ok());
  EXPECT_EQ(svc().role_in(org.id, admin.id).error().code, core::ErrorCode::kNotFound);
  EXPECT_TRUE(contains(actions(org.id), "member.role_changed"));
  EXPECT_TRUE(contains(actions(org.id), "member.removed"));
}

TEST_P(IdentityServiceTest, TenantDataIsScopedByOrganization) {
  const User a = h_.user("a@example.com");
  const User b = h_.user("b@example.com");
  const Organization org_a = h_.org("Org A", a);
  const Organization org_b = h_.org("Org B", b);
  const Actor actor_b{.user_id = b.id, .label = "b@example.com", .ip = ""};
  auto token_a = svc().create_api_token(org_a.id, "ci", Actor::system());
  ASSERT_TRUE(token_a.ok());
  // B cannot touch A's members or tokens through B's organization id.
  EXPECT_EQ(svc().change_role(org_b.id, a.id, Role::kMember, actor_b).error().code,
            core::ErrorCode::kNotFound);
  EXPECT_EQ(svc().remove_member(org_b.id, a.id, actor_b).error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(svc().revoke_api_token(org_b.id, token_a->token.id, actor_b).error().code,
            core::ErrorCode::kNotFound);
  EXPECT_TRUE(svc().api_tokens(org_b.id)->empty());
  EXPECT_EQ(svc().members(org_b.id)->size(), 1u);
  // Audit logs are separate too, sign-ins included.
  ASSERT_TRUE(svc().sign_in("a@example.com", IdentityHarness::kPassword, "", "").ok());
  EXPECT_TRUE(contains(actions(org_a.id), "user.signed_in"));
  EXPECT_FALSE(contains(actions(org_b.id), "user.signed_in"));
  EXPECT_FALSE(contains(actions(org_b.id), "api_token.created"));
}

TEST_P(IdentityServiceTest, ApiTokensAreShownOnceStoredHashedScopedAndRevocable) {
  const User a = h_.user("a@example.com");
  const Organization org = h_.org("Org A", a);
  auto created = svc().create_api_token(org.id, "deploy script", Actor::system());
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(created->secret.starts_with("mlk_"));
  EXPECT_TRUE(created->secret.starts_with(created->token.hint));
  {
    auto conn = h_.database->db().connect();
    int plain = -1;
    conn->sql() << "SELECT COUNT(*) FROM api_tokens WHERE token_hash = :s",
        soci::use(created->secret), soci::into(plain);
    EXPECT_EQ(plain, 0) << "only the hash is stored";
  }
  auto principal = svc().authenticate_token(created->secret);
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ(principal->org.id, org.id);
  EXPECT_EQ(svc().api_tokens(org.id)->at(0).last_used_at.has_value(), true);
  EXPECT_FALSE(svc().authenticate_token(created->secret + "x").ok());
  EXPECT_FALSE(svc().authenticate_token("").ok());
  ASSERT_TRUE(svc().revoke_api_token(org.id, created->token.id, Actor::system()).ok());
  EXPECT_EQ(svc().authenticate_token(created->secret).error().code,
            core::ErrorCode::kUnauthenticated);
  EXPECT_TRUE(svc().api_tokens(org.id)->at(0).revoked);
  EXPECT_EQ(svc().revoke_api_token(org.id, created->token.id, Actor::system()).error().code,
            core::ErrorCode::kNotFound);
  EXPECT_EQ(svc().create_api_token(org.id, "  ", Actor::system()).error().code,
            core::ErrorCode::kInvalid);
}

TEST_P(IdentityServiceTest, AuditLogPagesNewestFirst) {
  const User a = h_.user("a@example.com");
  h_.clock.advance(1s);
  const Organization org = h_.org("Org A", a);
  for (int i = 0; i < 5; ++i) {
    h_.clock.advance(1s);
    ASSERT_TRUE(h_.audit
                    ->record({.org_id = org.id,
                              .actor = Actor::system(),
                              .action = "test.step",
                              .target_type = "step",
                              .target_id = std::to_string(i)})
                    .ok());
  }
  auto first = h_.audit->list(org.id, 3, "");
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->events.size(), 3u);
  EXPECT_EQ(first->events[0].target_id, "4");
  ASSERT_FALSE(first->next_cursor.empty());
  auto second = h_.audit->list(org.id, 3, first->next_cursor);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->events.size(), 3u) << "two steps and organization.created";
  EXPECT_EQ(second->events[0].target_id, "1");
  EXPECT_EQ(second->events[2].action, "organization.created");
  auto third = h_.audit->list(org.id, 3, second->next_cursor);
  ASSERT_TRUE(third.ok());
  ASSERT_EQ(third->events.size(), 1u);
  EXPECT_EQ(third->events[0].action, "user.created") << "events about its members show too";
  EXPECT_TRUE(third->next_cursor.empty());
  EXPECT_EQ(h_.audit->list(org.id, 3, "garbage").error().code, core::ErrorCode::kInvalid);
}

TEST_P(IdentityServiceTest, MailIsQueuedWithTheChangeOrNotAtAll) {
  h_.mail.set_failing(true);
  auto failed = svc().sign_up({.email = "jane@example.com",
                               .name = "Jane",
                               .password = IdentityHarness::kPassword,
                               .organization_name = "Acme"},
                              "");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, core::ErrorCode::kUnavailable);
  EXPECT_FALSE(svc().find_user_by_email("jane@example.com").ok()) << "nothing was created";
  h_.mail.set_failing(false);
  sign_up("jane@example.com");
  const auto messages = h_.mail.messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].subject, "Confirm your e-mail address for Marketlink");
  EXPECT_NE(messages[0].html_body.find("Confirm e-mail address"), std::string::npos);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// The fields of an invalid_form error.
std::set<std::string> fields_of(const core::Error& e) {
  std::set<std::string> out;
  for (const auto& d : e.details) out.insert(d.field);
  return out;
}

TEST_P(IdentityServiceTest, NamesInAnyScriptAreAcceptedAndOrganizationsGetAUrlSafeSlug) {
  auto ivan = svc().sign_up({.email = "ivan@example.com",
                             .name = "Иван",
                             .password = IdentityHarness::kPassword,
                             .organization_name = "日本語"},
                            "");
  ASSERT_TRUE(ivan.ok()) << ivan.error().message;
  EXPECT_EQ(ivan->user.name, "Иван");
  const Organization& japanese = ivan->organization;
  EXPECT_EQ(japanese.name, "日本語");
  EXPECT_EQ(japanese.slug, "org-" + lower(japanese.id)) << "no ASCII letter: the id stands in";
  auto by_slug = svc().find_organization(japanese.slug);
  ASSERT_TRUE(by_slug.ok());
  EXPECT_EQ(by_slug->id, japanese.id);
  EXPECT_EQ(by_slug->name, "日本語") << "stored and read back as typed";
  EXPECT_EQ(svc().find_user_by_email("ivan@example.com")->name, "Иван");

  const User admin = h_.user("ops@example.com", "Ελληνικά");
  EXPECT_EQ(svc().find_user_by_email("ops@example.com")->name, "Ελληνικά");
  auto greek = svc().create_organization(
      {.name = "Ελληνικά", .kind = OrgKind::kProvider, .admin_user_id = admin.id}, Actor::system());
  ASSERT_TRUE(greek.ok()) << greek.error().message;
  EXPECT_EQ(greek->slug, "org-" + lower(greek->id));
  auto japanese_again =
      svc().create_organization({.name = "日本語", .admin_user_id = admin.id}, Actor::system());
  ASSERT_TRUE(japanese_again.ok()) << "the same name again gets a slug of its own";
  EXPECT_NE(japanese_again->slug, japanese.slug);
  auto mixed =
      svc().create_organization({.name = "Иван Cloud", .admin_user_id = admin.id}, Actor::system());
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(mixed->slug, "cloud") << "ASCII letters, when there are some, make the slug";
  for (const auto& org : {japanese, *greek, *japanese_again, *mixed}) {
    EXPECT_EQ(org.slug.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos)
        << org.slug;
  }

  auto token = svc().create_api_token(japanese.id, "デプロイ", Actor::system());
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_EQ(svc().api_tokens(japanese.id)->at(0).name, "デプロイ");

  // E-mails carry the names as typed in the text part, escaped in the HTML part.
  const auto messages = h_.mail.messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_NE(messages[0].text_body.find("Hello Иван"), std::string::npos);
  EXPECT_NE(messages[0].text_body.find("日本語"), std::string::npos);
  EXPECT_NE(messages[0].html_body.find("Hello Иван"), std::string::npos);
  auto invited = svc().invite(greek->id, "new@example.com", Role::kMember,
                              {.user_id = admin.id, .label = "ops@example.com", .ip = ""});
  ASSERT_TRUE(invited.ok()) << invited.error().message;
  const mail::Message invitation = h_.mail.messages().back();
  EXPECT_EQ(invitation.subject, "You are invited to Ελληνικά on Marketlink");
  auto html = svc().create_organization({.name = "<b>Ω & Co</b>", .admin_user_id = admin.id},
                                        Actor::system());
  ASSERT_TRUE(html.ok());
  ASSERT_TRUE(svc().invite(html->id, "new@example.com", Role::kMember, Actor::system()).ok());
  const mail::Message added = h_.mail.messages().back();
  EXPECT_NE(added.html_body.find("&lt;b&gt;Ω &amp; Co&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(added.html_body.find("<b>Ω"), std::string::npos);
}

TEST_P(IdentityServiceTest, ControlCharactersAndBrokenUtf8AreRefusedInEveryName) {
  const User admin = h_.user("admin@example.com");
  const Organization org = h_.org("Acme", admin);
  ASSERT_TRUE(svc().invite(org.id, "carol@example.com", Role::kMember, Actor::system()).ok());
  const std::string invitation = h_.mail.last_token_to("carol@example.com");
  const size_t mails = h_.mail.messages().size();
  const std::vector<std::string> bad = {
      std::string("Ja\0ne", 5),  // NUL
      "Ja\x1b[31mne",            // ESC: a terminal colour sequence
      "Ja\rne",
      "Ja\nne",
      "Ja\tne",
      "Ja\x7fne",             // DEL
      "Ja\xc2\x85ne",         // U+0085 NEXT LINE (C1)
      "Ja\xc2\x9b\x33\x31m",  // U+009B CONTROL SEQUENCE INTRODUCER (C1), then "31m"
      "Ja\xe2\x80\xa8ne",     // U+2028 LINE SEPARATOR
      "Ja\xe2\x80\xae\x65n",  // U+202E RIGHT-TO-LEFT OVERRIDE, then "en"
      "\xff\xfe",             // not UTF-8: bytes that never appear in it
      "Ja\xc3",               // a truncated sequence
      "\xc0\xaf",             // an overlong '/'
      "\xed\xa0\x80",         // a surrogate
      "Ja\xe9ne",             // Latin-1, not UTF-8
  };
  for (const std::string& name : bad) {
    SCOPED_TRACE(::testing::PrintToString(name));
    auto signed_up = svc().sign_up({.email = "jane@example.com",
                                    .name = name,
                                    .password = IdentityHarness::kPassword,
                                    .organization_name = name},
                                   "");
    ASSERT_FALSE(signed_up.ok());
    EXPECT_EQ(signed_up.error().code, core::ErrorCode::kInvalid);
    EXPECT_EQ(fields_of(signed_up.error()), (std::set<std::string>{"name", "organization_name"}));
    auto user = svc().create_user(
        {.email = "bob@example.com", .name = name, .password = IdentityHarness::kPassword});
    ASSERT_FALSE(user.ok());
    EXPECT_EQ(fields_of(user.error()), std::set<std::string>{"name"});
    auto created =
        svc().create_organization({.name = name, .admin_user_id = admin.id}, Actor::system());
    ASSERT_FALSE(created.ok());
    EXPECT_EQ(fields_of(created.error()), std::set<std::string>{"name"});
    auto token = svc().create_api_token(org.id, name, Actor::system());
    ASSERT_FALSE(token.ok());
    EXPECT_EQ(fields_of(token.error()), std::set<std::string>{"name"});
    auto accepted = svc().accept_invitation(invitation, name, "carols own passphrase", "");
    ASSERT_FALSE(accepted.ok());
    EXPECT_EQ(fields_of(accepted.error()), std::set<std::string>{"name"});
    // An address with the same characters is refused too: an invited user's first name comes
    // from it.
    auto address = svc().invite(org.id, name + "@example.com", Role::kMember, Actor::system());
    ASSERT_FALSE(address.ok());
    EXPECT_EQ(fields_of(address.error()), std::set<std::string>{"email"});
  }
  // Nothing changed.
  EXPECT_FALSE(svc().find_user_by_email("jane@example.com").ok());
  EXPECT_FALSE(svc().find_user_by_email("bob@example.com").ok());
  EXPECT_EQ(svc().memberships(admin.id)->size(), 1u);
  EXPECT_TRUE(svc().api_tokens(org.id)->empty());
  EXPECT_EQ(svc().members(org.id)->size(), 2u);
  EXPECT_EQ(h_.mail.messages().size(), mails);
  auto accepted = svc().accept_invitation(invitation, "Carol", "carols own passphrase", "");
  ASSERT_TRUE(accepted.ok()) << "the invitation still works: " << accepted.error().message;
  EXPECT_EQ(accepted->name, "Carol");
}

TEST_P(IdentityServiceTest, NameLengthsCountCharactersNotBytes) {
  const User admin = h_.user("admin@example.com");
  const Organization org = h_.org("Acme", admin);
  const std::string kanji = "語";  // 3 bytes
  auto long_user = svc().create_user({.email = "a@example.com",
                                      .name = repeat(kanji, 200),
                                      .password = IdentityHarness::kPassword});
  ASSERT_TRUE(long_user.ok()) << long_user.error().message;
  EXPECT_EQ(long_user->name, repeat(kanji, 200));
  auto too_long_user = svc().create_user({.email = "b@example.com",
                                          .name = repeat(kanji, 201),
                                          .password = IdentityHarness::kPassword});
  ASSERT_FALSE(too_long_user.ok());
  EXPECT_EQ(too_long_user.error().details.at(0).message, "Use at most 200 characters.");

  auto long_org = svc().create_organization({.name = repeat(kanji, 200), .admin_user_id = admin.id},
                                            Actor::system());
  ASSERT_TRUE(long_org.ok()) << long_org.error().message;
  EXPECT_FALSE(svc()
                   .create_organization({.name = repeat(kanji, 201), .admin_user_id = admin.id},
                                        Actor::system())
                   .ok());
  auto signed_up = svc().sign_up({.email = "c@example.com",
                                  .name = repeat("Ж", 200),
                                  .password = IdentityHarness::kPassword,
                                  .organization_name = repeat("Ж", 200)},
                                 "");
  ASSERT_TRUE(signed_up.ok()) << signed_up.error().message;

  auto token = svc().create_api_token(org.id, repeat("é", 100), Actor::system());
  ASSERT_TRUE(token.ok()) << "100 characters, 200 bytes: " << token.error().message;
  auto too_long_token = svc().create_api_token(org.id, repeat("é", 101), Actor::system());
  ASSERT_FALSE(too_long_token.ok());
  EXPECT_EQ(too_long_token.error().details.at(0).message, "Use at most 100 characters.");
}

TEST_P(IdentityServiceTest, NamesAreTrimmedOfUnicodeSpacesAndRefusedWhenNothingIsLeft) {
  const User admin = h_.user("admin@example.com");
  const Organization org = h_.org("Acme", admin);
  for (const std::string blank : {"   ", "\t\r\n", "\xc2\xa0", "\xe3\x80\x80 \xe2\x80\x8b"}) {
    SCOPED_TRACE(::testing::PrintToString(blank));
    auto signed_up = svc().sign_up({.email = "jane@example.com",
                                    .name = blank,
                                    .password = IdentityHarness::kPassword,
                                    .organization_name = blank},
                                   "");
    ASSERT_FALSE(signed_up.ok());
    EXPECT_EQ(fields_of(signed_up.error()), (std::set<std::string>{"name", "organization_name"}));
    EXPECT_FALSE(
        svc()
            .create_organization({.name = blank, .admin_user_id = admin.id}, Actor::system())
            .ok());
    EXPECT_FALSE(svc().create_api_token(org.id, blank, Actor::system()).ok());
  }
  // U+3000 IDEOGRAPHIC SPACE and U+00A0 NO-BREAK SPACE around a name.
  auto token = svc().create_api_token(org.id, "\xe3\x80\x80 ci \xc2\xa0", Actor::system());
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->token.name, "ci");
}

INSTANTIATE_TEST_SUITE_P(Backends, IdentityServiceTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace identity
