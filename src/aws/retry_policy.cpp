#include "aws/retry_policy.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

namespace aws {

void ThreadSleeper::sleep_for(std::chrono::milliseconds duration) {
  std::this_thread::sleep_for(duration);
}

RandomSource system_random() {
  struct State {
    std::mutex mu;
    std::mt19937_64 engine{std::random_device{}()};
    std::uniform_real_distribution<double> dist{0.0, 1.0};
  };
  auto state = std::make_shared<State>();
  return [state] {
    std::lock_guard lock(state->mu);
    return state->dist(state->engine);
  };
}

RetryPolicy::RetryPolicy(RetrySettings settings, const core::Clock& clock, Sleeper& sleeper,
                         RandomSource random)
    : settings_(settings), clock_(clock), sleeper_(sleeper), random_(std::move(random)) {}

std::chrono::milliseconds RetryPolicy::backoff(int retry) const {
  using std::chrono::milliseconds;
  // base * 2^(retry-1), without overflowing for large retry numbers.
  long long cap = settings_.base_delay.count();
  for (int i = 1; i < retry && cap < settings_.max_delay.count(); ++i) cap *= 2;
  cap = std::min(cap, static_cast<long long>(settings_.max_delay.count()));
  const double r = std::clamp(random_(), 0.0, 1.0);
  return milliseconds(static_cast<long long>(r * static_cast<double>(cap)));
}

RetryPolicy::Outcome RetryPolicy::run(
    const std::function<std::optional<AwsError>(int attempt)>& attempt) const {
  const core::TimePoint start = clock_.now();
  Outcome outcome;
  for (int n = 1;; ++n) {
    outcome.attempts = n;
    outcome.error = attempt(n);
    if (!outcome.error || !outcome.error->retryable || n >= settings_.max_attempts) {
      return outcome;
    }
    const auto wait = backoff(n);
    if (clock_.now() + wait - start > settings_.max_total) return outcome;
    sleeper_.sleep_for(wait);
  }
}

}  // namespace aws
