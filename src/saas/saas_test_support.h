// Test-only: a CustomerResolver that answers from a table (FakeResolver), and a harness that wires
// a SaasService on a migrated database of either backend, beside identity (IdentityHarness), with
// a ManualClock. Used by saas's tests and by the tests of the modules above it (web/saas, app).
#pragma once

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "identity/identity_test_support.h"
#include "saas/customer_resolver.h"
#include "saas/migrations.h"
#include "saas/saas.h"

namespace saas::testing {

// Answers ResolveCustomer from what the test told it: a known token resolves to its buyer, a
// token given an error answers it, anything else is invalid_token. While "unavailable", every
// call answers aws_unavailable (AWS down or throttling after retries). Safe for concurrent use.
class FakeResolver final : public CustomerResolver {
 public:
  void add(const std::string& token, ResolvedBuyer buyer) {
    std::lock_guard lock(mutex_);
    buyers_[token] = std::move(buyer);
    errors_.erase(token);
  }
  // The token answers `error` (e.g. core::invalid("…", kExpiredTokenSlug)).
  void fail(const std::string& token, core::Error error) {
    std::lock_guard lock(mutex_);
    errors_[token] = std::move(error);
  }
  void set_unavailable(bool unavailable) {
    std::lock_guard lock(mutex_);
    unavailable_ = unavailable;
  }
  // Called on each resolve, before answering, from the resolving thread (e.g. to hold several
  // callers inside resolve at once).
  void set_hook(std::function<void(const std::string& token)> hook) {
    std::lock_guard lock(mutex_);
    hook_ = std::move(hook);
  }
  int calls() const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(calls_.size());
  }
  int calls_for(const std::string& token) const {
    std::lock_guard lock(mutex_);
    int n = 0;
    for (const std::string& t : calls_) n += t == token ? 1 : 0;
    return n;
  }

