#include "pool/pool.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <map>
#include <set>
#include <tuple>

#include "pool/csv_import.h"
#include "pool/pool_test_support.h"

namespace pool {
namespace {

using db::testing::TestBackend;
using testing::PoolFixture;

constexpr const char* kAcme = "org-acme";
constexpr const char* kOther = "org-other";

class PoolTest : public PoolFixture {
 protected:
  // An account of kAcme in `status`, reached through the operations that lead there. By default
  // it sits alone in a marketplace of its own, so that taking it takes exactly it.
  Account in_status(const std::string& id, AccountStatus status, std::string marketplace = {}) {
    if (marketplace.empty()) marketplace = "MPX-" + id;
    add(kAcme, id, marketplace);
    const std::string order = "order-" + id;
    switch (status) {
      case AccountStatus::kReady: break;
      case AccountStatus::kInvalid:
        EXPECT_TRUE(pool_->update(kAcme, id, {.status = AccountStatus::kInvalid}, "user:a").ok());
        break;
      case AccountStatus::kProvisioning:
      case AccountStatus::kAllocated:
      case AccountStatus::kProvisioningFailed:
        EXPECT_EQ(pool_->take(kAcme, marketplace, order, "order:" + order)->account_id, id);
        if (status == AccountStatus::kAllocated) {
          EXPECT_TRUE(pool_->complete(kAcme, AllocationRef::order(order), "order:x").ok());
        }
        if (status == AccountStatus::kProvisioningFailed) {
          EXPECT_TRUE(pool_->fail(kAcme, AllocationRef::order(order), "boom", "order:x").ok());
        }
        break;
    }
    auto a = pool_->get(kAcme, id);
    EXPECT_EQ(a->status, status);
    return *a;
  }
};

const std::vector<AccountStatus> kAllStatuses = {
    AccountStatus::kReady, AccountStatus::kProvisioning, AccountStatus::kInvalid,
    AccountStatus::kAllocated, AccountStatus::kProvisioningFailed};

TEST(PoolRules, StatusNamesRoundTrip) {
  for (AccountStatus s : kAllStatuses) EXPECT_EQ(parse_status(status_name(s)), s);
  EXPECT_FALSE(parse_status("Ready").has_value());
  EXPECT_STREQ(status_name(AccountStatus::kProvisioningFailed), "provisioning_failed");
}

TEST(PoolRules, OnlyTheDocumentedMovesAreAllowed) {
  using S = AccountStatus;
  const std::set<std::pair<S, S>> allowed = {{S::kReady, S::kProvisioning},
                                             {S::kReady, S::kInvalid},
                                             {S::kInvalid, S::kReady},
                                             {S::kProvisioning, S::kAllocated},
                                             {S::kProvisioning, S::kProvisioningFailed},
                                             {S::kProvisioning, S::kReady},
                                             {S::kProvisioningFailed, S::kReady}};
  for (S from : kAllStatuses) {
    for (S to : kAllStatuses) {
      EXPECT_EQ(is_allowed_move(from, to), allowed.contains({from, to}))
          << status_name(from) << " -> " << status_name(to);
    }
  }
}

TEST(PoolRules, ModelsAndIds) {
  EXPECT_EQ(parse_model(" spam "), Model::kSpam);
  EXPECT_EQ(parse_model("ECAM"), Model::kEcam);
  EXPECT_FALSE(parse_model("SPAMM").has_value());
  EXPECT_TRUE(is_account_id("000000000000"));
  EXPECT_FALSE(is_account_id("12345678901"));
  EXPECT_FALSE(is_account_id("12345678901a"));
  EXPECT_TRUE(is_marketplace_id_syntax("MP-0000"));
  EXPECT_FALSE(is_marketplace_id_syntax("MP 0000"));
  EXPECT_FALSE(is_marketplace_id_syntax(""));
}

// --- adding ---

TEST_P(PoolTest, AddsAnAccountReadyWithItsTimes) {
  const auto created = pool_->add(
      kAcme, {.account_id = "123456789012", .marketplace_id = "MP-0000", .model = Model::kEcam},
      "user:alice");
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto a = pool_->get(kAcme, "123456789012");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->provider_org_id, kAcme);
  EXPECT_EQ(a->marketplace_id, "MP-0000");
  EXPECT_EQ(a->model, Model::kEcam);
  EXPECT_EQ(a->status, AccountStatus::kReady);
  EXPECT_EQ(a->order_ref, "");
  EXPECT_EQ(a->created_at, testing::test_epoch());
  EXPECT_EQ(a->created_at, created->created_at);
  EXPECT_FALSE(a->progress_at.has_value());
}

TEST_P(PoolTest, AddRefusesBadIdsUnknownMarketplacesAndAccountsAlreadyInAPool) {
  auto bad_id = pool_->add(kAcme, {.account_id = "12345", .marketplace_id = "MP-0000"}, "u");
  EXPECT_EQ(bad_id.error().slug, "invalid_account_id");
  auto bad_mp = pool_->add(kAcme, {.account_id = "123456789012", .marketplace_id = "MP-9"}, "u");
  EXPECT_EQ(bad_mp.error().slug, "invalid_marketplace");
  auto bad_syntax =
      pool_->add(kAcme, {.account_id = "123456789012", .marketplace_id = "MP 9"}, "u");
  EXPECT_EQ(bad_syntax.error().slug, "invalid_marketplace");
  add(kAcme, "123456789012");
  auto again = pool_->add(kAcme, {.account_id = "123456789012", .marketplace_id = "MP-0000"}, "u");
  EXPECT_EQ(again.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(again.error().slug, "account_exists");
  // One AWS account cannot sit in two pools.
  auto elsewhere =
      pool_->add(kOther, {.account_id = "123456789012", .marketplace_id = "MP-0000"}, "u");
  EXPECT_EQ(elsewhere.error().slug, "account_exists");
}

// --- tenancy ---

TEST_P(PoolTest, AnotherProvidersAccountIsInvisibleEverywhere) {
  add(kOther, "111111111111");
  auto nf = [](const auto& r) { return !r.ok() && r.error().code == core::ErrorCode::kNotFound; };
  EXPECT_TRUE(nf(pool_->get(kAcme, "111111111111")));
  EXPECT_TRUE(nf(pool_->history(kAcme, "111111111111")));
  EXPECT_TRUE(nf(pool_->update(kAcme, "111111111111", {.model = Model::kEcam}, "u")));
  EXPECT_TRUE(nf(pool_->update(kAcme, "111111111111", {.status = AccountStatus::kInvalid}, "u")));
  EXPECT_TRUE(nf(pool_->remove(kAcme, "111111111111", "u")));
  EXPECT_TRUE(nf(pool_->remove_selected(kAcme, {"111111111111"}, "u")));
  EXPECT_EQ(pool_->remove_all(kAcme, "u")->deleted, 0);
  EXPECT_TRUE(pool_->list(kAcme, {}, {})->accounts.empty());
  EXPECT_EQ(pool_->counts(kAcme)->total(), 0);
  EXPECT_EQ(pool_->take(kAcme, "MP-0000", "o1", "u").error().slug, "no_ready_account");

  ASSERT_TRUE(pool_->take(kOther, "MP-0000", "o2", "u").ok());
  EXPECT_TRUE(nf(pool_->complete(kAcme, AllocationRef::order("o2"), "u")));
  EXPECT_TRUE(nf(pool_->complete(kAcme, AllocationRef::account("111111111111"), "u")));
  EXPECT_TRUE(nf(pool_->fail(kAcme, AllocationRef::account("111111111111"), "x", "u")));
  EXPECT_TRUE(nf(pool_->note_progress(kAcme, "o2")));
  clock_.advance(std::chrono::hours(3));
  EXPECT_TRUE(pool_->stuck(kAcme, 10)->empty());
  EXPECT_TRUE(
      nf(pool_->resolve_stuck(kAcme, "111111111111", StuckResolution::kReturnToReady, "why", "u")));
  // The owner still sees it, untouched.
  EXPECT_EQ(status_of(kOther, "111111111111"), AccountStatus::kProvisioning);
  EXPECT_EQ(pool_->stuck(kOther, 10)->size(), 1u);
}

// --- allocation ---

TEST_P(PoolTest, TakeGivesTheOldestReadyAccountOfTheMarketplace) {
  add(kAcme, "300000000000", "MP-0000");  // oldest
  add(kAcme, "100000000000", "MP-0001");  // other marketplace
  add(kAcme, "200000000000", "MP-0000");
  add(kOther, "050000000000", "MP-0000");  // other provider
  // Same created time: the account id decides.
  clock_.advance(std::chrono::seconds(1));
  auto b = pool_->add(kAcme, {.account_id = "500000000000", .marketplace_id = "MP-0000"}, "u");
  auto a = pool_->add(kAcme, {.account_id = "400000000000", .marketplace_id = "MP-0000"}, "u");
  ASSERT_TRUE(a.ok() && b.ok());

  std::vector<std::string> taken;
  for (int i = 0; i < 4; ++i) {
    auto t = pool_->take(kAcme, "MP-0000", "order-" + std::to_string(i), "order:x");
    ASSERT_TRUE(t.ok()) << t.error().message;
    EXPECT_EQ(t->status, AccountStatus::kProvisioning);
    EXPECT_EQ(t->order_ref, "order-" + std::to_string(i));
    EXPECT_EQ(t->progress_at, clock_.now());
    EXPECT_EQ(*t->progress_at, pool_->get(kAcme, t->account_id)->progress_at);
    taken.push_back(t->account_id);
  }
  EXPECT_EQ(taken, (std::vector<std::string>{"300000000000", "200000000000", "400000000000",
                                             "500000000000"}));
  auto none = pool_->take(kAcme, "MP-0000", "order-9", "order:x");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(none.error().slug, "no_ready_account");
  EXPECT_EQ(status_of(kAcme, "100000000000"), AccountStatus::kReady);
}

TEST_P(PoolTest, TakeSkipsInvalidAllocatedAndFailedAccounts) {
  in_status("100000000001", AccountStatus::kInvalid, "MP-0001");
  in_status("100000000002", AccountStatus::kAllocated, "MP-0001");
  in_status("100000000003", AccountStatus::kProvisioningFailed, "MP-0001");
  in_status("100000000004", AccountStatus::kProvisioning, "MP-0001");
  EXPECT_EQ(pool_->take(kAcme, "MP-0001", "new", "u").error().slug, "no_ready_account");
  in_status("100000000005", AccountStatus::kReady, "MP-0001");
  EXPECT_EQ(pool_->take(kAcme, "MP-0001", "new", "u")->account_id, "100000000005");
}

TEST_P(PoolTest, TakingAgainWithTheSameOrderRefReturnsTheSameAccount) {
  add(kAcme, "100000000001");
  add(kAcme, "100000000002");
  auto first = pool_->take(kAcme, "MP-0000", "order-1", "order:order-1");
  ASSERT_TRUE(first.ok());
  auto again = pool_->take(kAcme, "MP-0000", "order-1", "order:order-1");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->account_id, first->account_id);
  EXPECT_EQ(pool_->counts(kAcme)->ready, 1);
  ASSERT_TRUE(pool_->complete(kAcme, AllocationRef::order("order-1"), "order:order-1").ok());
  auto after = pool_->take(kAcme, "MP-0000", "order-1", "order:order-1");
  EXPECT_EQ(after->account_id, first->account_id);
  EXPECT_EQ(after->status, AccountStatus::kAllocated);
  // The same reference cannot also take an account in another marketplace.
  add(kAcme, "100000000003", "MP-0001");
  EXPECT_EQ(pool_->take(kAcme, "MP-0001", "order-1", "u").error().slug, "order_ref_conflict");
  // Order references are the provider's own: another provider may use the same one.
  add(kOther, "200000000001");
  EXPECT_EQ(pool_->take(kOther, "MP-0000", "order-1", "u")->account_id, "200000000001");
}

TEST_P(PoolTest, TakeValidatesItsArguments) {
  EXPECT_EQ(pool_->take(kAcme, "MP-0000", "", "u").error().slug, "invalid_argument");
  EXPECT_EQ(pool_->take(kAcme, "MP-0000", std::string(201, 'x'), "u").error().slug,
            "invalid_argument");
  EXPECT_EQ(pool_->take(kAcme, "bad mp", "o", "u").error().slug, "invalid_marketplace");
}

TEST_P(PoolTest, CompleteAndFailEndTheProvisioningOnce) {
  add(kAcme, "100000000001");
  add(kAcme, "100000000002");
  ASSERT_TRUE(pool_->take(kAcme, "MP-0000", "o1", "order:o1").ok());
  ASSERT_TRUE(pool_->take(kAcme, "MP-0000", "o2", "order:o2").ok());

  auto done = pool_->complete(kAcme, AllocationRef::order("o1"), "order:o1");
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->status, AccountStatus::kAllocated);
  EXPECT_EQ(done->order_ref, "o1");
  EXPECT_FALSE(done->progress_at.has_value());
  EXPECT_EQ(pool_->complete(kAcme, AllocationRef::account("100000000001"), "u")->status,
            AccountStatus::kAllocated);  // repeat: unchanged
  EXPECT_EQ(pool_->fail(kAcme, AllocationRef::order("o1"), "late", "u").error().slug,
            "invalid_transition");

