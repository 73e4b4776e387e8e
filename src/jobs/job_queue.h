// Durable jobs: a table of work items that survives restarts and is shared by every instance on
// one database. Workers inside `marketlink serve` claim due jobs with a lease (FOR UPDATE SKIP
// LOCKED on PostgreSQL, BEGIN IMMEDIATE on SQLite), extend the lease while working, retry failures
// with exponential backoff and jitter up to a limit, then mark the job dead with its last error.
// A reaper returns jobs whose lease expired (a worker died). Recurring schedules fire once per
// period across all instances. docs/jobs.md tells the whole story.
//
// Delivery is at least once: a job whose worker dies mid-run runs again once its lease expires,
// so a handler must be a sequence of idempotent steps (record each step's result before the next
// starts). While its lease is kept alive, a job never runs twice at the same time.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace db {
class Database;
class Tx;
}  // namespace db
namespace core {
class IdGenerator;
class Metrics;
}  // namespace core

namespace jobs {

enum class JobStatus { kQueued, kRunning, kSucceeded, kDead };

// "queued", "running", "succeeded" or "dead": how the status is stored and shown.
const char* job_status_name(JobStatus status);

struct Job {
  std::string id;
  std::string kind;        // e.g. "mail.send", "pool.access_check"
  std::string payload;     // JSON text, owned by the job's handler
  int attempts = 0;        // attempts started so far, this one included
  int max_attempts = 0;    // the attempt that fails with attempts == max_attempts is the last
  core::TimePoint run_at;  // when this attempt became due
};

struct EnqueueOptions {
  std::chrono::seconds delay{0};
  int max_attempts = 8;
  // When set, a second enqueue with the same key while the first is queued or running does
  // nothing and returns the first job's id. Once the first has finished, the key is free again.
  std::string dedupe_key;
};

// What a handler tells the queue. Returning an error retries (with backoff) until max_attempts;
// an error with code kInvalid means the job can never succeed (malformed payload, a rejected
// address) and marks it dead at once. A handler that throws counts as an internal error.
// Handlers run on worker threads, several at a time, and must be safe for that.
using JobHandler = std::function<core::Status(const Job& job)>;

// Uniform random numbers in [0, 1), for backoff jitter. Called from several threads.
using UniformRandom = std::function<double()>;
// Seeded from the operating system's random source; safe for concurrent use.
UniformRandom system_random();

// A job's row as stored, for inspection (tests, operator pages).
struct JobRecord {
  Job job;
  JobStatus status = JobStatus::kQueued;
  std::string lease_owner;  // empty unless running
  std::optional<core::TimePoint> lease_expires_at;
  std::string last_error;  // the last failed attempt's error; kept after a later success
  std::string dedupe_key;
  core::TimePoint created_at;
  core::TimePoint updated_at;
};

// When a schedule fires: once in every period of `period`, shifted by `offset`. Period n starts at
// the Unix epoch + n * period + offset. Both are whole minutes; 0 <= offset < period.
struct Recurrence {
  std::chrono::minutes period{60};
  std::chrono::minutes offset{0};
};
// "every N minutes", aligned to the epoch (every 15 minutes fires at :00, :15, :30, :45).
Recurrence every_minutes(int minutes);
// "hourly at minute M" (0-59).
Recurrence hourly_at(int minute);

// A recurring job: enqueues `kind` with `payload` once per period of `when`, across every
// instance sharing the database. A period in which no instance ran fires once when one next
// does; periods missed in a row are not replayed one by one.
struct Schedule {
  std::string name;  // unique per deployment, e.g. "pool.access_check"
  std::string kind;
  std::string payload = "{}";
  Recurrence when;
  int max_attempts = 3;
};

struct QueueSettings {
  // Worker threads claiming jobs in this process. 0: this process only enqueues (and still runs
  // the reaper and schedules).
  int workers = 2;
  // How long a claimed job stays reserved for its worker without a heartbeat.
  std::chrono::milliseconds lease{60'000};
  // How often a running job's lease is extended. 0: a third of the lease.
  std::chrono::milliseconds heartbeat{0};
  // How often an idle worker looks for due jobs, and how often the reaper, the schedules and the
  // queue metrics run. Enqueueing in this process wakes a worker at once.
  std::chrono::milliseconds poll_interval{1000};
  // Retry n waits a random time between 0 and min(backoff_cap, backoff_base * 2^(n-1)).
  std::chrono::milliseconds backoff_base{2000};
  std::chrono::milliseconds backoff_cap{3'600'000};
  // Succeeded jobs are deleted this long after they finished; dead jobs are kept.
  std::chrono::hours keep_succeeded{24 * 7};
  // Names this process in lease owners ("<instance>/w<n>"). Empty: hostname:pid:random.
  std::string instance;
};

// The durable queue of one process: enqueues, and runs this process's workers, heartbeat, reaper
// and schedules. Every method is safe for concurrent use. The database, clock, ids and metrics
// must outlive the queue. Database failures surface as `unavailable` or `internal` errors.
class JobQueue {
 public:
  JobQueue(db::Database& database, const core::Clock& clock, core::IdGenerator& ids,
           core::Metrics& metrics, QueueSettings settings = {},
           UniformRandom random = system_random());
  // Stops the workers (see stop()).
  ~JobQueue();
  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;

