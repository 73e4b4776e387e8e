#include <gtest/gtest.h>
#include <soci/soci.h>

#include <cstdlib>
#include <deque>
#include <fstream>
#include <mutex>
#include <sstream>

#include "core/ids.h"
#include "core/metrics.h"
#include "db/database_test_support.h"
#include "db/migrations.h"
#include "jobs/job_queue.h"
#include "jobs/migrations.h"
#include "mail/mail.h"
#include "mail/mail_test_support.h"

namespace mail {
namespace {

namespace fs = std::filesystem;
using db::testing::TestBackend;
using db::testing::TestDatabase;

// Answers each send with the next scripted status (ok once the script runs out).
class ScriptedMailer final : public Mailer {
 public:
  explicit ScriptedMailer(std::deque<core::Status> script) : script_(std::move(script)) {}
  core::Status send(const Message& message) override {
    std::lock_guard lock(mutex_);
    sent_.push_back(message);
    if (script_.empty()) return {};
    core::Status next = script_.front();
    script_.pop_front();
    return next;
  }
  std::vector<Message> sent() {
    std::lock_guard lock(mutex_);
    return sent_;
  }

 private:
  std::mutex mutex_;
  std::deque<core::Status> script_;
  std::vector<Message> sent_;
};

class MailQueueTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    MARKETLINK_OPEN_TEST_DATABASE(t_);
    auto applied = db::migrate(t_->db(), {jobs::migrations()}, clock_);
    ASSERT_TRUE(applied.ok()) << applied.error().message;
    outbox_ = fs::temp_directory_path() /
              ("marketlink-mailq-" + core::base64url_encode(core::random_bytes(6)));
    jobs_ = std::make_unique<jobs::JobQueue>(
        t_->db(), clock_, ids_, metrics_,
        jobs::QueueSettings{.workers = 0, .backoff_base = std::chrono::milliseconds(1000)},
        [] { return 0.5; });
    queue_ = make_mail_queue(*jobs_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(outbox_, ec);
  }

  std::vector<jobs::JobRecord> mail_jobs() {
    std::vector<std::string> ids;
    {
      auto conn = t_->db().connect();
      std::string id;
      soci::statement st = (conn->sql().prepare << "SELECT id FROM jobs WHERE kind = 'mail.send'"
                                                   " ORDER BY created_at, id",
                            soci::into(id));
      st.execute();
      while (st.fetch()) ids.push_back(id);
    }
    std::vector<jobs::JobRecord> out;
    for (const auto& id : ids) out.push_back(*jobs_->find(id));
    return out;
  }

  core::ManualClock clock_{*core::parse_rfc3339("2026-03-01T10:00:00Z")};
  core::SequentialIdGenerator ids_{"id"};
  core::Metrics metrics_;
  std::unique_ptr<TestDatabase> t_;
  fs::path outbox_;
  std::unique_ptr<jobs::JobQueue> jobs_;
  std::unique_ptr<MailQueue> queue_;
};

Message welcome() {
  return {.to = "buyer@example.com",
          .subject = "Welcome to Marketlink",
          .text_body = "Hello!\n",
          .html_body = "<p>Hello!</p>"};
}

TEST_P(MailQueueTest, QueuedMailIsWrittenToTheOutboxByTheSendJob) {
  auto mailer = make_mailer({.outbox_dir = outbox_}, clock_, ids_);
  ASSERT_TRUE(mailer.ok());
  register_send_handler(*jobs_, **mailer);
  ASSERT_TRUE(queue_->enqueue(welcome()).ok());
  EXPECT_TRUE(testing::eml_files(outbox_).empty()) << "queueing must not send";

  ASSERT_TRUE(*jobs_->run_next());
  const auto files = testing::eml_files(outbox_);
  ASSERT_EQ(files.size(), 1u);
  std::ifstream in(files[0], std::ios::binary);
  std::stringstream raw;
  raw << in.rdbuf();
  std::string error;
  auto parsed = testing::parse_message(raw.str(), error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_EQ(parsed->header("to"), welcome().to);
  EXPECT_EQ(parsed->header("subject"), welcome().subject);
  EXPECT_EQ(parsed->text, welcome().text_body);
  EXPECT_EQ(parsed->html, welcome().html_body);
  const auto jobs = mail_jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].status, jobs::JobStatus::kSucceeded);
  EXPECT_EQ(jobs[0].job.max_attempts, kSendAttempts);
}