  auto failed = pool_->fail(kAcme, AllocationRef::account("100000000002"), "IAM user failed", "u");
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->status, AccountStatus::kProvisioningFailed);
  EXPECT_EQ(failed->status_reason, "IAM user failed");
  EXPECT_EQ(pool_->fail(kAcme, AllocationRef::order("o2"), "again", "u")->status_reason,
            "IAM user failed");  // repeat: unchanged
  EXPECT_EQ(pool_->complete(kAcme, AllocationRef::order("o2"), "u").error().slug,
            "invalid_transition");

  // Neither is ever taken again.
  EXPECT_EQ(pool_->take(kAcme, "MP-0000", "o3", "u").error().slug, "no_ready_account");
  EXPECT_EQ(pool_->complete(kAcme, AllocationRef::order("nope"), "u").error().code,
            core::ErrorCode::kNotFound);
  EXPECT_EQ(pool_->complete(kAcme, {"o1", "100000000001"}, "u").error().slug, "invalid_argument");
}

TEST_P(PoolTest, CompleteOrFailOnAnAccountNotProvisioningIsRefused) {
  in_status("100000000001", AccountStatus::kReady);
  in_status("100000000002", AccountStatus::kInvalid);
  for (const char* id : {"100000000001", "100000000002"}) {
    EXPECT_EQ(pool_->complete(kAcme, AllocationRef::account(id), "u").error().slug,
              "invalid_transition");
    EXPECT_EQ(pool_->fail(kAcme, AllocationRef::account(id), "x", "u").error().slug,
              "invalid_transition");
  }
}

