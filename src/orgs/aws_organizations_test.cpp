#include "orgs/aws_organizations.h"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/ids.h"
#include "db/database_test_support.h"
#include "db/migrations.h"
#include "identity/audit_log.h"
#include "identity/migrations.h"
#include "jobs/migrations.h"
#include "orgs/migrations.h"

namespace orgs {
namespace {

constexpr const char* kMp = "MP-0000";
constexpr const char* kAccount = "444455556666";
constexpr const char* kKeyId = "AKIAORGSMANAGEMENT01";
constexpr const char* kSecret = "orgs-secret-access-key-000000000000000";
constexpr const char* kPattern = "aws-accounts+%s@example.com";

// AWS as one management account sees it, with knobs for each failure.
class FakeOrgsAws final : public OrgsAws {
 public:
  core::Result<std::string> caller_account(const OrgCredentials& c) override {
    std::lock_guard lock(mutex);
    seen_secrets.insert(c.secret_access_key);
    if (c.secret_access_key != good_secret) {
      return core::invalid("SignatureDoesNotMatch: the signature does not match.",
                           "aws_keys_rejected");
    }
    return keys_account.empty() ? c.account_id : keys_account;
  }
  core::Result<std::optional<OrganizationInfo>> organization(const OrgCredentials& c) override {
    std::lock_guard lock(mutex);
    if (auto it = created.find(c.account_id); it != created.end()) {
      return std::optional<OrganizationInfo>(it->second);
    }
    return org;
  }
  core::Result<OrganizationInfo> create_organization(const OrgCredentials& c) override {
    std::lock_guard lock(mutex);
    ++organizations_created;
    created[c.account_id] = OrganizationInfo{
        .id = "o-created01", .management_account_id = c.account_id, .feature_set = "ALL"};
    return created[c.account_id];
  }
  core::Status s3_usable(const OrgCredentials&) override {
    if (s3_denied) return core::forbidden("AccessDenied: Access Denied");
    return {};
  }
  core::Result<BucketState> bucket_state(const OrgCredentials&, const std::string& b) override {
    std::lock_guard lock(mutex);
    auto it = buckets.find(b);
    return it == buckets.end() ? BucketState::kAbsent : it->second;
  }
  core::Result<std::vector<std::string>> report_names(const OrgCredentials&) override {
    std::lock_guard lock(mutex);
    return reports;
  }
  core::Status create_billing_bucket(const OrgCredentials&, const std::string& b) override {
    std::lock_guard lock(mutex);
    if (fail_bucket_creation) return core::unavailable("S3 could not be reached");
    buckets[b] = BucketState::kOurs;
    return {};
  }
  core::Status create_report(const OrgCredentials&, const std::string& name,
                             const std::string&) override {
    std::lock_guard lock(mutex);
    reports.push_back(name);
    return {};
  }

  std::mutex mutex;
  std::string good_secret = kSecret;
  std::string keys_account;                         // "" = the account asked about
  std::optional<OrganizationInfo> org;              // of every account but those below
  std::map<std::string, OrganizationInfo> created;  // by account, when made here
  int organizations_created = 0;
  bool s3_denied = false;
  bool fail_bucket_creation = false;
  std::map<std::string, BucketState> buckets;
  std::vector<std::string> reports;
  std::set<std::string> seen_secrets;
};

class AwsOrganizationsTest : public ::testing::TestWithParam<db::testing::TestBackend> {
 protected:
  void SetUp() override {
    MARKETLINK_OPEN_TEST_DATABASE(t_);
    auto applied = db::migrate(
        t_->db(), {jobs::migrations(), identity::migrations(), orgs::migrations()}, clock_);
    ASSERT_TRUE(applied.ok()) << applied.error().message;
    audit_ = std::make_unique<identity::AuditLog>(t_->db(), clock_, ids_);
    auto box = identity::SecretBox::from_key_text(identity::SecretBox::generate_key_text());
    ASSERT_TRUE(box.ok());
    box_ = std::make_unique<identity::SecretBox>(*box);
    orgs_ = std::make_unique<AwsOrganizations>(t_->db(), clock_, ids_, aws_, *audit_, box_.get());
  }

  NewAwsOrganization input(const std::string& account = kAccount, bool make_default = false) {
    return {.account_id = account,
            .region = "eu-west-1",
            .access_key_id = kKeyId,
            .secret_access_key = kSecret,
            .email_pattern = kPattern,
            .make_default = make_default};
  }

