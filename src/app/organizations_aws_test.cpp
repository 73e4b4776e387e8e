// Linking marketplaces' AWS organizations against the simulator over real HTTP, on both
// databases: orgs::AwsOrganizations with OrganizationsAwsClient, every pre-flight check failing in
// turn with its message, and the organization, bucket, policy and report made when they pass.
#include "app/organizations_aws.h"

#include <gtest/gtest.h>

#include "aws/curl_transport.h"
#include "core/ids.h"
#include "db/database_test_support.h"
#include "db/migrations.h"
#include "identity/audit_log.h"
#include "identity/migrations.h"
#include "jobs/migrations.h"
#include "orgs/migrations.h"
#include "sim/sim_server.h"
#include "sim/sim_test_support.h"

namespace app {
namespace {

using namespace std::chrono_literals;

class OrganizationsAwsTest : public ::testing::TestWithParam<db::testing::TestBackend> {
 protected:
  OrganizationsAwsTest()
      : server_({.port = 0, .worker_threads = 2}, clock_),
        context_{transport_, clock_, sleeper_, aws::system_random()} {}

  void SetUp() override {
    MARKETLINK_OPEN_TEST_DATABASE(t_);
    auto applied = db::migrate(
        t_->db(), {jobs::migrations(), identity::migrations(), orgs::migrations()}, clock_);
    ASSERT_TRUE(applied.ok()) << applied.error().message;
    auto port = server_.start();
    ASSERT_TRUE(port.ok()) << port.error().message;
    client_ = std::make_unique<OrganizationsAwsClient>(
        context_, aws::ClientSettings{.region = "us-east-1",
                                      .endpoint = server_.url(),
                                      .call_timeout = 10s,
                                      .retry = {.max_attempts = 1}});
    audit_ = std::make_unique<identity::AuditLog>(t_->db(), clock_, ids_);
    box_ = std::make_unique<identity::SecretBox>(
        *identity::SecretBox::from_key_text(identity::SecretBox::generate_key_text()));
    orgs_ = std::make_unique<orgs::AwsOrganizations>(t_->db(), clock_, ids_, *client_, *audit_,
                                                     box_.get());
  }
  void TearDown() override { server_.shutdown(); }

  sim::Json account(const std::string& organization = "none") {
    return server_.simulator().create_account({{"organization", organization}}).value();
  }

  orgs::NewAwsOrganization input(const sim::Json& a) {
    return {.account_id = a["account_id"],
            .region = "eu-west-1",
            .access_key_id = a["access_key_id"],
            .secret_access_key = a["secret_access_key"],
            .email_pattern = "aws+%s@example.com"};
  }

  orgs::OrgCredentials credentials(const sim::Json& a) {
    return {.account_id = a["account_id"],
            .region = "eu-west-1",
            .access_key_id = a["access_key_id"],
            .secret_access_key = a["secret_access_key"]};
  }

  // The add's failed check, its message containing `says`.
  void expect_failed(const orgs::NewAwsOrganization& in, const std::string& check,
                     const std::string& says) {
    auto added = orgs_->add("MP-0000", in, actor_);
    ASSERT_TRUE(added.ok()) << added.error().message;
    ASSERT_TRUE(std::holds_alternative<orgs::PreflightError>(*added)) << check;
    const auto& failed = std::get<orgs::PreflightError>(*added);
    bool found = false;
    for (const auto& c : failed.checks) {
      if (c.name != check) continue;
      found = true;
      EXPECT_EQ(c.status, orgs::CheckStatus::kFailed);
      EXPECT_NE(c.message.find(says), std::string::npos) << c.message;
    }
    EXPECT_TRUE(found) << check;
    EXPECT_TRUE(orgs_->list("MP-0000")->empty());
  }

