// Test-only: fakes of lifecycle's AWS readers and of the Outbox, and a harness that wires a
// LifecycleService beside a SaasService (observing its links) with a job queue driven by hand.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "jobs/job_queue.h"
#include "saas/lifecycle.h"
#include "saas/saas_test_support.h"

namespace saas::testing {

// Answers GetEntitlements from a table keyed by license ARN or customer identifier.
class FakeEntitlementReader final : public EntitlementReader {
 public:
  void set(const std::string& key, std::vector<Entitlement> list) {
    std::lock_guard lock(mutex_);
    table_[key] = std::move(list);
  }
  void set_unavailable(bool unavailable) {
    std::lock_guard lock(mutex_);
    unavailable_ = unavailable;
  }
  int calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  core::Result<std::vector<Entitlement>> entitlements(const EntitlementQuery& q) override {
    std::lock_guard lock(mutex_);
    ++calls_;
    if (unavailable_) return core::unavailable("GetEntitlements: ThrottlingException");
    const std::string key = q.license_arn.empty() ? q.customer_identifier : q.license_arn;
    const auto it = table_.find(key);
    return it == table_.end() ? std::vector<Entitlement>{} : it->second;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<Entitlement>> table_;
  bool unavailable_ = false;
  int calls_ = 0;
};

class FakeAgreementReader final : public AgreementReader {
 public:
  std::map<std::string, AgreementTerms> terms_of;
  bool unavailable = false;
  core::Result<AgreementTerms> terms(const std::string& agreement_id) override {
    if (unavailable) return core::unavailable("DescribeAgreement: ThrottlingException");
    const auto it = terms_of.find(agreement_id);
    if (it == terms_of.end()) return AgreementTerms{.status = "ACTIVE"};
    return it->second;
  }
};

// Keeps every entry recorded, in order (a transaction retried would record twice: the tests'
// transactions are not retried).
class RecordingOutbox final : public Outbox {
 public:
  void record(db::Tx&, const OutboxEntry& entry) override {
    std::lock_guard lock(mutex_);
    entries_.push_back(entry);
  }
  std::vector<OutboxEntry> entries() const {
    std::lock_guard lock(mutex_);
    return entries_;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const OutboxEntry& e : entries()) out.push_back(outbox_event_name(e.event));
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<OutboxEntry> entries_;
};

struct LifecycleHarness {
  SaasHarness saas;
  core::Metrics metrics;
  std::unique_ptr<jobs::JobQueue> queue;
  FakeEntitlementReader reader;
  FakeAgreementReader agreements;
  RecordingOutbox outbox;
  std::unique_ptr<LifecycleService> lifecycle;
  std::vector<std::string> flushed;  // link ids of saas.flush_usage jobs run

  bool init(std::unique_ptr<db::testing::TestDatabase> db) {
    if (!saas.init(std::move(db))) return false;
    queue = std::make_unique<jobs::JobQueue>(saas.db(), saas.clock(), saas.id.ids, metrics,
                                             jobs::QueueSettings{.workers = 0}, [] { return 0.5; });
    lifecycle = std::make_unique<LifecycleService>(saas.db(), saas.clock(), saas.id.ids, *queue,
                                                   *saas.id.service, reader, &agreements, &outbox);
    EXPECT_TRUE(lifecycle->register_jobs().ok());
    queue->register_handler(kFlushUsageJob, [this](const jobs::Job& job) -> core::Status {
      flushed.push_back(nlohmann::json::parse(job.payload).at("link_id").get<std::string>());
      return {};
    });
    saas.service->set_link_observer(lifecycle.get());
    return true;
  }

  // Runs due jobs until none is left; returns how many ran.
  int drain() {
    int ran = 0;
    for (int i = 0; i < 1000; ++i) {
      auto r = queue->run_next();
      EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
      if (!r.ok() || !*r) break;
      ++ran;
    }
    return ran;
  }
};

class LifecycleFixture : public ::testing::TestWithParam<db::testing::TestBackend> {
 protected:
  void SetUp() override {
    std::unique_ptr<db::testing::TestDatabase> database;
    MARKETLINK_OPEN_TEST_DATABASE(database);
    ASSERT_TRUE(h_.init(std::move(database)));
  }
  LifecycleHarness h_;
};

}  // namespace saas::testing
