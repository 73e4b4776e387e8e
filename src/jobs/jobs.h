// Durable jobs: a table of work items that survives restarts and is shared by every instance on
// one database. Workers inside `marketlink serve` claim due jobs with a lease (FOR UPDATE SKIP
// LOCKED on PostgreSQL, BEGIN IMMEDIATE on SQLite), extend the lease while working, retry failures
// with exponential backoff and jitter up to a limit, then mark the job dead with its last error.
// A reaper returns jobs whose lease expired (a worker died). Recurring schedules fire once per
// period across all instances.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/result.h"

namespace jobs {

enum class JobStatus { kQueued, kRunning, kSucceeded, kDead };

struct Job {
  std::string id;
  std::string kind;     // e.g. "mail.send", "pool.access_check"
  std::string payload;  // JSON text, owned by the job's handler
  int attempts = 0;     // attempts started so far, this one included
  core::TimePoint run_at;
};

struct EnqueueOptions {
  std::chrono::seconds delay{0};
  int max_attempts = 8;
  // When set, a second enqueue with the same key while the first is queued or running does
  // nothing and returns the first job's id.
  std::string dedupe_key;
};

// What a handler tells the queue. Returning an error retries (with backoff) until max_attempts.
using JobHandler = std::function<core::Status(const Job& job)>;

}  // namespace jobs