// --- admin status moves and edits ---

TEST_P(PoolTest, AdminStatusMovesFollowTheStateMachine) {
  using S = AccountStatus;
  // What update(status = to) may do from each status; provisioning is never edited.
  const std::set<std::pair<S, S>> admin = {
      {S::kReady, S::kInvalid}, {S::kInvalid, S::kReady}, {S::kProvisioningFailed, S::kReady}};
  int n = 0;
  for (S from : kAllStatuses) {
    for (S to : kAllStatuses) {
      if (from == to) continue;
      const std::string id = fmt::format("9000000000{:02}", n++);
      in_status(id, from);
      auto r = pool_->update(kAcme, id, {.status = to, .reason = "test"}, "user:admin");
      const std::string label = std::string(status_name(from)) + " -> " + status_name(to);
      if (admin.contains({from, to})) {
        ASSERT_TRUE(r.ok()) << label << ": " << r.error().message;
        EXPECT_EQ(r->status, to) << label;
        EXPECT_EQ(r->order_ref, "") << label;
      } else {
        ASSERT_FALSE(r.ok()) << label;
        EXPECT_EQ(r.error().code, core::ErrorCode::kConflict) << label;
        EXPECT_EQ(r.error().slug,
                  from == S::kProvisioning ? "account_in_use" : "invalid_transition")
            << label;
        EXPECT_EQ(status_of(kAcme, id), from) << label;
      }
    }
  }
}

TEST_P(PoolTest, AFailedAccountRetriedByAnAdminCanBeTakenAgain) {
  const Account failed = in_status("100000000001", AccountStatus::kProvisioningFailed);
  ASSERT_TRUE(pool_
                  ->update(kAcme, "100000000001",
                           {.status = AccountStatus::kReady, .reason = "retry"}, "user:admin")
                  .ok());
  auto t = pool_->take(kAcme, failed.marketplace_id, "order-2", "u");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->account_id, "100000000001");
}

TEST_P(PoolTest, EditsMarketplaceAndModelButNotWhileProvisioning) {
  add(kAcme, "100000000001");
  clock_.advance(std::chrono::minutes(1));
  auto e = pool_->update(kAcme, "100000000001",
                         {.marketplace_id = "MP-0001", .model = Model::kEcam}, "user:alice");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->marketplace_id, "MP-0001");
  EXPECT_EQ(e->model, Model::kEcam);
  EXPECT_EQ(e->updated_at, clock_.now());
  EXPECT_LT(e->created_at, e->updated_at);
  EXPECT_EQ(pool_->update(kAcme, "100000000001", {.marketplace_id = "MP-7"}, "u").error().slug,
            "invalid_marketplace");

  ASSERT_TRUE(pool_->take(kAcme, "MP-0001", "o1", "u").ok());
  auto busy = pool_->update(kAcme, "100000000001", {.model = Model::kSpam}, "u");
  EXPECT_EQ(busy.error().slug, "account_in_use");
  EXPECT_EQ(pool_->get(kAcme, "100000000001")->model, Model::kEcam);
  // Editing after the order is done is harmless: it only affects future orders.
  ASSERT_TRUE(pool_->complete(kAcme, AllocationRef::order("o1"), "u").ok());
  EXPECT_TRUE(pool_->update(kAcme, "100000000001", {.model = Model::kSpam}, "u").ok());
  EXPECT_EQ(pool_->update(kAcme, "12345", {.model = Model::kSpam}, "u").error().code,
            core::ErrorCode::kNotFound);
}

