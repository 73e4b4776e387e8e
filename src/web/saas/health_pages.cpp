// The operator's integration health page (/operator/health): the figures every provider reports
// (saas/health.h), dead jobs with retry and discard, and the providers' actions.
#include <fmt/format.h>

#include "web/handlers.h"
#include "web/page_support.h"
#include "web/saas/webhook_shared.h"

namespace web {

namespace {

using http::TemplateData;

constexpr const char* kHealthPath = "/operator/health";

struct HealthPages {
  Pages& pages;
  const Auth& auth;
  saas::IntegrationHealth& health;

  http::Response show(http::Request& r, RequestContext& ctx) const {
    auto figures = health.collect();
    if (!figures.ok()) return auth.error(r, figures.error(), &ctx);
    auto dead = health.dead_jobs(100);
    if (!dead.ok()) return auth.error(r, dead.error(), &ctx);
    TemplateData d = org_page_data(ctx);
    const saas::HealthFigures& f = *figures;
    if (f.webhooks) {
      TemplateData w;
      w.set("endpoints", std::to_string(f.webhooks->endpoints));
      w.set("failing", std::to_string(f.webhooks->failing));
      w.set("failing_nonzero", f.webhooks->failing > 0);
      w.set("dead", std::to_string(f.webhooks->dead));
      w.set("dead_nonzero", f.webhooks->dead > 0);
      w.set("succeeded", std::to_string(f.webhooks->succeeded_total));
      d.set("webhooks", w);
    }
    if (f.events_by_source || f.events_waiting_for_link || f.sns_subscriptions_unconfirmed) {
      TemplateData e;
      TemplateData sources{TemplateData::type::list};
      for (const saas::SourceFigure& s :
           f.events_by_source.value_or(std::vector<saas::SourceFigure>{})) {
        TemplateData item;
        item.set("source", s.source);
        item.set("events", std::to_string(s.events));
        if (s.last_at) item.set("last", display_time(*s.last_at));
        sources.push_back(item);
      }
      e.set("sources", sources);
      if (f.events_waiting_for_link) {
        e.set("waiting", std::to_string(*f.events_waiting_for_link));
      }
      if (f.sns_subscriptions_unconfirmed) {
        e.set("unconfirmed", std::to_string(*f.sns_subscriptions_unconfirmed));
      }
      TemplateData requests{TemplateData::type::list};
      for (const saas::SnsSubscriptionRequest& q :
           f.sns_unconfirmed.value_or(std::vector<saas::SnsSubscriptionRequest>{})) {
        TemplateData item;
        item.set("topic", q.topic_arn);
        item.set("received", display_time(q.last_received_at));
        item.set("deliveries", std::to_string(q.deliveries));
        item.set("error", q.last_error.empty() ? std::string("Not confirmed yet") : q.last_error);
        requests.push_back(item);
      }
      d.set("has_sns_unconfirmed", f.sns_unconfirmed && !f.sns_unconfirmed->empty());
      d.set("sns_unconfirmed", requests);
      d.set("events_in", e);
    }
    TemplateData hours{TemplateData::type::list};
    const std::pair<const char*, const std::optional<long long>*> states[] = {
        {"pending", &f.metering_hours_pending},
        {"failed", &f.metering_hours_failed},
        {"alarmed", &f.metering_hours_alarmed}};
    bool metering = false;
    for (const auto& [state, value] : states) {
      if (!*value) continue;
      metering = true;
      TemplateData item;
      item.set("state", state);
      item.set("count", std::to_string(**value));
      hours.push_back(item);
    }
    if (f.metering_usage_late) {
      metering = true;
      TemplateData item;
      item.set("state", "Late usage (after its hour was sent)");
      item.set("count", std::to_string(*f.metering_usage_late));
      item.set("href", "#late-heading");
      hours.push_back(item);
    }
    TemplateData late{TemplateData::type::list};
    for (const saas::LateUsageFigure& u :
         f.late_usage.value_or(std::vector<saas::LateUsageFigure>{})) {
      TemplateData row;
      row.set("org", u.org_id);
      row.set("product", u.product_code);
      row.set("dimension", u.dimension);
      row.set("hour", display_time(u.hour));
      row.set("quantity", std::to_string(u.quantity));
      row.set("received", display_time(u.received_at));
      row.set("note", u.note);
      late.push_back(row);
    }
    d.set("late_usage", late);
    d.set("has_late_usage", f.late_usage && !f.late_usage->empty());
    TemplateData alarmed{TemplateData::type::list};
    for (const saas::AlarmedHourFigure& h :
         f.alarmed_hours.value_or(std::vector<saas::AlarmedHourFigure>{})) {
      TemplateData row;
      row.set("org", h.org_id);
      row.set("product", h.product_code);
      row.set("dimension", h.dimension);
      row.set("hour", display_time(h.hour));
      row.set("quantity", std::to_string(h.quantity));
      row.set("aws_status", h.aws_status);
      row.set("error", h.last_error);
      alarmed.push_back(row);
    }
    d.set("alarmed_hours", alarmed);
    d.set("has_alarmed_hours", f.alarmed_hours && !f.alarmed_hours->empty());
    if (metering) {
      TemplateData m;
      m.set("hours", hours);
      d.set("metering", m);
    }
    d.set("dead_jobs", std::to_string(f.dead_jobs.value_or(0)));
    TemplateData jobs{TemplateData::type::list};
    for (const saas::DeadJob& j : *dead) {
      TemplateData row;
      row.set("id", j.id);
      row.set("kind", j.kind);
      row.set("attempts", std::to_string(j.attempts));
      row.set("last_error", j.last_error);
      row.set("dead_at", display_time(j.dead_at));
      jobs.push_back(row);
    }
    d.set("jobs", jobs);
    d.set("has_dead_jobs", !dead->empty());
    TemplateData actions{TemplateData::type::list};
    for (const saas::IntegrationHealth::Action& a : health.actions()) {
      TemplateData item;
      item.set("name", a.name);
      item.set("label", a.label);
      actions.push_back(item);
    }
    d.set("actions", actions);
    d.set("has_actions", !health.actions().empty());
    return pages.render(
        r, ctx, "operator_health",
        Frame{.title = "Integration health",
              .breadcrumbs = {Link{.label = "Operator", .href = "/orgs/" + ctx.org->slug}}},
        std::move(d));
  }

