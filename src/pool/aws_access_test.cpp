#include "pool/aws_access.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <set>

#include "core/ids.h"
#include "core/metrics.h"
#include "identity/audit_log.h"
#include "jobs/job_queue.h"
#include "pool/pool_test_support.h"

namespace pool {
namespace {

using db::testing::TestBackend;

constexpr const char* kAcme = "org-acme";
constexpr const char* kKeyId = "AKIAACMEPROVIDER0001";
constexpr const char* kSecret = "acme-secret-access-key-0000000000000000";
constexpr const char* kNewKeyId = "AKIAACMEPROVIDER0002";
constexpr const char* kRefusedKeyId = "AKIAREFUSEDKEY000001";

// AWS as the provider sees it: keys are good unless refused; accounts reachable unless listed.
class FakeProviderAws final : public ProviderAws {
 public:
  core::Result<std::string> account_of(const ProviderCredentials& c) override {
    std::lock_guard lock(mutex);
    seen_secrets.insert(c.secret_access_key);
    if (c.access_key_id == kRefusedKeyId) {
      return core::invalid(
          "InvalidClientTokenId: The security token included in the request is "
          "invalid.",
          "aws_keys_rejected");
    }
    return std::string("210987654321");
  }
  core::Result<AccessCheckOutcome> check(const ProviderCredentials& c,
                                         const std::string& account_id) override {
    std::function<void()> meanwhile;
    core::Result<AccessCheckOutcome> answer = AccessCheckOutcome{.reachable = true};
    {
      std::lock_guard lock(mutex);
      asked.push_back(account_id);
      asked_with.push_back(c.access_key_id);
      roles.insert(c.role_name);
      if (aws_down) {
        answer = core::unavailable("AWS STS could not be reached");
      } else if (unreachable.contains(account_id) ||
                 (!unreachable_with.empty() && c.access_key_id == unreachable_with)) {
        answer = AccessCheckOutcome{.reachable = false, .reason = "AccessDenied: not authorized"};
      }
      if (asked.size() == when_asked) meanwhile = std::move(while_asking);
    }
    // What the provider does while AWS is being asked (outside the lock: it may call us again).
    if (meanwhile) meanwhile();
    return answer;
  }

  std::mutex mutex;
  std::set<std::string> unreachable;
  bool aws_down = false;
  std::string unreachable_with;  // every account is unreachable with this key id
  std::vector<std::string> asked;
  std::vector<std::string> asked_with;  // the key id of each question
  std::set<std::string> roles;
  // Called once, while the `when_asked`-th question is being answered.
  size_t when_asked = 0;
  std::function<void()> while_asking;
  std::set<std::string> seen_secrets;
};

class AwsAccessTest : public testing::PoolFixture {
 protected:
  void SetUp() override {
    PoolFixture::SetUp();
    if (::testing::Test::IsSkipped() || HasFatalFailure()) return;
    queue_ = std::make_unique<jobs::JobQueue>(
        t_->db(), clock_, ids_, metrics_, jobs::QueueSettings{.workers = 0}, [] { return 0.5; });
    auto box = identity::SecretBox::from_key_text(identity::SecretBox::generate_key_text());
    ASSERT_TRUE(box.ok());
    box_ = std::make_unique<identity::SecretBox>(*box);
    access_ = make_access(box_.get(), {});
  }

  std::unique_ptr<AwsAccess> make_access(const identity::SecretBox* box,
                                         AwsAccessSettings settings) {
    auto access = std::make_unique<AwsAccess>(t_->db(), clock_, *pool_, aws_, *queue_, *audit_, box,
                                              settings);
    EXPECT_TRUE(access->register_jobs().ok());
    return access;
  }

  core::Result<AwsAccessView> configure(bool check_on, const std::string& role = "",
                                        const std::string& key_id = kKeyId) {
    return access_->configure(kAcme,
                              {.access_key_id = key_id,
                               .secret_access_key = kSecret,
                               .role_name = role,
                               .access_check_enabled = check_on},
                              actor_);
  }

  // Runs queued jobs until none is due; returns how many ran.
  int drain() {
    int ran = 0;
    while (true) {
      auto r = queue_->run_next();
      EXPECT_TRUE(r.ok());
      if (!r.ok() || !*r) return ran;
      ++ran;
    }
  }

  AccessCheckRun last_run() {
    auto view = access_->get(kAcme);
    EXPECT_TRUE(view.ok());
    EXPECT_TRUE(view.ok() && view->last_run.has_value());
    return view.ok() && view->last_run ? *view->last_run : AccessCheckRun{};
  }