// --- history ---

TEST_P(PoolTest, HistoryRecordsWhoMovedTheAccountWhenAndWhy) {
  add(kAcme, "100000000001");
  ASSERT_TRUE(pool_
                  ->update(kAcme, "100000000001",
                           {.status = AccountStatus::kInvalid, .reason = "wrong region"},
                           "user:bob")
                  .ok());
  clock_.advance(std::chrono::seconds(5));
  ASSERT_TRUE(
      pool_->update(kAcme, "100000000001", {.status = AccountStatus::kReady}, "user:bob").ok());
  ASSERT_TRUE(pool_->take(kAcme, "MP-0000", "o1", "order:o1").ok());
  ASSERT_TRUE(pool_->fail(kAcme, AllocationRef::order("o1"), "alias taken", "order:o1").ok());

  auto h = pool_->history(kAcme, "100000000001");
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 5u);
  EXPECT_FALSE((*h)[0].from.has_value());
  EXPECT_EQ((*h)[0].to, AccountStatus::kReady);
  EXPECT_EQ((*h)[0].actor, "user:alice");
  EXPECT_EQ((*h)[0].reason, "added");
  EXPECT_EQ((*h)[1].from, AccountStatus::kReady);
  EXPECT_EQ((*h)[1].to, AccountStatus::kInvalid);
  EXPECT_EQ((*h)[1].actor, "user:bob");
  EXPECT_EQ((*h)[1].reason, "wrong region");
  EXPECT_EQ((*h)[2].to, AccountStatus::kReady);
  EXPECT_EQ((*h)[2].at, clock_.now());
  EXPECT_EQ((*h)[3].to, AccountStatus::kProvisioning);
  EXPECT_EQ((*h)[3].order_ref, "o1");
  EXPECT_EQ((*h)[3].actor, "order:o1");
  EXPECT_EQ((*h)[4].to, AccountStatus::kProvisioningFailed);
  EXPECT_EQ((*h)[4].reason, "alias taken");
  EXPECT_EQ((*h)[4].order_ref, "o1");

  // Deleting takes the history along; the same AWS account added again starts afresh.
  ASSERT_TRUE(pool_->remove(kAcme, "100000000001", "user:alice").ok());
  add(kOther, "100000000001");
  EXPECT_EQ(pool_->history(kOther, "100000000001")->size(), 1u);
}

// --- deleting ---

TEST_P(PoolTest, DeletesOneButNotWhileProvisioning) {
  in_status("100000000001", AccountStatus::kReady);
  in_status("100000000002", AccountStatus::kProvisioning);
  in_status("100000000003", AccountStatus::kAllocated);
  EXPECT_TRUE(pool_->remove(kAcme, "100000000001", "u").ok());
  EXPECT_EQ(pool_->get(kAcme, "100000000001").error().code, core::ErrorCode::kNotFound);
  auto busy = pool_->remove(kAcme, "100000000002", "u");
  EXPECT_EQ(busy.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(busy.error().slug, "account_in_use");
  EXPECT_TRUE(pool_->remove(kAcme, "100000000003", "u").ok());
  EXPECT_EQ(pool_->remove(kAcme, "100000000001", "u").error().code, core::ErrorCode::kNotFound);
}

TEST_P(PoolTest, DeletingSelectedIsAllOrNothing) {
  in_status("100000000001", AccountStatus::kReady);
  in_status("100000000002", AccountStatus::kProvisioning);
  in_status("100000000003", AccountStatus::kInvalid);
  add(kOther, "200000000001");

  auto busy = pool_->remove_selected(kAcme, {"100000000001", "100000000002"}, "u");
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().slug, "account_in_use");
  ASSERT_EQ(busy.error().details.size(), 1u);
  EXPECT_EQ(busy.error().details[0].field, "100000000002");

  auto missing = pool_->remove_selected(kAcme, {"100000000001", "200000000001"}, "u");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, core::ErrorCode::kNotFound);
  ASSERT_EQ(missing.error().details.size(), 1u);
  EXPECT_EQ(missing.error().details[0].field, "200000000001");
  EXPECT_EQ(pool_->counts(kAcme)->total(), 3);

  auto done = pool_->remove_selected(kAcme, {"100000000001", "100000000003", "100000000001"}, "u");
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(*done, 2);
  EXPECT_EQ(pool_->counts(kAcme)->total(), 1);
  EXPECT_EQ(pool_->remove_selected(kAcme, {}, "u").error().slug, "invalid_argument");
}

TEST_P(PoolTest, DeleteAllSkipsAndReportsProvisioningAccounts) {
  in_status("100000000001", AccountStatus::kReady);
  in_status("100000000002", AccountStatus::kProvisioning);
  in_status("100000000003", AccountStatus::kAllocated);
  in_status("100000000004", AccountStatus::kProvisioningFailed);
  in_status("100000000005", AccountStatus::kInvalid);
  add(kOther, "200000000001");
  auto r = pool_->remove_all(kAcme, "user:alice");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->deleted, 4);
  EXPECT_EQ(r->skipped_in_use, (std::vector<std::string>{"100000000002"}));
  EXPECT_EQ(pool_->counts(kAcme)->total(), 1);
  EXPECT_EQ(pool_->counts(kOther)->total(), 1);
}

