// Marketlink's AWS client against the simulator over real HTTP (SimServer on 127.0.0.1, port 0,
// libcurl transport, a ManualClock shared by both): every operation the client has, injected
// throttling that the client's retries ride out, and permanent errors that fail fast with AWS's
// code.
#include <gtest/gtest.h>

#include <future>

#include "aws/account.h"
#include "aws/agreement.h"
#include "aws/assume_role_credentials_provider.h"
#include "aws/cur.h"
#include "aws/curl_transport.h"
#include "aws/entitlement.h"
#include "aws/iam.h"
#include "aws/metering.h"
#include "aws/organizations.h"
#include "aws/s3.h"
#include "aws/sqs.h"
#include "aws/sts.h"
#include "sim/sim_server.h"
#include "sim/sim_test_support.h"

namespace sim {
namespace {

using namespace std::chrono_literals;
using aws::aws_error_code;

class SimClientTest : public ::testing::Test {
 protected:
  SimClientTest()
      : server_({.port = 0, .worker_threads = 2}, clock_),
        context_{transport_, clock_, sleeper_, aws::system_random()} {}

  void SetUp() override {
    auto port = server_.start();
    ASSERT_TRUE(port.ok()) << port.error().message;
  }
  void TearDown() override { server_.shutdown(); }

  Simulator& sim() { return server_.simulator(); }
  aws::AwsClient client(const aws::Credentials& keys, int attempts = 1) {
    return aws::AwsClient(
        context_, aws::static_credentials(keys),
        {.region = "us-east-1",
         .endpoint = server_.url(),
         .call_timeout = 10s,
         .retry = {.max_attempts = attempts, .base_delay = 10ms, .max_delay = 50ms}});
  }
  Json account(Json request = Json::object()) { return sim().create_account(request).value(); }
  size_t calls(const std::string& operation) { return sim().calls_json(operation)["calls"].size(); }

