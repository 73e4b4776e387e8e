#include "jobs/timing.h"

#include <algorithm>
#include <cmath>

namespace jobs {

std::chrono::milliseconds retry_delay(int failed_attempts, std::chrono::milliseconds base,
                                      std::chrono::milliseconds cap, double random01) {
  // Past 2^40 every realistic base is beyond any cap; stopping there keeps the double exact.
  const int exponent = std::clamp(failed_attempts - 1, 0, 40);
  const double ceiling = std::min(static_cast<double>(cap.count()),
                                  static_cast<double>(base.count()) * std::ldexp(1.0, exponent));
  const double fraction = std::clamp(random01, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(ceiling * fraction));
}

long long period_number(const Recurrence& when, core::TimePoint t) {
  const long long seconds =
      core::unix_seconds(t) - std::chrono::duration_cast<std::chrono::seconds>(when.offset).count();
  const long long length = std::chrono::duration_cast<std::chrono::seconds>(when.period).count();
  long long n = seconds / length;
  if (seconds % length != 0 && seconds < 0) --n;
  return n;
}

bool valid_recurrence(const Recurrence& when) {
  return when.period.count() >= 1 && when.offset.count() >= 0 && when.offset < when.period;
}

Recurrence every_minutes(int minutes) {
  return {.period = std::chrono::minutes(minutes), .offset = std::chrono::minutes(0)};
}

Recurrence hourly_at(int minute) {
  return {.period = std::chrono::minutes(60), .offset = std::chrono::minutes(minute)};
}

}  // namespace jobs