// --- listing ---

TEST_P(PoolTest, ListsInAllocationOrderWithFiltersAndCursors) {
  for (int i = 0; i < 7; ++i)
    add(kAcme, fmt::format("1000000000{:02}", i), i % 2 ? "MP-0001" : "MP-0000");
  ASSERT_TRUE(pool_->take(kAcme, "MP-0000", "o", "u").ok());  // 100000000000

  std::vector<std::string> seen;
  PageRequest page{.limit = 3};
  for (int pages = 0;; ++pages) {
    auto p = pool_->list(kAcme, {}, page);
    ASSERT_TRUE(p.ok());
    ASSERT_LE(p->accounts.size(), 3u);
    for (const Account& a : p->accounts) seen.push_back(a.account_id);
    if (p->next_cursor.empty()) break;
    page.cursor = p->next_cursor;
    ASSERT_LT(pages, 5);
  }
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));

  auto mp1 = pool_->list(kAcme, {.marketplace_id = "MP-0001"}, {.limit = 100});
  EXPECT_EQ(mp1->accounts.size(), 3u);
  auto ready0 = pool_->list(kAcme, {.status = AccountStatus::kReady, .marketplace_id = "MP-0000"},
                            {.limit = 100});
  EXPECT_EQ(ready0->accounts.size(), 3u);
  auto prov = pool_->list(kAcme, {.status = AccountStatus::kProvisioning}, {});
  ASSERT_EQ(prov->accounts.size(), 1u);
  EXPECT_EQ(prov->accounts[0].order_ref, "o");

  EXPECT_EQ(pool_->list(kAcme, {}, {.cursor = "garbage"}).error().slug, "invalid_cursor");
  EXPECT_EQ(pool_->list(kAcme, {}, {.cursor = "12-12"}).error().slug, "invalid_cursor");

  const auto c = pool_->counts(kAcme);
  EXPECT_EQ(c->ready, 6);
  EXPECT_EQ(c->provisioning, 1);
  EXPECT_EQ(c->total(), 7);
}

TEST_P(PoolTest, ListsByModelAndAccountIdPrefix) {
  add(kAcme, "123400000001", "MP-0000", Model::kSpam);
  add(kAcme, "123400000002", "MP-0001", Model::kEcam);
  add(kAcme, "123500000003", "MP-0000", Model::kEcam);
  add(kAcme, "999999999999", "MP-0000", Model::kSpam);
  add(kOther, "123400000009", "MP-0000", Model::kEcam);
  const auto ids = [&](const AccountFilter& filter) {
    std::vector<std::string> out;
    auto p = pool_->list(kAcme, filter, {.limit = 100});
    EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
    if (p.ok()) {
      for (const Account& a : p->accounts) out.push_back(a.account_id);
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids({.model = Model::kEcam}), (V{"123400000002", "123500000003"}));
  EXPECT_EQ(ids({.account_id_prefix = "1234"}), (V{"123400000001", "123400000002"}))
      << "another provider's 123400000009 stays invisible";
  EXPECT_EQ(ids({.account_id_prefix = "12"}).size(), 3u);
  EXPECT_EQ(ids({.account_id_prefix = "999999999999"}), (V{"999999999999"}));
  EXPECT_EQ(ids({.marketplace_id = "MP-0000", .model = Model::kEcam, .account_id_prefix = "123"}),
            (V{"123500000003"}));
  EXPECT_EQ(ids({.status = AccountStatus::kInvalid, .account_id_prefix = "1"}).size(), 0u);

  // Paging keeps the filters.
  std::vector<std::string> seen;
  PageRequest page{.limit = 1};
  for (int pages = 0;; ++pages) {
    auto p = pool_->list(kAcme, {.account_id_prefix = "123"}, page);
    ASSERT_TRUE(p.ok());
    for (const Account& a : p->accounts) seen.push_back(a.account_id);
    if (p->next_cursor.empty()) break;
    page.cursor = p->next_cursor;
    ASSERT_LT(pages, 5);
  }
  EXPECT_EQ(seen, (V{"123400000001", "123400000002", "123500000003"}));

  for (const char* bad : {"12a", "1234567890123", "%", "1_"}) {
    auto p = pool_->list(kAcme, {.account_id_prefix = bad}, {});
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.error().slug, "invalid_argument") << bad;
  }
}

// --- stuck provisioning ---