  http::Response retry(http::Request& r, RequestContext& ctx) const {
    if (auto s = health.retry_job(r.param("id")); !s.ok()) return auth.error(r, s.error(), &ctx);
    return auth.redirect_with_flash(kHealthPath, "Job queued again");
  }

  http::Response discard(http::Request& r, RequestContext& ctx) const {
    if (Form(r)["confirmed"] != "yes") {
      auto dead = health.dead_jobs(500);
      if (!dead.ok()) return auth.error(r, dead.error(), &ctx);
      for (const saas::DeadJob& j : *dead) {
        if (j.id != r.param("id")) continue;
        TemplateData d = org_page_data(ctx);
        d.set("id", j.id);
        d.set("kind", j.kind);
        return pages.render(r, ctx, "operator_health_discard", Frame{.title = "Discard dead job"},
                            std::move(d));
      }
      return auth.error(r, core::not_found("No dead job has this id.", "job_not_found"), &ctx);
    }
    if (auto s = health.discard_job(r.param("id")); !s.ok()) return auth.error(r, s.error(), &ctx);
    return auth.redirect_with_flash(kHealthPath, "Job discarded");
  }

  http::Response action(http::Request& r, RequestContext& ctx) const {
    for (const saas::IntegrationHealth::Action& a : health.actions()) {
      if (a.name != r.param("name")) continue;
      if (auto s = a.run(ctx.actor(r)); !s.ok()) return auth.error(r, s.error(), &ctx);
      return auth.redirect_with_flash(kHealthPath, a.done);
    }
    return auth.error(r, core::not_found("There is no such action.", "action_not_found"), &ctx);
  }

  void add_routes(http::Router& router) const {
    const HealthPages& p = *this;
    using P = HealthPages;
    const auto member = [&](auto method) { return auth.operator_member(to(p, method)); };
    const auto admin = [&](auto method) { return auth.operator_admin(to(p, method)); };
    router.get(kHealthPath, member(&P::show));
    router.post("/operator/health/jobs/{id}/retry", admin(&P::retry));
    router.post("/operator/health/jobs/{id}/discard", admin(&P::discard));
    router.post("/operator/health/actions/{name}", admin(&P::action));
  }
};

}  // namespace

void add_health_pages(http::Router& router, Pages& pages, const Auth& auth,
                      saas::IntegrationHealth& health) {
  HealthPages{pages, auth, health}.add_routes(router);
}

}  // namespace web
