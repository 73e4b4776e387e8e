// Clock: where every piece of Marketlink reads the time. Injected through constructors so tests
// control time (ManualClock) and production reads the system clock (SystemClock).
// Both implementations are safe for concurrent use.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace core {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

// A clock that only moves when told to. Starts at `start`.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_ns_(to_ns(start)) {}
  TimePoint now() const override { return TimePoint(std::chrono::nanoseconds(now_ns_.load())); }
  void set(TimePoint t) { now_ns_.store(to_ns(t)); }
  void advance(std::chrono::nanoseconds d) { now_ns_.fetch_add(d.count()); }

 private:
  static long long to_ns(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  }
  std::atomic<long long> now_ns_;
};

// RFC 3339 UTC with milliseconds, e.g. "2026-11-23T09:52:56.123Z". Fixed width, so strings sort
// in time order; this is also how times are stored in the database.
std::string format_rfc3339(TimePoint t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)". Returns nullopt when malformed.
std::optional<TimePoint> parse_rfc3339(std::string_view text);
// Seconds since the Unix epoch.
long long unix_seconds(TimePoint t);

}  // namespace core
