#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "core/ids.h"
#include "core/log.h"
#include "core/metrics.h"
#include "db/database.h"
#include "jobs/job_queue.h"
#include "jobs/job_store.h"
#include "jobs/timing.h"

namespace jobs {

namespace {

// Expired leases handled per reaper transaction; the rest wait for the next round.
constexpr int kReapBatch = 100;
// How often the housekeeping thread deletes old succeeded jobs.
constexpr auto kPurgeInterval = std::chrono::minutes(10);
// Attempts at a unique job id before giving up (a collision means a broken id generator).
constexpr int kInsertAttempts = 3;

constexpr const char* kSucceededTotal = "marketlink_jobs_succeeded_total";
constexpr const char* kFailuresTotal = "marketlink_jobs_failures_total";
constexpr const char* kDeadTotal = "marketlink_jobs_dead_total";
constexpr const char* kReapedTotal = "marketlink_jobs_reaped_total";
constexpr const char* kDurationSeconds = "marketlink_job_duration_seconds";
constexpr const char* kQueuedDue = "marketlink_jobs_queued_due";
constexpr const char* kOldestDueAge = "marketlink_jobs_oldest_due_age_seconds";
constexpr const char* kRunning = "marketlink_jobs_running";

std::string default_instance() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) std::strcpy(host, "localhost");
  return fmt::format("{}:{}:{}", host, getpid(), core::base64url_encode(core::random_bytes(3)));
}

std::string error_text(const core::Error& e) {
  return fmt::format("{}: {}", e.code_slug(), e.message);
}

std::string rfc3339(core::TimePoint t) { return core::format_rfc3339(t); }

// Read by the metrics gauges, which may outlive the queue.
struct Gauges {
  std::atomic<long long> queued_due{0};
  std::atomic<double> oldest_due_age_seconds{0};
  std::atomic<int> running{0};
};

}  // namespace

const char* job_status_name(JobStatus status) {
  switch (status) {
    case JobStatus::kQueued: return "queued";
    case JobStatus::kRunning: return "running";
    case JobStatus::kSucceeded: return "succeeded";
    case JobStatus::kDead: return "dead";
  }
  return "queued";
}

UniformRandom system_random() {
  struct State {
    std::mutex mutex;
    std::mt19937_64 engine;
  };
  auto state = std::make_shared<State>();
  unsigned long long seed = 0;
  const std::string bytes = core::random_bytes(sizeof(seed));
  std::memcpy(&seed, bytes.data(), sizeof(seed));
  state->engine.seed(seed);
  return [state] {
    std::lock_guard lock(state->mutex);
    return std::uniform_real_distribution<double>(0.0, 1.0)(state->engine);
  };
}

class JobQueue::Impl {
 public:
  Impl(db::Database& database, const core::Clock& clock, core::IdGenerator& ids,
       core::Metrics& metrics, QueueSettings settings, UniformRandom random)
      : db_(database),
        clock_(clock),
        ids_(ids),
        metrics_(metrics),
        settings_(std::move(settings)),
        random_(std::move(random)),
        store_(database),
        instance_(settings_.instance.empty() ? default_instance() : settings_.instance),
        gauges_(std::make_shared<Gauges>()) {
    assert(settings_.lease.count() > 0 && settings_.poll_interval.count() > 0);
    if (settings_.heartbeat.count() <= 0) settings_.heartbeat = settings_.lease / 3;
    metrics_.describe(kSucceededTotal, "counter", "Jobs that succeeded, by kind.");
    metrics_.describe(kFailuresTotal, "counter", "Failed job attempts, by kind.");
    metrics_.describe(kDeadTotal, "counter", "Jobs that went dead (no attempts left), by kind.");
    metrics_.describe(kReapedTotal, "counter",
                      "Jobs taken back from a worker whose lease expired, by kind.");
    metrics_.describe(kDurationSeconds, "histogram", "Time job handlers took, by kind.");
    metrics_.add_gauge(kQueuedDue, "Queued jobs that are due now (all instances).",
                       [g = gauges_] { return static_cast<double>(g->queued_due.load()); });
    metrics_.add_gauge(kOldestDueAge, "Seconds the oldest due queued job has been waiting.",
                       [g = gauges_] { return g->oldest_due_age_seconds.load(); });
    metrics_.add_gauge(kRunning, "Jobs running in this process.",
                       [g = gauges_] { return static_cast<double>(g->running.load()); });
  }