TEST_P(PoolTest, ReportsAccountsWhoseOrderHasNotMovedAndLetsAnAdminResolveThem) {
  add(kAcme, "100000000001");
  add(kAcme, "100000000002");
  add(kAcme, "100000000003");
  ASSERT_TRUE(pool_->take(kAcme, "MP-0000", "o1", "order:o1").ok());
  clock_.advance(std::chrono::minutes(30));
  ASSERT_TRUE(pool_->take(kAcme, "MP-0000", "o2", "order:o2").ok());
  ASSERT_TRUE(pool_->take(kAcme, "MP-0000", "o3", "order:o3").ok());

  clock_.advance(std::chrono::minutes(91));  // o1: 2 h 1 min; o2, o3: 1 h 31 min
  EXPECT_EQ(*pool_->count_stuck(), 1);
  ASSERT_EQ(pool_->stuck(kAcme, 10)->size(), 1u);
  EXPECT_EQ(pool_->stuck(kAcme, 10)->front().order_ref, "o1");

  // o2 reports progress: its timer restarts.
  ASSERT_TRUE(pool_->note_progress(kAcme, "o2").ok());
  EXPECT_EQ(pool_->note_progress(kAcme, "unknown").error().code, core::ErrorCode::kNotFound);
  clock_.advance(std::chrono::minutes(30));  // o3: 2 h 1 min; o2: 30 min since progress
  auto stuck = pool_->stuck(kAcme, 10);
  ASSERT_EQ(stuck->size(), 2u);
  EXPECT_EQ((*stuck)[0].order_ref, "o1");  // longest stuck first
  EXPECT_EQ((*stuck)[1].order_ref, "o3");
  EXPECT_EQ(*pool_->count_stuck(), 2);

  EXPECT_EQ(
      pool_
          ->resolve_stuck(kAcme, "100000000002", StuckResolution::kMarkFailed, "dead", "user:admin")
          .error()
          .slug,
      "account_not_stuck");
  EXPECT_EQ(
      pool_->resolve_stuck(kAcme, "100000000001", StuckResolution::kMarkFailed, "", "user:admin")
          .error()
          .slug,
      "invalid_argument");

  auto failed = pool_->resolve_stuck(kAcme, "100000000001", StuckResolution::kMarkFailed,
                                     "order o1 was cancelled", "user:admin");
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->status, AccountStatus::kProvisioningFailed);
  EXPECT_EQ(failed->order_ref, "o1");
  auto back = pool_->resolve_stuck(kAcme, "100000000003", StuckResolution::kReturnToReady,
                                   "worker lost; nothing was configured", "user:admin");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->status, AccountStatus::kReady);
  EXPECT_EQ(back->order_ref, "");
  EXPECT_EQ(*pool_->count_stuck(), 0);
  EXPECT_EQ(pool_->resolve_stuck(kAcme, "100000000003", StuckResolution::kMarkFailed, "x", "u")
                .error()
                .slug,
            "invalid_transition");

  // Audited.
  const auto h = pool_->history(kAcme, "100000000003");
  EXPECT_EQ(h->back().actor, "user:admin");
  EXPECT_EQ(h->back().reason, "worker lost; nothing was configured");
  EXPECT_EQ(h->back().order_ref, "o3");
  // The released order no longer holds it; the account serves the next order.
  EXPECT_EQ(pool_->complete(kAcme, AllocationRef::order("o3"), "order:o3").error().code,
            core::ErrorCode::kNotFound);
  EXPECT_EQ(pool_->take(kAcme, "MP-0000", "o4", "u")->account_id, "100000000003");
}

TEST_P(PoolTest, StuckThresholdIsConfigurable) {
  Pool quick(t_->db(), clock_, marketplaces_, *audit_, {.stuck_after = std::chrono::minutes(5)});
  add(kAcme, "100000000001");
  ASSERT_TRUE(quick.take(kAcme, "MP-0000", "o1", "u").ok());
  clock_.advance(std::chrono::minutes(4));
  EXPECT_EQ(*quick.count_stuck(), 0);
  clock_.advance(std::chrono::minutes(2));
  EXPECT_EQ(*quick.count_stuck(), 1);
  EXPECT_EQ(*pool_->count_stuck(), 0);
}

// --- access check ---

class ScriptedChecker final : public AccessChecker {
 public:
  std::map<std::string, AccessCheckOutcome> answers;
  std::vector<std::string> asked;
  std::string fail_on;  // an account the checker cannot tell about
  core::Result<AccessCheckOutcome> check(const std::string& account_id) override {
    if (account_id == fail_on) return core::unavailable("AWS did not answer");
    asked.push_back(account_id);
    auto it = answers.find(account_id);
    return it == answers.end() ? AccessCheckOutcome{.reachable = true} : it->second;
  }
};

AccessCheckRequest check_all(core::TimePoint since) {
  return {.scope = AccessCheckScope::kAll, .since = since, .batch = 100};
}

TEST_P(PoolTest, AccessCheckInvalidatesUnreachableAccountsAndRestoresThemLater) {
  add(kAcme, "100000000001");
  add(kAcme, "100000000002");
  in_status("100000000003", AccountStatus::kInvalid);  // an admin's decision
  in_status("100000000004", AccountStatus::kProvisioning);
  add(kOther, "200000000001");

  ScriptedChecker checker;
  checker.answers["100000000002"] = {.reachable = false, .reason = "AccessDenied on AssumeRole"};
  EXPECT_EQ(*pool_->count_access_check_pending(kAcme, {}), 2);
  auto r = pool_->check_access(kAcme, checker, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->checked, 2);
  EXPECT_EQ(r->invalidated, 1);
  EXPECT_EQ(checker.asked, (std::vector<std::string>{"100000000001", "100000000002"}));
  auto bad = pool_->get(kAcme, "100000000002");
  EXPECT_EQ(bad->status, AccountStatus::kInvalid);
  EXPECT_EQ(bad->status_reason, "access check: AccessDenied on AssumeRole");
  EXPECT_EQ(pool_->history(kAcme, "100000000002")->back().actor, kAccessCheckActor);

  // Checking new accounts again asks nobody: both were checked.
  checker.asked.clear();
  checker.answers.clear();
  EXPECT_EQ(*pool_->count_access_check_pending(kAcme, {}), 0);
  r = pool_->check_access(kAcme, checker, {});
  EXPECT_EQ(r->checked, 0);
  EXPECT_TRUE(checker.asked.empty());

  // A full run asks again about ready accounts and the check's own invalid one, each once.
  clock_.advance(std::chrono::minutes(1));
  const core::TimePoint run = clock_.now();
  EXPECT_EQ(*pool_->count_access_check_pending(kAcme, check_all(run)), 2);
  r = pool_->check_access(kAcme, checker, check_all(run));
  EXPECT_EQ(checker.asked, (std::vector<std::string>{"100000000001", "100000000002"}));
  EXPECT_EQ(r->restored, 1);
  EXPECT_EQ(*pool_->count_access_check_pending(kAcme, check_all(run)), 0);
  r = pool_->check_access(kAcme, checker, check_all(run));
  EXPECT_EQ(r->checked, 0);
  EXPECT_EQ(status_of(kAcme, "100000000002"), AccountStatus::kReady);
  EXPECT_EQ(status_of(kAcme, "100000000003"), AccountStatus::kInvalid);
  EXPECT_EQ(status_of(kAcme, "100000000004"), AccountStatus::kProvisioning);
}

