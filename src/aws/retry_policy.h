// RetryPolicy: exponential backoff with full jitter for AWS calls, bounded in attempts and in
// total time. Time, sleeping and randomness are injected, so tests run without real sleeps.
//
// Retry n (n = 1 for the first retry) waits a uniformly random time in
// [0, min(max_delay, base_delay * 2^(n-1))]. A retry is not made when the attempts are used up
// or when its wait would end later than max_total after the first attempt started.
// A RetryPolicy is immutable; run() is safe from many threads when the clock, sleeper and
// random source are (the provided ones are).
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "aws/aws_error.h"
#include "core/clock.h"

namespace aws {

class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void sleep_for(std::chrono::milliseconds duration) = 0;
};

// Sleeps the calling thread.
class ThreadSleeper final : public Sleeper {
 public:
  void sleep_for(std::chrono::milliseconds duration) override;
};

// Returns numbers uniform in [0, 1). Must be safe to call from several threads.
using RandomSource = std::function<double()>;
// A thread-safe source seeded from std::random_device.
RandomSource system_random();

struct RetrySettings {
  int max_attempts = 5;                        // attempts in all, the first included; 1 = no retry
  std::chrono::milliseconds base_delay{200};   // the cap of the first retry's wait
  std::chrono::milliseconds max_delay{20000};  // the cap of any single wait
  std::chrono::milliseconds max_total{60000};  // no retry whose wait ends later than this
};

class RetryPolicy {
 public:
  RetryPolicy(RetrySettings settings, const core::Clock& clock, Sleeper& sleeper,
              RandomSource random);

  struct Outcome {
    std::optional<AwsError> error;  // nullopt: the last attempt succeeded
    int attempts = 0;
  };

  // Calls `attempt` (with the attempt number, from 1) until it returns nullopt (success), an
  // error that is not retryable, or the budget is spent; the last error is returned.
  Outcome run(const std::function<std::optional<AwsError>(int attempt)>& attempt) const;

  // The wait before retry `retry` (1-based), drawing from the random source.
  std::chrono::milliseconds backoff(int retry) const;

  const RetrySettings& settings() const { return settings_; }

 private:
  RetrySettings settings_;
  const core::Clock& clock_;
  Sleeper& sleeper_;
  RandomSource random_;
};

}  // namespace aws
