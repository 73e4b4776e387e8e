// A customer organization's AWS Marketplace subscriptions (/orgs/{org}/subscription) and its
// billing page (/orgs/{org}/billing): its own plan, and the payment method unless AWS bills it.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/text.h"
#include "web/handlers.h"
#include "web/page_support.h"
#include "web/saas/saas_shared.h"
#include "web/saas/saas_views_shared.h"

namespace resources {
std::span<const core::EmbeddedFile> web_saas_billing_templates();
}  // namespace resources

namespace web {

namespace {

using http::TemplateData;

const std::vector<identity::OrgKind> kCustomerOrgs = {identity::OrgKind::kCustomer};

bool has_live_link(const std::vector<saas::Subscription>& subscriptions) {
  return std::any_of(subscriptions.begin(), subscriptions.end(),
                     [](const saas::Subscription& s) { return saas::is_live(s.link.status); });
}

struct BillingPages {
  Pages& pages;
  const Auth& auth;
  saas::SaasService& saas;
  // A copy: the settings given at start-up need not outlive the router.
  SaasWebSettings settings;

  static std::string base(const RequestContext& ctx) { return "/orgs/" + ctx.org->slug; }

  http::Response subscription_page(http::Request& r, RequestContext& ctx) const {
    auto subscriptions = saas.subscriptions(ctx.org_id());
    if (!subscriptions.ok()) return auth.error(r, subscriptions.error(), &ctx);
    std::map<std::string, std::string> names;  // user id → name, of this organization's members
    if (auto members = auth.identity().members(ctx.org_id()); members.ok()) {
      for (const identity::Member& m : *members) {
        names[m.user.id] = m.user.name.empty() ? m.user.email : m.user.name;
      }
    }
    TemplateData d = org_page_data(ctx);
    TemplateData list{TemplateData::type::list};
    int index = 0;
    for (const saas::Subscription& s : *subscriptions) {
      const saas::Link& l = s.link;
      TemplateData item;
      item.set("index", std::to_string(++index));
      item.set("product_name", s.product.name);
      item.set("product_code", s.product.product_code);
      item.set("status_label", saas::display_name(l.status));
      item.set("status_chip", link_status_chip(l.status));
      item.set("pending", l.status == saas::LinkStatus::kPending);
      item.set("ending", l.status == saas::LinkStatus::kUnsubscribePending);
      item.set("ended", !saas::is_live(l.status));
      item.set("account_id", l.customer_aws_account_id.empty() ? "—" : l.customer_aws_account_id);
      item.set("concurrent", s.product.concurrent_agreements);
      item.set("license_arn", l.license_arn.empty() ? "—" : l.license_arn);
      item.set("customer_identifier", l.customer_identifier.empty() ? "—" : l.customer_identifier);
      if (!l.free_trial()) {
        item.set("free_trial", "No");
      } else if (l.free_trial_ends_at) {
        item.set("free_trial", "Free trial, ends " + display_time(*l.free_trial_ends_at));
      } else {
        item.set("free_trial", "Free trial — AWS tells us when it ends");
      }
      item.set("linked_at", display_time(l.created_at));
      const auto name = names.find(l.linked_by_user_id);
      item.set("linked_by", name != names.end() ? name->second : "a former member");
      item.set("manage_url", s.product.manage_url);
      TemplateData entitlements{TemplateData::type::list};
      for (const saas::Entitlement& e : s.entitlements) {
        TemplateData row;
        row.set("dimension", e.dimension);
        row.set("value", e.value);
        row.set("expires", e.expires_at ? display_time(*e.expires_at) : std::string("—"));
        entitlements.push_back(row);
      }
      item.set("entitlements", entitlements);
      item.set("has_entitlements", !s.entitlements.empty());
      list.push_back(item);
    }
    d.set("subscriptions", list);
    d.set("has_subscriptions", !subscriptions->empty());
    return pages.render(r, ctx, "saas_subscription",
                        Frame{.title = "AWS Marketplace", .breadcrumbs = org_crumbs(ctx)},
                        std::move(d));
  }

  http::Response billing_page(http::Request& r, RequestContext& ctx) const {
    auto subscriptions = saas.subscriptions(ctx.org_id());
    if (!subscriptions.ok()) return auth.error(r, subscriptions.error(), &ctx);
    const identity::Organization& org = *ctx.org;
    TemplateData d = org_page_data(ctx);
    switch (org.subscription) {
      case identity::SubscriptionStatus::kTrial:
        d.set("plan_label", "Trial");
        d.set("plan_chip", "wait");
        if (org.trial_ends_at) {
          d.set("plan_detail", "The trial ends " + display_time(*org.trial_ends_at) + ".");
        }
        break;
      case identity::SubscriptionStatus::kActive:
        d.set("plan_label", "Active");
        d.set("plan_chip", "ok");
        break;
      case identity::SubscriptionStatus::kExpired:
        d.set("plan_label", "Expired");
        d.set("plan_chip", "fail");
        d.set("plan_detail", org.trial_ends_at
                                 ? "The trial ended " + display_time(*org.trial_ends_at) + "."
                                 : std::string("The plan has expired."));
        break;
      case identity::SubscriptionStatus::kNone:
        d.set("plan_label", "No plan");
        d.set("plan_chip", "neutral");
        d.set("plan_detail", fmt::format("{} has no plan of its own.", org.name));
        break;
    }
    const bool aws_billed = has_live_link(*subscriptions);
    d.set("aws_billed", aws_billed);
    if (aws_billed) {
      std::vector<std::string> products;
      for (const saas::Subscription& s : *subscriptions) {
        if (saas::is_live(s.link.status)) products.push_back(s.product.name);
      }
      d.set("aws_products", core::join_first(products, products.size()));
      d.set("subscription_href", base(ctx) + "/subscription");
    }
    if (!settings.billing_url.empty()) d.set("billing_url", settings.billing_url);
    return pages.render(r, ctx, "saas_billing",
                        Frame{.title = "Billing", .breadcrumbs = org_crumbs(ctx)}, std::move(d));
  }

  void add_routes(http::Router& router) const {
    const BillingPages& p = *this;
    using P = BillingPages;
    const auto member = [&](auto method) { return auth.member(to(p, method), kCustomerOrgs); };
    router.get("/orgs/{org}/subscription", member(&P::subscription_page));
    router.get("/orgs/{org}/billing", member(&P::billing_page));
  }
};

}  // namespace

core::Status add_billing_pages(http::Router& router, Pages& pages, const Auth& auth,
                               saas::SaasService& saas, const SaasWebSettings& settings) {
  if (auto added = pages.add_templates(resources::web_saas_billing_templates()); !added.ok()) {
    return added;
  }
  pages.add_nav({.section = "Organization",
                 .label = "AWS Marketplace",
                 .path = "/subscription",
                 .kinds = kCustomerOrgs});
  pages.add_nav(
      {.section = "Organization", .label = "Billing", .path = "/billing", .kinds = kCustomerOrgs});
  // Gone while AWS bills the organization. Asked on every page of a customer organization: one
  // read of its links.
  pages.add_nav({.section = "Organization",
                 .label = "Payment method",
                 .path = "/billing#payment-method",
                 .kinds = kCustomerOrgs,
                 .shown = [&saas](const identity::Organization& org) {
                   auto subscriptions = saas.subscriptions(org.id);
                   return subscriptions.ok() && !has_live_link(*subscriptions);
                 }});
  BillingPages{pages, auth, saas, settings}.add_routes(router);
  return {};
}

}  // namespace web