  // Adds and expects success.
  AwsOrganization link(const std::string& account = kAccount, bool make_default = false) {
    auto added = orgs_->add(kMp, input(account, make_default), actor_);
    EXPECT_TRUE(added.ok()) << (added.ok() ? "" : added.error().message);
    if (!added.ok()) return {};
    EXPECT_TRUE(std::holds_alternative<AwsOrganization>(*added))
        << std::get<PreflightError>(*added).error.message;
    if (!std::holds_alternative<AwsOrganization>(*added)) return {};
    // The next link is of another account: in no organization, no report yet.
    aws_.reports.clear();
    return std::get<AwsOrganization>(*added);
  }

  PreflightError failing_add() {
    auto added = orgs_->add(kMp, input(), actor_);
    EXPECT_TRUE(added.ok()) << (added.ok() ? "" : added.error().message);
    if (!added.ok() || !std::holds_alternative<PreflightError>(*added)) {
      ADD_FAILURE() << "the add passed its checks";
      return {};
    }
    return std::get<PreflightError>(*added);
  }

  size_t stored() {
    auto all = orgs_->list(kMp);
    EXPECT_TRUE(all.ok());
    return all.ok() ? all->size() : 0;
  }

  static const Check* check_named(const std::vector<Check>& checks, const std::string& name) {
    for (const auto& c : checks) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }

