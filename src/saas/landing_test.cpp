// Landing: every token posted gets a registration with a support reference; the same token again
// is the same registration without asking AWS again (unless AWS did not answer); identical
// landings at once end in one registration; the token itself is stored nowhere.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <barrier>
#include <set>
#include <thread>

#include "identity/secrets.h"
#include "saas/saas.h"
#include "saas/saas_test_support.h"

namespace saas {
namespace {

using db::testing::TestBackend;
using testing::SaasFixture;

class LandingTest : public SaasFixture {
 protected:
  void SetUp() override {
    SaasFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    legacy_ = h_.product("legacy-prod", false);
    concurrent_ = h_.product("concurrent-prod", true);
  }

  std::vector<RegistrationEvent> timeline(const std::string& id) {
    auto d = h_.service->registration_details(id);
    EXPECT_TRUE(d.ok());
    return d.ok() ? d->timeline : std::vector<RegistrationEvent>{};
  }

  static std::vector<EventKind> kinds(const std::vector<RegistrationEvent>& events) {
    std::vector<EventKind> out;
    out.reserve(events.size());
    for (const auto& e : events) out.push_back(e.kind);
    return out;
  }

  long long count(const std::string& sql) {
    auto c = h_.db().connect();
    EXPECT_TRUE(c.ok());
    long long n = 0;
    c->sql() << sql, soci::into(n);
    return n;
  }

