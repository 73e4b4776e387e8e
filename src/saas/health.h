// IntegrationHealth: the figures of the operator's integration health page (/operator/health)
// and of /metrics, in one place. Each figure has an owner that reports it through a provider
// function registered at start-up (app/wiring): a provider fills its part of HealthFigures and
// leaves the rest alone. A figure no provider reported stays empty (nullopt): pages and metrics
// show only what is reported. Dead jobs come from the job queue itself, with retry and discard.
//
// /metrics is rendered on the I/O thread and must not wait for the database, so metrics show the
// figures of the last refresh(): start() refreshes every `refresh_every` on a thread of its own.
//
// Thread safety: add_provider() and add_action() are for start-up, before start() and before
// requests are served; everything else is safe for concurrent use.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "identity/types.h"
#include "saas/webhooks.h"

namespace jobs {
class JobQueue;
}

namespace saas {

// Events received from one source (e.g. "eventbridge", "sns").
struct SourceFigure {
  std::string source;
  long long events = 0;
  std::optional<core::TimePoint> last_at;
};

// An SNS subscription request of one of our topics that is not confirmed: received and not
// confirmed yet, or its confirmation failed (last_error says why).
struct SnsSubscriptionRequest {
  std::string id;
  std::string topic_arn;
  std::string subscription_arn;  // once confirmed, when AWS said it
  core::TimePoint received_at;
  core::TimePoint last_received_at;
  int deliveries = 1;
  std::optional<core::TimePoint> confirmed_at;
  std::string last_error;
};

// Usage that came after its hour was sent (kept, never sent), for the operator.
struct LateUsageFigure {
  std::string org_id;
  std::string product_code;
  std::string dimension;
  core::TimePoint hour;
  long long quantity = 0;
  core::TimePoint received_at;
  std::string note;
};

// An hour AWS answered with an alarm, with AWS's answer.
struct AlarmedHourFigure {
  std::string link_id;
  std::string org_id;
  std::string product_code;
  std::string dimension;
  core::TimePoint hour;
  long long quantity = 0;
  std::string aws_status;
  std::string last_error;
};

struct HealthFigures {
  // The job queue's (always reported).
  std::optional<long long> dead_jobs;
  // Outbound webhooks (the webhooks provider).
  std::optional<WebhookFigures> webhooks;
  // Events in (the lifecycle provider).
  std::optional<std::vector<SourceFigure>> events_by_source;
  std::optional<long long> events_waiting_for_link;
  std::optional<long long> sns_subscriptions_unconfirmed;
  // The unconfirmed requests themselves, newest first (at most 50).
  std::optional<std::vector<SnsSubscriptionRequest>> sns_unconfirmed;
  // Metering (the metering provider).
  std::optional<long long> metering_hours_pending;
  std::optional<long long> metering_hours_failed;
  std::optional<long long> metering_hours_alarmed;
  std::optional<long long> metering_usage_late;
  // Newest first, at most 50 of each.
  std::optional<std::vector<LateUsageFigure>> late_usage;
  std::optional<std::vector<AlarmedHourFigure>> alarmed_hours;
};

struct DeadJob {
  std::string id;
  std::string kind;
  int attempts = 0;
  std::string last_error;
  core::TimePoint created_at;
  core::TimePoint dead_at;
};

struct HealthSettings {
  std::chrono::milliseconds refresh_every{15'000};
};

class IntegrationHealth {
 public:
  // Fills its figures; an error leaves them out of this collection (and is logged).
  using Provider = std::function<core::Status(HealthFigures&)>;
  // A button on the health page (e.g. "Run metering now"), for operator admins.
  struct Action {
    std::string name;   // in the form's URL: /operator/health/actions/{name}
    std::string label;  // the button
    std::string done;   // the flash message once it ran
    std::function<core::Status(const identity::Actor&)> run;
  };

  explicit IntegrationHealth(jobs::JobQueue& jobs, HealthSettings settings = {});
  ~IntegrationHealth();
  IntegrationHealth(const IntegrationHealth&) = delete;
  IntegrationHealth& operator=(const IntegrationHealth&) = delete;

  void add_provider(std::string name, Provider provider);
  void add_action(Action action);
  const std::vector<Action>& actions() const { return actions_; }
  // not_found / action_not_found for an unknown name.
  core::Status run_action(const std::string& name, const identity::Actor& actor) const;

  // Every provider's figures, now.
  core::Result<HealthFigures> collect() const;

  // Dead jobs of every kind, most recently dead first (at most `limit`).
  core::Result<std::vector<DeadJob>> dead_jobs(int limit = 100) const;
  // not_found / job_not_found when no dead job has the id.
  core::Status retry_job(const std::string& id) const;
  core::Status discard_job(const std::string& id) const;

  // Collects and keeps the figures for render_metrics().
  void refresh();
  // The kept figures in Prometheus text format (nothing before the first refresh).
  void render_metrics(std::string& out) const;
  // Refreshes now and then every refresh_every, until stop() (idempotent; the destructor stops).
  void start();
  void stop();

 private:
  jobs::JobQueue& jobs_;
  HealthSettings settings_;
  std::vector<std::pair<std::string, Provider>> providers_;
  std::vector<Action> actions_;

  mutable std::mutex mutex_;
  std::optional<HealthFigures> kept_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread refresher_;
};

}  // namespace saas
