#include "aws/retry_policy.h"

#include <gtest/gtest.h>

namespace aws {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

// Sleeping moves the manual clock instead of waiting.
class ClockSleeper final : public Sleeper {
 public:
  explicit ClockSleeper(core::ManualClock& clock) : clock_(clock) {}
  void sleep_for(milliseconds d) override {
    sleeps.push_back(d);
    clock_.advance(d);
  }
  std::vector<milliseconds> sleeps;

 private:
  core::ManualClock& clock_;
};

AwsError throttled() {
  return {.code = "ThrottlingException", .http_status = 400, .retryable = true};
}

class RetryPolicyTest : public ::testing::Test {
 protected:
  core::ManualClock clock_{core::TimePoint(std::chrono::hours(24 * 365 * 56))};
  ClockSleeper sleeper_{clock_};
  double random_ = 0.5;
  RetryPolicy policy(RetrySettings s = {}) {
    return RetryPolicy(s, clock_, sleeper_, [this] { return random_; });
  }
};

TEST_F(RetryPolicyTest, RetriesThrottlingWithGrowingJitteredWaits) {
  const auto p = policy({.max_attempts = 5, .base_delay = 100ms});
  int calls = 0;
  const auto outcome = p.run([&](int attempt) -> std::optional<AwsError> {
    EXPECT_EQ(attempt, ++calls);
    if (attempt <= 3) return throttled();
    return std::nullopt;
  });
  EXPECT_FALSE(outcome.error);
  EXPECT_EQ(outcome.attempts, 4);
  // random 0.5 of caps 100, 200, 400 ms.
  EXPECT_EQ(sleeper_.sleeps, (std::vector<milliseconds>{50ms, 100ms, 200ms}));
}

TEST_F(RetryPolicyTest, PermanentErrorsFailFast) {
  const auto p = policy();
  const auto outcome = p.run([](int) -> std::optional<AwsError> {
    return AwsError{.code = "ValidationException", .http_status = 400, .retryable = false};
  });
  ASSERT_TRUE(outcome.error);
  EXPECT_EQ(outcome.error->code, "ValidationException");
  EXPECT_EQ(outcome.attempts, 1);
  EXPECT_TRUE(sleeper_.sleeps.empty());
}

TEST_F(RetryPolicyTest, StopsAfterMaxAttempts) {
  const auto p = policy({.max_attempts = 3});
  const auto outcome = p.run([](int) -> std::optional<AwsError> { return throttled(); });
  ASSERT_TRUE(outcome.error);
  EXPECT_EQ(outcome.attempts, 3);
  EXPECT_EQ(sleeper_.sleeps.size(), 2u);
}

TEST_F(RetryPolicyTest, StopsWhenTheNextWaitWouldPassTheTotalBudget) {
  const auto p =
      policy({.max_attempts = 100, .base_delay = 1000ms, .max_delay = 1000ms, .max_total = 10s});
  random_ = 1.0;
  // Each attempt takes 2 s, each wait 1 s: attempts start at 0, 3, 6, 9 s; after the fourth
  // (ending at 11 s) no wait fits.
  const auto outcome = p.run([&](int) -> std::optional<AwsError> {
    clock_.advance(2s);
    return throttled();
  });
  EXPECT_EQ(outcome.attempts, 4);
  EXPECT_EQ(sleeper_.sleeps.size(), 3u);
}

TEST_F(RetryPolicyTest, BackoffIsCappedAndFullyJittered) {
  const auto p = policy({.base_delay = 100ms, .max_delay = 1000ms});
  random_ = 0.999999;
  EXPECT_EQ(p.backoff(1), 99ms);
  EXPECT_EQ(p.backoff(4), 799ms);
  EXPECT_EQ(p.backoff(5), 999ms);
  EXPECT_EQ(p.backoff(60), 999ms);  // no overflow for large retry numbers
  random_ = 0.0;
  EXPECT_EQ(p.backoff(3), 0ms);
}

TEST(SystemRandom, StaysInTheUnitInterval) {
  auto r = system_random();
  for (int i = 0; i < 1000; ++i) {
    const double v = r();
    EXPECT_GE(v, 0.0);
    EXPECT_LT(v, 1.0);
  }
}

}  // namespace
}  // namespace aws
