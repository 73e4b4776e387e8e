// MarketplaceUsageMeter against the simulator over real HTTP: a legacy batch billed, the same
// quantity again a safe repeat, another quantity DuplicateRecord echoing it, an unknown buyer
// CustomerNotSubscribed, each result matched to its record; throttling beyond the retries
// answers unavailable; no credentials answer unavailable without a call.
#include "app/marketplace_usage_meter.h"

#include <gtest/gtest.h>

#include <map>

#include "aws/curl_transport.h"
#include "sim/sim_server.h"
#include "sim/sim_test_support.h"

namespace app {
namespace {

using namespace std::chrono_literals;

class MarketplaceUsageMeterTest : public ::testing::Test {
 protected:
  MarketplaceUsageMeterTest()
      : server_({.port = 0, .worker_threads = 2}, clock_),
        context_{transport_, clock_, sleeper_, aws::system_random()} {}

  void SetUp() override {
    auto port = server_.start();
    ASSERT_TRUE(port.ok()) << port.error().message;
    sim::Simulator& s = server_.simulator();
    ASSERT_TRUE(s.create_product({{"product_code", "prod-legacy"},
                                  {"name", "Legacy"},
                                  {"pricing_model", "subscription"},
                                  {"dimensions", sim::Json::array({{{"name", "users"}}})},
                                  {"fulfillment_url", "http://127.0.0.1/aws/fulfillment"}})
                    .ok());
    ASSERT_TRUE(s.create_account({{"account_id", "222233334444"}}).ok());
    auto sub = s.subscribe({{"buyer_account_id", "222233334444"}, {"product_code", "prod-legacy"}});
    ASSERT_TRUE(sub.ok()) << sub.error().message;
    customer_ = (*sub)["customer_identifier"];
    meter_ = std::make_unique<MarketplaceUsageMeter>(
        context_,
        aws::static_credentials({.access_key_id = std::string(sim::kSellerAccessKeyId),
                                 .secret_access_key = std::string(sim::kSellerSecretAccessKey),
                                 .session_token = "",
                                 .expiration = std::nullopt}),
        aws::ClientSettings{.region = "us-east-1", .endpoint = server_.url(), .call_timeout = 10s});
  }
  void TearDown() override { server_.shutdown(); }

  core::TimePoint hour(int back) const {
    return core::TimePoint(std::chrono::floor<std::chrono::hours>(
               std::chrono::system_clock::now().time_since_epoch())) -
           std::chrono::hours(back);
  }
  saas::MeterRecord record(const std::string& customer, int back, long long quantity) const {
    return {.customer_identifier = customer,
            .customer_aws_account_id = "",
            .license_arn = "",
            .dimension = "users",
            .hour = hour(back),
            .quantity = quantity};
  }

  core::SystemClock clock_;
  sim::SimServer server_;
  aws::CurlTransport transport_;
  aws::ThreadSleeper sleeper_;
  aws::ClientContext context_;
  std::unique_ptr<MarketplaceUsageMeter> meter_;
  std::string customer_;
};

TEST_F(MarketplaceUsageMeterTest, ReadsEachRecordsStatusAndMatchesItToItsRecord) {
  const saas::MeterBatch first{
      .product_code = "prod-legacy",
      .concurrent_agreements = false,
      .records = {record(customer_, 2, 5), record(customer_, 1, 0), record("nobody-at-all", 1, 3)}};
  auto answer = meter_->meter(first);
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_TRUE(answer->unprocessed.empty());
  ASSERT_EQ(answer->results.size(), 3u);
  std::map<size_t, saas::MeterResult> by_index;
  for (const saas::MeterResult& r : answer->results) by_index[r.index] = r;
  EXPECT_EQ(by_index[0].status, saas::MeterStatus::kSuccess);
  EXPECT_FALSE(by_index[0].metering_record_id.empty());
  EXPECT_EQ(by_index[0].quantity, 5);
  EXPECT_EQ(by_index[1].status, saas::MeterStatus::kSuccess);
  EXPECT_EQ(by_index[2].status, saas::MeterStatus::kCustomerNotSubscribed);
  const std::string first_id = by_index[0].metering_record_id;

  // The same quantity again is a safe repeat; another quantity is refused as a duplicate.
  auto again = meter_->meter({.product_code = "prod-legacy",
                              .concurrent_agreements = false,
                              .records = {record(customer_, 1, 7), record(customer_, 2, 5)}});
  ASSERT_TRUE(again.ok());
  by_index.clear();
  for (const saas::MeterResult& r : again->results) by_index[r.index] = r;
  EXPECT_EQ(by_index[0].status, saas::MeterStatus::kDuplicateRecord);
  EXPECT_EQ(by_index[0].quantity, 7);
  EXPECT_EQ(by_index[1].status, saas::MeterStatus::kSuccess);
  EXPECT_EQ(by_index[1].metering_record_id, first_id);
}

TEST_F(MarketplaceUsageMeterTest, ConcurrentAgreementsSendAccountAndLicenseWithoutProductCode) {
  sim::Simulator& s = server_.simulator();
  ASSERT_TRUE(s.create_product({{"product_code", "prod-ca"},
                                {"name", "Concurrent"},
                                {"pricing_model", "subscription"},
                                {"dimensions", sim::Json::array({{{"name", "users"}}})},
                                {"fulfillment_url", "http://127.0.0.1/aws/fulfillment"},
                                {"legacy_identity", false}})
                  .ok());
  auto sub = s.subscribe({{"buyer_account_id", "222233334444"}, {"product_code", "prod-ca"}});
  ASSERT_TRUE(sub.ok());
  const std::string license = (*sub)["license_arn"];
  ASSERT_FALSE(license.empty());
  auto answer = meter_->meter({.product_code = "prod-ca",
                               .concurrent_agreements = true,
                               .records = {{.customer_identifier = "",
                                            .customer_aws_account_id = "222233334444",
                                            .license_arn = license,
                                            .dimension = "users",
                                            .hour = hour(1),
                                            .quantity = 4}}});
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  ASSERT_EQ(answer->results.size(), 1u);
  EXPECT_EQ(answer->results[0].index, 0u);
  EXPECT_EQ(answer->results[0].status, saas::MeterStatus::kSuccess);
  const sim::Json records = s.metering_records_json()["records"];
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["product_code"], "prod-ca");
  EXPECT_EQ(records[0]["quantity"], 4);
}

TEST_F(MarketplaceUsageMeterTest, ThrottlingBeyondTheRetriesIsUnavailable) {
  ASSERT_TRUE(
      server_.simulator()
          .add_fault(
              {{"operation", "BatchMeterUsage"}, {"error", "ThrottlingException"}, {"rate", 1.0}})
          .ok());
  auto answer = meter_->meter({.product_code = "prod-legacy",
                               .concurrent_agreements = false,
                               .records = {record(customer_, 1, 1)}});
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(answer.error().message.find("ThrottlingException"), std::string::npos);

  MarketplaceUsageMeter without(context_, nullptr, {});
  EXPECT_EQ(without.meter({.product_code = "prod-legacy"}).error().code,
            core::ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace app
