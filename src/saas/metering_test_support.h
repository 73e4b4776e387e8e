// Test-only: a UsageMeter that behaves like AWS's BatchMeterUsage (de-duplication per product,
// customer, dimension and hour; statuses and unprocessed records on demand), an Outbox that
// records, and a harness that wires a MeteringService beside a SaasHarness, with helpers that
// make links of any status. Used by saas's tests and those of the modules above it.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "saas/lifecycle_store.h"
#include "saas/metering.h"
#include "saas/saas_test_support.h"

namespace saas::testing {

class FakeUsageMeter final : public UsageMeter {
 public:
  // The customer key of a record: its customer identifier, or account id + "|" + license ARN.
  static std::string customer_of(const MeterRecord& r) {
    return r.customer_identifier.empty() ? r.customer_aws_account_id + "|" + r.license_arn
                                         : r.customer_identifier;
  }

  // Every call this meter received, in order (failed ones too).
  std::vector<MeterBatch> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  // What AWS holds: (product, customer, dimension, hour) → the first quantity billed.
  std::map<std::string, long long> billed() const {
    std::lock_guard lock(mutex_);
    return billed_;
  }
  static std::string key(const std::string& product, const MeterRecord& r) {
    return product + "/" + customer_of(r) + "/" + r.dimension + "/" + core::format_rfc3339(r.hour);
  }
  // Records of this customer answer CustomerNotSubscribed.
  void not_subscribed(const std::string& customer) {
    std::lock_guard lock(mutex_);
    not_subscribed_.insert(customer);
  }
  // The next `n` calls fail with `error` (nothing recorded).
  void fail_next(int n, core::Error error) {
    std::lock_guard lock(mutex_);
    failures_ = n;
    failure_ = std::move(error);
  }
  // Each record of this dimension comes back unprocessed `times` times before it is taken.
  void unprocessed(const std::string& dimension, int times) {
    std::lock_guard lock(mutex_);
    unprocessed_[dimension] = times;
  }
  // AWS answers DuplicateRecord with our quantity where it already holds our record (real AWS
  // may, the simulator answers Success).
  void duplicate_on_repeat(bool on) {
    std::lock_guard lock(mutex_);
    duplicate_on_repeat_ = on;
  }
  // Records a quantity as if someone else had metered it first.
  void preset(const std::string& key, long long quantity) {
    std::lock_guard lock(mutex_);
    billed_[key] = quantity;
  }
  // Called after the call took effect, before it answers (e.g. throw to simulate a crash).
  void set_after_call(std::function<void()> hook) {
    std::lock_guard lock(mutex_);
    after_call_ = std::move(hook);
  }

  core::Result<MeterAnswer> meter(const MeterBatch& batch) override {
    std::function<void()> hook;
    MeterAnswer answer;
    {
      std::lock_guard lock(mutex_);
      calls_.push_back(batch);
      EXPECT_LE(batch.records.size(), kMaxMeterBatch);
      if (failures_ > 0) {
        --failures_;
        return failure_;
      }
      for (size_t i = 0; i < batch.records.size(); ++i) {
        const MeterRecord& r = batch.records[i];
        if (auto u = unprocessed_.find(r.dimension); u != unprocessed_.end()) {
          int& seen = unprocessed_seen_[key(batch.product_code, r)];
          if (seen < u->second) {
            ++seen;
            answer.unprocessed.push_back(i);
            continue;
          }
        }
        MeterResult result{.index = i, .quantity = r.quantity};
        if (not_subscribed_.contains(customer_of(r))) {
          result.status = MeterStatus::kCustomerNotSubscribed;
          result.status_text = "CustomerNotSubscribed";
        } else if (auto it = billed_.find(key(batch.product_code, r)); it != billed_.end()) {
          if (it->second == r.quantity && !duplicate_on_repeat_) {
            result.status = MeterStatus::kSuccess;
            result.status_text = "Success";
          } else {
            result.status = MeterStatus::kDuplicateRecord;
            result.status_text = "DuplicateRecord";
          }
          result.metering_record_id = "rec-" + key(batch.product_code, r);
        } else {
          billed_[key(batch.product_code, r)] = r.quantity;
          result.status = MeterStatus::kSuccess;
          result.status_text = "Success";
          result.metering_record_id = "rec-" + key(batch.product_code, r);
        }
        answer.results.push_back(result);
      }
      hook = after_call_;
    }
    if (hook) hook();
    return answer;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<MeterBatch> calls_;
  std::map<std::string, long long> billed_;
  std::set<std::string> not_subscribed_;
  int failures_ = 0;
  core::Error failure_;
  std::map<std::string, int> unprocessed_;
  std::map<std::string, int> unprocessed_seen_;
  bool duplicate_on_repeat_ = false;
  std::function<void()> after_call_;
};

// Keeps every entry recorded (committed or not: tests look after a commit).
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

