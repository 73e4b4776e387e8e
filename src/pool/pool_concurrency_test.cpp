// Many takers at once on one pool: every account taken at most once, no taker told "none" while
// an account is ready, and takes in age order within each (provider, marketplace). The full-size
// run (2,000 accounts) is bench/pool_bench; this one is sized to stay within seconds.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <barrier>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "pool/pool.h"
#include "pool/pool_test_support.h"

namespace pool {
namespace {

using db::testing::TestBackend;
using testing::PoolFixture;

constexpr int kTakers = 64;
constexpr int kPerGroup = 100;
constexpr int kFirstRoundTakes = 4;  // per taker; fewer than the accounts of its group

struct Group {
  std::string provider;
  std::string marketplace;
  std::vector<std::string> by_age;  // account ids, oldest first
};

struct Take {
  int taker = 0;
  std::string account_id;
};

class PoolConcurrencyTest : public PoolFixture {
 protected:
  // 3 groups of kPerGroup accounts with distinct creation times, in an order unrelated to their
  // ids, so that age order and id order differ.
  void fill() {
    groups_ = {{"org-a", "MP-0000", {}}, {"org-a", "MP-0001", {}}, {"org-b", "MP-0000", {}}};
    std::vector<std::pair<int, int>> slots;  // (group, index)
    for (int g = 0; g < 3; ++g) {
      for (int i = 0; i < kPerGroup; ++i) slots.emplace_back(g, i);
    }
    std::mt19937 random(42);
    std::shuffle(slots.begin(), slots.end(), random);
    std::vector<long long> ids(slots.size());
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = 400000000000LL + static_cast<long long>(i);
    std::shuffle(ids.begin(), ids.end(), random);
    for (size_t i = 0; i < slots.size(); ++i) {
      Group& g = groups_[slots[i].first];
      const std::string id = fmt::format("{:012}", ids[i]);
      add(g.provider, id, g.marketplace);
      g.by_age.push_back(id);
    }
  }