TEST_P(PoolTest, AccessCheckLeavesAnAccountThatMovedMeanwhile) {
  add(kAcme, "100000000001");
  struct TakingChecker final : AccessChecker {
    Pool* pool = nullptr;
    core::Result<AccessCheckOutcome> check(const std::string&) override {
      EXPECT_TRUE(pool->take(kAcme, "MP-0000", "o1", "u").ok());
      return AccessCheckOutcome{.reachable = false, .reason = "late"};
    }
  } checker;
  checker.pool = pool_.get();
  auto r = pool_->check_access(kAcme, checker, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->invalidated, 0);
  EXPECT_EQ(status_of(kAcme, "100000000001"), AccountStatus::kProvisioning);
}

TEST_P(PoolTest, AccessCheckStopsWhereTheCheckerCannotTell) {
  add(kAcme, "100000000001");
  add(kAcme, "100000000002");
  add(kAcme, "100000000003");
  ScriptedChecker checker;
  checker.answers["100000000001"] = {.reachable = false, .reason = "no role"};
  checker.fail_on = "100000000002";
  auto r = pool_->check_access(kAcme, checker, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->checked, 1);
  ASSERT_TRUE(r->stopped.has_value());
  EXPECT_EQ(r->stopped->code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(status_of(kAcme, "100000000001"), AccountStatus::kInvalid);
  EXPECT_EQ(status_of(kAcme, "100000000002"), AccountStatus::kReady);
  EXPECT_EQ(*pool_->count_access_check_pending(kAcme, {}), 2);
  EXPECT_EQ(pool_->get(kAcme, "100000000002")->status_reason, "");
}

TEST(AccessCheckScope, NamesRoundTrip) {
  for (auto scope : {AccessCheckScope::kNew, AccessCheckScope::kAll}) {
    EXPECT_EQ(parse_scope(scope_name(scope)), scope);
  }
  EXPECT_FALSE(parse_scope("everything").has_value());
}

// --- CSV import ---

TEST_P(PoolTest, ImportsAFileAndReportsProgress) {
  std::vector<std::tuple<ImportPhase, long long, long long>> calls;
  auto r = pool_->import_csv(kAcme,
                             "\xef\xbb\xbf"
                             "account_id;marketplace_id,account_model\r\n"
                             "123456789012;MP-0000;SPAM\r\n"
                             "\r\n"
                             " 123456789013 , MP-0001 , ecam \r\n",
                             "user:alice",
                             {.progress = [&](ImportPhase phase, long long done, long long total) {
                               calls.emplace_back(phase, done, total);
                             }});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->imported, 2);
  auto a = pool_->get(kAcme, "123456789013");
  EXPECT_EQ(a->marketplace_id, "MP-0001");
  EXPECT_EQ(a->model, Model::kEcam);
  EXPECT_EQ(a->status, AccountStatus::kReady);
  EXPECT_EQ(pool_->history(kAcme, "123456789013")->front().reason, "imported from CSV");
  EXPECT_EQ(pool_->history(kAcme, "123456789013")->front().actor, "user:alice");
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.front(), std::make_tuple(ImportPhase::kValidating, 0LL, 2LL));
  EXPECT_EQ(calls.back(), std::make_tuple(ImportPhase::kInserting, 2LL, 2LL));
  // Imported accounts are taken in account-id order (same created time).
  EXPECT_EQ(pool_->take(kAcme, "MP-0000", "o", "u")->account_id, "123456789012");
}

TEST_P(PoolTest, ImportsNothingWhenAnyRowIsBadAndListsEveryReason) {
  add(kAcme, "100000000001");
  add(kOther, "200000000001");
  auto r = pool_->import_csv(kAcme,
                             "account_id;marketplace_id;account_model\n"  // 1
                             "300000000001;MP-0000;SPAM\n"                // 2 ok
                             "200000000001;MP-0000;SPAM\n"                // 3 another pool
                             "3000000001;MP-0000;SPAM\n"                  // 4 10 digits
                             "300000000002;MP-9999;SPAM\n"                // 5 unknown marketplace
                             "100000000001;MP-0000;ecam\n"                // 6 this pool
                             "300000000001;MP-0000;SPAM\n"                // 7 duplicate
                             "300000000003;MP-0000;PAYG\n",               // 8 unknown model
                             "user:alice");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kInvalid);
  EXPECT_EQ(r.error().slug, "invalid_csv");
  EXPECT_EQ(r.error().message, "Nothing was imported: the file has 6 problems.");
  const auto rows = import_row_errors(r.error());
  std::string listed;
  for (const RowError& e : rows) listed += std::to_string(e.line) + ": " + e.message + "\n";
  EXPECT_EQ(listed,
            "3: account 200000000001 is already in another pool\n"
            "4: account id \"3000000001\" has 10 digits, not 12 (a spreadsheet may have dropped "
            "its leading zeros)\n"
            "5: unknown marketplace MP-9999\n"
            "6: account 100000000001 is already in this pool\n"
            "7: account 300000000001 is repeated (first on line 2)\n"
            "8: unknown account model \"PAYG\" (expected SPAM or ECAM)\n");
  EXPECT_EQ(pool_->counts(kAcme)->total(), 1);
  EXPECT_EQ(pool_->get(kAcme, "300000000001").error().code, core::ErrorCode::kNotFound);
}

TEST_P(PoolTest, ImportListsAtMostAThousandReasonsButCountsAll) {
  std::string csv;
  for (int i = 0; i < 1200; ++i) csv += fmt::format("{:012};MP-0000;SPAM\n", 500000000000LL + i);
  for (int i = 0; i < 400; ++i) csv += fmt::format("{:012};MP-0404;SPAM\n", 600000000000LL + i);
  for (int i = 0; i < 900; ++i) csv += "x;MP-0000;SPAM\n";
  auto r = pool_->import_csv(kAcme, csv, "u");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "Nothing was imported: the file has 1300 problems. The first 1000 are listed.");
  const auto rows = import_row_errors(r.error());
  ASSERT_EQ(rows.size(), 1000u);
  EXPECT_EQ(rows.front().line, 1201);
  EXPECT_EQ(rows.front().message, "unknown marketplace MP-0404");
  EXPECT_EQ(rows.back().line, 2200);
  EXPECT_EQ(pool_->counts(kAcme)->total(), 0);
}