 private:
  mutable std::mutex mutex_;
  std::vector<OutboxEntry> entries_;
};

struct MeteringHarness {
  SaasHarness saas;
  FakeUsageMeter meter;
  RecordingOutbox outbox;
  std::unique_ptr<MeteringService> service;
  int buyers = 0;

  bool init(std::unique_ptr<db::testing::TestDatabase> db, MeteringSettings settings = {}) {
    if (!saas.init(std::move(db))) return false;
    service = std::make_unique<MeteringService>(saas.db(), saas.clock(), saas.id.ids,
                                                *saas.id.service, meter, &outbox, settings);
    return true;
  }
  core::ManualClock& clock() { return saas.clock(); }

  // A product with these dimensions and pricing model.
  Product product(const std::string& code, PricingModel model, bool concurrent,
                  std::vector<std::string> dimensions = {"users"}) {
    std::vector<Dimension> dims;
    for (const std::string& d : dimensions) dims.push_back({.name = d, .description = d});
    auto p =
        saas.service->create_product(saas.operator_org.id,
                                     {.product_code = code,
                                      .name = "Product " + code,
                                      .pricing_model = model,
                                      .dimensions = dims,
                                      .concurrent_agreements = concurrent,
                                      .manage_url = "https://aws.amazon.com/marketplace/pp/" + code,
                                      .support_contact = "support@seller.test",
                                      .new_org_subscription = identity::SubscriptionStatus::kTrial},
                                     saas.operator_actor());
    EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
    return p.ok() ? *p : Product{};
  }

  // A customer organization `name` linked to `product` with a link of `status` (changed at the
  // clock's current time).
  Link linked(const std::string& name, const Product& product, LinkStatus status) {
    const int n = ++buyers;
    const identity::User admin = saas.id.user(name + "@buyer.test", name);
    const identity::Organization org = saas.customer(name, admin);
    const std::string account = fmt::format("{:012d}", 100000000000LL + n);
    const std::string token = product.concurrent_agreements
                                  ? saas.token(name, product.product_code, account, "",
                                               "arn:aws:license-manager::aws:license:l-" + name)
                                  : saas.token(name, product.product_code, account, "cust-" + name);
    const Registration r = saas.land(token);
    auto l = saas.service->link(r.id, org.id, SaasHarness::actor(admin));
    EXPECT_TRUE(l.ok()) << (l.ok() ? "" : l.error().message);
    if (!l.ok()) return {};
    set_status(l->link.id, status);
    Link out = l->link;
    out.status = status;
    return out;
  }

  // What the lifecycle notes when an event moves a link: the time the event happened
  // (saas_link_lifecycle.status_event_at).
  void set_status_event_at(const std::string& link_id, core::TimePoint occurred_at) {
    LifecycleStore store(saas.db());
    auto done = store.write([&](LifecycleTx& tx) -> core::Result<bool> {
      LinkMarks marks = tx.marks(link_id);
      marks.status_event_at = occurred_at;
      marks.status_event_rank = 1;
      marks.status_event_id = "msg-" + link_id;
      tx.save_marks(link_id, marks, clock().now());
      return true;
    });
    ASSERT_TRUE(done.ok());
  }

  // What the lifecycle does to a link: its status, and updated_at = now.
  void set_status(const std::string& link_id, LinkStatus status) {
    auto c = saas.db().connect();
    ASSERT_TRUE(c.ok());
    std::string s = link_status_name(status);
    std::string at = core::format_rfc3339(clock().now());
    std::string id = link_id;
    c->sql() << "UPDATE saas_links SET status = :s, updated_at = :at WHERE id = :id", soci::use(s),
        soci::use(at), soci::use(id);
  }
};

}  // namespace saas::testing