TEST_P(MailQueueTest, UnavailableRetriesLaterAndInvalidGoesDead) {
  ScriptedMailer mailer({core::unavailable("mail server down"),
                         core::invalid("The mail server refused the recipient for good (550).")});
  register_send_handler(*jobs_, mailer);
  ASSERT_TRUE(queue_->enqueue(welcome()).ok());

  ASSERT_TRUE(*jobs_->run_next());
  auto job = mail_jobs().at(0);
  EXPECT_EQ(job.status, jobs::JobStatus::kQueued);
  EXPECT_EQ(job.last_error, "unavailable: mail server down");
  EXPECT_EQ(job.job.run_at, clock_.now() + std::chrono::milliseconds(500));

  clock_.advance(std::chrono::seconds(1));
  ASSERT_TRUE(*jobs_->run_next());
  job = mail_jobs().at(0);
  EXPECT_EQ(job.status, jobs::JobStatus::kDead);
  EXPECT_EQ(job.job.attempts, 2);
  ASSERT_EQ(mailer.sent().size(), 2u);
  EXPECT_EQ(mailer.sent()[1].html_body, welcome().html_body);
}

TEST_P(MailQueueTest, InvalidMessagesAreRefusedWhenQueued) {
  auto r = queue_->enqueue({.to = "not-an-address", .subject = "s", .text_body = "t"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kInvalid);
  EXPECT_TRUE(mail_jobs().empty());
}

TEST_P(MailQueueTest, MalformedPayloadGoesDead) {
  ScriptedMailer mailer({});
  register_send_handler(*jobs_, mailer);
  ASSERT_TRUE(jobs_->enqueue(kSendJobKind, R"({"to":"a@b.c"})").ok());
  ASSERT_TRUE(*jobs_->run_next());
  const auto job = mail_jobs().at(0);
  EXPECT_EQ(job.status, jobs::JobStatus::kDead);
  EXPECT_EQ(job.last_error, "invalid: The mail.send payload is not a message.");
  EXPECT_TRUE(mailer.sent().empty());
}

TEST_P(MailQueueTest, MailQueuedInARolledBackTransactionIsNeverSent) {
  auto rolled_back = t_->db().transact([&](db::Tx& tx) -> core::Status {
    if (auto r = queue_->enqueue(tx, welcome()); !r.ok()) return r;
    return core::conflict("the sign-up failed after all");
  });
  ASSERT_FALSE(rolled_back.ok());
  EXPECT_TRUE(mail_jobs().empty());
  auto committed =
      t_->db().transact([&](db::Tx& tx) -> core::Status { return queue_->enqueue(tx, welcome()); });
  ASSERT_TRUE(committed.ok());
  EXPECT_EQ(mail_jobs().size(), 1u);
}

TEST_P(MailQueueTest, QueuedMailReachesARealSmtpServerThroughWorkers) {
  const char* url = std::getenv("MARKETLINK_TEST_SMTP_URL");
  const char* maildir = std::getenv("MARKETLINK_TEST_SMTP_MAILDIR");
  if (url == nullptr || *url == '\0' || maildir == nullptr || *maildir == '\0') {
    const char* require = std::getenv("MARKETLINK_TEST_REQUIRE_PG");
    if (require != nullptr && std::string(require) == "1")
      FAIL() << "MARKETLINK_TEST_REQUIRE_PG=1 but MARKETLINK_TEST_SMTP_URL is unset";
    GTEST_SKIP() << "MARKETLINK_TEST_SMTP_URL is unset; SMTP cases skipped";
  }
  core::SystemClock clock;
  core::RandomIdGenerator ids;
  jobs::JobQueue workers(t_->db(), clock, ids, metrics_,
                         {.workers = 2, .poll_interval = std::chrono::milliseconds(50)});
  auto mailer = make_mailer({.smtp_url = url}, clock, ids);
  ASSERT_TRUE(mailer.ok());
  register_send_handler(workers, **mailer);
  auto queue = make_mail_queue(workers);
  Message message = welcome();
  message.subject = "Queued " + ids.new_id();
  ASSERT_TRUE(queue->enqueue(message).ok());
  workers.start();
  auto parsed = testing::wait_for_message(maildir, message.subject, std::chrono::seconds(20));
  workers.stop();
  ASSERT_TRUE(parsed) << "the queued message did not arrive";
  EXPECT_EQ(parsed->text, message.text_body);
  EXPECT_EQ(parsed->html, message.html_body);
}

INSTANTIATE_TEST_SUITE_P(Backends, MailQueueTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql),
                         [](const auto& info) { return db::testing::backend_name(info.param); });

}  // namespace
}  // namespace mail
