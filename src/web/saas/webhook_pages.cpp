// The operator's webhook pages: /operator/webhooks (endpoints and the form to add one; the signing
// secret on the page that answers the form, once), /operator/webhooks/{id} (an endpoint's
// deliveries with the endpoint's answers, replay, test event) and its deletion with confirmation.
#include <fmt/format.h>

#include <algorithm>

#include "web/handlers.h"
#include "web/page_support.h"
#include "web/saas/webhook_shared.h"

namespace web {

namespace {

using http::TemplateData;

constexpr const char* kWebhooksPath = "/operator/webhooks";

constexpr saas::OutboxEvent kEvents[] = {saas::OutboxEvent::kLinked,
                                         saas::OutboxEvent::kActive,
                                         saas::OutboxEvent::kUnsubscribePending,
                                         saas::OutboxEvent::kCancelled,
                                         saas::OutboxEvent::kEntitlementsChanged,
                                         saas::OutboxEvent::kMeteringFailed};

const char* event_help(saas::OutboxEvent e) {
  switch (e) {
    case saas::OutboxEvent::kLinked: return "A buyer's subscription was linked to an organization.";
    case saas::OutboxEvent::kActive: return "AWS confirmed the subscription.";
    case saas::OutboxEvent::kUnsubscribePending:
      return "The buyer cancelled in AWS; final usage is being sent.";
    case saas::OutboxEvent::kCancelled: return "The subscription ended.";
    case saas::OutboxEvent::kEntitlementsChanged:
      return "The organization's entitlements for the product changed.";
    case saas::OutboxEvent::kMeteringFailed: return "Usage could not be billed.";
  }
  return "";
}

const char* status_chip(saas::DeliveryStatus s) {
  switch (s) {
    case saas::DeliveryStatus::kSucceeded: return "ok";
    case saas::DeliveryStatus::kPending: return "wait";
    case saas::DeliveryStatus::kRetrying: return "wait";
    case saas::DeliveryStatus::kDead: return "fail";
  }
  return "neutral";
}

const char* status_label(saas::DeliveryStatus s) {
  switch (s) {
    case saas::DeliveryStatus::kSucceeded: return "Delivered";
    case saas::DeliveryStatus::kPending: return "Queued";
    case saas::DeliveryStatus::kRetrying: return "Retrying";
    case saas::DeliveryStatus::kDead: return "Failed";
  }
  return "";
}

std::string events_label(const std::vector<saas::OutboxEvent>& events) {
  std::string out;
  for (saas::OutboxEvent e : events) {
    out += (out.empty() ? "" : ", ") + std::string(saas::outbox_event_name(e));
  }
  return out;
}

std::vector<Link> crumbs(const RequestContext& ctx, bool with_webhooks) {
  std::vector<Link> out = {Link{.label = "Operator", .href = "/orgs/" + ctx.org->slug}};
  if (with_webhooks) out.push_back(Link{.label = "Webhooks", .href = kWebhooksPath});
  return out;
}

struct WebhookPages {
  Pages& pages;
  const Auth& auth;
  saas::WebhookService& webhooks;

  // The list and the form to add one, with what was typed and its errors.
  http::Response list_page(http::Request& r, RequestContext& ctx, const std::string& url,
                           const std::vector<saas::OutboxEvent>& chosen, const core::Error* error,
                           int status) const {
    auto endpoints = webhooks.endpoints();
    if (!endpoints.ok()) return auth.error(r, endpoints.error(), &ctx);
    TemplateData d = org_page_data(ctx);
    TemplateData rows{TemplateData::type::list};
    for (const saas::WebhookEndpoint& e : *endpoints) {
      TemplateData row;
      row.set("id", e.id);
      row.set("href", std::string(kWebhooksPath) + "/" + e.id);
      row.set("url", e.url);
      row.set("events", events_label(e.events));
      row.set("secret_hint", e.secret_hint);
      row.set("created", display_time(e.created_at));
      row.set("created_by", e.created_by);
      rows.push_back(row);
    }
    d.set("endpoints", rows);
    d.set("has_endpoints", !endpoints->empty());
    d.set("url", url);
    TemplateData events{TemplateData::type::list};
    for (saas::OutboxEvent e : kEvents) {
      TemplateData item;
      item.set("name", saas::outbox_event_name(e));
      item.set("help", event_help(e));
      item.set("checked", std::find(chosen.begin(), chosen.end(), e) != chosen.end());
      events.push_back(item);
    }
    d.set("events", events);
    if (error != nullptr) set_errors(d, *error);
    return pages.render(r, ctx, "operator_webhooks",
                        Frame{.title = "Webhooks", .breadcrumbs = crumbs(ctx, false)}, std::move(d),
                        status);
  }