  core::ManualClock clock_{core::TimePoint(std::chrono::seconds(1'800'000'000))};
  SimServer server_;
  aws::CurlTransport transport_;
  aws::ThreadSleeper sleeper_;
  aws::ClientContext context_;
};

TEST_F(SimClientTest, MarketplaceOperations) {
  ASSERT_TRUE(sim()
                  .create_product({{"product_code", "prod1"},
                                   {"pricing_model", "contract_with_consumption"},
                                   {"dimensions", {{{"name", "users"}}, {{"name", "seats"}}}},
                                   {"fulfillment_url", "http://127.0.0.1:9/aws/fulfillment"}})
                  .ok());
  ASSERT_TRUE(sim()
                  .subscribe_notifications(
                      {{"topic", "subscription"}, {"product_code", "prod1"}, {"sqs_queue", "mp"}})
                  .ok());
  const Json buyer = account();
  const Json sub = sim()
                       .subscribe({{"buyer_account_id", buyer["account_id"]},
                                   {"product_code", "prod1"},
                                   {"entitlements", {{"seats", 12}}}})
                       .value();
  aws::metering::MeteringClient metering(client(seller_keys()));
  auto resolved = metering.resolve_customer({.registration_token = sub["registration_token"]});
  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  EXPECT_EQ(resolved->customer_identifier, sub["customer_identifier"]);
  EXPECT_EQ(resolved->license_arn, sub["license_arn"]);
  EXPECT_EQ(aws_error_code(metering.resolve_customer({.registration_token = "bad"}).error()),
            "InvalidTokenException");

  aws::metering::UsageRecord record{.timestamp = sim().now() - 1h,
                                    .customer_identifier = sub["customer_identifier"],
                                    .dimension = "users",
                                    .quantity = 7};
  auto batch = metering.batch_meter_usage({.usage_records = {record}, .product_code = "prod1"});
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  EXPECT_EQ(batch->results.at(0).status, "Success");
  EXPECT_EQ(batch->results[0].usage_record.quantity, 7);
  record.quantity = 8;
  EXPECT_EQ(metering.batch_meter_usage({.usage_records = {record}, .product_code = "prod1"})
                ->results.at(0)
                .status,
            "DuplicateRecord");

  aws::metering::MeteringClient buyer_metering(client(keys_of(buyer)));
  auto metered = buyer_metering.meter_usage({.product_code = "prod1",
                                             .timestamp = sim().now(),
                                             .usage_dimension = "seats",
                                             .usage_quantity = 1});
  ASSERT_TRUE(metered.ok()) << metered.error().message;
  EXPECT_FALSE(metered->metering_record_id.empty());

  aws::entitlement::EntitlementClient entitlements(client(seller_keys()));
  auto e = entitlements.get_entitlements(
      {.product_code = "prod1",
       .filter = {{"CUSTOMER_IDENTIFIER", {sub["customer_identifier"].get<std::string>()}}}});
  ASSERT_TRUE(e.ok()) << e.error().message;
  ASSERT_EQ(e->entitlements.size(), 1u);
  EXPECT_EQ(e->entitlements[0].value.integer_value, 12);

  aws::sqs::SqsClient sqs(client(seller_keys()));
  const std::string queue = server_.url() + "/" + std::string(kSellerAccountId) + "/mp";
  auto received = sqs.receive_message(
      {.queue_url = queue, .attribute_names = {"All"}, .max_number_of_messages = 10});
  ASSERT_TRUE(received.ok()) << received.error().message;
  ASSERT_EQ(received->messages.size(), 1u);
  const Json envelope = Json::parse(received->messages[0].body);
  EXPECT_EQ(Json::parse(envelope["Message"].get<std::string>())["action"], "subscribe-success");
  EXPECT_TRUE(received->messages[0].attributes.contains("SentTimestamp"));
  ASSERT_TRUE(sqs.delete_message(
                     {.queue_url = queue, .receipt_handle = received->messages[0].receipt_handle})
                  .ok());
  EXPECT_TRUE(sqs.receive_message({.queue_url = queue})->messages.empty());

  // Long polling: an empty queue answers once a message arrives (the simulator's clock stands
  // still meanwhile), or once the simulator's clock has passed WaitTimeSeconds.
  // (Should an assertion stop the test early, a poll still waiting ends before its future waits
  // for it.)
  struct EndPolls {
    Simulator& sim;
    ~EndPolls() { sim.advance_clock(1h); }
  };
  auto seen = sim().long_polls_for_test();
  auto arriving = std::async(std::launch::async, [&] {
    return sqs.receive_message({.queue_url = queue, .wait_time_seconds = 5});
  });
  EndPolls end_arriving{sim()};
  const auto waiting = sim().long_polls_after_for_test(seen);
  ASSERT_EQ(waiting.answered, seen.answered) << "answered without waiting";
  const core::TimePoint waited_at = sim().now();
  ASSERT_TRUE(sim().cancel_subscription(sub["agreement_id"]).ok());
  auto polled = arriving.get();
  ASSERT_TRUE(polled.ok()) << polled.error().message;
  ASSERT_EQ(polled->messages.size(), 1u);
  EXPECT_EQ(sim().now(), waited_at);
  seen = sim().long_polls_for_test();
  auto empty = std::async(std::launch::async, [&] {
    return sqs.receive_message(
        {.queue_url = queue, .visibility_timeout = 60, .wait_time_seconds = 1});
  });
  EndPolls end_empty{sim()};
  ASSERT_EQ(sim().long_polls_after_for_test(seen).answered, seen.answered)
      << "answered without waiting";
  sim().advance_clock(1s);
  auto timed_out = empty.get();
  ASSERT_TRUE(timed_out.ok()) << timed_out.error().message;
  EXPECT_TRUE(timed_out->messages.empty());
}

TEST_F(SimClientTest, AgreementApiDescribesAgreementsAndTheirTerms) {
  ASSERT_TRUE(sim()
                  .create_product({{"product_code", "prod1"},
                                   {"pricing_model", "contract_with_consumption"},
                                   {"dimensions", {{{"name", "users"}}, {{"name", "seats"}}}},
                                   {"fulfillment_url", "http://127.0.0.1:9/aws/fulfillment"},
                                   {"legacy_identity", false},
                                   {"free_trial", true}})
                  .ok());
  const Json buyer = account();
  const core::TimePoint started = sim().now();
  const Json trial = sim()
                         .subscribe({{"buyer_account_id", buyer["account_id"]},
                                     {"product_code", "prod1"},
                                     {"free_trial", true},
                                     {"free_trial_days", 14},
                                     {"duration_days", 30},
                                     {"entitlements", {{"seats", 12}}}})
                         .value();
  aws::agreement::AgreementClient agreements(client(seller_keys()));
  auto described = agreements.describe_agreement({trial["agreement_id"]});
  ASSERT_TRUE(described.ok()) << described.error().message;
  EXPECT_EQ(described->agreement_id, trial["agreement_id"]);
  EXPECT_EQ(described->status, aws::agreement::kStatusActive);
  ASSERT_TRUE(described->acceptor && described->proposer);
  EXPECT_EQ(described->acceptor->account_id, buyer["account_id"]);
  EXPECT_EQ(described->proposer->account_id, kSellerAccountId);
  EXPECT_EQ(described->start_time, started);
  EXPECT_EQ(described->end_time, started + std::chrono::hours(24 * 30));
  EXPECT_EQ(described->agreement_type, "PurchaseAgreement");
  ASSERT_TRUE(described->proposal_summary.has_value());
  EXPECT_EQ(described->proposal_summary->offer_id, trial["offer_id"]);

  // Two terms a page: the client follows nextToken; the legal term is skipped, not refused.
  auto terms =
      agreements.get_all_agreement_terms({.agreement_id = trial["agreement_id"], .max_results = 2});
  ASSERT_TRUE(terms.ok()) << terms.error().message;
  EXPECT_GE(calls("GetAgreementTerms"), 3u);
  std::vector<std::string> kinds;
  for (const auto& t : terms->accepted_terms) kinds.emplace_back(t.kind());
  EXPECT_EQ(kinds, (std::vector<std::string>{"", "freeTrialPricingTerm", "usageBasedPricingTerm",
                                             "configurableUpfrontPricingTerm", "renewalTerm",
                                             "validityTerm"}));
  const auto* free_trial = aws::agreement::free_trial_term(terms->accepted_terms);
  ASSERT_NE(free_trial, nullptr);
  EXPECT_EQ(free_trial->duration, "P14D");
  ASSERT_EQ(free_trial->grants.size(), 2u);
  EXPECT_EQ(free_trial->grants[1].dimension_key, "seats");
  EXPECT_EQ(free_trial->grants[1].max_quantity, 12);
  EXPECT_FALSE(free_trial->grants[0].max_quantity.has_value());
  const auto* validity = aws::agreement::validity_term(terms->accepted_terms);
  ASSERT_NE(validity, nullptr);
  EXPECT_EQ(validity->agreement_duration, "P30D");
  EXPECT_EQ(validity->agreement_end_date, started + std::chrono::hours(24 * 30));

  // A paid agreement has no free-trial term.
  const Json paid = sim()
                        .subscribe({{"buyer_account_id", buyer["account_id"]},
                                    {"product_code", "prod1"},
                                    {"duration_days", 1}})
                        .value();
  auto paid_terms = agreements.get_all_agreement_terms({.agreement_id = paid["agreement_id"]});
  ASSERT_TRUE(paid_terms.ok()) << paid_terms.error().message;
  EXPECT_EQ(aws::agreement::free_trial_term(paid_terms->accepted_terms), nullptr);

  // Cancelled: CANCELLED, ending when it was cancelled; the buyer may read it too.
  sim().advance_clock(2h);
  const core::TimePoint cancelled_at = sim().now();
  ASSERT_TRUE(sim().cancel_subscription(trial["agreement_id"]).ok());
  aws::agreement::AgreementClient as_buyer(client(keys_of(buyer)));
  auto cancelled = as_buyer.describe_agreement({trial["agreement_id"]});
  ASSERT_TRUE(cancelled.ok()) << cancelled.error().message;
  EXPECT_EQ(cancelled->status, aws::agreement::kStatusCancelled);
  EXPECT_EQ(cancelled->end_time, cancelled_at);

  // The contract runs out: EXPIRED at its end.
  EXPECT_EQ(agreements.describe_agreement({paid["agreement_id"]})->status, "ACTIVE");
  sim().advance_clock(std::chrono::hours(24));
  auto expired = agreements.describe_agreement({paid["agreement_id"]});
  ASSERT_TRUE(expired.ok()) << expired.error().message;
  EXPECT_EQ(expired->status, aws::agreement::kStatusExpired);
  EXPECT_EQ(expired->end_time,
            aws::agreement::validity_term(paid_terms->accepted_terms)->agreement_end_date);

  // Strangers and unknown ids: ResourceNotFoundException; bad input: ValidationException.
  aws::agreement::AgreementClient stranger(client(keys_of(account())));
  EXPECT_EQ(aws_error_code(stranger.describe_agreement({trial["agreement_id"]}).error()),
            "ResourceNotFoundException");
  EXPECT_EQ(aws_error_code(agreements.describe_agreement({"agmt-nope"}).error()),
            "ResourceNotFoundException");
  EXPECT_EQ(
      aws_error_code(
          agreements.get_agreement_terms({.agreement_id = trial["agreement_id"], .max_results = 51})
              .error()),
      "ValidationException");
  EXPECT_EQ(aws_error_code(agreements
                               .get_agreement_terms(
                                   {.agreement_id = trial["agreement_id"], .next_token = "garbage"})
                               .error()),
            "ValidationException");
}

TEST_F(SimClientTest, OrganizationsAccountStsAndIam) {
  const Json mgmt = account();
  aws::organizations::OrganizationsClient orgs(client(keys_of(mgmt)));
  EXPECT_EQ(aws_error_code(orgs.describe_organization().error()),
            "AWSOrganizationsNotInUseException");
  auto org = orgs.create_organization({.feature_set = "ALL"});
  ASSERT_TRUE(org.ok()) << org.error().message;
  EXPECT_EQ(orgs.describe_organization()->organization.id, org->organization.id);
  auto settings = sim().settings();
  settings.create_account_delay = 0s;
  sim().set_settings(settings);
  auto created = orgs.create_account({.email = "member@example.com", .account_name = "Member"});
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto status = orgs.describe_create_account_status(
      {.create_account_request_id = created->create_account_status.id});
  ASSERT_EQ(status->create_account_status.state, "SUCCEEDED");
  const std::string member = status->create_account_status.account_id;
  EXPECT_EQ(
      orgs.list_create_account_status({.states = {"SUCCEEDED"}})->create_account_statuses.size(),
      1u);
  EXPECT_EQ(orgs.list_accounts({})->accounts.size(), 2u);
  EXPECT_EQ(orgs.describe_account({.account_id = member})->account.email, "member@example.com");

  aws::account::AccountClient account_api(client(keys_of(mgmt)));
  ASSERT_TRUE(account_api
                  .put_alternate_contact({.name = "Ops",
                                          .title = "On call",
                                          .email_address = "ops@example.com",
                                          .phone_number = "+1 555 0100",
                                          .alternate_contact_type = "OPERATIONS",
                                          .account_id = member})
                  .ok());
  auto contact = account_api.get_alternate_contact(
      {.alternate_contact_type = "OPERATIONS", .account_id = member});
  ASSERT_TRUE(contact.ok()) << contact.error().message;
  EXPECT_EQ(contact->alternate_contact.email_address, "ops@example.com");
  EXPECT_EQ(aws_error_code(
                account_api.get_alternate_contact({.alternate_contact_type = "BILLING"}).error()),
            "ResourceNotFoundException");

  aws::sts::StsClient sts(client(keys_of(mgmt)));
  EXPECT_EQ(sts.get_caller_identity()->account, mgmt["account_id"]);
  auto role = std::make_shared<aws::AssumeRoleCredentialsProvider>(
      sts,
      aws::AssumeRoleSettings{.role_arn =
                                  "arn:aws:iam::" + member + ":role/OrganizationAccountAccessRole"},
      clock_);
  aws::AwsClient as_member(context_, role,
                           {.endpoint = server_.url(), .retry = {.max_attempts = 1}});
  aws::iam::IamClient iam(as_member);
  auto user = iam.create_user({.user_name = "admin"});
  ASSERT_TRUE(user.ok()) << user.error().message;
  EXPECT_EQ(user->user.arn, "arn:aws:iam::" + member + ":user/admin");
  EXPECT_EQ(iam.get_user({.user_name = "admin"})->user.user_id, user->user.user_id);
  EXPECT_EQ(aws_error_code(iam.create_user({.user_name = "admin"}).error()), "EntityAlreadyExists");
  auto profile = iam.create_login_profile(
      {.user_name = "admin", .password = "Sup3r-secret!", .password_reset_required = true});
  ASSERT_TRUE(profile.ok()) << profile.error().message;
  EXPECT_TRUE(iam.attach_user_policy({.user_name = "admin",
                                      .policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"})
                  .ok());
  ASSERT_TRUE(iam.create_account_alias({.account_alias = "member-" + member}).ok());
  EXPECT_EQ(iam.list_account_aliases({})->account_aliases,
            std::vector<std::string>{"member-" + member});
  const Json held = sim().account_json(member).value();
  EXPECT_EQ(held["users"][0]["policies"][0], "arn:aws:iam::aws:policy/AdministratorAccess");
  auto denied = aws::sts::StsClient(client(keys_of(account())))
                    .assume_role({.role_arn = "arn:aws:iam::" + member +
                                              ":role/OrganizationAccountAccessRole",
                                  .role_session_name = "x1"});
  EXPECT_EQ(aws_error_code(denied.error()), "AccessDenied");
}

TEST_F(SimClientTest, S3AndCur) {
  const Json owner = account();
  aws::s3::S3Client s3(client(keys_of(owner)));
  ASSERT_TRUE(s3.create_bucket({.bucket = "client-cur"}).ok());
  EXPECT_EQ(s3.head_bucket({.bucket = "client-cur"})->bucket_region, "us-east-1");
  auto listed = s3.list_buckets({});
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  ASSERT_EQ(listed->buckets.size(), 1u);
  EXPECT_EQ(listed->buckets[0].name, "client-cur");
  ASSERT_TRUE(
      s3.put_bucket_policy(
            {.bucket = "client-cur",
             .policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
                       R"("Principal":{"Service":"billingreports.amazonaws.com"},)"
                       R"("Action":"s3:PutObject","Resource":"arn:aws:s3:::client-cur/*"}]})"})
          .ok());
  aws::s3::S3Client other(client(keys_of(account())));
  EXPECT_EQ(aws_error_code(other.create_bucket({.bucket = "client-cur"}).error()),
            "BucketAlreadyExists");

  aws::cur::CurClient cur(client(keys_of(owner)));
  aws::cur::ReportDefinition def{.report_name = "daily",
                                 .time_unit = "DAILY",
                                 .format = "textORcsv",
                                 .compression = "ZIP",
                                 .additional_schema_elements = {"RESOURCES"},
                                 .s3_bucket = "client-cur",
                                 .s3_prefix = "reports",
                                 .s3_region = "us-east-1"};
  ASSERT_TRUE(cur.put_report_definition({.report_definition = def}).ok());
  auto described = cur.describe_report_definitions({.max_results = 5});
  ASSERT_TRUE(described.ok()) << described.error().message;
  ASSERT_EQ(described->report_definitions.size(), 1u);
  EXPECT_EQ(described->report_definitions[0].s3_prefix, "reports");
  EXPECT_TRUE(cur.delete_report_definition({.report_name = "daily"}).ok());
  EXPECT_TRUE(cur.describe_report_definitions({})->report_definitions.empty());
}

TEST_F(SimClientTest, ThrottlingIsRetriedUntilItSucceeds) {
  ASSERT_TRUE(
      sim()
          .add_fault(
              {{"operation", "GetCallerIdentity"}, {"error", "ThrottlingException"}, {"count", 3}})
          .ok());
  aws::sts::StsClient sts(client(seller_keys(), 5));
  auto who = sts.get_caller_identity();
  ASSERT_TRUE(who.ok()) << who.error().message;
  EXPECT_EQ(calls("GetCallerIdentity"), 4u);

  ASSERT_TRUE(sim()
                  .add_fault({{"operation", "BatchMeterUsage"},
                              {"error", "InternalServiceErrorException"},
                              {"rate", 0.5},
                              {"seed", 7}})
                  .ok());
  ASSERT_TRUE(
      sim().create_product({{"product_code", "p"}, {"dimensions", {{{"name", "users"}}}}}).ok());
  aws::metering::MeteringClient metering(client(seller_keys(), 10));
  for (int i = 0; i < 5; ++i) {
    auto r = metering.batch_meter_usage({.usage_records = {}, .product_code = "p"});
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  EXPECT_GT(calls("BatchMeterUsage"), 5u);
}

TEST_F(SimClientTest, PermanentErrorsFailFastWithTheirCode) {
  ASSERT_TRUE(sim()
                  .add_fault({{"operation", "GetEntitlements"},
                              {"error", "InvalidParameterException"},
                              {"message", "Product is not entitled"}})
                  .ok());
  aws::entitlement::EntitlementClient entitlements(client(seller_keys(), 5));
  auto r = entitlements.get_entitlements({.product_code = "any"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(aws_error_code(r.error()), "InvalidParameterException");
  EXPECT_EQ(calls("GetEntitlements"), 1u);
  aws::metering::MeteringClient metering(client(seller_keys(), 5));
  auto wrong = metering.batch_meter_usage({.usage_records = {}, .product_code = "not-a-product"});
  EXPECT_EQ(aws_error_code(wrong.error()), "InvalidProductCodeException");
  EXPECT_EQ(calls("BatchMeterUsage"), 1u);
  sim().clear_faults();
  aws::sts::StsClient bad_key(client({"AKIAUNKNOWN000000000", "x", "", std::nullopt}, 5));
  EXPECT_EQ(aws_error_code(bad_key.get_caller_identity().error()), "InvalidClientTokenId");
  EXPECT_EQ(calls("GetCallerIdentity"), 1u);
}

}  // namespace
}  // namespace sim
