#include "saas/health.h"

#include <fmt/format.h>

#include "core/log.h"
#include "core/metrics.h"
#include "jobs/job_queue.h"

namespace saas {

namespace {

void gauge(std::string& out, const char* name, const char* help, double value,
           const std::string& labels = "") {
  out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{}{} {}\n", name, help, name, name, labels,
                     core::Metrics::format_number(value));
}

}  // namespace

IntegrationHealth::IntegrationHealth(jobs::JobQueue& jobs, HealthSettings settings)
    : jobs_(jobs), settings_(settings) {}

IntegrationHealth::~IntegrationHealth() { stop(); }

void IntegrationHealth::add_provider(std::string name, Provider provider) {
  providers_.emplace_back(std::move(name), std::move(provider));
}

void IntegrationHealth::add_action(Action action) { actions_.push_back(std::move(action)); }

core::Status IntegrationHealth::run_action(const std::string& name,
                                           const identity::Actor& actor) const {
  for (const Action& a : actions_) {
    if (a.name == name) return a.run(actor);
  }
  return core::not_found("There is no such action.", "action_not_found");
}

core::Result<HealthFigures> IntegrationHealth::collect() const {
  HealthFigures figures;
  auto dead = jobs_.count_dead();
  if (!dead.ok()) return dead.error();
  figures.dead_jobs = *dead;
  for (const auto& [name, provider] : providers_) {
    HealthFigures part = figures;
    if (auto s = provider(part); !s.ok()) {
      core::log::warn("health figures not collected",
                      {{"provider", name}, {"error", s.error().message}});
      continue;
    }
    figures = std::move(part);
  }
  return figures;
}

core::Result<std::vector<DeadJob>> IntegrationHealth::dead_jobs(int limit) const {
  auto records = jobs_.dead_jobs(limit);
  if (!records.ok()) return records.error();
  std::vector<DeadJob> out;
  for (const jobs::JobRecord& r : *records) {
    out.push_back({.id = r.job.id,
                   .kind = r.job.kind,
                   .attempts = r.job.attempts,
                   .last_error = r.last_error,
                   .created_at = r.created_at,
                   .dead_at = r.updated_at});
  }
  return out;
}

core::Status IntegrationHealth::retry_job(const std::string& id) const {
  return jobs_.retry_dead(id);
}

core::Status IntegrationHealth::discard_job(const std::string& id) const {
  return jobs_.discard_dead(id);
}

void IntegrationHealth::refresh() {
  auto figures = collect();
  if (!figures.ok()) {
    core::log::warn("health figures not refreshed", {{"error", figures.error().message}});
    return;
  }
  std::lock_guard lock(mutex_);
  kept_ = std::move(figures).value();
}

void IntegrationHealth::render_metrics(std::string& out) const {
  std::optional<HealthFigures> f;
  {
    std::lock_guard lock(mutex_);
    f = kept_;
  }
  if (!f) return;
  if (f->dead_jobs) {
    gauge(out, "marketlink_jobs_dead", "Dead jobs waiting for an operator (every kind).",
          static_cast<double>(*f->dead_jobs));
  }
  if (f->webhooks) {
    gauge(out, "marketlink_webhook_endpoints", "Webhook endpoints registered.",
          static_cast<double>(f->webhooks->endpoints));
    gauge(out, "marketlink_webhook_deliveries_failing",
          "Webhook deliveries whose last attempt failed and that will be tried again.",
          static_cast<double>(f->webhooks->failing));
    gauge(out, "marketlink_webhook_deliveries_dead",
          "Webhook deliveries that failed every attempt.", static_cast<double>(f->webhooks->dead));
  }
  if (f->events_by_source) {
    out +=
        "# HELP marketlink_saas_events_received AWS events received, by source.\n"
        "# TYPE marketlink_saas_events_received gauge\n";
    for (const SourceFigure& s : *f->events_by_source) {
      out += fmt::format("marketlink_saas_events_received{{source=\"{}\"}} {}\n",
                         core::Metrics::escape_label_value(s.source), s.events);
    }
    out +=
        "# HELP marketlink_saas_events_last_received_seconds Unix time of the last AWS event, by "
        "source.\n# TYPE marketlink_saas_events_last_received_seconds gauge\n";
    for (const SourceFigure& s : *f->events_by_source) {
      if (!s.last_at) continue;
      out +=
          fmt::format("marketlink_saas_events_last_received_seconds{{source=\"{}\"}} {}\n",
                      core::Metrics::escape_label_value(s.source), core::unix_seconds(*s.last_at));
    }
  }
  if (f->events_waiting_for_link) {
    gauge(out, "marketlink_saas_events_waiting_for_link",
          "AWS events kept until their subscription is linked.",
          static_cast<double>(*f->events_waiting_for_link));
  }
  if (f->sns_subscriptions_unconfirmed) {
    gauge(out, "marketlink_saas_sns_subscriptions_unconfirmed",
          "SNS subscriptions not confirmed yet.",
          static_cast<double>(*f->sns_subscriptions_unconfirmed));
  }
  const std::pair<const char*, const std::optional<long long>*> hours[] = {
      {"pending", &f->metering_hours_pending},
      {"failed", &f->metering_hours_failed},
      {"alarmed", &f->metering_hours_alarmed}};
  bool described = false;
  for (const auto& [state, value] : hours) {
    if (!*value) continue;
    if (!described) {
      out +=
          "# HELP marketlink_metering_hours Metered hours by state.\n"
          "# TYPE marketlink_metering_hours gauge\n";
      described = true;
    }
    out += fmt::format("marketlink_metering_hours{{state=\"{}\"}} {}\n", state, **value);
  }
  if (f->metering_usage_late) {
    gauge(out, "marketlink_metering_usage_late",
          "Usage records that came after their hour was sent (kept, never sent).",
          static_cast<double>(*f->metering_usage_late));
  }
}

void IntegrationHealth::start() {
  std::lock_guard lock(mutex_);
  if (refresher_.joinable() || stopping_) return;
  refresher_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      refresh();
      lock.lock();
      wake_.wait_for(lock, settings_.refresh_every, [&] { return stopping_; });
    }
  });
}

void IntegrationHealth::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (refresher_.joinable()) refresher_.join();
}

}  // namespace saas