  http::Response list(http::Request& r, RequestContext& ctx) const {
    return list_page(r, ctx, "",
                     std::vector<saas::OutboxEvent>(std::begin(kEvents), std::end(kEvents)),
                     nullptr, 200);
  }

  http::Response create(http::Request& r, RequestContext& ctx) const {
    const Form form(r);
    saas::NewEndpoint request{.url = form["url"], .events = {}};
    for (const std::string& name : form.all("events")) {
      if (auto e = saas::parse_outbox_event(name)) request.events.push_back(*e);
    }
    auto created = webhooks.create_endpoint(ctx.org_id(), request, ctx.actor(r));
    if (!created.ok()) {
      const core::Error& e = created.error();
      if (e.code != core::ErrorCode::kInvalid) return auth.error(r, e, &ctx);
      return list_page(r, ctx, request.url, request.events, &e, status_of(e));
    }
    // The one time the secret is shown: this answer is not kept (Cache-Control: no-store).
    TemplateData d = org_page_data(ctx);
    d.set("url", created->endpoint.url);
    d.set("events", events_label(created->endpoint.events));
    d.set("secret", created->secret);
    d.set("href", std::string(kWebhooksPath) + "/" + created->endpoint.id);
    return pages.render(r, ctx, "operator_webhook_created",
                        Frame{.title = "Webhook endpoint added",
                              .breadcrumbs = crumbs(ctx, true),
                              .flash_message = "Webhook endpoint added",
                              .flash_kind = "ok"},
                        std::move(d), 201);
  }

  http::Response show(http::Request& r, RequestContext& ctx) const {
    auto endpoint = webhooks.endpoint(r.param("id"));
    if (!endpoint.ok()) return auth.error(r, endpoint.error(), &ctx);
    auto deliveries = webhooks.deliveries(endpoint->id, 50);
    if (!deliveries.ok()) return auth.error(r, deliveries.error(), &ctx);
    TemplateData d = org_page_data(ctx);
    d.set("id", endpoint->id);
    d.set("url", endpoint->url);
    d.set("events", events_label(endpoint->events));
    d.set("secret_hint", endpoint->secret_hint);
    d.set("created", display_time(endpoint->created_at));
    d.set("created_by", endpoint->created_by);
    d.set("base", std::string(kWebhooksPath) + "/" + endpoint->id);
    TemplateData rows{TemplateData::type::list};
    bool running = false;
    for (const saas::WebhookDelivery& del : *deliveries) {
      TemplateData row;
      row.set("id", del.id);
      row.set("type", del.event_type);
      row.set("event_id", del.event_id);
      row.set("created", display_time(del.created_at));
      row.set("status_label", status_label(del.status));
      row.set("status_chip", status_chip(del.status));
      row.set("attempts", std::to_string(del.attempts));
      if (!del.replay_of.empty()) row.set("replay_of", del.replay_of);
      running = running || del.status == saas::DeliveryStatus::kPending;
      TemplateData log{TemplateData::type::list};
      for (const saas::DeliveryAttempt& a : del.attempt_log) {
        TemplateData item;
        item.set("attempt", std::to_string(a.attempt));
        item.set("at", display_time(a.at));
        item.set("status_code", a.status_code == 0 ? "No answer" : std::to_string(a.status_code));
        item.set("duration", fmt::format("{} ms", a.duration_ms));
        if (!a.response_excerpt.empty()) item.set("excerpt", a.response_excerpt);
        if (!a.error.empty()) item.set("error", a.error);
        log.push_back(item);
      }
      row.set("log", log);
      row.set("has_log", !del.attempt_log.empty());
      rows.push_back(row);
    }
    d.set("deliveries", rows);
    d.set("has_deliveries", !deliveries->empty());
    return pages.render(r, ctx, "operator_webhook",
                        Frame{.title = "Webhook endpoint",
                              .breadcrumbs = crumbs(ctx, true),
                              .refresh_seconds = running ? 5 : 0},
                        std::move(d));
  }