  std::unique_ptr<db::Database> takers_db_;
  std::vector<Group> groups_;
};

TEST_P(PoolConcurrencyTest, SixtyFourTakersTakeEachAccountOnceInAgeOrder) {
  fill();
  // One connection per taker on PostgreSQL, as 64 clients would have; SQLite serializes writers
  // anyway, so a few connections are enough there and keep lock waits short.
  const int connections = GetParam() == TestBackend::kPostgresql ? kTakers : 8;
  takers_db_ = t_->open_another(connections);
  ASSERT_NE(takers_db_, nullptr);
  identity::AuditLog audit(*takers_db_, clock_, ids_);
  Pool pool(*takers_db_, clock_, marketplaces_, audit);

  std::mutex mutex;
  std::vector<std::vector<Take>> taken_by_group(groups_.size());
  std::vector<std::vector<std::string>> taken_by_taker(kTakers);
  std::vector<std::string> failures;
  std::barrier start(kTakers);
  std::barrier between_rounds(kTakers);
  auto taker = [&](int me) {
    const size_t g = static_cast<size_t>(me) % groups_.size();
    const Group& group = groups_[g];
    auto take_once = [&](int n) -> bool {
      const std::string order = fmt::format("order-{}-{}", me, n);
      auto r = pool.take(group.provider, group.marketplace, order, "order:" + order);
      std::lock_guard lock(mutex);
      if (!r.ok()) {
        if (r.error().slug != "no_ready_account") failures.push_back(r.error().message);
        return false;
      }
      if (r->order_ref != order || r->status != AccountStatus::kProvisioning) {
        failures.push_back("wrong answer for " + order);
      }
      taken_by_group[g].push_back({me, r->account_id});
      taken_by_taker[static_cast<size_t>(me)].push_back(r->account_id);
      return true;
    };
    start.arrive_and_wait();
    // Round 1: every group keeps ready accounts throughout, so every take must succeed.
    for (int n = 0; n < kFirstRoundTakes; ++n) {
      if (!take_once(n)) {
        std::lock_guard lock(mutex);
        failures.push_back(fmt::format("taker {} was told none while accounts were ready", me));
      }
    }
    between_rounds.arrive_and_wait();
    // Round 2: drain the pool.
    for (int n = kFirstRoundTakes; take_once(n); ++n) {
    }
  };

  std::vector<std::thread> threads;
  for (int i = 0; i < kTakers; ++i) threads.emplace_back(taker, i);
  for (auto& t : threads) t.join();
  ASSERT_TRUE(failures.empty()) << failures.front();

  std::set<std::string> all;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const Group& group = groups_[g];
    std::map<std::string, size_t> age;
    for (size_t i = 0; i < group.by_age.size(); ++i) age[group.by_age[i]] = i;
    // At most once, and all of them: the pool is drained.
    std::set<std::string> ids;
    for (const Take& t : taken_by_group[g]) {
      EXPECT_TRUE(ids.insert(t.account_id).second) << "taken twice: " << t.account_id;
      EXPECT_TRUE(age.contains(t.account_id)) << t.account_id << " is not of group " << g;
    }
    EXPECT_EQ(ids.size(), group.by_age.size());
    all.insert(ids.begin(), ids.end());
    // Age order: each taker's successive accounts get younger (an older one still ready would
    // have been given first), and round one took exactly the oldest accounts of the group.
    for (int me = static_cast<int>(g); me < kTakers; me += static_cast<int>(groups_.size())) {
      const auto& mine = taken_by_taker[static_cast<size_t>(me)];
      for (size_t i = 1; i < mine.size(); ++i) {
        EXPECT_LT(age[mine[i - 1]], age[mine[i]]) << "taker " << me;
      }
    }
    std::vector<size_t> first_round;
    for (int me = static_cast<int>(g); me < kTakers; me += static_cast<int>(groups_.size())) {
      const auto& mine = taken_by_taker[static_cast<size_t>(me)];
      for (int n = 0; n < kFirstRoundTakes; ++n)
        first_round.push_back(age[mine[static_cast<size_t>(n)]]);
    }
    std::sort(first_round.begin(), first_round.end());
    for (size_t i = 0; i < first_round.size(); ++i) {
      EXPECT_EQ(first_round[i], i) << "round one skipped the account of age rank " << i;
    }
    const auto counts = pool_->counts(group.provider);
    EXPECT_EQ(counts->ready, 0);
  }
  EXPECT_EQ(all.size(), groups_.size() * kPerGroup);
  EXPECT_EQ(pool_->counts("org-a")->provisioning, 2 * kPerGroup);
  EXPECT_EQ(pool_->counts("org-b")->provisioning, kPerGroup);
}

TEST_P(PoolConcurrencyTest, ConcurrentTakesWithOneOrderRefShareOneAccount) {
  for (int i = 0; i < 20; ++i) add("org-a", fmt::format("5000000000{:02}", i));
  takers_db_ = t_->open_another(8);
  ASSERT_NE(takers_db_, nullptr);
  identity::AuditLog audit(*takers_db_, clock_, ids_);
  Pool pool(*takers_db_, clock_, marketplaces_, audit);
  constexpr int kThreads = 8;
  std::barrier start(kThreads);
  std::mutex mutex;
  std::set<std::string> answers;
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      auto r = pool.take("org-a", "MP-0000", "same-order", "order:same-order");
      std::lock_guard lock(mutex);
      if (r.ok()) {
        answers.insert(r->account_id);
      } else {
        failures.push_back(r.error().message);
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(failures.empty()) << failures.front();
  // One account for the order. Which one depends on which racer committed first: on PostgreSQL
  // the one that skipped the oldest (locked by another racer) may win.
  EXPECT_EQ(answers.size(), 1u);
  EXPECT_EQ(pool_->counts("org-a")->provisioning, 1);
  EXPECT_EQ(pool_->counts("org-a")->ready, 19);
}

INSTANTIATE_TEST_SUITE_P(Backends, PoolConcurrencyTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace pool