  // Stores a job due after options.delay and returns its id (or, with a dedupe key already queued
  // or running, the existing job's id). invalid: empty kind or max_attempts < 1.
  core::Result<std::string> enqueue(const std::string& kind, const std::string& payload,
                                    const EnqueueOptions& options = {});
  // The same inside the caller's open transaction on this queue's database (from
  // db::Database::transact), so the job exists if and only if the caller's writes commit.
  // Database exceptions propagate to that transact(), which rolls back (and retries when the
  // failure is retryable) exactly as for the caller's own statements.
  core::Result<std::string> enqueue(db::Tx& transaction, const std::string& kind,
                                    const std::string& payload, const EnqueueOptions& options = {});

  // Sets the handler of `kind`, replacing any earlier one. Jobs of a kind without a handler go
  // dead when claimed, so register every handler before start().
  void register_handler(const std::string& kind, JobHandler handler);
  // Adds a recurring schedule. invalid: empty name or kind, or a malformed recurrence.
  core::Status add_schedule(const Schedule& schedule);

  // Starts the workers, the heartbeat and the housekeeping thread (reaper, schedules, metrics).
  // Calling it twice does nothing.
  void start();
  // Stops claiming, waits for running handlers to return and records their results, then joins
  // every thread. Idempotent. Handlers should finish in bounded time: stop() waits for them.
  void stop();

  // Claims one due job and runs it on the calling thread. Returns whether a job ran. Lets tests
  // and one-off commands drive the queue without worker threads.
  core::Result<bool> run_next();
  // Returns running jobs whose lease expired to the queue (dead when that was the last attempt).
  // Returns how many were reaped. The housekeeping thread calls it every poll_interval.
  core::Result<int> reap_expired();
  // Enqueues the job of every schedule whose current period has not fired yet on any instance.
  // Returns how many fired. The housekeeping thread calls it every poll_interval.
  core::Result<int> fire_due_schedules();

  core::Result<JobRecord> find(const std::string& id);

  // Dead jobs (attempts used up, or refused as invalid), most recently dead first, at most
  // `limit` (1..500), and how many there are in all. Dead jobs stay until retried or discarded.
  core::Result<std::vector<JobRecord>> dead_jobs(int limit = 100);
  core::Result<long long> count_dead();
  // Queues a dead job again, due now, with its attempts counted from zero; its last error is
  // kept until the next attempt. not_found when no dead job has this id.
  core::Status retry_dead(const std::string& id);
  // Deletes a dead job for good. not_found when no dead job has this id.
  core::Status discard_dead(const std::string& id);

  struct Stats {
    long long queued_due = 0;           // queued jobs whose run_at has passed
    double oldest_due_age_seconds = 0;  // how long the oldest of those has been due
  };
  core::Result<Stats> stats();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobs
