// The pages' queries: the operator's list of registrations with its filters and paging, lookup by
// support reference, a registration with its timeline and link.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>

#include "saas/saas.h"
#include "saas/saas_test_support.h"

namespace saas {
namespace {

using db::testing::TestBackend;
using testing::SaasFixture;
using testing::SaasHarness;

class QueriesTest : public SaasFixture {
 protected:
  void SetUp() override {
    SaasFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    h_.product("prod-a", false, "Product A");
    h_.product("prod-b", true, "Product B");
    ann_ = h_.id.user("ann@q.test", "Ann");
    acme_ = h_.customer("Acme", ann_);
    start_ = h_.clock().now();
    // Six landings a minute apart, oldest first.
    resolved_a_ = next(h_.token("1", "prod-a", "111100001111", "c1"));
    linked_b_ = next(h_.token("2", "prod-b", "222200002222", "", "arn:l-2"));
    invalid_ = next("garbage");
    resolved_b_ = next(h_.token("4", "prod-b", "111100001111", "", "arn:l-4"));
    foreign_ = next(h_.token("5", "prod-x", "333300003333", "c5"));
    refused_a_ = next(h_.token("6", "prod-a", "444400004444", "c6"));
    EXPECT_TRUE(h_.service->link(linked_b_.id, acme_.id, SaasHarness::actor(ann_)).ok());
    const identity::User bob = h_.id.user("bob@q.test", "Bob");
    EXPECT_FALSE(h_.service->link(refused_a_.id, acme_.id, SaasHarness::actor(bob)).ok());
  }

  Registration next(const std::string& token) {
    Registration r = h_.land(token);
    h_.clock().advance(std::chrono::minutes(1));
    return r;
  }

  std::vector<std::string> ids(const RegistrationFilter& filter, int limit = 50) {
    std::vector<std::string> out;
    PageRequest page{.limit = limit, .cursor = ""};
    for (int pages = 0; pages < 20; ++pages) {
      auto p = h_.service->list_registrations(filter, page);
      EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
      if (!p.ok()) break;
      EXPECT_LE(static_cast<int>(p->rows.size()), limit);
      for (const auto& row : p->rows) out.push_back(row.registration.id);
      if (p->next_cursor.empty()) break;
      page.cursor = p->next_cursor;
    }
    return out;
  }

