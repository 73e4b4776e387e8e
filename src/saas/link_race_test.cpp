// Two browsers racing to link: whatever the interleaving, exactly one link wins and the other is
// answered as the second comer would be — many rounds, on both databases. The unique indexes of
// saas_links decide when both pass the checks before either commits (PostgreSQL); on SQLite the
// write lock orders them.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <barrier>
#include <thread>

#include "saas/saas.h"
#include "saas/saas_test_support.h"

namespace saas {
namespace {

using db::testing::TestBackend;
using testing::SaasFixture;
using testing::SaasHarness;

constexpr int kRounds = 25;

class LinkRaceTest : public SaasFixture {
 protected:
  void SetUp() override {
    SaasFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    h_.product("legacy-prod", false);
    h_.product("concurrent-prod", true);
  }

  struct Attempt {
    std::string registration_id;
    std::string org_id;
    identity::User user;
  };

  // Runs both attempts at once; returns their answers in order.
  std::pair<core::Result<LinkResult>, core::Result<LinkResult>> race(const Attempt& a,
                                                                     const Attempt& b) {
    std::optional<core::Result<LinkResult>> ra, rb;
    std::barrier start(2);
    std::thread ta([&] {
      start.arrive_and_wait();
      ra = h_.service->link(a.registration_id, a.org_id, SaasHarness::actor(a.user));
    });
    std::thread tb([&] {
      start.arrive_and_wait();
      rb = h_.service->link(b.registration_id, b.org_id, SaasHarness::actor(b.user));
    });
    ta.join();
    tb.join();
    return {std::move(*ra), std::move(*rb)};
  }

  // Exactly one of the two won and the other got `loser_slug`.
  void expect_one_winner(const core::Result<LinkResult>& a, const core::Result<LinkResult>& b,
                         const std::string& loser_slug, int round) {
    ASSERT_NE(a.ok(), b.ok()) << "round " << round << ": "
                              << (a.ok() ? "both won"
                                         : a.error().message + " / " +
                                               (b.ok() ? "" : b.error().message));
    const core::Error& lost = a.ok() ? b.error() : a.error();
    EXPECT_EQ(lost.slug, loser_slug) << "round " << round << ": " << lost.message;
  }

  long long live_links_of(const std::string& column, const std::string& value) {
    auto c = h_.db().connect();
    long long n = 0;
    c->sql() << "SELECT COUNT(*) FROM saas_links WHERE status NOT IN ('cancelled', 'failed') AND " +
                    column + " = :v",
        soci::use(value), soci::into(n);
    return n;
  }

