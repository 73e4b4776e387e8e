#include "jobs/job_store.h"

#include <soci/soci.h>

namespace jobs {

namespace {

// ON CONFLICT DO NOTHING without a target covers the partial unique index on active dedupe keys
// on both backends; the caller then looks up the job that holds the key.
constexpr const char* kInsertJob =
    "INSERT INTO jobs (id, kind, payload, status, run_at, attempts, max_attempts, dedupe_key,"
    " created_at, updated_at)"
    " VALUES (:id, :kind, :payload, 'queued', :run_at, 0, :max_attempts, :dedupe_key, :created_at,"
    " :updated_at)"
    " ON CONFLICT DO NOTHING";

constexpr const char* kSelectActiveWithKey =
    "SELECT id FROM jobs WHERE dedupe_key = :key AND status IN ('queued', 'running')";

constexpr const char* kSelectNextDue =
    "SELECT id, kind, payload, attempts, max_attempts, run_at FROM jobs"
    " WHERE status = 'queued' AND run_at <= :now ORDER BY run_at LIMIT 1";

constexpr const char* kMarkClaimed =
    "UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_owner = :owner,"
    " lease_expires_at = :expires, updated_at = :now WHERE id = :id AND status = 'queued'";

constexpr const char* kExtendLease =
    "UPDATE jobs SET lease_expires_at = :expires, updated_at = :now"
    " WHERE id = :id AND status = 'running' AND lease_owner = :owner";

constexpr const char* kMarkSucceeded =
    "UPDATE jobs SET status = 'succeeded', lease_owner = NULL, lease_expires_at = NULL,"
    " updated_at = :now WHERE id = :id AND status = 'running' AND lease_owner = :owner";

constexpr const char* kMarkRetry =
    "UPDATE jobs SET status = 'queued', run_at = :run_at, last_error = :error, lease_owner = NULL,"
    " lease_expires_at = NULL, updated_at = :now"
    " WHERE id = :id AND status = 'running' AND lease_owner = :owner";

constexpr const char* kMarkDead =
    "UPDATE jobs SET status = 'dead', last_error = :error, lease_owner = NULL,"
    " lease_expires_at = NULL, updated_at = :now"
    " WHERE id = :id AND status = 'running' AND lease_owner = :owner";

constexpr const char* kSelectExpiredLeases =
    "SELECT id, kind, lease_owner, attempts, max_attempts FROM jobs"
    " WHERE status = 'running' AND lease_expires_at < :now ORDER BY lease_expires_at LIMIT :limit";

constexpr const char* kSelectJob =
    "SELECT id, kind, payload, status, run_at, attempts, max_attempts, lease_owner,"
    " lease_expires_at, last_error, dedupe_key, created_at, updated_at FROM jobs WHERE id = :id";

constexpr const char* kSelectDueSummary =
    "SELECT COUNT(*), MIN(run_at) FROM jobs WHERE status = 'queued' AND run_at <= :now";

constexpr const char* kSelectDead =
    "SELECT id FROM jobs WHERE status = 'dead' ORDER BY updated_at DESC, id LIMIT :limit";

constexpr const char* kCountDead = "SELECT COUNT(*) FROM jobs WHERE status = 'dead'";

constexpr const char* kRequeueDead =
    "UPDATE jobs SET status = 'queued', attempts = 0, run_at = :now, updated_at = :now2"
    " WHERE id = :id AND status = 'dead'";

constexpr const char* kDeleteDead = "DELETE FROM jobs WHERE id = :id AND status = 'dead'";

constexpr const char* kPurgeSucceeded =
    "DELETE FROM jobs WHERE status = 'succeeded' AND updated_at < :cutoff";

constexpr const char* kInsertSchedule =
    "INSERT INTO job_schedules (name, last_period, updated_at) VALUES (:name, :period, :now)"
    " ON CONFLICT (name) DO NOTHING";

constexpr const char* kClaimSchedulePeriod =
    "UPDATE job_schedules SET last_period = :period, updated_at = :now"
    " WHERE name = :name AND last_period < :same_period";

core::TimePoint parse_time(const std::string& text) {
  return core::parse_rfc3339(text).value_or(core::TimePoint{});
}

JobStatus status_from_name(const std::string& name) {
  if (name == "running") return JobStatus::kRunning;
  if (name == "succeeded") return JobStatus::kSucceeded;
  if (name == "dead") return JobStatus::kDead;
  return JobStatus::kQueued;
}

}  // namespace

bool JobStore::insert(db::Tx& tx, const NewJobRow& row) const {
  soci::session& s = tx.sql();
  soci::indicator key_ind = row.dedupe_key.empty() ? soci::i_null : soci::i_ok;
  soci::statement st = (s.prepare << kInsertJob, soci::use(row.id), soci::use(row.kind),
                        soci::use(row.payload), soci::use(row.run_at), soci::use(row.max_attempts),
                        soci::use(row.dedupe_key, key_ind), soci::use(row.now), soci::use(row.now));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

std::optional<std::string> JobStore::active_with_key(db::Tx& tx,
                                                     const std::string& dedupe_key) const {
  soci::session& s = tx.sql();
  std::string id;
  s << kSelectActiveWithKey, soci::use(dedupe_key), soci::into(id);
  if (!s.got_data()) return std::nullopt;
  return id;
}

std::optional<Job> JobStore::claim_next(db::Tx& tx, const std::string& now,
                                        const std::string& owner,
                                        const std::string& lease_expires_at) const {
  soci::session& s = tx.sql();
  Job job;
  std::string run_at;
  s << std::string(kSelectNextDue) + skip_locked_, soci::use(now), soci::into(job.id),
      soci::into(job.kind), soci::into(job.payload), soci::into(job.attempts),
      soci::into(job.max_attempts), soci::into(run_at);
  if (!s.got_data()) return std::nullopt;
  soci::statement st = (s.prepare << kMarkClaimed, soci::use(owner), soci::use(lease_expires_at),
                        soci::use(now), soci::use(job.id));
  st.execute(true);
  if (st.get_affected_rows() == 0) return std::nullopt;
  job.attempts += 1;
  job.run_at = parse_time(run_at);
  return job;
}

bool JobStore::extend_lease(db::Tx& tx, const std::string& id, const std::string& owner,
                            const std::string& lease_expires_at, const std::string& now) const {
  soci::session& s = tx.sql();
  soci::statement st = (s.prepare << kExtendLease, soci::use(lease_expires_at), soci::use(now),
                        soci::use(id), soci::use(owner));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

bool JobStore::mark_succeeded(db::Tx& tx, const std::string& id, const std::string& owner,
                              const std::string& now) const {
  soci::session& s = tx.sql();
  soci::statement st =
      (s.prepare << kMarkSucceeded, soci::use(now), soci::use(id), soci::use(owner));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

bool JobStore::mark_retry(db::Tx& tx, const std::string& id, const std::string& owner,
                          const std::string& run_at, const std::string& error,
                          const std::string& now) const {
  soci::session& s = tx.sql();
  soci::statement st = (s.prepare << kMarkRetry, soci::use(run_at), soci::use(error),
                        soci::use(now), soci::use(id), soci::use(owner));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

bool JobStore::mark_dead(db::Tx& tx, const std::string& id, const std::string& owner,
                         const std::string& error, const std::string& now) const {
  soci::session& s = tx.sql();
  soci::statement st =
      (s.prepare << kMarkDead, soci::use(error), soci::use(now), soci::use(id), soci::use(owner));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

std::vector<ExpiredLease> JobStore::expired_leases(db::Tx& tx, const std::string& now,
                                                   int limit) const {
  soci::session& s = tx.sql();
  std::vector<ExpiredLease> out;
  ExpiredLease row;
  soci::indicator owner_ind = soci::i_ok;
  soci::statement st =
      (s.prepare << std::string(kSelectExpiredLeases) + skip_locked_, soci::use(now),
       soci::use(limit), soci::into(row.id), soci::into(row.kind), soci::into(row.owner, owner_ind),
       soci::into(row.attempts), soci::into(row.max_attempts));
  st.execute();
  while (st.fetch()) {
    if (owner_ind != soci::i_ok) row.owner.clear();
    out.push_back(row);
  }
  return out;
}

std::optional<JobRecord> JobStore::find(db::Tx& tx, const std::string& id) const {
  soci::session& s = tx.sql();
  JobRecord r;
  std::string status, run_at, lease_expires_at, created_at, updated_at;
  soci::indicator owner_ind = soci::i_ok, expires_ind = soci::i_ok, error_ind = soci::i_ok,
                  key_ind = soci::i_ok;
  s << kSelectJob, soci::use(id), soci::into(r.job.id), soci::into(r.job.kind),
      soci::into(r.job.payload), soci::into(status), soci::into(run_at), soci::into(r.job.attempts),
      soci::into(r.job.max_attempts), soci::into(r.lease_owner, owner_ind),
      soci::into(lease_expires_at, expires_ind), soci::into(r.last_error, error_ind),
      soci::into(r.dedupe_key, key_ind), soci::into(created_at), soci::into(updated_at);
  if (!s.got_data()) return std::nullopt;
  r.status = status_from_name(status);
  r.job.run_at = parse_time(run_at);
  if (owner_ind != soci::i_ok) r.lease_owner.clear();
  if (expires_ind == soci::i_ok) r.lease_expires_at = parse_time(lease_expires_at);
  if (error_ind != soci::i_ok) r.last_error.clear();
  if (key_ind != soci::i_ok) r.dedupe_key.clear();
  r.created_at = parse_time(created_at);
  r.updated_at = parse_time(updated_at);
  return r;
}

std::pair<long long, std::optional<std::string>> JobStore::due_summary(
    db::Tx& tx, const std::string& now) const {
  soci::session& s = tx.sql();
  long long count = 0;
  std::string oldest;
  soci::indicator oldest_ind = soci::i_ok;
  s << kSelectDueSummary, soci::use(now), soci::into(count), soci::into(oldest, oldest_ind);
  if (oldest_ind != soci::i_ok) return {count, std::nullopt};
  return {count, oldest};
}

std::vector<JobRecord> JobStore::dead(db::Tx& tx, int limit) const {
  soci::session& s = tx.sql();
  std::vector<std::string> ids;
  std::string id;
  soci::statement st = (s.prepare << kSelectDead, soci::use(limit), soci::into(id));
  st.execute();
  while (st.fetch()) ids.push_back(id);
  std::vector<JobRecord> out;
  for (const std::string& each : ids) {
    if (auto r = find(tx, each)) out.push_back(std::move(*r));
  }
  return out;
}

long long JobStore::count_dead(db::Tx& tx) const {
  long long n = 0;
  tx.sql() << kCountDead, soci::into(n);
  return n;
}

bool JobStore::requeue_dead(db::Tx& tx, const std::string& id, const std::string& now) const {
  soci::session& s = tx.sql();
  soci::statement st = (s.prepare << kRequeueDead, soci::use(now), soci::use(now), soci::use(id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

bool JobStore::delete_dead(db::Tx& tx, const std::string& id) const {
  soci::session& s = tx.sql();
  soci::statement st = (s.prepare << kDeleteDead, soci::use(id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

long long JobStore::purge_succeeded(db::Tx& tx, const std::string& cutoff) const {
  soci::session& s = tx.sql();
  soci::statement st = (s.prepare << kPurgeSucceeded, soci::use(cutoff));
  st.execute(true);
  return st.get_affected_rows();
}

bool JobStore::claim_schedule_period(db::Tx& tx, const std::string& name, long long period,
                                     const std::string& now) const {
  soci::session& s = tx.sql();
  const long long before = period - 1;
  s << kInsertSchedule, soci::use(name), soci::use(before), soci::use(now);
  soci::statement st = (s.prepare << kClaimSchedulePeriod, soci::use(period), soci::use(now),
                        soci::use(name), soci::use(period));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

}  // namespace jobs