  identity::User ann_;
  identity::Organization acme_;
  core::TimePoint start_;
  Registration resolved_a_, linked_b_, invalid_, resolved_b_, foreign_, refused_a_;
};

TEST_P(QueriesTest, ListsEveryRegistrationNewestFirstAcrossPages) {
  const std::vector<std::string> all = {refused_a_.id, foreign_.id,  resolved_b_.id,
                                        invalid_.id,   linked_b_.id, resolved_a_.id};
  EXPECT_EQ(ids({}), all);
  EXPECT_EQ(ids({}, 2), all) << "pages of two";
  EXPECT_EQ(ids({}, 1), all) << "pages of one";
  auto first = h_.service->list_registrations({}, {.limit = 50, .cursor = ""});
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->next_cursor.empty());
  EXPECT_EQ(first->rows[0].product_name, "Product A");
  EXPECT_EQ(first->rows[1].product_name, "") << "not our product";
  EXPECT_EQ(first->rows[4].link_status, LinkStatus::kPending);
  EXPECT_FALSE(first->rows[0].link_status.has_value());
}

TEST_P(QueriesTest, FiltersCombine) {
  EXPECT_EQ(ids({.product_code = "prod-a"}),
            (std::vector<std::string>{refused_a_.id, resolved_a_.id}));
  EXPECT_EQ(ids({.outcome = Outcome::kResolved}),
            (std::vector<std::string>{resolved_b_.id, resolved_a_.id}));
  EXPECT_EQ(ids({.outcome = Outcome::kRefused}), std::vector<std::string>{refused_a_.id});
  EXPECT_EQ(ids({.outcome = Outcome::kInvalidToken}), std::vector<std::string>{invalid_.id});
  EXPECT_EQ(ids({.link_status = LinkStatus::kPending}), std::vector<std::string>{linked_b_.id});
  EXPECT_TRUE(ids({.link_status = LinkStatus::kActive}).empty());
  EXPECT_EQ(ids({.customer_aws_account_id = "111100001111"}),
            (std::vector<std::string>{resolved_b_.id, resolved_a_.id}));
  EXPECT_EQ(ids({.product_code = "prod-b", .customer_aws_account_id = "111100001111"}),
            std::vector<std::string>{resolved_b_.id});
  // Landed in minutes [1, 3): the second and the third landing.
  EXPECT_EQ(ids({.landed_from = start_ + std::chrono::minutes(1),
                 .landed_before = start_ + std::chrono::minutes(3)}),
            (std::vector<std::string>{invalid_.id, linked_b_.id}));
  EXPECT_EQ(ids({.landed_from = start_ + std::chrono::minutes(1),
                 .landed_before = start_ + std::chrono::minutes(3)},
                1),
            (std::vector<std::string>{invalid_.id, linked_b_.id}));
}

TEST_P(QueriesTest, CountsWhatTheFiltersMatch) {
  const auto count = [&](const RegistrationFilter& filter) {
    auto n = h_.service->count_registrations(filter);
    EXPECT_TRUE(n.ok()) << (n.ok() ? "" : n.error().message);
    return n.ok() ? *n : -1;
  };
  EXPECT_EQ(count({}), 6);
  EXPECT_EQ(count({.product_code = "prod-a"}), 2);
  EXPECT_EQ(count({.outcome = Outcome::kInvalidToken}), 1);
  EXPECT_EQ(count({.link_status = LinkStatus::kPending}), 1);
  EXPECT_EQ(count({.link_status = LinkStatus::kActive}), 0);
  EXPECT_EQ(count({.product_code = "prod-b", .customer_aws_account_id = "111100001111"}), 1);
  EXPECT_EQ(count({.landed_from = start_ + std::chrono::minutes(1),
                   .landed_before = start_ + std::chrono::minutes(3)}),
            2);
  // The count agrees with the list it totals.
  EXPECT_EQ(count({.customer_aws_account_id = "111100001111"}),
            static_cast<long long>(ids({.customer_aws_account_id = "111100001111"}).size()));
}

TEST_P(QueriesTest, RefusesACursorItDidNotMake) {
  for (const char* cursor : {"x", "12.", ".abc", "1x2.abc"}) {
    auto r = h_.service->list_registrations({}, {.limit = 10, .cursor = cursor});
    ASSERT_FALSE(r.ok()) << cursor;
    EXPECT_EQ(r.error().slug, "invalid_argument");
  }
}

TEST_P(QueriesTest, FindsARegistrationByItsSupportReferenceAsTyped) {
  std::string typed = invalid_.reference;  // "ML-XXXX-XXXX"
  for (char& c : typed) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::replace(typed.begin(), typed.end(), '-', ' ');
  auto found = h_.service->find_by_reference(typed);
  ASSERT_TRUE(found.ok()) << typed;
  EXPECT_EQ(found->id, invalid_.id);
  EXPECT_EQ(found->outcome, Outcome::kInvalidToken);
  EXPECT_EQ(h_.service->find_by_reference("ML-2222-2222").error().slug, "registration_not_found");
  EXPECT_EQ(h_.service->find_by_reference("nonsense").error().slug, "registration_not_found");
}

TEST_P(QueriesTest, ARegistrationComesWithItsTimelineAndLink) {
  auto d = h_.service->registration_details(linked_b_.id);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->registration.outcome, Outcome::kLinked);
  ASSERT_TRUE(d->product.has_value());
  EXPECT_EQ(d->product->name, "Product B");
  ASSERT_TRUE(d->link.has_value());
  EXPECT_EQ(d->link->org_id, acme_.id);
  EXPECT_EQ(d->link->license_arn, "arn:l-2");
  ASSERT_EQ(d->timeline.size(), 3U);
  for (size_t i = 0; i < d->timeline.size(); ++i) {
    EXPECT_EQ(d->timeline[i].seq, static_cast<int>(i) + 1);
  }
  EXPECT_EQ(d->timeline[2].kind, EventKind::kLinked);
  EXPECT_EQ(d->timeline[2].org_id, acme_.id);

  auto refused = h_.service->registration_details(refused_a_.id);
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->link.has_value());
  EXPECT_EQ(refused->timeline.back().kind, EventKind::kLinkRefused);
  EXPECT_EQ(refused->timeline.back().slug, "organization_not_found");

  auto foreign = h_.service->registration_details(foreign_.id);
  ASSERT_TRUE(foreign.ok());
  EXPECT_FALSE(foreign->product.has_value());
  EXPECT_EQ(h_.service->registration_details("nope").error().slug, "registration_not_found");
}

TEST_P(QueriesTest, AnOrganizationWithoutALinkHasNoSubscription) {
  const auto other = h_.customer("Other", ann_);
  auto subs = h_.service->subscriptions(other.id);
  ASSERT_TRUE(subs.ok());
  EXPECT_TRUE(subs->empty());
  EXPECT_EQ(h_.service->subscriptions(acme_.id)->size(), 1U);
}

INSTANTIATE_TEST_SUITE_P(Backends, QueriesTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace saas
