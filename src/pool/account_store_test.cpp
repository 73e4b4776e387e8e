// The store's statements kept prepared per connection (SQLite): reused with new values, and
// prepared afresh after one of them failed. On PostgreSQL the same cases run without a cache.
#include "pool/account_store.h"

#include <gtest/gtest.h>

#include "pool/pool_test_support.h"

namespace pool {
namespace {

using db::testing::TestBackend;
using testing::PoolFixture;

class AccountStoreTest : public PoolFixture {
 protected:
  // Takes the oldest ready account of MP-0000 for `order_ref` as take() does, in one transaction.
  core::Result<Account> take_raw(AccountStore& store, const std::string& order_ref) {
    return store.write([&](AccountTx& tx) -> core::Result<Account> {
      auto oldest = tx.lock_oldest_ready("org-a", "MP-0000");
      if (!oldest.ok()) return oldest.error();
      if (!*oldest) return core::conflict("none", "no_ready_account");
      tx.move_status(**oldest, {.to = AccountStatus::kProvisioning,
                                .actor = "test",
                                .order_ref = order_ref,
                                .starts_progress = true,
                                .at = clock_.now()});
      return **oldest;
    });
  }
};

TEST_P(AccountStoreTest, KeptStatementsRunWithEachCallsValues) {
  add("org-a", "100000000001");
  add("org-a", "100000000002");
  add("org-a", "100000000003");
  AccountStore store(t_->db());
  for (const char* expected : {"100000000001", "100000000002", "100000000003"}) {
    auto taken = take_raw(store, std::string("order-") + expected);
    ASSERT_TRUE(taken.ok()) << taken.error().message;
    EXPECT_EQ(taken->account_id, expected);
  }
  EXPECT_FALSE(take_raw(store, "order-4").ok());
  auto found = store.read([](AccountTx& tx) -> core::Result<std::optional<Account>> {
    return tx.find_by_order("org-a", "order-100000000002", Lock::kNone);
  });
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->account_id, "100000000002");
  EXPECT_EQ(status_of("org-a", "100000000003"), AccountStatus::kProvisioning);
}

TEST_P(AccountStoreTest, AStatementThatFailedIsPreparedAgain) {
  add("org-a", "100000000001");
  add("org-a", "100000000002");
  AccountStore store(t_->db());
  ASSERT_TRUE(take_raw(store, "order-1").ok());
  // The same order_ref again: the update breaks the unique order index and the transaction fails.
  auto refused = take_raw(store, "order-1");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(status_of("org-a", "100000000002"), AccountStatus::kReady);
  // Every connection of the pool still takes correctly afterwards.
  auto taken = take_raw(store, "order-2");
  ASSERT_TRUE(taken.ok()) << taken.error().message;
  EXPECT_EQ(taken->account_id, "100000000002");
  EXPECT_EQ(taken->order_ref, "");  // as read before the move
  auto again = store.read([](AccountTx& tx) -> core::Result<std::optional<Account>> {
    return tx.find_by_order("org-a", "order-2", Lock::kNone);
  });
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->status, AccountStatus::kProvisioning);
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountStoreTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace pool
