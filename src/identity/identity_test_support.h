// Test-only: a migrated database per backend, a recording mail queue, and an IdentityService
// wired with a ManualClock and the minimum password cost. Used by identity's and web's tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "db/database_test_support.h"
#include "db/migrations.h"
#include "identity/identity_service.h"
#include "identity/migrations.h"
#include "jobs/migrations.h"
#include "mail/mail.h"

namespace identity::testing {

// Keeps every queued message; can be told to fail.
class RecordingMailQueue final : public mail::MailQueue {
 public:
  core::Status enqueue(const mail::Message& message) override {
    std::lock_guard lock(mutex_);
    if (fail_) return core::unavailable("mail is down");
    messages_.push_back(message);
    return {};
  }
  // Records at once: tests here do not roll back after a successful enqueue.
  core::Status enqueue(db::Tx&, const mail::Message& message) override { return enqueue(message); }
  std::vector<mail::Message> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  // The link (first "http" word) of the last message sent to `to`, or "".
  std::string last_link_to(const std::string& to) const {
    std::lock_guard lock(mutex_);
    for (auto it = messages_.rbegin(); it != messages_.rend(); ++it) {
      if (it->to != to) continue;
      const auto start = it->text_body.find("http://");
      if (start == std::string::npos) return "";
      const auto end = it->text_body.find_first_of(" \n", start);
      return it->text_body.substr(start, end - start);
    }
    return "";
  }
  // The token= parameter of that link.
  std::string last_token_to(const std::string& to) const {
    const std::string link = last_link_to(to);
    const auto pos = link.find("token=");
    return pos == std::string::npos ? "" : link.substr(pos + 6);
  }
  void set_failing(bool fail) {
    std::lock_guard lock(mutex_);
    fail_ = fail;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<mail::Message> messages_;
  bool fail_ = false;
};

inline core::TimePoint test_start() { return core::parse_rfc3339("2026-03-02T09:00:00Z").value(); }

// Everything an identity test needs, on one backend.
struct IdentityHarness {
  std::unique_ptr<db::testing::TestDatabase> database;
  core::ManualClock clock{test_start()};
  core::RandomIdGenerator ids;
  RecordingMailQueue mail;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<IdentityService> service;

  // Migrates (identity's schema and what it stands on, plus `more`: the schema of the modules a
  // test puts beside identity) and wires; false (with a gtest failure) when migration fails.
  bool init(std::unique_ptr<db::testing::TestDatabase> db, IdentitySettings settings = {},
            std::vector<db::MigrationSet> more = {}) {
    database = std::move(db);
    std::vector<db::MigrationSet> sets = {jobs::migrations(), identity::migrations()};
    sets.insert(sets.end(), more.begin(), more.end());
    auto applied = db::migrate(database->db(), sets, clock);
    EXPECT_TRUE(applied.ok()) << (applied.ok() ? "" : applied.error().message);
    if (!applied.ok()) return false;
    settings.password_cost = PasswordCost::kMinimum;
    settings.public_url = "http://marketlink.test";
    audit = std::make_unique<AuditLog>(database->db(), clock, ids);
    service = std::make_unique<IdentityService>(database->db(), clock, ids, mail, *audit, settings);
    return true;
  }

  // A verified user with password kPassword.
  User user(const std::string& email, const std::string& name = "") {
    auto u = service->create_user(
        {.email = email, .name = name, .password = kPassword, .verified = true});
    EXPECT_TRUE(u.ok()) << (u.ok() ? "" : u.error().message);
    return u.ok() ? *u : User{};
  }
  Organization org(const std::string& name, const User& admin, OrgKind kind = OrgKind::kCustomer,
                   const std::string& marketplace_id = "",
                   SubscriptionStatus subscription = SubscriptionStatus::kNone) {
    auto o = service->create_organization({.name = name,
                                           .kind = kind,
                                           .marketplace_id = marketplace_id,
                                           .subscription = subscription,
                                           .admin_user_id = admin.id},
                                          Actor::system());
    EXPECT_TRUE(o.ok()) << (o.ok() ? "" : o.error().message);
    return o.ok() ? *o : Organization{};
  }

  static constexpr const char* kPassword = "correct horse battery";
};

}  // namespace identity::testing