  identity::User admin(const std::string& name) { return h_.id.user(name + "@race.test", name); }
};

TEST_P(LinkRaceTest, OneLegacyBuyerRacingIntoTwoOrganizationsLinksOnce) {
  const identity::User ann = admin("ann");
  const identity::User bea = admin("bea");
  for (int round = 0; round < kRounds; ++round) {
    const auto org_a = h_.customer(fmt::format("A{}", round), ann);
    const auto org_b = h_.customer(fmt::format("B{}", round), bea);
    const std::string account = fmt::format("5000000000{:02}", round);
    const std::string customer = fmt::format("cust-race-{}", round);
    // Two setups of one buyer: Set up product clicked in two browsers while AWS did not answer
    // the first, whose Try again then resolved it.
    const std::string first = h_.token(fmt::format("a{}", round), "legacy-prod", account, customer);
    h_.resolver.set_unavailable(true);
    h_.land(first);
    h_.resolver.set_unavailable(false);
    Registration rb =
        h_.land(h_.token(fmt::format("b{}", round), "legacy-prod", account, customer));
    Registration ra = h_.land(first);
    ASSERT_NE(ra.id, rb.id);
    ASSERT_EQ(ra.outcome, Outcome::kResolved);
    auto [a, b] = race({ra.id, org_a.id, ann}, {rb.id, org_b.id, bea});
    expect_one_winner(a, b, "buyer_linked_elsewhere", round);
    EXPECT_EQ(live_links_of("customer_identifier", customer), 1) << "round " << round;
  }
}

TEST_P(LinkRaceTest, OneAwsAccountRacingIntoTwoOrganizationsLinksOnce) {
  const identity::User ann = admin("ann");
  const identity::User bea = admin("bea");
  for (int round = 0; round < kRounds; ++round) {
    const auto org_a = h_.customer(fmt::format("A{}", round), ann);
    const auto org_b = h_.customer(fmt::format("B{}", round), bea);
    const std::string account = fmt::format("6000000000{:02}", round);
    // Two agreements of one AWS account (concurrent agreements), two licenses.
    Registration ra = h_.land(h_.token(fmt::format("a{}", round), "concurrent-prod", account, "",
                                       fmt::format("arn:license:{}-a", round)));
    Registration rb = h_.land(h_.token(fmt::format("b{}", round), "concurrent-prod", account, "",
                                       fmt::format("arn:license:{}-b", round)));
    auto [a, b] = race({ra.id, org_a.id, ann}, {rb.id, org_b.id, bea});
    expect_one_winner(a, b, "buyer_linked_elsewhere", round);
    EXPECT_EQ(live_links_of("customer_aws_account_id", account), 1) << "round " << round;
  }
}

TEST_P(LinkRaceTest, OneRegistrationRacingIntoTwoOrganizationsLinksOnce) {
  const identity::User ann = admin("ann");
  const identity::User bea = admin("bea");
  for (int round = 0; round < kRounds; ++round) {
    const auto org_a = h_.customer(fmt::format("A{}", round), ann);
    const auto org_b = h_.customer(fmt::format("B{}", round), bea);
    const std::string account = fmt::format("7000000000{:02}", round);
    Registration r = h_.land(
        h_.token(fmt::format("r{}", round), "legacy-prod", account, fmt::format("c{}", round)));
    auto [a, b] = race({r.id, org_a.id, ann}, {r.id, org_b.id, bea});
    expect_one_winner(a, b, "registration_used", round);
    auto after = h_.service->registration(r.id);
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(after->outcome, Outcome::kLinked);
    EXPECT_EQ(after->linked_org_id, a.ok() ? org_a.id : org_b.id);
    EXPECT_EQ(live_links_of("customer_aws_account_id", account), 1) << "round " << round;
  }
}

TEST_P(LinkRaceTest, TwoBuyersRacingIntoOneOrganizationLinkOnce) {
  const identity::User ann = admin("ann");
  const identity::User bea = admin("bea");
  for (int round = 0; round < kRounds; ++round) {
    const auto org = h_.customer(fmt::format("O{}", round), ann);
    h_.add_member(org, bea, identity::Role::kAdmin);
    Registration ra =
        h_.land(h_.token(fmt::format("a{}", round), "legacy-prod",
                         fmt::format("8000000000{:02}", round), fmt::format("ca{}", round)));
    Registration rb =
        h_.land(h_.token(fmt::format("b{}", round), "legacy-prod",
                         fmt::format("8100000000{:02}", round), fmt::format("cb{}", round)));
    auto [a, b] = race({ra.id, org.id, ann}, {rb.id, org.id, bea});
    expect_one_winner(a, b, "org_already_linked", round);
    EXPECT_EQ(live_links_of("org_id", org.id), 1) << "round " << round;
  }
}

TEST_P(LinkRaceTest, TheSameConfirmationTwiceAtOnceIsOneLink) {
  const identity::User ann = admin("ann");
  for (int round = 0; round < kRounds; ++round) {
    const auto org = h_.customer(fmt::format("O{}", round), ann);
    const std::string account = fmt::format("9000000000{:02}", round);
    Registration r = h_.land(
        h_.token(fmt::format("r{}", round), "legacy-prod", account, fmt::format("c{}", round)));
    auto [a, b] = race({r.id, org.id, ann}, {r.id, org.id, ann});
    ASSERT_TRUE(a.ok() && b.ok()) << "round " << round;
    EXPECT_EQ(a->link.id, b->link.id);
    EXPECT_EQ((a->change == LinkChange::kCreated) + (b->change == LinkChange::kCreated), 1);
    EXPECT_EQ(live_links_of("customer_aws_account_id", account), 1) << "round " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, LinkRaceTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace saas