  std::unique_ptr<db::testing::TestDatabase> t_;
  core::ManualClock clock_{core::TimePoint(std::chrono::seconds(1'790'000'000))};
  core::SequentialIdGenerator ids_{"id"};
  std::unique_ptr<identity::AuditLog> audit_;
  std::unique_ptr<identity::SecretBox> box_;
  FakeOrgsAws aws_;
  std::unique_ptr<AwsOrganizations> orgs_;
  identity::Actor actor_{.user_id = "u1", .label = "mona@example.com", .ip = ""};
};

TEST(EmailPatternTest, AcceptsThePatternFormAndRefusesEverythingElse) {
  EXPECT_TRUE(email_pattern_errors("aws-accounts+%s@example.com").empty());
  EXPECT_TRUE(email_pattern_errors("a.b+%s@mail.example.co.uk").empty());
  for (const char* bad :
       {"aws@example.com", "aws+%s+%s@example.com", "aws+%s@", "+%s@example.com",
        "aws%s@example.com", "aws+%s@example", "aws+%s@exa mple.com", "aws+%s@-bad.com",
        "aws+%d@example.com", "aws+%s@example.com.", "a b+%s@example.com"}) {
    auto errors = email_pattern_errors(bad);
    ASSERT_EQ(errors.size(), 1u) << bad;
    EXPECT_EQ(errors.front().field, "email_pattern");
  }
  // 64 characters once %s becomes a 10-character id is the limit.
  const std::string domain = "@example.com";
  const std::string fits = std::string(64 - 10 - 1 - domain.size(), 'a') + "+%s" + domain;
  EXPECT_TRUE(email_pattern_errors(fits).empty());
  EXPECT_EQ(member_email(fits, "0123456789").size(), 64u);
  auto too_long = email_pattern_errors("a" + fits);
  ASSERT_EQ(too_long.size(), 1u);
  EXPECT_NE(too_long.front().message.find("65 characters"), std::string::npos);
}

TEST(EmailPatternTest, ExamplesAndMasks) {
  auto examples = example_emails("aws+%s@example.com");
  ASSERT_EQ(examples.size(), 2u);
  EXPECT_EQ(examples[0], "aws+1cc0c520-b@example.com");
  EXPECT_NE(examples[0], examples[1]);
  EXPECT_TRUE(example_emails("nope").empty());
  EXPECT_EQ(mask_key_id("AKIAIOSFODNN7EXAMPLE"), "AKIA…MPLE");
  EXPECT_EQ(billing_bucket_name("444455556666"), "daily-billing-report-444455556666");
}

TEST_P(AwsOrganizationsTest, LinkingCreatesTheOrganizationBucketAndReportAndIsTheDefault) {
  const AwsOrganization o = link();
  EXPECT_EQ(o.account_id, kAccount);
  EXPECT_TRUE(o.is_default);
  EXPECT_TRUE(o.created_organization);
  EXPECT_EQ(o.aws_organization_id, "o-created01");
  EXPECT_EQ(o.billing_bucket, "daily-billing-report-444455556666");
  EXPECT_EQ(o.report_name, kReportName);
  EXPECT_TRUE(o.last_check_ok);
  ASSERT_EQ(o.checks.size(), 6u);
  for (const auto& c : o.checks) EXPECT_TRUE(c.ok()) << c.name << ": " << c.message;
  EXPECT_EQ(aws_.organizations_created, 1);
  EXPECT_EQ(aws_.buckets.at(o.billing_bucket), BucketState::kOurs);

  auto read = orgs_->get(kMp, o.id);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->checks.size(), 6u);
  EXPECT_EQ(read->last_check_at, clock_.now());
  EXPECT_TRUE(read->is_default);
  // The secret is stored sealed and opens again.
  auto c = orgs_->credentials(kMp, o.id);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->secret_access_key, kSecret);
  std::string sealed;
  auto read_sealed = t_->db().transact([&](db::Tx& tx) -> core::Status {
    tx.sql() << "SELECT secret_sealed FROM orgs_aws_organizations", soci::into(sealed);
    return {};
  });
  ASSERT_TRUE(read_sealed.ok());
  EXPECT_EQ(sealed.find(kSecret), std::string::npos);
  EXPECT_TRUE(sealed.starts_with("v2:"));
  // Another marketplace does not see it.
  auto other = orgs_->get("MP-0001", o.id);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, core::ErrorCode::kNotFound);
}

TEST_P(AwsOrganizationsTest, AnExistingOrganizationItManagesIsKept) {
  aws_.org = OrganizationInfo{
      .id = "o-existing1", .management_account_id = kAccount, .feature_set = "ALL"};
  const AwsOrganization o = link();
  EXPECT_FALSE(o.created_organization);
  EXPECT_EQ(o.aws_organization_id, "o-existing1");
  EXPECT_EQ(aws_.organizations_created, 0);
}

TEST_P(AwsOrganizationsTest, EachFailingCheckSavesNothingAndSaysWhy) {
  struct Case {
    std::string check;
    std::function<void(FakeOrgsAws&)> arrange;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"keys", [](FakeOrgsAws& a) { a.good_secret = "another-secret-000000000000"; },
       "SignatureDoesNotMatch"},
      {"keys", [](FakeOrgsAws& a) { a.keys_account = "999988887777"; }, "999988887777"},
      {"organization",
       [](FakeOrgsAws& a) {
         a.org = OrganizationInfo{.id = "o-others0001", .management_account_id = "123123123123"};
       },
       "member of organization o-others0001"},
      {"s3_access", [](FakeOrgsAws& a) { a.s3_denied = true; }, "AccessDenied"},
      {"billing_bucket",
       [](FakeOrgsAws& a) {
         a.buckets["daily-billing-report-444455556666"] = BucketState::kSomeoneElses;
       },
       "another AWS account"},
      {"billing_bucket",
       [](FakeOrgsAws& a) { a.buckets["daily-billing-report-444455556666"] = BucketState::kOurs; },
       "already exists"},
      {"cost_report", [](FakeOrgsAws& a) { a.reports = {"finance-report"}; }, "finance-report"},
      {"setup", [](FakeOrgsAws& a) { a.fail_bucket_creation = true; }, "S3 could not be reached"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.check + " / " + tc.says);
    {
      std::lock_guard lock(aws_.mutex);
      aws_.good_secret = kSecret;
      aws_.keys_account.clear();
      aws_.org.reset();
      aws_.created.clear();
      aws_.s3_denied = false;
      aws_.fail_bucket_creation = false;
      aws_.buckets.clear();
      aws_.reports.clear();
    }
    tc.arrange(aws_);
    const int organizations_before = aws_.organizations_created;
    const PreflightError failed = failing_add();
    if (tc.check != "setup") {
      EXPECT_EQ(aws_.organizations_created, organizations_before)
          << "a failed check must not create the organization";
    }
    EXPECT_EQ(failed.error.code, core::ErrorCode::kInvalid);
    EXPECT_STREQ(failed.error.code_slug(), "preflight_failed");
    const Check* c = check_named(failed.checks, tc.check);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->status, CheckStatus::kFailed);
    EXPECT_NE(c->message.find(tc.says), std::string::npos) << c->message;
    EXPECT_EQ(stored(), 0u);
    if (tc.check == "keys") {
      // Nothing else can be asked with refused keys.
      for (const auto& other : failed.checks) {
        if (other.name != "keys") {
          EXPECT_EQ(other.status, CheckStatus::kSkipped) << other.name;
        }
      }
    }
  }
}

