// Test-only helpers shared by the pool's tests: a fixed marketplace directory and a fixture that
// opens a migrated database on each backend with a manual clock.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "core/clock.h"
#include "core/ids.h"
#include "db/database_test_support.h"
#include "db/migrations.h"
#include "identity/audit_log.h"
#include "identity/migrations.h"
#include "jobs/migrations.h"
#include "pool/migrations.h"
#include "pool/pool.h"

namespace pool::testing {

// Knows `ids`, and every id starting with `prefix` (when not empty).
class FixedMarketplaces final : public MarketplaceDirectory {
 public:
  explicit FixedMarketplaces(std::set<std::string> ids, std::string prefix = {})
      : ids_(std::move(ids)), prefix_(std::move(prefix)) {}
  bool exists(const std::string& id) const override {
    return ids_.contains(id) || (!prefix_.empty() && id.starts_with(prefix_));
  }

 private:
  std::set<std::string> ids_;
  std::string prefix_;
};

// The schema the pool stands on: its own and identity's (audit log) and jobs'.
inline std::vector<db::MigrationSet> schema() {
  return {jobs::migrations(), identity::migrations(), pool::migrations()};
}

inline core::TimePoint test_epoch() {
  return core::TimePoint(std::chrono::seconds(1'790'000'000));  // 2026-09-21
}

class PoolFixture : public ::testing::TestWithParam<db::testing::TestBackend> {
 protected:
  void SetUp() override {
    MARKETLINK_OPEN_TEST_DATABASE(t_);
    auto applied = db::migrate(t_->db(), schema(), clock_);
    ASSERT_TRUE(applied.ok()) << applied.error().message;
    audit_ = std::make_unique<identity::AuditLog>(t_->db(), clock_, ids_);
    pool_ = std::make_unique<Pool>(t_->db(), clock_, marketplaces_, *audit_);
  }

  Account add(const std::string& provider, const std::string& id,
              const std::string& marketplace = "MP-0000", Model model = Model::kSpam) {
    auto a = pool_->add(provider, {.account_id = id, .marketplace_id = marketplace, .model = model},
                        "user:alice");
    EXPECT_TRUE(a.ok()) << (a.ok() ? "" : a.error().message);
    clock_.advance(std::chrono::milliseconds(10));
    return a.ok() ? *a : Account{};
  }

  AccountStatus status_of(const std::string& provider, const std::string& id) {
    auto a = pool_->get(provider, id);
    EXPECT_TRUE(a.ok()) << id;
    return a.ok() ? a->status : AccountStatus::kReady;
  }

  std::unique_ptr<db::testing::TestDatabase> t_;
  core::ManualClock clock_{test_epoch()};
  core::SequentialIdGenerator ids_{"id"};
  FixedMarketplaces marketplaces_{{"MP-0000", "MP-0001"}, "MPX-"};
  std::unique_ptr<identity::AuditLog> audit_;
  std::unique_ptr<Pool> pool_;
};

}  // namespace pool::testing
