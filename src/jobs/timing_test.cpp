#include "jobs/timing.h"

#include <gtest/gtest.h>

namespace jobs {
namespace {

using std::chrono::milliseconds;

core::TimePoint at(const char* text) { return *core::parse_rfc3339(text); }

TEST(RetryDelay, DoublesFromTheBaseUpToTheCapScaledByTheRandomFraction) {
  const milliseconds base(1000), cap(10'000);
  EXPECT_EQ(retry_delay(1, base, cap, 0.5), milliseconds(500));
  EXPECT_EQ(retry_delay(2, base, cap, 0.5), milliseconds(1000));
  EXPECT_EQ(retry_delay(3, base, cap, 0.5), milliseconds(2000));
  EXPECT_EQ(retry_delay(4, base, cap, 1.0), milliseconds(8000));
  EXPECT_EQ(retry_delay(5, base, cap, 1.0), milliseconds(10'000));
  EXPECT_EQ(retry_delay(500, base, cap, 1.0), milliseconds(10'000));
  EXPECT_EQ(retry_delay(3, base, cap, 0.0), milliseconds(0));
}

TEST(PeriodNumber, EveryNMinutesIsAlignedToTheEpoch) {
  const Recurrence every5 = every_minutes(5);
  const long long p = period_number(every5, at("2026-03-01T10:00:00Z"));
  EXPECT_EQ(period_number(every5, at("2026-03-01T10:04:59.999Z")), p);
  EXPECT_EQ(period_number(every5, at("2026-03-01T10:05:00Z")), p + 1);
  EXPECT_EQ(period_number(every5, at("2026-03-01T09:59:59Z")), p - 1);
}

TEST(PeriodNumber, HourlyAtMinuteStartsEachPeriodAtThatMinute) {
  const Recurrence at15 = hourly_at(15);
  const long long p = period_number(at15, at("2026-03-01T10:15:00Z"));
  EXPECT_EQ(period_number(at15, at("2026-03-01T11:14:59Z")), p);
  EXPECT_EQ(period_number(at15, at("2026-03-01T11:15:00Z")), p + 1);
  EXPECT_EQ(period_number(at15, at("2026-03-01T10:14:59Z")), p - 1);
}

TEST(Recurrence, RejectsEmptyPeriodsAndOffsetsOutsideThePeriod) {
  EXPECT_TRUE(valid_recurrence(every_minutes(1)));
  EXPECT_TRUE(valid_recurrence(hourly_at(59)));
  EXPECT_FALSE(valid_recurrence(every_minutes(0)));
  EXPECT_FALSE(valid_recurrence(hourly_at(60)));
  EXPECT_FALSE(valid_recurrence(hourly_at(-1)));
}

}  // namespace
}  // namespace jobs