TEST_P(AwsOrganizationsTest, AFailedSetUpCanBeCheckedAgainAndCompletes) {
  aws_.fail_bucket_creation = true;
  const PreflightError failed = failing_add();
  EXPECT_EQ(failed.checks.back().name, "setup");
  EXPECT_EQ(stored(), 0u);
  // The organization made before the failure is this account's own now: the checks pass.
  aws_.fail_bucket_creation = false;
  const AwsOrganization o = link();
  EXPECT_EQ(o.aws_organization_id, "o-created01");
  EXPECT_FALSE(o.created_organization) << "it existed at the second attempt";
  EXPECT_EQ(aws_.organizations_created, 1);
  EXPECT_EQ(stored(), 1u);
}

TEST_P(AwsOrganizationsTest, FieldErrorsComeTogetherWithoutAskingAws) {
  NewAwsOrganization bad{.account_id = "12345",
                         .region = "mars-1",
                         .access_key_id = "short",
                         .secret_access_key = "",
                         .email_pattern = "nope@example.com"};
  auto added = orgs_->add(kMp, bad, actor_);
  ASSERT_FALSE(added.ok());
  EXPECT_STREQ(added.error().code_slug(), "invalid_argument");
  std::set<std::string> fields;
  for (const auto& d : added.error().details) fields.insert(d.field);
  EXPECT_EQ(fields, (std::set<std::string>{"account_id", "region", "access_key_id",
                                           "secret_access_key", "email_pattern"}));
  EXPECT_TRUE(aws_.seen_secrets.empty());
}

TEST_P(AwsOrganizationsTest, WithoutASecretKeyNothingIsStoredAndTheReasonIsGiven) {
  AwsOrganizations no_key(t_->db(), clock_, ids_, aws_, *audit_, nullptr);
  EXPECT_FALSE(no_key.can_store_secrets());
  auto added = no_key.add(kMp, input(), actor_);
  ASSERT_FALSE(added.ok());
  EXPECT_STREQ(added.error().code_slug(), "secret_key_missing");
  EXPECT_NE(added.error().message.find("MARKETLINK_SECRET_KEY"), std::string::npos);
  EXPECT_EQ(stored(), 0u);
}

TEST_P(AwsOrganizationsTest, TheSameAccountTwiceIsAConflict) {
  link();
  auto again = orgs_->add(kMp, input(), actor_);
  ASSERT_FALSE(again.ok());
  EXPECT_STREQ(again.error().code_slug(), "aws_organization_exists");
}

TEST_P(AwsOrganizationsTest, ExactlyOneDefaultAsOrganizationsComeAndGo) {
  const AwsOrganization a = link("111111111111");
  const AwsOrganization b = link("222222222222");
  EXPECT_TRUE(a.is_default);
  EXPECT_FALSE(b.is_default);
  const AwsOrganization c = link("333333333333", /*make_default=*/true);
  EXPECT_TRUE(c.is_default);
  auto all = orgs_->list(kMp);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ(all->front().id, c.id) << "the default comes first";
  EXPECT_EQ(std::count_if(all->begin(), all->end(), [](auto& o) { return o.is_default; }), 1);

  // Edit b into the default: c is no longer.
  auto edited = orgs_->edit(kMp, b.id, {.make_default = true}, actor_);
  ASSERT_TRUE(edited.ok());
  ASSERT_TRUE(std::holds_alternative<AwsOrganization>(*edited));
  EXPECT_TRUE(std::get<AwsOrganization>(*edited).is_default);
  EXPECT_FALSE(orgs_->get(kMp, c.id)->is_default);
  auto d = orgs_->default_for(kMp);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->id, b.id);

  // The default cannot be unset, nor removed without naming the next one.
  auto unset = orgs_->edit(kMp, b.id, {.make_default = false}, actor_);
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(unset.error().details.front().field, "default");
  auto removed = orgs_->remove(kMp, b.id, std::nullopt, actor_);
  ASSERT_FALSE(removed.ok());
  EXPECT_STREQ(removed.error().code_slug(), "default_required");
  auto bad_next = orgs_->remove(kMp, b.id, b.id, actor_);
  ASSERT_FALSE(bad_next.ok());
  EXPECT_STREQ(bad_next.error().code_slug(), "default_required");
  ASSERT_TRUE(orgs_->remove(kMp, b.id, a.id, actor_).ok());
  EXPECT_EQ(orgs_->default_for(kMp)->id, a.id);
  // A non-default goes without more ado; the last one too.
  ASSERT_TRUE(orgs_->remove(kMp, c.id, std::nullopt, actor_).ok());
  ASSERT_TRUE(orgs_->remove(kMp, a.id, std::nullopt, actor_).ok());
  EXPECT_EQ(stored(), 0u);
  auto none = orgs_->default_for(kMp);
  ASSERT_FALSE(none.ok());
  EXPECT_STREQ(none.error().code_slug(), "no_default_aws_organization");
}