  ~Impl() { stop(); }

  core::Result<std::string> enqueue(const std::string& kind, const std::string& payload,
                                    const EnqueueOptions& options) {
    auto id = db_.transact([&](db::Tx& tx) { return enqueue_in(tx, kind, payload, options); });
    if (id.ok() && options.delay.count() <= 0) wake_one();
    return id;
  }

  core::Result<std::string> enqueue_in(db::Tx& tx, const std::string& kind,
                                       const std::string& payload, const EnqueueOptions& options) {
    if (kind.empty()) return core::invalid("A job needs a kind.");
    if (options.max_attempts < 1) return core::invalid("A job needs at least one attempt.");
    const core::TimePoint now = clock_.now();
    NewJobRow row{.kind = kind,
                  .payload = payload,
                  .run_at = rfc3339(now + std::max(options.delay, std::chrono::seconds(0))),
                  .max_attempts = options.max_attempts,
                  .dedupe_key = options.dedupe_key,
                  .now = rfc3339(now)};
    for (int attempt = 0; attempt < kInsertAttempts; ++attempt) {
      row.id = ids_.new_id();
      if (store_.insert(tx, row)) return row.id;
      if (!options.dedupe_key.empty()) {
        // Taken by a queued or running job: that one stands for this one. When it finished in
        // between, the key is free again and the next round inserts.
        if (auto existing = store_.active_with_key(tx, options.dedupe_key)) return *existing;
      }
    }
    return core::internal("The job could not be stored under a unique id.");
  }

  void register_handler(const std::string& kind, JobHandler handler) {
    std::lock_guard lock(mutex_);
    handlers_[kind] = std::move(handler);
  }

  core::Status add_schedule(const Schedule& schedule) {
    if (schedule.name.empty() || schedule.kind.empty())
      return core::invalid("A schedule needs a name and a job kind.");
    if (!valid_recurrence(schedule.when))
      return core::invalid(fmt::format(
          "Schedule \"{}\" needs a period of at least a minute and an offset within it.",
          schedule.name));
    if (schedule.max_attempts < 1)
      return core::invalid(
          fmt::format("Schedule \"{}\" needs at least one attempt.", schedule.name));
    std::lock_guard lock(mutex_);
    schedules_.push_back(schedule);
    return {};
  }

  void start() {
    std::lock_guard lock(mutex_);
    if (started_) return;
    started_ = true;
    for (int i = 0; i < settings_.workers; ++i) {
      workers_.emplace_back([this, i] { worker_loop(fmt::format("{}/w{}", instance_, i + 1)); });
    }
    heartbeat_ = std::thread([this] { heartbeat_loop(); });
    housekeeping_ = std::thread([this] { housekeeping_loop(); });
    core::log::info("job workers started",
                    {{"instance", instance_}, {"workers", settings_.workers}});
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      if (!started_ || stopped_) return;
      stopped_ = true;
      stopping_workers_ = true;
    }
    wake_.notify_all();
    // Running handlers finish first, with the heartbeat still keeping their leases.
    for (auto& t : workers_) t.join();
    {
      std::lock_guard lock(mutex_);
      stopping_background_ = true;
    }
    background_wake_.notify_all();
    heartbeat_.join();
    housekeeping_.join();
    core::log::info("job workers stopped", {{"instance", instance_}});
  }

  core::Result<bool> run_next(const std::string& owner) {
    const core::TimePoint now = clock_.now();
    auto claimed = db_.transact([&](db::Tx& tx) -> core::Result<std::optional<Job>> {
      return store_.claim_next(tx, rfc3339(now), owner, rfc3339(now + settings_.lease));
    });
    if (!claimed.ok()) return claimed.error();
    if (!claimed->has_value()) return false;
    run(**claimed, owner);
    return true;
  }

  const std::string& instance() const { return instance_; }

  core::Result<int> reap_expired() {
    const std::string now = rfc3339(clock_.now());
    struct Reaped {
      ExpiredLease lease;
      bool dead;
    };
    auto reaped = db_.transact([&](db::Tx& tx) -> core::Result<std::vector<Reaped>> {
      std::vector<Reaped> out;
      for (const ExpiredLease& lease : store_.expired_leases(tx, now, kReapBatch)) {
        const std::string error =
            fmt::format("unavailable: the lease of {} expired before the job finished",
                        lease.owner.empty() ? "an unknown worker" : lease.owner);
        const bool dead = lease.attempts >= lease.max_attempts;
        const bool changed = dead ? store_.mark_dead(tx, lease.id, lease.owner, error, now)
                                  : store_.mark_retry(tx, lease.id, lease.owner, now, error, now);
        if (changed) out.push_back({lease, dead});
      }
      return out;
    });
    if (!reaped.ok()) return reaped.error();
    for (const Reaped& r : *reaped) {
      metrics_.increment(kReapedTotal, {{"kind", r.lease.kind}});
      if (r.dead) metrics_.increment(kDeadTotal, {{"kind", r.lease.kind}});
      core::log::warn(r.dead ? "job lease expired on its last attempt; job is dead"
                             : "job lease expired; job queued again",
                      {{"job", r.lease.id},
                       {"kind", r.lease.kind},
                       {"owner", r.lease.owner},
                       {"attempts", r.lease.attempts}});
    }
    if (!reaped->empty()) wake_all();
    return static_cast<int>(reaped->size());
  }

  core::Result<int> fire_due_schedules() {
    std::vector<Schedule> schedules;
    {
      std::lock_guard lock(mutex_);
      schedules = schedules_;
    }
    const core::TimePoint now = clock_.now();
    int fired = 0;
    std::optional<core::Error> first_error;
    for (const Schedule& schedule : schedules) {
      const long long period = period_number(schedule.when, now);
      {
        // Once this process saw a period settled (fired here or elsewhere), it skips the write
        // transaction until the next period begins.
        std::lock_guard lock(mutex_);
        auto it = settled_periods_.find(schedule.name);
        if (it != settled_periods_.end() && it->second >= period) continue;
      }
      auto r = db_.transact([&](db::Tx& tx) -> core::Result<bool> {
        if (!store_.claim_schedule_period(tx, schedule.name, period, rfc3339(now))) return false;
        auto id = enqueue_in(tx, schedule.kind, schedule.payload,
                             {.max_attempts = schedule.max_attempts,
                              .dedupe_key = fmt::format("schedule:{}:{}", schedule.name, period)});
        if (!id.ok()) return std::move(id).error();
        return true;
      });
      if (!r.ok()) {
        if (!first_error) first_error = r.error();
        continue;
      }
      {
        std::lock_guard lock(mutex_);
        settled_periods_[schedule.name] = period;
      }
      if (*r) {
        ++fired;
        core::log::info("schedule fired", {{"schedule", schedule.name}, {"period", period}});
      }
    }
    if (fired > 0) wake_all();
    if (first_error) return *first_error;
    return fired;
  }

  core::Result<JobRecord> find(const std::string& id) {
    return db_.transact(
        [&](db::Tx& tx) -> core::Result<JobRecord> {
          auto record = store_.find(tx, id);
          if (!record) return core::not_found("No such job.");
          return *std::move(record);
        },
        db::TxMode::kRead);
  }

  core::Result<std::vector<JobRecord>> dead_jobs(int limit) {
    limit = std::clamp(limit, 1, 500);
    return db_.transact(
        [&](db::Tx& tx) -> core::Result<std::vector<JobRecord>> { return store_.dead(tx, limit); },
        db::TxMode::kRead);
  }

  core::Result<long long> count_dead() {
    return db_.transact(
        [&](db::Tx& tx) -> core::Result<long long> { return store_.count_dead(tx); },
        db::TxMode::kRead);
  }

  core::Status retry_dead(const std::string& id) {
    const std::string now = rfc3339(clock_.now());
    auto done = db_.transact(
        [&](db::Tx& tx) -> core::Result<bool> { return store_.requeue_dead(tx, id, now); });
    if (!done.ok()) return done.error();
    if (!*done) return core::not_found("No dead job has this id.", "job_not_found");
    core::log::info("dead job queued again", {{"job", id}});
    wake_one();
    return {};
  }

  core::Status discard_dead(const std::string& id) {
    auto done =
        db_.transact([&](db::Tx& tx) -> core::Result<bool> { return store_.delete_dead(tx, id); });
    if (!done.ok()) return done.error();
    if (!*done) return core::not_found("No dead job has this id.", "job_not_found");
    core::log::info("dead job discarded", {{"job", id}});
    return {};
  }

  core::Result<JobQueue::Stats> stats() {
    const core::TimePoint now = clock_.now();
    return db_.transact(
        [&](db::Tx& tx) -> core::Result<JobQueue::Stats> {
          const auto [count, oldest] = store_.due_summary(tx, rfc3339(now));
          JobQueue::Stats stats{.queued_due = count};
          if (oldest) {
            const auto since = core::parse_rfc3339(*oldest).value_or(now);
            stats.oldest_due_age_seconds =
                std::max(0.0, std::chrono::duration<double>(now - since).count());
          }
          return stats;
        },
        db::TxMode::kRead);
  }

 private:
  void wake_one() {
    {
      std::lock_guard lock(mutex_);
      pending_wakeups_ = std::min(pending_wakeups_ + 1, std::max(1, settings_.workers));
    }
    wake_.notify_one();
  }

  void wake_all() {
    {
      std::lock_guard lock(mutex_);
      pending_wakeups_ = std::max(1, settings_.workers);
    }
    wake_.notify_all();
  }

  void worker_loop(const std::string& owner) {
    while (true) {
      {
        std::lock_guard lock(mutex_);
        if (stopping_workers_) return;
      }
      auto ran = run_next(owner);
      if (ran.ok() && *ran) continue;
      if (!ran.ok()) {
        core::log::warn("job worker could not claim a job",
                        {{"owner", owner}, {"error", ran.error().message}});
      }
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, settings_.poll_interval,
                     [&] { return stopping_workers_ || pending_wakeups_ > 0; });
      if (pending_wakeups_ > 0) --pending_wakeups_;
    }
  }

  void run(const Job& job, const std::string& owner) {
    JobHandler handler;
    {
      std::lock_guard lock(mutex_);
      if (auto it = handlers_.find(job.kind); it != handlers_.end()) handler = it->second;
      if (handler) in_flight_[job.id] = owner;
    }
    if (!handler) {
      // Counted as a failure of an attempt that can never succeed: dead at once.
      record(job, owner,
             core::invalid(fmt::format("no handler is registered for job kind \"{}\"", job.kind)));
      return;
    }
    ++gauges_->running;
    const auto started = std::chrono::steady_clock::now();
    core::Status result;
    try {
      result = handler(job);
    } catch (const std::exception& e) {
      result = core::internal(fmt::format("the handler threw: {}", e.what()));
    } catch (...) {
      result = core::internal("the handler threw an unknown exception");
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    {
      std::lock_guard lock(mutex_);
      in_flight_.erase(job.id);
    }
    --gauges_->running;
    metrics_.observe(kDurationSeconds, {{"kind", job.kind}}, seconds);
    record(job, owner, result);
  }

  // Stores the outcome of one attempt. When that fails (database down), the lease expires and
  // the reaper queues the job again.
  void record(const Job& job, const std::string& owner, const core::Status& result) {
    const core::TimePoint now = clock_.now();
    if (result.ok()) {
      auto stored = db_.transact([&](db::Tx& tx) -> core::Result<bool> {
        return store_.mark_succeeded(tx, job.id, owner, rfc3339(now));
      });
      if (stored.ok() && *stored) {
        metrics_.increment(kSucceededTotal, {{"kind", job.kind}});
        core::log::debug("job succeeded",
                         {{"job", job.id}, {"kind", job.kind}, {"attempts", job.attempts}});
      } else {
        log_unrecorded(job, owner, stored);
      }
      return;
    }
    const std::string error = error_text(result.error());
    const bool dead =
        result.error().code == core::ErrorCode::kInvalid || job.attempts >= job.max_attempts;
    core::TimePoint retry_at = now;
    if (!dead) {
      retry_at +=
          retry_delay(job.attempts, settings_.backoff_base, settings_.backoff_cap, random_());
    }
    auto stored = db_.transact([&](db::Tx& tx) -> core::Result<bool> {
      return dead ? store_.mark_dead(tx, job.id, owner, error, rfc3339(now))
                  : store_.mark_retry(tx, job.id, owner, rfc3339(retry_at), error, rfc3339(now));
    });
    if (!stored.ok() || !*stored) {
      log_unrecorded(job, owner, stored);
      return;
    }
    metrics_.increment(kFailuresTotal, {{"kind", job.kind}});
    if (dead) {
      metrics_.increment(kDeadTotal, {{"kind", job.kind}});
      core::log::error(
          "job dead",
          {{"job", job.id}, {"kind", job.kind}, {"attempts", job.attempts}, {"error", error}});
    } else {
      core::log::warn("job failed; will retry", {{"job", job.id},
                                                 {"kind", job.kind},
                                                 {"attempts", job.attempts},
                                                 {"retry_at", rfc3339(retry_at)},
                                                 {"error", error}});
    }
  }

  static void log_unrecorded(const Job& job, const std::string& owner,
                             const core::Result<bool>& stored) {
    if (!stored.ok()) {
      core::log::error("job outcome not stored; its lease will expire and it will run again",
                       {{"job", job.id}, {"kind", job.kind}, {"error", stored.error().message}});
    } else {
      core::log::warn("job finished after its lease was taken back; outcome discarded",
                      {{"job", job.id}, {"kind", job.kind}, {"owner", owner}});
    }
  }

  void heartbeat_loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_background_) {
      background_wake_.wait_for(lock, settings_.heartbeat, [&] { return stopping_background_; });
      if (stopping_background_) return;
      const auto leases = in_flight_;
      lock.unlock();
      const core::TimePoint now = clock_.now();
      for (const auto& lease : leases) {
        const std::string& id = lease.first;
        const std::string& owner = lease.second;
        auto extended = db_.transact([&](db::Tx& tx) -> core::Result<bool> {
          return store_.extend_lease(tx, id, owner, rfc3339(now + settings_.lease), rfc3339(now));
        });
        if (!extended.ok()) {
          core::log::warn("job lease not extended",
                          {{"job", id}, {"error", extended.error().message}});
        } else if (!*extended) {
          std::lock_guard check(mutex_);
          if (in_flight_.count(id) > 0) {
            core::log::warn("job lease lost while its handler runs",
                            {{"job", id}, {"owner", owner}});
          }
        }
      }
      lock.lock();
    }
  }

  void housekeeping_loop() {
    auto last_purge = std::chrono::steady_clock::now() - kPurgeInterval;
    std::unique_lock lock(mutex_);
    while (!stopping_background_) {
      lock.unlock();
      if (auto r = reap_expired(); !r.ok()) {
        core::log::warn("job reaper failed", {{"error", r.error().message}});
      }
      if (auto r = fire_due_schedules(); !r.ok()) {
        core::log::warn("job schedules failed", {{"error", r.error().message}});
      }
      if (auto s = stats(); s.ok()) {
        gauges_->queued_due.store(s->queued_due);
        gauges_->oldest_due_age_seconds.store(s->oldest_due_age_seconds);
      }
      if (std::chrono::steady_clock::now() - last_purge >= kPurgeInterval) {
        last_purge = std::chrono::steady_clock::now();
        purge_succeeded();
      }
      lock.lock();
      background_wake_.wait_for(lock, settings_.poll_interval,
                                [&] { return stopping_background_; });
    }
  }

  void purge_succeeded() {
    const std::string cutoff = rfc3339(clock_.now() - settings_.keep_succeeded);
    auto purged = db_.transact(
        [&](db::Tx& tx) -> core::Result<long long> { return store_.purge_succeeded(tx, cutoff); });
    if (purged.ok() && *purged > 0) {
      core::log::info("succeeded jobs deleted", {{"count", *purged}});
    }
  }

  db::Database& db_;
  const core::Clock& clock_;
  core::IdGenerator& ids_;
  core::Metrics& metrics_;
  QueueSettings settings_;
  UniformRandom random_;
  JobStore store_;
  std::string instance_;
  std::shared_ptr<Gauges> gauges_;

  std::mutex mutex_;
  std::map<std::string, JobHandler> handlers_;
  std::vector<Schedule> schedules_;
  std::map<std::string, long long> settled_periods_;  // schedule name → last period known fired
  std::map<std::string, std::string> in_flight_;      // job id → lease owner, in this process
  std::condition_variable wake_;                      // workers
  std::condition_variable background_wake_;           // heartbeat and housekeeping
  int pending_wakeups_ = 0;
  bool started_ = false;
  bool stopped_ = false;
  bool stopping_workers_ = false;
  bool stopping_background_ = false;
  std::vector<std::thread> workers_;
  std::thread heartbeat_;
  std::thread housekeeping_;
};

JobQueue::JobQueue(db::Database& database, const core::Clock& clock, core::IdGenerator& ids,
                   core::Metrics& metrics, QueueSettings settings, UniformRandom random)
    : impl_(std::make_unique<Impl>(database, clock, ids, metrics, std::move(settings),
                                   std::move(random))) {}

JobQueue::~JobQueue() = default;

core::Result<std::string> JobQueue::enqueue(const std::string& kind, const std::string& payload,
                                            const EnqueueOptions& options) {
  return impl_->enqueue(kind, payload, options);
}

core::Result<std::string> JobQueue::enqueue(db::Tx& transaction, const std::string& kind,
                                            const std::string& payload,
                                            const EnqueueOptions& options) {
  return impl_->enqueue_in(transaction, kind, payload, options);
}

void JobQueue::register_handler(const std::string& kind, JobHandler handler) {
  impl_->register_handler(kind, std::move(handler));
}

core::Status JobQueue::add_schedule(const Schedule& schedule) {
  return impl_->add_schedule(schedule);
}

void JobQueue::start() { impl_->start(); }
void JobQueue::stop() { impl_->stop(); }

core::Result<bool> JobQueue::run_next() { return impl_->run_next(impl_->instance() + "/direct"); }

core::Result<int> JobQueue::reap_expired() { return impl_->reap_expired(); }
core::Result<int> JobQueue::fire_due_schedules() { return impl_->fire_due_schedules(); }
core::Result<JobRecord> JobQueue::find(const std::string& id) { return impl_->find(id); }
core::Result<JobQueue::Stats> JobQueue::stats() { return impl_->stats(); }
core::Result<std::vector<JobRecord>> JobQueue::dead_jobs(int limit) {
  return impl_->dead_jobs(limit);
}
core::Result<long long> JobQueue::count_dead() { return impl_->count_dead(); }
core::Status JobQueue::retry_dead(const std::string& id) { return impl_->retry_dead(id); }
core::Status JobQueue::discard_dead(const std::string& id) { return impl_->discard_dead(id); }

}  // namespace jobs