  Product legacy_;
  Product concurrent_;
};

TEST_P(LandingTest, AResolvedTokenBecomesARegistration) {
  const std::string t = h_.token("a", "concurrent-prod", "111122223333", "",
                                 "arn:aws:license-manager::111122223333:license:l-1");
  const core::TimePoint landed = h_.clock().now();
  Registration r = h_.land(t, "free-trial");
  EXPECT_EQ(r.outcome, Outcome::kResolved);
  EXPECT_TRUE(r.resolved());
  EXPECT_EQ(r.product_code, "concurrent-prod");
  EXPECT_EQ(r.customer_aws_account_id, "111122223333");
  EXPECT_EQ(r.license_arn, "arn:aws:license-manager::111122223333:license:l-1");
  EXPECT_EQ(r.customer_identifier, "");
  EXPECT_EQ(r.offer_type, "free-trial");
  EXPECT_TRUE(r.free_trial());
  EXPECT_EQ(r.landings, 1);
  EXPECT_EQ(r.id.size(), 22U) << "a random id: " << r.id;
  EXPECT_TRUE(normalize_support_reference(r.reference).has_value()) << r.reference;
  EXPECT_EQ(r.landed_at, std::chrono::time_point_cast<std::chrono::milliseconds>(landed));
  EXPECT_EQ(r.expires_at, r.landed_at + std::chrono::hours(24));
  EXPECT_FALSE(r.expired(landed + std::chrono::hours(23)));
  EXPECT_TRUE(r.expired(landed + std::chrono::hours(24)));

  auto read = h_.service->registration(r.id);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->reference, r.reference);
  EXPECT_EQ(read->outcome, Outcome::kResolved);
  EXPECT_EQ(read->license_arn, r.license_arn);
  EXPECT_EQ(kinds(timeline(r.id)),
            (std::vector<EventKind>{EventKind::kLanded, EventKind::kResolved}));
  EXPECT_NE(timeline(r.id)[1].detail.find("111122223333"), std::string::npos);
}

TEST_P(LandingTest, TheSameTokenAgainIsTheSameRegistrationWithoutAskingAwsAgain) {
  const std::string t = h_.token("b", "legacy-prod", "222233334444", "cust-b");
  Registration first = h_.land(t);
  h_.clock().advance(std::chrono::minutes(3));
  Registration second = h_.land(t);
  Registration third = h_.land("  " + t + "\n");  // as a form may carry it
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(third.id, first.id);
  EXPECT_EQ(third.reference, first.reference);
  EXPECT_EQ(third.landings, 3);
  EXPECT_EQ(h_.resolver.calls_for(t), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM saas_registrations"), 1);
  EXPECT_EQ(kinds(timeline(first.id)),
            (std::vector<EventKind>{EventKind::kLanded, EventKind::kResolved,
                                    EventKind::kLandedAgain, EventKind::kLandedAgain}));
}

TEST_P(LandingTest, ANewTokenOfTheSameBuyerContinuesItsOpenSetup) {
  // Set up product chosen again: AWS gives a new token for the same subscription.
  Registration first = h_.land(h_.token("c1", "legacy-prod", "333344445555", "cust-c"));
  h_.clock().advance(std::chrono::hours(1));
  const std::string second_token = h_.token("c2", "legacy-prod", "333344445555", "cust-c");
  Registration second = h_.land(second_token);
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(second.reference, first.reference);
  EXPECT_EQ(second.landings, 2);
  EXPECT_EQ(second.expires_at, first.expires_at) << "it still expires 24 h after its first landing";
  EXPECT_EQ(h_.resolver.calls_for(second_token), 1);
  const auto events = timeline(first.id);
  ASSERT_EQ(kinds(events), (std::vector<EventKind>{EventKind::kLanded, EventKind::kResolved,
                                                   EventKind::kLandedAgain}));
  EXPECT_NE(events.back().detail.find("chosen again"), std::string::npos) << events.back().detail;

  // Another buyer, or another customer of the same AWS account: a setup of its own.
  EXPECT_NE(h_.land(h_.token("c3", "legacy-prod", "333344445556", "cust-d")).id, first.id);
  EXPECT_NE(h_.land(h_.token("c4", "legacy-prod", "333344445555", "cust-e")).id, first.id);

  // Concurrent agreements: the same agreement continues, a new agreement (license) does not.
  const std::string l1 = "arn:aws:license-manager::333344445555:license:l-1";
  Registration agreement = h_.land(h_.token("c5", "concurrent-prod", "333344445555", "", l1));
  EXPECT_EQ(h_.land(h_.token("c6", "concurrent-prod", "333344445555", "", l1)).id, agreement.id);
  EXPECT_NE(h_.land(h_.token("c7", "concurrent-prod", "333344445555", "",
                             "arn:aws:license-manager::333344445555:license:l-2"))
                .id,
            agreement.id);

  // Once the setup has expired, a new token starts a new one.
  h_.clock().advance(std::chrono::hours(24));
  Registration later = h_.land(h_.token("c8", "legacy-prod", "333344445555", "cust-c"));
  EXPECT_NE(later.id, first.id);
  EXPECT_EQ(later.landings, 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM saas_registrations"), 6);
}

TEST_P(LandingTest, FailedLandingsGetARegistrationAndAReferenceToo) {
  h_.resolver.fail("expired-token", core::invalid("ExpiredTokenException", kExpiredTokenSlug));
  Registration invalid = h_.land("garbage-token");
  Registration expired = h_.land("expired-token");
  Registration unknown = h_.land(h_.token("c", "not-our-product", "333344445555", "cust-c"));
  EXPECT_EQ(invalid.outcome, Outcome::kInvalidToken);
  EXPECT_EQ(invalid.outcome_slug, "invalid_token");
  EXPECT_EQ(expired.outcome, Outcome::kExpiredToken);
  EXPECT_EQ(unknown.outcome, Outcome::kProductUnknown);
  EXPECT_EQ(unknown.product_code, "not-our-product") << "kept for support";
  EXPECT_EQ(unknown.customer_aws_account_id, "333344445555");
  std::set<std::string> references;
  for (const Registration& r : {invalid, expired, unknown}) {
    EXPECT_FALSE(r.resolved());
    EXPECT_FALSE(r.outcome_message.empty());
    EXPECT_TRUE(normalize_support_reference(r.reference).has_value());
    references.insert(r.reference);
    EXPECT_EQ(kinds(timeline(r.id)),
              (std::vector<EventKind>{EventKind::kLanded, EventKind::kResolveFailed}));
  }
  EXPECT_EQ(references.size(), 3U);
  // Final outcomes: posting again does not ask AWS again.
  EXPECT_EQ(h_.land("garbage-token").id, invalid.id);
  EXPECT_EQ(h_.resolver.calls_for("garbage-token"), 1);
}

TEST_P(LandingTest, AfterAwsDidNotAnswerTheSameTokenIsResolvedAgain) {
  const std::string t = h_.token("d", "legacy-prod", "444455556666", "cust-d");
  h_.resolver.set_unavailable(true);
  Registration first = h_.land(t);
  EXPECT_EQ(first.outcome, Outcome::kAwsUnavailable);
  EXPECT_EQ(first.outcome_slug, "aws_unavailable");
  EXPECT_EQ(first.customer_aws_account_id, "");
  Registration still = h_.land(t);
  EXPECT_EQ(still.id, first.id);
  EXPECT_EQ(still.outcome, Outcome::kAwsUnavailable);
  EXPECT_EQ(h_.resolver.calls_for(t), 2);

  h_.resolver.set_unavailable(false);
  h_.clock().advance(std::chrono::minutes(1));
  Registration retried = h_.land(t);
  EXPECT_EQ(retried.id, first.id);
  EXPECT_EQ(retried.reference, first.reference);
  EXPECT_EQ(retried.outcome, Outcome::kResolved);
  EXPECT_EQ(retried.outcome_slug, "");
  EXPECT_EQ(retried.customer_identifier, "cust-d");
  EXPECT_EQ(retried.expires_at, first.expires_at) << "24 hours from the first landing";
  EXPECT_EQ(retried.landings, 3);
  EXPECT_EQ(h_.resolver.calls_for(t), 3);
  // Resolved now: no more calls.
  EXPECT_EQ(h_.land(t).outcome, Outcome::kResolved);
  EXPECT_EQ(h_.resolver.calls_for(t), 3);
  EXPECT_EQ(kinds(timeline(first.id)),
            (std::vector<EventKind>{EventKind::kLanded, EventKind::kResolveFailed,
                                    EventKind::kLandedAgain, EventKind::kResolveFailed,
                                    EventKind::kLandedAgain, EventKind::kResolved,
                                    EventKind::kLandedAgain}));
}

TEST_P(LandingTest, NoTokenIsAnErrorAndStoresNothing) {
  for (const char* t : {"", "   "}) {
    auto r = h_.service->land({.token = t});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().slug, "missing_token");
  }
  EXPECT_EQ(h_.resolver.calls(), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM saas_registrations"), 0);
}

TEST_P(LandingTest, AnOverlongTokenIsInvalidWithoutAskingAws) {
  Registration r = h_.land(std::string(kMaxTokenLength + 1, 'x'));
  EXPECT_EQ(r.outcome, Outcome::kInvalidToken);
  EXPECT_EQ(h_.resolver.calls(), 0);
}

TEST_P(LandingTest, OnlyAPlainOfferTypeIsKept) {
  EXPECT_EQ(h_.land(h_.token("e1", "legacy-prod", "555566667777", "e1"), " free-trial ").offer_type,
            "free-trial");
  EXPECT_EQ(h_.land(h_.token("e2", "legacy-prod", "555566667778", "e2"), "free-\ntrial").offer_type,
            "");
  EXPECT_EQ(
      h_.land(h_.token("e3", "legacy-prod", "555566667779", "e3"), std::string(65, 'a')).offer_type,
      "");
}

TEST_P(LandingTest, IdenticalLandingsAtOnceEndInOneRegistration) {
  constexpr int kClicks = 6;
  constexpr int kRounds = 8;
  for (int round = 0; round < kRounds; ++round) {
    const std::string t =
        h_.token(fmt::format("race{}", round), "legacy-prod", fmt::format("9000000000{:02}", round),
                 fmt::format("cust-race-{}", round));
    // Every click is inside ResolveCustomer before any of them stores its answer.
    testing::Gate gate(kClicks);
    h_.resolver.set_hook([&](const std::string&) { gate.arrive(); });
    std::vector<std::string> ids(kClicks);
    std::vector<std::string> errors;
    std::mutex mutex;
    std::vector<std::thread> clicks;
    clicks.reserve(kClicks);
    for (int i = 0; i < kClicks; ++i) {
      clicks.emplace_back([&, i] {
        auto r = h_.service->land({.token = t});
        std::lock_guard lock(mutex);
        if (r.ok()) {
          ids[static_cast<size_t>(i)] = r->id;
        } else {
          errors.push_back(r.error().message);
        }
      });
    }
    for (auto& c : clicks) c.join();
    h_.resolver.set_hook(nullptr);
    ASSERT_TRUE(errors.empty()) << errors.front();
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1U) << "round " << round;
    EXPECT_EQ(h_.resolver.calls_for(t), kClicks) << "all were inside resolve at once";
    auto r = h_.service->registration(ids[0]);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->landings, kClicks);
    EXPECT_EQ(r->outcome, Outcome::kResolved);
    EXPECT_EQ(timeline(r->id).size(), static_cast<size_t>(kClicks + 1))
        << "landed, resolved, and one landed_again per later click";
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM saas_registrations"), kRounds);
}

TEST_P(LandingTest, ChoicesGoOnTheTimeline) {
  Registration r = h_.land(h_.token("f", "legacy-prod", "666677778888", "cust-f"));
  EXPECT_EQ(r.choice, Choice::kNone);
  auto existing = h_.service->record_choice(r.id, Choice::kExisting);
  ASSERT_TRUE(existing.ok());
  EXPECT_EQ(existing->choice, Choice::kExisting);
  ASSERT_TRUE(h_.service->record_choice(r.id, Choice::kExisting).ok());  // no new entry
  ASSERT_TRUE(h_.service->record_choice(r.id, Choice::kNew).ok());
  EXPECT_EQ(h_.service->registration(r.id)->choice, Choice::kNew);
  EXPECT_EQ(kinds(timeline(r.id)),
            (std::vector<EventKind>{EventKind::kLanded, EventKind::kResolved,
                                    EventKind::kChoseExisting, EventKind::kChoseNew}));
  EXPECT_EQ(h_.service->record_choice("no-such-id", Choice::kNew).error().slug,
            "registration_not_found");
  EXPECT_EQ(h_.service->record_choice(r.id, Choice::kNone).error().code, core::ErrorCode::kInvalid);
}

TEST_P(LandingTest, TheTokenIsStoredNowhere) {
  // Tokens that went every way: resolved and linked, invalid, expired, unavailable then
  // resolved, a product that is not ours; and a resolver whose error message repeats the token.
  const identity::User admin = h_.id.user("ann@buyer.test", "Ann Admin");
  const identity::Organization org = h_.customer("Buyer One", admin);
  const std::string linked = h_.token("secret-linked", "concurrent-prod", "123412341234", "",
                                      "arn:aws:license-manager::123412341234:license:l-9");
  const std::string expired = "tok-secret-expired-Qq1Ww2Ee3Rr4Tt5Yy6";
  h_.resolver.fail(expired, core::invalid("ExpiredTokenException: token " + expired + " expired",
                                          kExpiredTokenSlug));
  const std::string garbage = "tok-secret-garbage-Aa9Ss8Dd7Ff6Gg5Hh4";
  const std::string later = h_.token("secret-later", "legacy-prod", "432143214321", "cust-l");
  const std::string foreign = h_.token("secret-foreign", "someone-elses", "567856785678", "x");

  Registration r = h_.land(linked, "free-trial");
  ASSERT_TRUE(h_.service->link(r.id, org.id, testing::SaasHarness::actor(admin)).ok());
  h_.land(expired);
  h_.land(garbage);
  h_.resolver.set_unavailable(true);
  h_.land(later);
  h_.resolver.set_unavailable(false);
  h_.land(later);
  h_.land(foreign);
  h_.land(linked);

  const auto values = testing::every_text_value(h_.db());
  ASSERT_GT(values.size(), 50U) << "the search saw the rows";
  bool saw_digest = false;
  for (const std::string& token : {linked, expired, garbage, later, foreign}) {
    const std::string digest = identity::secret_hash(token);
    for (const auto& [where, value] : values) {
      EXPECT_EQ(value.find(token), std::string::npos) << "the token is in " << where;
      // Not even a part of it long enough to matter.
      EXPECT_EQ(value.find(token.substr(4, 16)), std::string::npos) << where;
      saw_digest = saw_digest || value == digest;
    }
  }
  EXPECT_TRUE(saw_digest) << "registrations keep the digest";
}

INSTANTIATE_TEST_SUITE_P(Backends, LandingTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace saas