  core::SystemClock clock_;
  sim::SimServer server_;
  aws::CurlTransport transport_;
  aws::ThreadSleeper sleeper_;
  aws::ClientContext context_;
  std::unique_ptr<db::testing::TestDatabase> t_;
  core::SequentialIdGenerator ids_{"id"};
  std::unique_ptr<identity::AuditLog> audit_;
  std::unique_ptr<identity::SecretBox> box_;
  std::unique_ptr<OrganizationsAwsClient> client_;
  std::unique_ptr<orgs::AwsOrganizations> orgs_;
  identity::Actor actor_ = identity::Actor::system();
};

TEST_P(OrganizationsAwsTest, LinkingAnAccountInNoOrganizationSetsUpBilling) {
  const sim::Json a = account();
  auto added = orgs_->add("MP-0000", input(a), actor_);
  ASSERT_TRUE(added.ok()) << added.error().message;
  ASSERT_TRUE(std::holds_alternative<orgs::AwsOrganization>(*added))
      << std::get<orgs::PreflightError>(*added).error.message;
  const auto& o = std::get<orgs::AwsOrganization>(*added);
  EXPECT_TRUE(o.created_organization);
  EXPECT_TRUE(o.aws_organization_id.starts_with("o-"));
  // AWS now shows what was made: the organization it manages, the bucket, the report.
  const auto c = credentials(a);
  auto org = client_->organization(c);
  ASSERT_TRUE(org.ok() && org->has_value());
  EXPECT_EQ((*org)->management_account_id, a["account_id"]);
  EXPECT_EQ((*org)->id, o.aws_organization_id);
  auto bucket =
      client_->bucket_state(c, "daily-billing-report-" + a["account_id"].get<std::string>());
  ASSERT_TRUE(bucket.ok());
  EXPECT_EQ(*bucket, orgs::BucketState::kOurs);
  auto reports = client_->report_names(c);
  ASSERT_TRUE(reports.ok());
  EXPECT_EQ(*reports, std::vector<std::string>{std::string(orgs::kReportName)});

  // Check again passes, and fails once the report is gone.
  auto again = orgs_->check("MP-0000", o.id, actor_);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->last_check_ok) << again->checks.back().message;
}

TEST_P(OrganizationsAwsTest, AManagementAccountIsLinkedWithoutANewOrganization) {
  const sim::Json a = account("management");
  auto added = orgs_->add("MP-0000", input(a), actor_);
  ASSERT_TRUE(added.ok());
  ASSERT_TRUE(std::holds_alternative<orgs::AwsOrganization>(*added));
  EXPECT_FALSE(std::get<orgs::AwsOrganization>(*added).created_organization);
  EXPECT_EQ(std::get<orgs::AwsOrganization>(*added).aws_organization_id, a["organization_id"]);
}

TEST_P(OrganizationsAwsTest, EveryCheckFailsInTurnWithItsMessage) {
  {
    const sim::Json a = account();
    auto bad = input(a);
    bad.secret_access_key = "not-the-secret-access-key-000000000000";
    expect_failed(bad, "keys", "SignatureDoesNotMatch");
  }
  {
    const sim::Json a = account();
    const sim::Json other = account();
    auto bad = input(a);
    bad.account_id = other["account_id"];
    expect_failed(bad, "keys", "belong to AWS account " + a["account_id"].get<std::string>());
  }
  expect_failed(input(account("member-of-other")), "organization", "member of organization");
  {
    const sim::Json a = account();
    ASSERT_TRUE(server_.simulator()
                    .add_fault({{"operation", "ListBuckets"},
                                {"error", "AccessDenied"},
                                {"status", 403},
                                {"count", 1}})
                    .ok());
    expect_failed(input(a), "s3_access", "AccessDenied");
  }
  {
    const sim::Json a = account();
    ASSERT_TRUE(client_
                    ->create_billing_bucket(credentials(a), "daily-billing-report-" +
                                                                a["account_id"].get<std::string>())
                    .ok());
    expect_failed(input(a), "billing_bucket", "already exists");
  }
  {
    const sim::Json a = account();
    const auto c = credentials(a);
    ASSERT_TRUE(
        client_->create_billing_bucket(c, "finance-" + a["account_id"].get<std::string>()).ok());
    ASSERT_TRUE(
        client_->create_report(c, "finance", "finance-" + a["account_id"].get<std::string>()).ok());
    expect_failed(input(a), "cost_report", "finance");
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, OrganizationsAwsTest,
                         ::testing::Values(db::testing::TestBackend::kSqlite,
                                           db::testing::TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace app
