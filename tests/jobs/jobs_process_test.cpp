// Two worker processes (marketlink_job_worker) share one database; one is killed with SIGKILL in
// the middle of a job. Every job must still complete, and no job may ever run in two places at
// once: the killed job runs again only after the dead worker's lease expired.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <soci/soci.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <optional>
#include <thread>

#include "core/clock.h"
#include "core/ids.h"
#include "core/metrics.h"
#include "db/database_test_support.h"
#include "db/migrations.h"
#include "jobs/job_queue.h"
#include "jobs/migrations.h"

namespace {

using db::testing::TestBackend;
using db::testing::TestDatabase;
using namespace std::chrono_literals;

constexpr int kJobs = 40;
constexpr int kLongJobs = 2;  // outlive the lease: only the heartbeat keeps them
constexpr const char* kShortMs = "120";
constexpr const char* kLongMs = "1500";
constexpr const char* kLeaseMs = "1000";

class WorkerProcess {
 public:
  explicit WorkerProcess(const std::string& db_url) {
    pid_ = fork();
    if (pid_ == 0) {
      const int devnull = ::open("/dev/null", O_WRONLY);
      if (devnull >= 0) dup2(devnull, STDOUT_FILENO);
      execl(MARKETLINK_JOB_WORKER_PATH, MARKETLINK_JOB_WORKER_PATH, "--db", db_url.c_str(),
            "--workers", "2", "--lease-ms", kLeaseMs, "--poll-ms", "50", nullptr);
      _exit(127);
    }
  }
  ~WorkerProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  // Whether the process has exited (reaping it); its exit status in `status`.
  bool exited(int* status = nullptr) {
    if (exited_) return true;
    int s = 0;
    if (waitpid(pid_, &s, WNOHANG) == pid_) {
      exited_ = true;
      status_ = s;
    }
    if (status != nullptr) *status = status_;
    return exited_;
  }
  void kill_now() {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
    exited_ = true;
  }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
};

struct JobRun {
  int pid = 0;
  int attempt = 0;
  std::string started_at;
  std::optional<std::string> ended_at;
};

class JobsProcessTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    MARKETLINK_OPEN_TEST_DATABASE(t_);
    auto applied = db::migrate(t_->db(), {jobs::migrations()}, clock_);
    ASSERT_TRUE(applied.ok()) << applied.error().message;
    auto conn = t_->db().connect();
    conn->sql() << "CREATE TABLE job_runs (job_id TEXT NOT NULL, pid INTEGER NOT NULL,"
                   " attempt INTEGER NOT NULL, started_at TEXT NOT NULL, ended_at TEXT)";
  }

  long long count(const std::string& sql) {
    auto conn = t_->db().connect();
    long long n = -1;
    conn->sql() << sql, soci::into(n);
    return n;
  }

  std::map<std::string, std::vector<JobRun>> runs_by_job() {
    std::map<std::string, std::vector<JobRun>> out;
    auto conn = t_->db().connect();
    std::string id;
    JobRun r;
    std::string ended;
    soci::indicator ended_ind = soci::i_ok;
    soci::statement st =
        (conn->sql().prepare << "SELECT job_id, pid, attempt, started_at, ended_at FROM job_runs",
         soci::into(id), soci::into(r.pid), soci::into(r.attempt), soci::into(r.started_at),
         soci::into(ended, ended_ind));
    st.execute();
    while (st.fetch()) {
      JobRun run = r;
      if (ended_ind == soci::i_ok) run.ended_at = ended;
      out[id].push_back(run);
    }
    return out;
  }

  template <typename Pred>
  bool wait_until(Pred done, std::vector<WorkerProcess*> alive, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      for (WorkerProcess* p : alive) {
        int status = 0;
        if (p->exited(&status)) {
          ADD_FAILURE() << "worker " << p->pid() << " exited early with status " << status;
          return false;
        }
      }
      std::this_thread::sleep_for(20ms);
    }
    return done();
  }

  core::SystemClock clock_;
  core::RandomIdGenerator ids_;
  core::Metrics metrics_;
  std::unique_ptr<TestDatabase> t_;
};

TEST_P(JobsProcessTest, KilledWorkersJobIsRunAgainByTheOtherAndNothingRunsTwiceAtOnce) {
  jobs::JobQueue queue(t_->db(), clock_, ids_, metrics_, {.workers = 0});
  for (int i = 0; i < kJobs; ++i) {
    ASSERT_TRUE(queue.enqueue("test.record", i < kLongJobs ? kLongMs : kShortMs).ok());
  }

  WorkerProcess victim(t_->url());
  WorkerProcess survivor(t_->url());
  ASSERT_GT(victim.pid(), 0);
  ASSERT_GT(survivor.pid(), 0);

  // Kill the victim while it is inside a job, once both processes have finished some work.
  const std::string victim_busy =
      "SELECT COUNT(*) FROM job_runs WHERE ended_at IS NULL AND pid = " +
      std::to_string(victim.pid());
  const std::string done_by = "SELECT COUNT(*) FROM job_runs WHERE ended_at IS NOT NULL AND pid = ";
  ASSERT_TRUE(wait_until(
      [&] {
        return count(done_by + std::to_string(victim.pid())) >= 2 &&
               count(done_by + std::to_string(survivor.pid())) >= 2 && count(victim_busy) >= 1;
      },
      {&victim, &survivor}, 30s));
  victim.kill_now();
  const std::string killed_at = core::format_rfc3339(clock_.now());

  ASSERT_TRUE(wait_until(
      [&] { return count("SELECT COUNT(*) FROM jobs WHERE status = 'succeeded'") == kJobs; },
      {&survivor}, 30s))
      << count("SELECT COUNT(*) FROM jobs WHERE status = 'succeeded'") << " of " << kJobs
      << " succeeded";
  kill(survivor.pid(), SIGTERM);
  ASSERT_TRUE(wait_until([&] { return survivor.exited(); }, {}, 20s));

  EXPECT_EQ(count("SELECT COUNT(*) FROM jobs WHERE status <> 'succeeded'"), 0);
  const auto runs = runs_by_job();
  EXPECT_EQ(runs.size(), static_cast<size_t>(kJobs));
  int recovered = 0;
  for (auto [id, list] : runs) {
    std::sort(list.begin(), list.end(),
              [](const JobRun& a, const JobRun& b) { return a.started_at < b.started_at; });
    EXPECT_TRUE(list.back().ended_at.has_value()) << id << ": the last run never finished";
    for (size_t i = 0; i < list.size(); ++i) {
      const JobRun& run = list[i];
      if (!run.ended_at) {
        // Only the killed process leaves runs open, and only until it died.
        EXPECT_EQ(run.pid, victim.pid()) << id;
        EXPECT_LE(run.started_at, killed_at) << id;
      }
      if (i + 1 < list.size()) {
        const std::string end = run.ended_at.value_or(killed_at);
        EXPECT_GE(list[i + 1].started_at, end) << id << ": two runs overlapped";
        EXPECT_EQ(list[i + 1].attempt, run.attempt + 1) << id;
      }
    }
    if (list.size() > 1) {
      ++recovered;
      EXPECT_EQ(list.back().pid, survivor.pid()) << id;
    }
  }
  EXPECT_GE(recovered, 1) << "the killed job was not run again";
}

INSTANTIATE_TEST_SUITE_P(Backends, JobsProcessTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