  core::Metrics metrics_;
  std::unique_ptr<jobs::JobQueue> queue_;
  std::unique_ptr<identity::SecretBox> box_;
  FakeProviderAws aws_;
  std::unique_ptr<AwsAccess> access_;
  identity::Actor actor_{.user_id = "u1", .label = "alice@acme.test", .ip = "192.0.2.1"};
};

TEST_P(AwsAccessTest, SavesKeysWithTheSecretSealedAndNeverShown) {
  EXPECT_EQ(access_->get(kAcme).error().slug, "aws_access_not_configured");
  auto saved = configure(false);
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  EXPECT_EQ(saved->access_key_id, kKeyId);
  EXPECT_EQ(saved->aws_account_id, "210987654321");
  EXPECT_EQ(saved->role_name, kDefaultRoleName);
  EXPECT_FALSE(saved->access_check_enabled);
  EXPECT_EQ(saved->updated_by, "alice@acme.test");
  EXPECT_FALSE(saved->last_run.has_value());

  // Stored sealed: the secret's text is nowhere in the table.
  std::string sealed;
  const std::string provider = kAcme;  // soci::use binds a reference: it must outlive the query
  auto read = t_->db().transact([&](db::Tx& tx) -> core::Status {
    tx.sql() << "SELECT secret_sealed FROM pool_aws_access WHERE provider_org_id = :p",
        soci::into(sealed), soci::use(provider);
    return core::Status();
  });
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(sealed.starts_with("v2:"));
  EXPECT_EQ(sealed.find(kSecret), std::string::npos);
  auto credentials = access_->credentials(kAcme);
  ASSERT_TRUE(credentials.ok());
  EXPECT_EQ(credentials->secret_access_key, kSecret);

  // Audited, without the secret.
  auto events = audit_->list(kAcme, 10, "");
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->events.size(), 1u);
  EXPECT_EQ(events->events[0].action, "pool.aws_access_saved");
  EXPECT_EQ(events->events[0].detail.find(kSecret), std::string::npos);
  EXPECT_NE(events->events[0].detail.find(kKeyId), std::string::npos);
}

TEST_P(AwsAccessTest, RejectsBadInputAndRefusedKeysWithoutStoringAnything) {
  auto bad = access_->configure(
      kAcme, {.access_key_id = "akia lower", .secret_access_key = "short", .role_name = "a/b"},
      actor_);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().slug, "invalid_argument");
  std::set<std::string> fields;
  for (const auto& d : bad.error().details) fields.insert(d.field);
  EXPECT_EQ(fields, (std::set<std::string>{"access_key_id", "secret_access_key", "role_name"}));

  auto temporary = access_->configure(
      kAcme, {.access_key_id = "ASIAACMEPROVIDER0001", .secret_access_key = kSecret}, actor_);
  EXPECT_EQ(temporary.error().details.at(0).field, "access_key_id");

  // A first save needs the secret.
  auto no_secret = access_->configure(kAcme, {.access_key_id = kKeyId}, actor_);
  EXPECT_EQ(no_secret.error().details.at(0).field, "secret_access_key");

  auto refused = access_->configure(
      kAcme, {.access_key_id = kRefusedKeyId, .secret_access_key = kSecret}, actor_);
  EXPECT_EQ(refused.error().slug, "aws_keys_rejected");
  EXPECT_EQ(access_->get(kAcme).error().slug, "aws_access_not_configured");
  EXPECT_TRUE(audit_->list(kAcme, 10, "")->events.empty());
}

TEST_P(AwsAccessTest, KeepsTheStoredSecretWhenOnlyOtherFieldsChange) {
  ASSERT_TRUE(configure(false).ok());
  auto updated = access_->configure(
      kAcme, {.access_key_id = kKeyId, .role_name = "PoolAdmin", .access_check_enabled = false},
      actor_);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(updated->role_name, "PoolAdmin");
  EXPECT_EQ(access_->credentials(kAcme)->secret_access_key, kSecret);
  // Another key id needs its own secret.
  auto other = access_->configure(kAcme, {.access_key_id = "AKIAANOTHERKEY000001"}, actor_);
  EXPECT_EQ(other.error().details.at(0).field, "secret_access_key");
}

