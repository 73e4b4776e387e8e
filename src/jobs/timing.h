// Arithmetic of retries and schedules. Private to src/jobs/; pure functions, exposed for tests.
#pragma once

#include <chrono>

#include "core/clock.h"
#include "jobs/job_queue.h"

namespace jobs {

// Full-jitter exponential backoff: `random01` (in [0, 1)) times min(cap, base * 2^(n-1)) after
// the n-th failed attempt (n >= 1).
std::chrono::milliseconds retry_delay(int failed_attempts, std::chrono::milliseconds base,
                                      std::chrono::milliseconds cap, double random01);

// The number of the period of `when` that contains `t`: floor((t - epoch - offset) / period).
long long period_number(const Recurrence& when, core::TimePoint t);

// Whether `when` is well formed (see Recurrence).
bool valid_recurrence(const Recurrence& when);

}  // namespace jobs
