#include "core/clock.h"

#include <gtest/gtest.h>

namespace core {
namespace {

using namespace std::chrono_literals;

TEST(Rfc3339, FormatsWithMillisecondsInUtc) {
  const TimePoint t = TimePoint(std::chrono::milliseconds(1795427576123LL));
  EXPECT_EQ(format_rfc3339(t), "2026-11-23T09:52:56.123Z");
  EXPECT_EQ(format_rfc3339(TimePoint{}), "1970-01-01T00:00:00.000Z");
}

TEST(Rfc3339, ParsesWhatItFormats) {
  const TimePoint t = TimePoint(std::chrono::milliseconds(951782400000LL));  // 2000-02-29
  const auto text = format_rfc3339(t);
  EXPECT_EQ(text, "2000-02-29T00:00:00.000Z");
  ASSERT_TRUE(parse_rfc3339(text).has_value());
  EXPECT_EQ(*parse_rfc3339(text), t);
}

TEST(Rfc3339, ParsesOffsetsAndFractions) {
  const auto a = parse_rfc3339("2026-11-23T10:00:00+01:00");
  const auto b = parse_rfc3339("2026-11-23T09:00:00Z");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  const auto c = parse_rfc3339("2026-11-23T09:00:00.5Z");
  ASSERT_TRUE(c);
  EXPECT_EQ(*c - *b, 500ms);
}

TEST(Rfc3339, RefusesYearsATimePointCannotHold) {
  EXPECT_TRUE(parse_rfc3339("2261-12-31T23:59:59Z").has_value());
  EXPECT_TRUE(parse_rfc3339("1679-01-01T00:00:00Z").has_value());
  EXPECT_FALSE(parse_rfc3339("9999-12-31T23:59:59Z").has_value());
  EXPECT_FALSE(parse_rfc3339("0001-01-01T00:00:00Z").has_value());
}

TEST(Rfc3339, RejectsMalformed) {
  for (const char* bad :
       {"", "2026-11-23", "2026-13-01T00:00:00Z", "2026-11-23T25:00:00Z", "2026-11-23T09:00:00",
        "2026-11-23T09:00:00Zjunk", "2026-11-23T09:00:00.Z", "20x6-11-23T09:00:00Z"}) {
    EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
  }
}

TEST(ManualClock, MovesOnlyWhenTold) {
  ManualClock clock(TimePoint(std::chrono::seconds(1000)));
  EXPECT_EQ(unix_seconds(clock.now()), 1000);
  clock.advance(90s);
  EXPECT_EQ(unix_seconds(clock.now()), 1090);
  clock.set(TimePoint(std::chrono::seconds(5)));
  EXPECT_EQ(unix_seconds(clock.now()), 5);
}

}  // namespace
}  // namespace core