TEST_P(AwsOrganizationsTest, ConcurrentDefaultSwitchesLeaveExactlyOne) {
  std::vector<AwsOrganization> linked;
  for (const char* account : {"111111111111", "222222222222", "333333333333", "444444444444"}) {
    linked.push_back(link(account));
  }
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto r =
            orgs_->edit(kMp, linked[(t + i) % linked.size()].id, {.make_default = true}, actor_);
        if (!r.ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto all = orgs_->list(kMp);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(std::count_if(all->begin(), all->end(), [](auto& o) { return o.is_default; }), 1);
}

TEST_P(AwsOrganizationsTest, EditingKeysVerifiesThemAndAFailureChangesNothing) {
  const AwsOrganization o = link();
  // A wrong secret: refused, the old keys stay.
  auto refused = orgs_->edit(kMp, o.id,
                             {.access_key_id = std::string("AKIAORGSMANAGEMENT02"),
                              .secret_access_key = std::string("a-wrong-secret-0000000000000")},
                             actor_);
  ASSERT_TRUE(refused.ok());
  ASSERT_TRUE(std::holds_alternative<PreflightError>(*refused));
  EXPECT_EQ(orgs_->get(kMp, o.id)->access_key_id, kKeyId);
  // A new key id alone needs its secret.
  auto alone =
      orgs_->edit(kMp, o.id, {.access_key_id = std::string("AKIAORGSMANAGEMENT02")}, actor_);
  ASSERT_FALSE(alone.ok());
  EXPECT_EQ(alone.error().details.front().field, "secret_access_key");

  // The right new keys: verified (bucket and report already there), stored.
  aws_.good_secret = "the-new-secret-access-key-000000000";
  aws_.reports = {o.report_name};
  clock_.advance(std::chrono::minutes(5));
  auto changed = orgs_->edit(kMp, o.id,
                             {.access_key_id = std::string("AKIAORGSMANAGEMENT02"),
                              .secret_access_key = aws_.good_secret,
                              .email_pattern = std::string("ops+%s@example.org")},
                             actor_);
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  ASSERT_TRUE(std::holds_alternative<AwsOrganization>(*changed))
      << std::get<PreflightError>(*changed).error.message;
  const auto& after = std::get<AwsOrganization>(*changed);
  EXPECT_EQ(after.access_key_id, "AKIAORGSMANAGEMENT02");
  EXPECT_EQ(after.email_pattern, "ops+%s@example.org");
  EXPECT_EQ(after.last_check_at, clock_.now());
  EXPECT_EQ(orgs_->credentials(kMp, o.id)->secret_access_key, aws_.good_secret);
}

TEST_P(AwsOrganizationsTest, CheckAgainRecordsTheResultEitherWay) {
  const AwsOrganization o = link();
  aws_.reports = {o.report_name};
  clock_.advance(std::chrono::hours(1));
  auto good = orgs_->check(kMp, o.id, actor_);
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(good->last_check_ok);
  EXPECT_EQ(good->last_check_at, clock_.now());

  aws_.buckets.clear();  // someone deleted the billing bucket
  clock_.advance(std::chrono::hours(1));
  auto bad = orgs_->check(kMp, o.id, actor_);
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->last_check_ok);
  const Check* bucket = check_named(bad->checks, "billing_bucket");
  ASSERT_NE(bucket, nullptr);
  EXPECT_EQ(bucket->status, CheckStatus::kFailed);
  auto read = orgs_->get(kMp, o.id);
  EXPECT_FALSE(read->last_check_ok);
  EXPECT_EQ(read->last_check_at, clock_.now());
  EXPECT_TRUE(read->is_default) << "a failed check does not unlink";
}

INSTANTIATE_TEST_SUITE_P(Backends, AwsOrganizationsTest,
                         ::testing::Values(db::testing::TestBackend::kSqlite,
                                           db::testing::TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace orgs
