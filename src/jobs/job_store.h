// The jobs module's SQL (tables `jobs` and `job_schedules`, migration 0002_jobs.sql). Private to
// src/jobs/.
//
// Every function runs on a session inside a transaction opened by the caller and throws SOCI
// exceptions, which the caller's db::Database::transact turns into errors or retries. Functions
// that change a claimed job are fenced by its lease owner: they change nothing (and return false)
// when the job is no longer running under that owner.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "jobs/job_queue.h"

namespace jobs {

struct NewJobRow {
  std::string id;
  std::string kind;
  std::string payload;
  std::string run_at;  // RFC 3339
  int max_attempts = 0;
  std::string dedupe_key;  // empty: none
  std::string now;
};

struct ExpiredLease {
  std::string id;
  std::string kind;
  std::string owner;
  int attempts = 0;
  int max_attempts = 0;
};

class JobStore {
 public:
  explicit JobStore(const db::Database& database) : skip_locked_(database.skip_locked()) {}

  // Inserts the job unless a queued or running job has the same dedupe key. Returns whether it
  // was inserted.
  bool insert(db::Tx& tx, const NewJobRow& row) const;
  // The id of the queued or running job with `dedupe_key`, if any.
  std::optional<std::string> active_with_key(db::Tx& tx, const std::string& dedupe_key) const;

  // Takes the oldest due queued job (skipping rows other transactions hold on PostgreSQL), marks
  // it running under `owner` until `lease_expires_at` and counts the attempt.
  std::optional<Job> claim_next(db::Tx& tx, const std::string& now, const std::string& owner,
                                const std::string& lease_expires_at) const;
  bool extend_lease(db::Tx& tx, const std::string& id, const std::string& owner,
                    const std::string& lease_expires_at, const std::string& now) const;
  bool mark_succeeded(db::Tx& tx, const std::string& id, const std::string& owner,
                      const std::string& now) const;
  // Back to queued, due at `run_at`, with `error` as the last error.
  bool mark_retry(db::Tx& tx, const std::string& id, const std::string& owner,
                  const std::string& run_at, const std::string& error,
                  const std::string& now) const;
  bool mark_dead(db::Tx& tx, const std::string& id, const std::string& owner,
                 const std::string& error, const std::string& now) const;

  // Running jobs whose lease expired before `now` (at most `limit`).
  std::vector<ExpiredLease> expired_leases(db::Tx& tx, const std::string& now, int limit) const;

  std::optional<JobRecord> find(db::Tx& tx, const std::string& id) const;
  // Queued jobs due at `now`, and the run_at of the oldest of them.
  std::pair<long long, std::optional<std::string>> due_summary(db::Tx& tx,
                                                               const std::string& now) const;
  // Dead jobs, most recently dead first (at most `limit`), and how many there are in all.
  std::vector<JobRecord> dead(db::Tx& tx, int limit) const;
  long long count_dead(db::Tx& tx) const;
  // A dead job queued again, due at `now`, with a fresh count of attempts (its last error kept).
  // False when the job is not dead.
  bool requeue_dead(db::Tx& tx, const std::string& id, const std::string& now) const;
  // Deletes a dead job; false when it is not dead.
  bool delete_dead(db::Tx& tx, const std::string& id) const;
  // Deletes succeeded jobs last updated before `cutoff`; returns how many.
  long long purge_succeeded(db::Tx& tx, const std::string& cutoff) const;

  // Records that schedule `name` fired for `period`. Returns false when this or a later period
  // was already recorded (another instance fired it).
  bool claim_schedule_period(db::Tx& tx, const std::string& name, long long period,
                             const std::string& now) const;

 private:
  std::string skip_locked_;  // " FOR UPDATE SKIP LOCKED" on PostgreSQL
};

}  // namespace jobs