  core::Result<ResolvedBuyer> resolve(const std::string& token) override {
    std::function<void(const std::string&)> hook;
    {
      std::lock_guard lock(mutex_);
      calls_.push_back(token);
      hook = hook_;
    }
    if (hook) hook(token);
    std::lock_guard lock(mutex_);
    if (unavailable_) {
      return core::unavailable("ThrottlingException: Rate exceeded", kAwsUnavailableSlug);
    }
    if (auto e = errors_.find(token); e != errors_.end()) return e->second;
    if (auto b = buyers_.find(token); b != buyers_.end()) return b->second;
    return core::invalid("InvalidTokenException: the registration token is invalid",
                         kInvalidTokenSlug);
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, ResolvedBuyer> buyers_;
  std::map<std::string, core::Error> errors_;
  bool unavailable_ = false;
  std::function<void(const std::string&)> hook_;
  std::vector<std::string> calls_;
};

// Lets `n` callers in, then releases them all at once (for FakeResolver::set_hook).
class Gate {
 public:
  explicit Gate(int n) : waiting_for_(n) {}
  void arrive() {
    std::unique_lock lock(mutex_);
    if (--waiting_for_ <= 0) {
      open_.notify_all();
      return;
    }
    open_.wait_for(lock, std::chrono::seconds(10), [&] { return waiting_for_ <= 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable open_;
  int waiting_for_;
};

// Every text value of every table in the database, as (table.column, value).
inline std::vector<std::pair<std::string, std::string>> every_text_value(db::Database& db) {
  auto c = db.connect();
  EXPECT_TRUE(c.ok());
  std::vector<std::string> tables;
  {
    std::string name;
    const std::string sql =
        db.backend() == db::Backend::kSqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = "
              "current_schema() ORDER BY table_name";
    soci::statement st = (c->sql().prepare << sql, soci::into(name));
    st.execute();
    while (st.fetch()) tables.push_back(name);
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& table : tables) {
    soci::rowset<soci::row> rows = (c->sql().prepare << "SELECT * FROM " + table);
    for (const soci::row& row : rows) {
      for (size_t i = 0; i < row.size(); ++i) {
        if (row.get_properties(i).get_data_type() != soci::dt_string) continue;
        if (row.get_indicator(i) == soci::i_null) continue;
        out.emplace_back(table + "." + row.get_properties(i).get_name(), row.get<std::string>(i));
      }
    }
  }
  return out;
}

// The schema saas stands on, and its own.
inline std::vector<db::MigrationSet> more_schema() { return {saas::migrations()}; }

// Everything a saas test needs, on one backend.
struct SaasHarness {
  identity::testing::IdentityHarness id;
  FakeResolver resolver;
  std::unique_ptr<SaasService> service;
  // The operator organization products are audited in, and its admin.
  identity::User operator_admin;
  identity::Organization operator_org;

  bool init(std::unique_ptr<db::testing::TestDatabase> db, SaasSettings settings = {}) {
    if (!id.init(std::move(db), {}, more_schema())) return false;
    settings.public_url = "http://marketlink.test";
    service = std::make_unique<SaasService>(id.database->db(), id.clock, id.ids, resolver,
                                            *id.service, id.mail, *id.audit, settings);
    operator_admin = id.user("operator@marketlink.test", "Olga Operator");
    operator_org = id.org("Marketlink Operator", operator_admin, identity::OrgKind::kOperator);
    return true;
  }

  db::Database& db() { return id.database->db(); }
  core::ManualClock& clock() { return id.clock; }
  identity::Actor operator_actor() const {
    return {.user_id = operator_admin.id, .label = operator_admin.email, .ip = "192.0.2.1"};
  }
  static identity::Actor actor(const identity::User& u) {
    return {.user_id = u.id, .label = u.email, .ip = "192.0.2.7"};
  }

  // A registered product; legacy (customer identifier) unless `concurrent`.
  Product product(const std::string& code, bool concurrent, const std::string& name = "") {
    auto p = service->create_product(
        operator_org.id,
        {.product_code = code,
         .name = name.empty() ? "Product " + code : name,
         .pricing_model = PricingModel::kSubscription,
         .dimensions = std::vector<Dimension>{{.name = "users", .description = "Active users"}},
         .concurrent_agreements = concurrent,
         .manage_url = "https://aws.amazon.com/marketplace/pp/" + code,
         .support_contact = "support@seller.test",
         .new_org_subscription = identity::SubscriptionStatus::kTrial},
        operator_actor());
    EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
    return p.ok() ? *p : Product{};
  }

  // A customer organization with `admin` as its admin and its own subscription.
  identity::Organization customer(
      const std::string& name, const identity::User& admin,
      identity::SubscriptionStatus subscription = identity::SubscriptionStatus::kTrial) {
    return id.org(name, admin, identity::OrgKind::kCustomer, "", subscription);
  }

  void add_member(const identity::Organization& org, const identity::User& user,
                  identity::Role role) {
    auto added = id.service->invite(org.id, user.email, role, identity::Actor::system());
    EXPECT_TRUE(added.ok()) << (added.ok() ? "" : added.error().message);
  }

  // A token the resolver knows, for a buyer of `product_code`.
  std::string token(const std::string& name, const std::string& product_code,
                    const std::string& account_id, const std::string& customer_identifier = "",
                    const std::string& license_arn = "") {
    std::string t = "tok-" + name + "-Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk";
    resolver.add(t, {.product_code = product_code,
                     .customer_identifier = customer_identifier,
                     .customer_aws_account_id = account_id,
                     .license_arn = license_arn});
    return t;
  }

  // Lands `token` and expects a registration.
  Registration land(const std::string& token, const std::string& offer_type = "") {
    auto r = service->land({.token = token, .offer_type = offer_type});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : Registration{};
  }
};

// A test fixture per backend around a SaasHarness.
class SaasFixture : public ::testing::TestWithParam<db::testing::TestBackend> {
 protected:
  void SetUp() override {
    std::unique_ptr<db::testing::TestDatabase> database;
    MARKETLINK_OPEN_TEST_DATABASE(database);
    ASSERT_TRUE(h_.init(std::move(database)));
  }
  SaasHarness h_;
};

}  // namespace saas::testing