TEST_P(AwsAccessTest, WithoutASecretKeyNothingIsStored) {
  auto no_box = make_access(nullptr, {});
  auto r =
      no_box->configure(kAcme, {.access_key_id = kKeyId, .secret_access_key = kSecret}, actor_);
  EXPECT_EQ(r.error().slug, "secret_key_missing");
  EXPECT_EQ(r.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(access_->get(kAcme).error().slug, "aws_access_not_configured");
}

TEST_P(AwsAccessTest, ASecretSealedUnderAnotherKeyIsReportedNotLeaked) {
  ASSERT_TRUE(configure(false).ok());
  auto other_box = identity::SecretBox::from_key_text(identity::SecretBox::generate_key_text());
  auto other = make_access(&*other_box, {});
  auto r = other->credentials(kAcme);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().slug, "secret_unreadable");
}

TEST_P(AwsAccessTest, TurningTheCheckOnChecksEveryReadyAccountInTheBackground) {
  add(kAcme, "100000000001");
  add(kAcme, "100000000002");
  add(kAcme, "100000000003");
  add("org-other", "200000000001");
  aws_.unreachable = {"100000000002"};
  auto saved = configure(true, "PoolAccess");
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  ASSERT_TRUE(saved->last_run.has_value());
  EXPECT_EQ(saved->last_run->total, 3);
  EXPECT_FALSE(saved->last_run->finished_at.has_value());

  EXPECT_EQ(drain(), 1);
  const AccessCheckRun run = last_run();
  EXPECT_TRUE(run.finished_at.has_value());
  EXPECT_EQ(run.checked, 3);
  EXPECT_EQ(run.invalidated, 1);
  EXPECT_EQ(run.error, "");
  EXPECT_EQ(aws_.roles, (std::set<std::string>{"PoolAccess"}));
  EXPECT_EQ(status_of(kAcme, "100000000002"), AccountStatus::kInvalid);
  EXPECT_EQ(pool_->get(kAcme, "100000000002")->status_reason,
            "access check: AccessDenied: not authorized");
  EXPECT_EQ(status_of(kAcme, "100000000001"), AccountStatus::kReady);
  EXPECT_EQ(std::count(aws_.asked.begin(), aws_.asked.end(), "200000000001"), 0);
}

TEST_P(AwsAccessTest, RunAgainRestoresAccountsThatBecameReachable) {
  add(kAcme, "100000000001");
  aws_.unreachable = {"100000000001"};
  ASSERT_TRUE(configure(true).ok());
  drain();
  EXPECT_EQ(status_of(kAcme, "100000000001"), AccountStatus::kInvalid);

  aws_.unreachable.clear();
  clock_.advance(std::chrono::minutes(5));
  auto run = access_->start_check(kAcme, actor_);
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(run->total, 1);
  // Asking again while it runs answers the same run.
  auto again = access_->start_check(kAcme, actor_);
  EXPECT_EQ(again->started_at, run->started_at);
  drain();
  EXPECT_EQ(last_run().restored, 1);
  EXPECT_EQ(status_of(kAcme, "100000000001"), AccountStatus::kReady);
}

TEST_P(AwsAccessTest, NewAccountsAreCheckedByTheScheduleOnlyWhenTheCheckIsOn) {
  ASSERT_TRUE(configure(false).ok());
  add(kAcme, "100000000001");
  clock_.advance(std::chrono::minutes(2));
  ASSERT_TRUE(queue_->fire_due_schedules().ok());
  drain();
  EXPECT_TRUE(aws_.asked.empty());
  EXPECT_FALSE(access_->get(kAcme)->last_run.has_value());

  ASSERT_TRUE(configure(true).ok());
  drain();
  EXPECT_EQ(aws_.asked.size(), 1u);

  add(kAcme, "100000000002");  // e.g. imported later
  clock_.advance(std::chrono::minutes(1));
  ASSERT_TRUE(queue_->fire_due_schedules().ok());
  drain();
  EXPECT_EQ(aws_.asked, (std::vector<std::string>{"100000000001", "100000000002"}));
  EXPECT_EQ(last_run().scope, AccessCheckScope::kNew);
  EXPECT_EQ(last_run().checked, 1);

  // Nothing new: the schedule starts no run.
  const auto before = last_run().started_at;
  clock_.advance(std::chrono::minutes(1));
  ASSERT_TRUE(queue_->fire_due_schedules().ok());
  drain();
  EXPECT_EQ(last_run().started_at, before);
}

TEST_P(AwsAccessTest, ARunThatCannotReachAwsStopsWithTheReasonAndMovesNothing) {
  add(kAcme, "100000000001");
  aws_.aws_down = true;
  ASSERT_TRUE(configure(true).ok());
  drain();
  const AccessCheckRun run = last_run();
  EXPECT_TRUE(run.finished_at.has_value());
  EXPECT_EQ(run.checked, 0);
  EXPECT_NE(run.error.find("AWS STS could not be reached"), std::string::npos);
  EXPECT_EQ(status_of(kAcme, "100000000001"), AccountStatus::kReady);
}

