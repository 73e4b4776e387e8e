#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/ids.h"
#include "core/metrics.h"
#include "db/database_test_support.h"
#include "db/migrations.h"
#include "jobs/job_queue.h"
#include "jobs/migrations.h"

namespace jobs {
namespace {

using db::testing::TestBackend;
using db::testing::TestDatabase;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

core::TimePoint at(const char* text) { return *core::parse_rfc3339(text); }

// Polls `done` until it holds or `timeout` passes; for waits on real threads.
template <typename Pred>
bool wait_until(Pred done, milliseconds timeout = 20'000ms) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

// Settings for a queue driven by hand (run_next, reap_expired) unless a test asks for workers.
QueueSettings manual_settings() {
  return {.workers = 0,
          .lease = 10'000ms,
          .heartbeat = 3'600'000ms,
          .poll_interval = 3'600'000ms,
          .backoff_base = 1000ms,
          .backoff_cap = 60'000ms,
          .instance = "test"};
}

class JobQueueTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    MARKETLINK_OPEN_TEST_DATABASE(t_);
    auto applied = db::migrate(t_->db(), {jobs::migrations()}, clock_);
    ASSERT_TRUE(applied.ok()) << applied.error().message;
  }

  std::unique_ptr<JobQueue> make_queue(db::Database& database, QueueSettings settings) {
    return std::make_unique<JobQueue>(database, clock_, ids_, metrics_, std::move(settings),
                                      [] { return 0.5; });
  }
  std::unique_ptr<JobQueue> make_queue(QueueSettings settings = manual_settings()) {
    return make_queue(t_->db(), std::move(settings));
  }

  JobRecord record(JobQueue& queue, const std::string& id) {
    auto r = queue.find(id);
    EXPECT_TRUE(r.ok()) << id;
    return r.ok() ? *r : JobRecord{};
  }

  long long count_jobs(const std::string& where) {
    auto conn = t_->db().connect();
    long long n = -1;
    conn->sql() << "SELECT COUNT(*) FROM jobs WHERE " + where, soci::into(n);
    return n;
  }

  bool metrics_contain(const std::string& line) {
    return metrics_.render().find(line) != std::string::npos;
  }

  core::ManualClock clock_{at("2026-03-01T10:00:00Z")};
  core::SequentialIdGenerator ids_{"job"};
  core::Metrics metrics_;
  std::unique_ptr<TestDatabase> t_;
};

TEST_P(JobQueueTest, RunsAnEnqueuedJobOnceWithItsPayload) {
  auto queue = make_queue();
  std::vector<Job> seen;
  queue->register_handler("greet", [&](const Job& job) {
    seen.push_back(job);
    return core::ok_status();
  });
  auto id = queue->enqueue("greet", R"({"name":"Ada"})");
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(record(*queue, *id).status, JobStatus::kQueued);

  ASSERT_TRUE(*queue->run_next());
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].id, *id);
  EXPECT_EQ(seen[0].payload, R"({"name":"Ada"})");
  EXPECT_EQ(seen[0].attempts, 1);
  EXPECT_EQ(seen[0].max_attempts, 8);
  EXPECT_FALSE(*queue->run_next());

  const JobRecord r = record(*queue, *id);
  EXPECT_EQ(r.status, JobStatus::kSucceeded);
  EXPECT_EQ(r.job.attempts, 1);
  EXPECT_TRUE(r.lease_owner.empty());
  EXPECT_FALSE(r.lease_expires_at.has_value());
  EXPECT_TRUE(metrics_contain("marketlink_jobs_succeeded_total{kind=\"greet\"} 1\n"));
}

TEST_P(JobQueueTest, DelayedJobWaitsForItsTime) {
  auto queue = make_queue();
  int runs = 0;
  queue->register_handler("later", [&](const Job&) {
    ++runs;
    return core::ok_status();
  });
  auto id = queue->enqueue("later", "{}", {.delay = 30s});
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(record(*queue, *id).job.run_at, clock_.now() + 30s);
  EXPECT_FALSE(*queue->run_next());
  clock_.advance(29s);
  EXPECT_FALSE(*queue->run_next());
  clock_.advance(1s);
  EXPECT_TRUE(*queue->run_next());
  EXPECT_EQ(runs, 1);
}

TEST_P(JobQueueTest, FailuresRetryWithExponentialBackoffThenTheJobGoesDead) {
  auto queue = make_queue();
  int runs = 0;
  queue->register_handler("flaky", [&](const Job& job) -> core::Status {
    ++runs;
    return core::unavailable("remote down on attempt " + std::to_string(job.attempts));
  });
  auto id = queue->enqueue("flaky", "{}", {.max_attempts = 3});
  ASSERT_TRUE(id.ok());

  // Attempt 1 fails: due again after 0.5 * 1 s (the random fraction is 0.5).
  ASSERT_TRUE(*queue->run_next());
  JobRecord r = record(*queue, *id);
  EXPECT_EQ(r.status, JobStatus::kQueued);
  EXPECT_EQ(r.job.run_at, clock_.now() + 500ms);
  EXPECT_EQ(r.last_error, "unavailable: remote down on attempt 1");
  EXPECT_FALSE(*queue->run_next());

  // Attempt 2 fails: due again after 0.5 * 2 s.
  clock_.advance(500ms);
  ASSERT_TRUE(*queue->run_next());
  r = record(*queue, *id);
  EXPECT_EQ(r.status, JobStatus::kQueued);
  EXPECT_EQ(r.job.run_at, clock_.now() + 1000ms);
  clock_.advance(999ms);
  EXPECT_FALSE(*queue->run_next());
  clock_.advance(1ms);

  // Attempt 3 is the last.
  ASSERT_TRUE(*queue->run_next());
  r = record(*queue, *id);
  EXPECT_EQ(r.status, JobStatus::kDead);
  EXPECT_EQ(r.job.attempts, 3);
  EXPECT_EQ(r.last_error, "unavailable: remote down on attempt 3");
  clock_.advance(1h);
  EXPECT_FALSE(*queue->run_next());
  EXPECT_EQ(runs, 3);
  EXPECT_TRUE(metrics_contain("marketlink_jobs_failures_total{kind=\"flaky\"} 3\n"));
  EXPECT_TRUE(metrics_contain("marketlink_jobs_dead_total{kind=\"flaky\"} 1\n"));
}

TEST_P(JobQueueTest, InvalidErrorMeansDeadAtOnce) {
  auto queue = make_queue();
  queue->register_handler(
      "parse", [](const Job&) -> core::Status { return core::invalid("the payload is not JSON"); });
  auto id = queue->enqueue("parse", "nope");
  ASSERT_TRUE(*queue->run_next());
  const JobRecord r = record(*queue, *id);
  EXPECT_EQ(r.status, JobStatus::kDead);
  EXPECT_EQ(r.job.attempts, 1);
  EXPECT_EQ(r.last_error, "invalid: the payload is not JSON");
}