  http::Response send_test(http::Request& r, RequestContext& ctx) const {
    auto sent = webhooks.send_test(r.param("id"));
    if (!sent.ok()) return auth.error(r, sent.error(), &ctx);
    return auth.redirect_with_flash(std::string(kWebhooksPath) + "/" + r.param("id"),
                                    "Test event queued");
  }

  http::Response replay(http::Request& r, RequestContext& ctx) const {
    auto replayed = webhooks.replay(r.param("id"), r.param("delivery"));
    if (!replayed.ok()) return auth.error(r, replayed.error(), &ctx);
    return auth.redirect_with_flash(std::string(kWebhooksPath) + "/" + r.param("id"),
                                    "Delivery queued again");
  }

  http::Response confirm_delete(http::Request& r, RequestContext& ctx) const {
    auto endpoint = webhooks.endpoint(r.param("id"));
    if (!endpoint.ok()) return auth.error(r, endpoint.error(), &ctx);
    TemplateData d = org_page_data(ctx);
    d.set("url", endpoint->url);
    d.set("action", std::string(kWebhooksPath) + "/" + endpoint->id + "/delete");
    d.set("back", std::string(kWebhooksPath) + "/" + endpoint->id);
    return pages.render(r, ctx, "operator_webhook_delete",
                        Frame{.title = "Delete webhook endpoint", .breadcrumbs = crumbs(ctx, true)},
                        std::move(d));
  }

  http::Response remove(http::Request& r, RequestContext& ctx) const {
    if (Form(r)["confirmed"] != "yes") return confirm_delete(r, ctx);
    auto endpoint = webhooks.endpoint(r.param("id"));
    if (!endpoint.ok()) return auth.error(r, endpoint.error(), &ctx);
    if (auto s = webhooks.delete_endpoint(ctx.org_id(), endpoint->id, ctx.actor(r)); !s.ok()) {
      return auth.error(r, s.error(), &ctx);
    }
    return auth.redirect_with_flash(kWebhooksPath,
                                    "Webhook endpoint " + endpoint->url + " deleted");
  }

  void add_routes(http::Router& router) const {
    const WebhookPages& p = *this;
    using P = WebhookPages;
    const auto member = [&](auto method) { return auth.operator_member(to(p, method)); };
    const auto admin = [&](auto method) { return auth.operator_admin(to(p, method)); };
    router.get(kWebhooksPath, member(&P::list));
    router.post(kWebhooksPath, admin(&P::create));
    router.get("/operator/webhooks/{id}", member(&P::show));
    router.post("/operator/webhooks/{id}/test", admin(&P::send_test));
    router.post("/operator/webhooks/{id}/deliveries/{delivery}/replay", admin(&P::replay));
    router.get("/operator/webhooks/{id}/delete", admin(&P::confirm_delete));
    router.post("/operator/webhooks/{id}/delete", admin(&P::remove));
  }
};

}  // namespace

void add_webhook_pages(http::Router& router, Pages& pages, const Auth& auth,
                       saas::WebhookService& webhooks) {
  WebhookPages{pages, auth, webhooks}.add_routes(router);
}

}  // namespace web