TEST_P(AwsAccessTest, ALongRunContinuesInFurtherJobs) {
  for (int i = 0; i < 120; ++i) add(kAcme, fmt::format("1000000{:05d}", i));
  // A zero budget: every job checks one batch and hands on the rest.
  access_ = make_access(box_.get(), {.job_budget = std::chrono::seconds(0)});
  ASSERT_TRUE(configure(true).ok());
  EXPECT_GE(drain(), 3);
  const AccessCheckRun run = last_run();
  EXPECT_TRUE(run.finished_at.has_value());
  EXPECT_EQ(run.checked, 120);
  EXPECT_EQ(aws_.asked.size(), 120u);
}

TEST_P(AwsAccessTest, TurningTheCheckOffStopsARunningCheckAtItsNextAccount) {
  for (int i = 0; i < 120; ++i) add(kAcme, fmt::format("1000000{:05d}", i));
  aws_.unreachable_with = kKeyId;
  // The admin switches the check off while AWS answers the tenth question: that answer and every
  // later one are not applied, and nothing more is asked.
  aws_.when_asked = 10;
  aws_.while_asking = [&] {
    clock_.advance(std::chrono::seconds(1));
    ASSERT_TRUE(configure(false).ok());
  };
  ASSERT_TRUE(configure(true).ok());
  drain();
  EXPECT_EQ(aws_.asked.size(), 10u);
  EXPECT_EQ(pool_->counts(kAcme)->invalid, 9);
  const AccessCheckRun run = last_run();
  EXPECT_TRUE(run.finished_at.has_value());
  EXPECT_EQ(run.error, "Stopped: the access check was turned off.");
  EXPECT_EQ(run.invalidated, 9);
}

TEST_P(AwsAccessTest, NewKeysReplaceARunningCheckWhoseAnswersAreThenIgnored) {
  for (int i = 0; i < 120; ++i) add(kAcme, fmt::format("1000000{:05d}", i));
  // The old key reaches nothing, the new one everything.
  aws_.unreachable_with = kKeyId;
  aws_.when_asked = 10;
  aws_.while_asking = [&] {
    clock_.advance(std::chrono::seconds(1));
    ASSERT_TRUE(configure(true, "", kNewKeyId).ok());
  };
  ASSERT_TRUE(configure(true).ok());
  drain();
  EXPECT_EQ(std::count(aws_.asked_with.begin(), aws_.asked_with.end(), kKeyId), 10)
      << "the old run stops at its next account";
  EXPECT_EQ(std::count(aws_.asked_with.begin(), aws_.asked_with.end(), kNewKeyId), 120);
  EXPECT_EQ(pool_->counts(kAcme)->invalid, 0);
  const AccessCheckRun run = last_run();
  EXPECT_EQ(run.error, "");
  EXPECT_EQ(run.checked, 120);
  EXPECT_EQ(run.invalidated, 0);
  EXPECT_EQ(run.restored, 9) << "what the old run marked before the switch is put right";
}

TEST_P(AwsAccessTest, NewKeysWhileTheCheckIsOffStopARunningCheck) {
  for (int i = 0; i < 60; ++i) add(kAcme, fmt::format("1000000{:05d}", i));
  ASSERT_TRUE(configure(false).ok());
  aws_.unreachable_with = kKeyId;
  aws_.when_asked = 5;
  aws_.while_asking = [&] {
    clock_.advance(std::chrono::seconds(1));
    ASSERT_TRUE(configure(false, "", kNewKeyId).ok());
  };
  ASSERT_TRUE(access_->start_check(kAcme, actor_).ok());  // "Run again" with the check off
  drain();
  EXPECT_EQ(aws_.asked.size(), 5u);
  EXPECT_EQ(pool_->counts(kAcme)->invalid, 4);
  EXPECT_EQ(last_run().error, "Stopped: the AWS keys or role changed.");
}

TEST_P(AwsAccessTest, RemovingTheKeysStopsTheRun) {
  add(kAcme, "100000000001");
  ASSERT_TRUE(configure(true).ok());
  ASSERT_TRUE(access_->remove(kAcme, actor_).ok());
  drain();
  EXPECT_TRUE(aws_.asked.empty());
  EXPECT_EQ(access_->remove(kAcme, actor_).error().slug, "aws_access_not_configured");
  EXPECT_EQ(access_->start_check(kAcme, actor_).error().slug, "aws_access_not_configured");
}

INSTANTIATE_TEST_SUITE_P(Backends, AwsAccessTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace pool