TEST_P(JobQueueTest, DeadJobsAreListedAndCanBeRetriedOrDiscarded) {
  auto queue = make_queue();
  bool fixed = false;
  queue->register_handler("parse", [&](const Job&) -> core::Status {
    if (fixed) return {};
    return core::invalid("the payload is not JSON");
  });
  queue->register_handler("other", [](const Job&) { return core::Status{}; });
  auto first = queue->enqueue("parse", "a");
  ASSERT_TRUE(*queue->run_next());
  clock_.advance(1s);
  auto second = queue->enqueue("parse", "b");
  ASSERT_TRUE(*queue->run_next());
  auto healthy = queue->enqueue("other", "{}", {.delay = 3600s});
  ASSERT_TRUE(first.ok() && second.ok() && healthy.ok());

  auto dead = queue->dead_jobs();
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 2u);
  EXPECT_EQ((*dead)[0].job.id, *second);  // most recently dead first
  EXPECT_EQ((*dead)[1].job.id, *first);
  EXPECT_EQ((*dead)[0].last_error, "invalid: the payload is not JSON");
  EXPECT_EQ(*queue->count_dead(), 2);

  // Retry: queued again at once with fresh attempts, and this time it succeeds.
  fixed = true;
  ASSERT_TRUE(queue->retry_dead(*first).ok());
  JobRecord r = record(*queue, *first);
  EXPECT_EQ(r.status, JobStatus::kQueued);
  EXPECT_EQ(r.job.attempts, 0);
  EXPECT_EQ(r.job.run_at, clock_.now());
  ASSERT_TRUE(*queue->run_next());
  EXPECT_EQ(record(*queue, *first).status, JobStatus::kSucceeded);
  EXPECT_EQ(queue->retry_dead(*first).error().code, core::ErrorCode::kNotFound);

  // Discard: gone for good; a job that is not dead cannot be discarded.
  ASSERT_TRUE(queue->discard_dead(*second).ok());
  EXPECT_EQ(queue->find(*second).error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(queue->discard_dead(*healthy).error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(queue->discard_dead("no-such-job").error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(*queue->count_dead(), 0);
  EXPECT_TRUE(queue->dead_jobs()->empty());
}

TEST_P(JobQueueTest, HandlerThatThrowsIsRetried) {
  auto queue = make_queue();
  queue->register_handler(
      "boom", [](const Job&) -> core::Status { throw std::runtime_error("out of range"); });
  auto id = queue->enqueue("boom", "{}");
  ASSERT_TRUE(*queue->run_next());
  const JobRecord r = record(*queue, *id);
  EXPECT_EQ(r.status, JobStatus::kQueued);
  EXPECT_EQ(r.last_error, "internal: the handler threw: out of range");
}

TEST_P(JobQueueTest, UnknownKindGoesDeadWithAClearError) {
  auto queue = make_queue();
  auto id = queue->enqueue("no.such.kind", "{}");
  ASSERT_TRUE(*queue->run_next());
  const JobRecord r = record(*queue, *id);
  EXPECT_EQ(r.status, JobStatus::kDead);
  EXPECT_EQ(r.last_error, "invalid: no handler is registered for job kind \"no.such.kind\"");
}

TEST_P(JobQueueTest, RejectsMalformedJobsAndSchedules) {
  auto queue = make_queue();
  EXPECT_EQ(queue->enqueue("", "{}").error().code, core::ErrorCode::kInvalid);
  EXPECT_EQ(queue->enqueue("k", "{}", {.max_attempts = 0}).error().code, core::ErrorCode::kInvalid);
  EXPECT_FALSE(queue->add_schedule({.name = "s", .kind = "k", .when = every_minutes(0)}).ok());
  EXPECT_FALSE(queue->add_schedule({.name = "s", .kind = "k", .when = hourly_at(60)}).ok());
  EXPECT_FALSE(queue->add_schedule({.name = "", .kind = "k", .when = hourly_at(5)}).ok());
  EXPECT_TRUE(queue->add_schedule({.name = "s", .kind = "k", .when = hourly_at(5)}).ok());
  EXPECT_EQ(queue->find("missing").error().code, core::ErrorCode::kNotFound);
}

TEST_P(JobQueueTest, DedupeKeyReturnsTheQueuedOrRunningJobAndIsFreedWhenItFinishes) {
  auto queue = make_queue();
  std::string second_while_running;
  core::Result<std::string> first = std::string();
  queue->register_handler("sync", [&](const Job& job) {
    if (job.id != *first) return core::ok_status();
    auto again = queue->enqueue("sync", "{}", {.dedupe_key = "org-1"});
    if (again.ok()) second_while_running = *again;
    return core::ok_status();
  });
  first = queue->enqueue("sync", "{}", {.dedupe_key = "org-1"});
  auto second = queue->enqueue("sync", R"({"other":true})", {.dedupe_key = "org-1"});
  auto unrelated = queue->enqueue("sync", "{}", {.dedupe_key = "org-2"});
  ASSERT_TRUE(first.ok() && second.ok() && unrelated.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_NE(*first, *unrelated);
  EXPECT_EQ(count_jobs("kind = 'sync'"), 2);

  ASSERT_TRUE(*queue->run_next());
  EXPECT_EQ(second_while_running, *first);  // enqueued while running: still the same job
  ASSERT_TRUE(*queue->run_next());
  EXPECT_EQ(record(*queue, *first).status, JobStatus::kSucceeded);

  auto after = queue->enqueue("sync", "{}", {.dedupe_key = "org-1"});
  ASSERT_TRUE(after.ok());
  EXPECT_NE(*after, *first);
  EXPECT_EQ(count_jobs("kind = 'sync'"), 3);
}

TEST_P(JobQueueTest, EnqueueInTheCallersTransactionCommitsOrRollsBackWithIt) {
  auto queue = make_queue();
  std::string rolled_back_id;
  auto failed = t_->db().transact([&](db::Tx& tx) -> core::Status {
    auto id = queue->enqueue(tx, "audit", "{}");
    if (!id.ok()) return id.error();
    rolled_back_id = *id;
    return core::conflict("the caller changed its mind");
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(queue->find(rolled_back_id).error().code, core::ErrorCode::kNotFound);

  auto committed = t_->db().transact([&](db::Tx& tx) -> core::Result<std::string> {
    auto first = queue->enqueue(tx, "audit", "{}", {.dedupe_key = "k"});
    auto again = queue->enqueue(tx, "audit", "{}", {.dedupe_key = "k"});
    if (!first.ok() || !again.ok() || *first != *again) return core::internal("dedupe broken");
    return *first;
  });
  ASSERT_TRUE(committed.ok()) << committed.error().message;
  EXPECT_EQ(record(*queue, *committed).status, JobStatus::kQueued);
  EXPECT_EQ(count_jobs("kind = 'audit'"), 1);
}

// Several threads in two "processes" (two Database pools on the same data) share 120 jobs.
TEST_P(JobQueueTest, ManyWorkersRunEveryJobExactlyOnceAndNeverTwiceAtOnce) {
  auto other = t_->open_another(6);
  ASSERT_NE(other, nullptr);
  std::mutex mutex;
  std::set<std::string> active;
  std::map<std::string, int> runs;
  std::atomic<int> overlaps{0};
  const JobHandler handler = [&](const Job& job) {
    {
      std::lock_guard lock(mutex);
      if (!active.insert(job.id).second) ++overlaps;
      ++runs[job.id];
    }
    std::this_thread::yield();
    std::lock_guard lock(mutex);
    active.erase(job.id);
    return core::ok_status();
  };
  QueueSettings fast = manual_settings();
  fast.poll_interval = 20ms;
  fast.workers = 2;
  fast.instance = "a";
  auto a = make_queue(fast);
  fast.workers = 3;
  fast.instance = "b";
  auto b = make_queue(*other, fast);
  a->register_handler("work", handler);
  b->register_handler("work", handler);

  constexpr int kJobs = 120;
  std::set<std::string> ids;
  for (int i = 0; i < kJobs; ++i) {
    auto id = (i % 2 == 0 ? a : b)->enqueue("work", "{}");
    ASSERT_TRUE(id.ok());
    ids.insert(*id);
  }
  a->start();
  b->start();
  EXPECT_TRUE(wait_until([&] { return count_jobs("status = 'succeeded'") == kJobs; }));
  a->stop();
  b->stop();

  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(runs.size(), ids.size());
  for (const auto& [id, n] : runs) {
    EXPECT_EQ(n, 1) << id;
    EXPECT_EQ(ids.count(id), 1u) << id;
  }
  EXPECT_EQ(count_jobs("attempts <> 1"), 0);
}

// A handler that outlives its lease keeps the job while the heartbeat extends the lease.
TEST_P(JobQueueTest, HeartbeatKeepsTheLeaseOfALongJob) {
  QueueSettings s = manual_settings();
  s.workers = 1;
  s.heartbeat = 10ms;
  auto queue = make_queue(s);
  std::promise<void> started, release;
  auto released = release.get_future().share();
  queue->register_handler("long", [&](const Job&) {
    started.set_value();
    released.wait();
    return core::ok_status();
  });
  auto id = queue->enqueue("long", "{}");
  ASSERT_TRUE(id.ok());
  queue->start();
  ASSERT_EQ(started.get_future().wait_for(20s), std::future_status::ready);

  auto reaper = make_queue();
  for (int i = 0; i < 3; ++i) {
    clock_.advance(8s);  // 24 s in all: well past the 10 s lease taken at the claim
    const auto target = clock_.now() + 10s;
    ASSERT_TRUE(wait_until([&] { return record(*queue, *id).lease_expires_at == target; }));
    EXPECT_EQ(*reaper->reap_expired(), 0);
  }
  release.set_value();
  ASSERT_TRUE(wait_until([&] { return record(*queue, *id).status == JobStatus::kSucceeded; }));
  queue->stop();
  EXPECT_EQ(record(*queue, *id).job.attempts, 1);
}

// A worker that stops heart-beating (as if killed) loses the job to the reaper; another worker
// runs it, and the first worker's late outcome is discarded.
TEST_P(JobQueueTest, ExpiredLeaseIsReapedAndTheJobRunsAgainElsewhere) {
  QueueSettings s = manual_settings();
  s.workers = 1;
  s.instance = "stuck";
  auto stuck = make_queue(s);
  std::promise<void> started, release;
  auto released = release.get_future().share();
  stuck->register_handler("task", [&](const Job&) -> core::Status {
    started.set_value();
    released.wait();
    return core::internal("late failure that must not count");
  });
  auto id = stuck->enqueue("task", "{}");
  ASSERT_TRUE(id.ok());
  stuck->start();
  ASSERT_EQ(started.get_future().wait_for(20s), std::future_status::ready);
  EXPECT_EQ(record(*stuck, *id).lease_owner, "stuck/w1");

  auto healthy = make_queue();
  int healthy_runs = 0;
  healthy->register_handler("task", [&](const Job& job) {
    ++healthy_runs;
    EXPECT_EQ(job.attempts, 2);
    return core::ok_status();
  });
  clock_.advance(9s);
  EXPECT_EQ(*healthy->reap_expired(), 0);
  clock_.advance(2s);
  EXPECT_EQ(*healthy->reap_expired(), 1);
  JobRecord r = record(*healthy, *id);
  EXPECT_EQ(r.status, JobStatus::kQueued);
  EXPECT_EQ(r.last_error, "unavailable: the lease of stuck/w1 expired before the job finished");

  ASSERT_TRUE(*healthy->run_next());
  EXPECT_EQ(healthy_runs, 1);
  release.set_value();
  stuck->stop();
  r = record(*healthy, *id);
  EXPECT_EQ(r.status, JobStatus::kSucceeded);
  EXPECT_EQ(r.job.attempts, 2);
  EXPECT_TRUE(metrics_contain("marketlink_jobs_reaped_total{kind=\"task\"} 1\n"));
  EXPECT_FALSE(metrics_contain("marketlink_jobs_failures_total{kind=\"task\"}"));
}

TEST_P(JobQueueTest, ExpiredLeaseOnTheLastAttemptMakesTheJobDead) {
  QueueSettings s = manual_settings();
  s.workers = 1;
  auto stuck = make_queue(s);
  std::promise<void> started, release;
  auto released = release.get_future().share();
  stuck->register_handler("once", [&](const Job&) {
    started.set_value();
    released.wait();
    return core::ok_status();
  });
  auto id = stuck->enqueue("once", "{}", {.max_attempts = 1});
  stuck->start();
  ASSERT_EQ(started.get_future().wait_for(20s), std::future_status::ready);
  clock_.advance(11s);
  auto reaper = make_queue();
  EXPECT_EQ(*reaper->reap_expired(), 1);
  release.set_value();
  stuck->stop();
  const JobRecord r = record(*reaper, *id);
  EXPECT_EQ(r.status, JobStatus::kDead);
  EXPECT_NE(r.last_error.find("lease"), std::string::npos);
}

TEST_P(JobQueueTest, StopWaitsForTheRunningHandlerAndRecordsItsResult) {
  QueueSettings s = manual_settings();
  s.workers = 1;
  auto queue = make_queue(s);
  std::promise<void> started, release;
  auto released = release.get_future().share();
  queue->register_handler("slow", [&](const Job&) {
    started.set_value();
    released.wait();
    return core::ok_status();
  });
  auto id = queue->enqueue("slow", "{}");
  queue->start();
  ASSERT_EQ(started.get_future().wait_for(20s), std::future_status::ready);
  auto stopping = std::async(std::launch::async, [&] { queue->stop(); });
  EXPECT_EQ(stopping.wait_for(50ms), std::future_status::timeout);
  release.set_value();
  stopping.get();
  EXPECT_EQ(record(*queue, *id).status, JobStatus::kSucceeded);
}

// Two instances fire the same schedules at the same moments: each period yields one job.
TEST_P(JobQueueTest, SchedulesFireOncePerPeriodAcrossInstances) {
  auto other = t_->open_another(4);
  ASSERT_NE(other, nullptr);
  auto a = make_queue();
  auto b = make_queue(*other, manual_settings());
  for (JobQueue* q : {a.get(), b.get()}) {
    ASSERT_TRUE(q->add_schedule({.name = "sweep", .kind = "sweep", .when = every_minutes(5)}).ok());
    ASSERT_TRUE(q->add_schedule({.name = "report",
                                 .kind = "report",
                                 .payload = R"({"scope":"all"})",
                                 .when = hourly_at(15)})
                    .ok());
  }
  const auto fire_both = [&] {
    std::atomic<int> fired{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
      JobQueue* q = i % 2 == 0 ? a.get() : b.get();
      threads.emplace_back([q, &fired] {
        auto n = q->fire_due_schedules();
        EXPECT_TRUE(n.ok()) << n.error().message;
        if (n.ok()) fired += *n;
      });
    }
    for (auto& t : threads) t.join();
    return fired.load();
  };

  clock_.set(at("2026-03-01T10:00:00Z"));  // sweep period 10:00, report period 09:15
  EXPECT_EQ(fire_both(), 2);
  clock_.set(at("2026-03-01T10:04:59Z"));
  EXPECT_EQ(fire_both(), 0);
  clock_.set(at("2026-03-01T10:05:00Z"));
  EXPECT_EQ(fire_both(), 1);
  clock_.set(at("2026-03-01T10:14:59Z"));  // sweep period 10:10
  EXPECT_EQ(fire_both(), 1);
  clock_.set(at("2026-03-01T10:15:00Z"));  // sweep 10:15 and report 10:15
  EXPECT_EQ(fire_both(), 2);
  clock_.set(at("2026-03-01T11:14:00Z"));  // sweep 11:10, report still 10:15
  EXPECT_EQ(fire_both(), 1);
  EXPECT_EQ(fire_both(), 0);

  EXPECT_EQ(count_jobs("kind = 'sweep'"), 5);
  EXPECT_EQ(count_jobs("kind = 'report'"), 2);
  EXPECT_EQ(count_jobs("kind = 'report' AND payload = '{\"scope\":\"all\"}'"), 2);
}

TEST_P(JobQueueTest, ReportsQueueDepthAndTheAgeOfTheOldestDueJob) {
  auto queue = make_queue();
  ASSERT_TRUE(queue->enqueue("k", "{}").ok());
  clock_.advance(10s);
  ASSERT_TRUE(queue->enqueue("k", "{}").ok());
  ASSERT_TRUE(queue->enqueue("k", "{}", {.delay = 60s}).ok());
  clock_.advance(20s);
  auto stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->queued_due, 2);
  EXPECT_DOUBLE_EQ(stats->oldest_due_age_seconds, 30.0);

  // The housekeeping thread publishes the same figures as gauges.
  queue->start();
  EXPECT_TRUE(wait_until([&] {
    return metrics_contain("marketlink_jobs_queued_due 2\n") &&
           metrics_contain("marketlink_jobs_oldest_due_age_seconds 30\n");
  }));
  queue->stop();
}

INSTANTIATE_TEST_SUITE_P(Backends, JobQueueTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace jobs
