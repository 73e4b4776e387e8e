// Test-only worker process for the two-process jobs test (jobs_process_test.cpp).
//
//   marketlink_job_worker --db URL [--workers N] [--lease-ms L] [--poll-ms P]
//
// Runs job workers for the kind "test.record" until SIGTERM or SIGINT. Each execution inserts a
// row into job_runs (job id, this process's pid, attempt, start) in its own transaction, sleeps
// for the number of milliseconds in the payload, then sets the row's end. A process killed
// mid-job leaves a row without an end.
#include <fmt/format.h>
#include <signal.h>
#include <soci/soci.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/metrics.h"
#include "db/database.h"
#include "jobs/job_queue.h"

namespace {

constexpr const char* kInsertRun =
    "INSERT INTO job_runs (job_id, pid, attempt, started_at) VALUES (:id, :pid, :attempt, :at)";
constexpr const char* kEndRun =
    "UPDATE job_runs SET ended_at = :at WHERE job_id = :id AND pid = :pid AND attempt = :attempt";

int number(const std::string& text, int fallback) {
  int v = fallback;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  int workers = 2, lease_ms = 1000, poll_ms = 50;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--db") url = value;
    if (flag == "--workers") workers = number(value, workers);
    if (flag == "--lease-ms") lease_ms = number(value, lease_ms);
    if (flag == "--poll-ms") poll_ms = number(value, poll_ms);
  }
  if (url.empty()) {
    fmt::print(stderr, "usage: {} --db URL [--workers N] [--lease-ms L] [--poll-ms P]\n", argv[0]);
    return 2;
  }
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  core::log::set_level("warn");

  auto database = db::Database::open({.url = url, .pool_size = workers + 3});
  if (!database.ok()) {
    fmt::print(stderr, "job worker: {}\n", database.error().message);
    return 1;
  }
  db::Database& db = **database;
  core::SystemClock clock;
  core::RandomIdGenerator ids;
  core::Metrics metrics;
  const int pid = static_cast<int>(getpid());
  jobs::JobQueue queue(db, clock, ids, metrics,
                       {.workers = workers,
                        .lease = std::chrono::milliseconds(lease_ms),
                        .poll_interval = std::chrono::milliseconds(poll_ms),
                        .backoff_base = std::chrono::milliseconds(10),
                        .backoff_cap = std::chrono::milliseconds(100)});
  queue.register_handler("test.record", [&](const jobs::Job& job) -> core::Status {
    const std::string started = core::format_rfc3339(clock.now());
    auto begun = db.transact([&](db::Tx& tx) -> core::Status {
      tx.sql() << kInsertRun, soci::use(job.id), soci::use(pid), soci::use(job.attempts),
          soci::use(started);
      return {};
    });
    if (!begun.ok()) return begun;
    std::this_thread::sleep_for(std::chrono::milliseconds(number(job.payload, 0)));
    const std::string ended = core::format_rfc3339(clock.now());
    return db.transact([&](db::Tx& tx) -> core::Status {
      tx.sql() << kEndRun, soci::use(ended), soci::use(job.id), soci::use(pid),
          soci::use(job.attempts);
      return {};
    });
  });
  queue.start();
  fmt::print("ready {}\n", pid);
  std::fflush(stdout);
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  queue.stop();
  return 0;
}