TEST_P(PoolTest, ImportRefusesEmptyAndOversizedFiles) {
  EXPECT_EQ(
      pool_->import_csv(kAcme, "account_id;marketplace_id;account_model\n", "u").error().message,
      "The file has no accounts.");
  Pool small(t_->db(), clock_, marketplaces_, *audit_, {.max_import_rows = 2});
  auto r = small.import_csv(
      kAcme, "100000000001;MP-0000;SPAM\n100000000002;MP-0000;SPAM\n100000000003;MP-0000;SPAM\n",
      "u");
  EXPECT_EQ(r.error().slug, "invalid_csv");
  EXPECT_EQ(pool_->counts(kAcme)->total(), 0);
}

TEST_P(PoolTest, ImportsAcrossSeveralInsertChunks) {
  std::string csv;
  for (int i = 0; i < 2345; ++i) {
    csv += fmt::format("{:012};{};{}\n", 700000000000LL + i, i % 3 ? "MP-0000" : "MP-0001",
                       i % 2 ? "spam" : "ECAM");
  }
  auto r = pool_->import_csv(kAcme, csv, "u");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->imported, 2345);
  EXPECT_EQ(pool_->counts(kAcme)->ready, 2345);
  EXPECT_EQ(pool_->list(kAcme, {.marketplace_id = "MP-0001"}, {.limit = 500})->accounts.size(),
            500u);
  EXPECT_EQ(pool_->get(kAcme, "700000002344")->model, Model::kEcam);
  // Importing the same file again is refused row by row.
  auto again = pool_->import_csv(kAcme, csv, "u");
  EXPECT_EQ(again.error().message,
            "Nothing was imported: the file has 2345 problems. The first 1000 are listed.");
}

TEST_P(PoolTest, ChangesAndTheirAuditEntriesCommitTogether) {
  add(kAcme, "100000000001");
  add(kAcme, "100000000002");
  in_status("100000000003", AccountStatus::kProvisioning);
  const ChangedBy alice("user:alice",
                        {.user_id = "alice", .label = "alice@acme.test", .ip = "192.0.2.7"});
  ASSERT_TRUE(pool_
                  ->update(kAcme, "100000000001",
                           {.status = AccountStatus::kInvalid, .reason = "closed"}, alice)
                  .ok());
  auto audited = audit_->list(kAcme, 50, "");
  ASSERT_TRUE(audited.ok());
  ASSERT_FALSE(audited->events.empty());
  EXPECT_EQ(audited->events[0].action, "pool.account_status_changed");
  EXPECT_EQ(audited->events[0].target_id, "100000000001");
  EXPECT_EQ(audited->events[0].actor_label, "alice@acme.test");
  EXPECT_EQ(audited->events[0].ip, "192.0.2.7");
  EXPECT_EQ(audited->events[0].detail, "Ready → Invalid: closed");
  const size_t entries = audited->events.size();

  // The audit log refuses every entry from now on: each audited change must then not happen.
  if (t_->db().backend() == db::Backend::kSqlite) {
    ASSERT_TRUE(t_->db()
                    .transact([](db::Tx& tx) -> core::Status {
                      tx.sql() << "CREATE TRIGGER audit_down BEFORE INSERT ON audit_events"
                                  " BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END";
                      return {};
                    })
                    .ok());
  } else {
    ASSERT_TRUE(t_->db()
                    .transact([](db::Tx& tx) -> core::Status {
                      tx.sql() << "CREATE FUNCTION audit_down() RETURNS trigger AS $$ BEGIN"
                                  " RAISE EXCEPTION 'audit log unavailable'; END $$"
                                  " LANGUAGE plpgsql";
                      tx.sql() << "CREATE TRIGGER audit_down BEFORE INSERT ON audit_events"
                                  " FOR EACH ROW EXECUTE FUNCTION audit_down()";
                      return {};
                    })
                    .ok());
  }
  const auto refused = [](const auto& result) {
    return !result.ok() && result.error().code == core::ErrorCode::kInternal;
  };
  EXPECT_TRUE(refused(pool_->update(kAcme, "100000000002",
                                    {.status = AccountStatus::kInvalid, .reason = "x"}, alice)));
  EXPECT_EQ(status_of(kAcme, "100000000002"), AccountStatus::kReady);
  EXPECT_EQ(pool_->history(kAcme, "100000000002")->size(), 1u) << "no status move recorded";
  EXPECT_TRUE(refused(pool_->remove(kAcme, "100000000002", alice)));
  EXPECT_TRUE(pool_->get(kAcme, "100000000002").ok());
  EXPECT_TRUE(refused(pool_->remove_selected(kAcme, {"100000000001", "100000000002"}, alice)));
  EXPECT_TRUE(refused(pool_->remove_all(kAcme, alice)));
  EXPECT_EQ(pool_->counts(kAcme)->total(), 3);
  EXPECT_TRUE(refused(pool_->import_csv(kAcme, "100000000009;MP-0000;SPAM\n", alice)));
  EXPECT_EQ(pool_->get(kAcme, "100000000009").error().code, core::ErrorCode::kNotFound);
  clock_.advance(std::chrono::hours(3));
  EXPECT_TRUE(refused(pool_->resolve_stuck(kAcme, "100000000003", StuckResolution::kReturnToReady,
                                           "order gone", alice)));
  EXPECT_EQ(status_of(kAcme, "100000000003"), AccountStatus::kProvisioning);
  EXPECT_EQ(audit_->list(kAcme, 50, "")->events.size(), entries);
}

INSTANTIATE_TEST_SUITE_P(Backends, PoolTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace pool
