// The SaaS JSON API (docs/api.md, "SaaS"): the operator's products and registrations, and an
// organization's AWS Marketplace subscriptions.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <optional>
#include <vector>

#include "web/handlers.h"
#include "web/json_support.h"
#include "web/saas/saas_shared.h"
#include "web/saas/saas_views_shared.h"

namespace web {

namespace {

using nlohmann::json;

json text_or_null(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

json time_or_null(const std::optional<core::TimePoint>& t) {
  return t ? json(core::format_rfc3339(*t)) : json(nullptr);
}

json product_json(const saas::Product& p) {
  json dimensions = json::array();
  for (const saas::Dimension& d : p.dimensions) {
    dimensions.push_back({{"name", d.name}, {"description", d.description}});
  }
  return {{"product_code", p.product_code},
          {"name", p.name},
          {"pricing_model", saas::pricing_model_name(p.pricing_model)},
          {"dimensions", dimensions},
          {"concurrent_agreements", p.concurrent_agreements},
          {"manage_url", p.manage_url},
          {"support_contact", p.support_contact},
          {"new_org_subscription", identity::to_string(p.new_org_subscription)},
          {"created_at", core::format_rfc3339(p.created_at)},
          {"updated_at", core::format_rfc3339(p.updated_at)}};
}

// Absent values are null; the marketplace token is never part of a registration.
json registration_json(const saas::Registration& g, std::optional<saas::LinkStatus> link_status) {
  return {{"id", g.id},
          {"reference", g.reference},
          {"outcome", saas::outcome_name(g.outcome)},
          {"outcome_slug", text_or_null(g.outcome_slug)},
          {"outcome_message", text_or_null(g.outcome_message)},
          {"product_code", text_or_null(g.product_code)},
          {"customer_identifier", text_or_null(g.customer_identifier)},
          {"customer_aws_account_id", text_or_null(g.customer_aws_account_id)},
          {"license_arn", text_or_null(g.license_arn)},
          {"offer_type", text_or_null(g.offer_type)},
          {"free_trial", g.free_trial()},
          {"choice", text_or_null(saas::choice_name(g.choice))},
          {"landings", g.landings},
          {"linked_org_id", text_or_null(g.linked_org_id)},
          {"link_id", text_or_null(g.link_id)},
          {"link_status", link_status ? json(saas::link_status_name(*link_status)) : json(nullptr)},
          {"landed_at", core::format_rfc3339(g.landed_at)},
          {"resolved_at", time_or_null(g.resolved_at)},
          {"expires_at", core::format_rfc3339(g.expires_at)},
          {"linked_at", time_or_null(g.linked_at)}};
}

json link_json(const saas::Link& l) {
  return {{"id", l.id},
          {"org_id", l.org_id},
          {"product_code", l.product_code},
          {"registration_id", l.registration_id},
          {"customer_identifier", text_or_null(l.customer_identifier)},
          {"customer_aws_account_id", text_or_null(l.customer_aws_account_id)},
          {"license_arn", text_or_null(l.license_arn)},
          {"offer_type", text_or_null(l.offer_type)},
          {"free_trial", l.free_trial()},
          {"free_trial_ends_at", time_or_null(l.free_trial_ends_at)},
          {"status", saas::link_status_name(l.status)},
          {"linked_by_user_id", text_or_null(l.linked_by_user_id)},
          {"linked_at", core::format_rfc3339(l.created_at)},
          {"updated_at", core::format_rfc3339(l.updated_at)}};
}

json event_json(const saas::RegistrationEvent& e) {
  return {{"seq", e.seq},
          {"kind", saas::event_kind_name(e.kind)},
          {"slug", text_or_null(e.slug)},
          {"detail", text_or_null(e.detail)},
          {"org_id", text_or_null(e.org_id)},
          {"user_id", text_or_null(e.user_id)},
          {"at", core::format_rfc3339(e.at)}};
}

// {"dimension", "value" (a number, boolean or string as AWS gave it), "expires_at"}.
json entitlements_json(const std::vector<saas::Entitlement>& list) {
  json out = json::array();
  for (const saas::Entitlement& e : list) {
    json value = e.value;
    if (e.kind == saas::EntitlementValueKind::kBoolean) value = e.value == "true";
    if (e.kind == saas::EntitlementValueKind::kInteger ||
        e.kind == saas::EntitlementValueKind::kDouble) {
      const json number = json::parse(e.value, nullptr, false);
      if (number.is_number()) value = number;
    }
    out.push_back(
        {{"dimension", e.dimension}, {"value", value}, {"expires_at", time_or_null(e.expires_at)}});
  }
  return out;
}

json subscription_json(const saas::Subscription& s) {
  const saas::Link& l = s.link;
  return {{"id", l.id},
          {"product_code", l.product_code},
          {"product_name", s.product.name},
          {"customer_aws_account_id", text_or_null(l.customer_aws_account_id)},
          {"customer_identifier", text_or_null(l.customer_identifier)},
          {"license_arn", text_or_null(l.license_arn)},
          {"offer_type", text_or_null(l.offer_type)},
          {"free_trial", l.free_trial()},
          {"free_trial_ends_at", time_or_null(l.free_trial_ends_at)},
          {"status", saas::link_status_name(l.status)},
          {"linked_at", core::format_rfc3339(l.created_at)},
          {"manage_url", s.product.manage_url},
          {"entitlements", entitlements_json(s.entitlements)}};
}

constexpr const char* kProductFields[] = {
    "product_code",          "name",       "pricing_model",   "dimensions",
    "concurrent_agreements", "manage_url", "support_contact", "new_org_subscription"};

core::Result<std::vector<saas::Dimension>> dimensions_field(const json& value) {
  const char* shape = "dimensions must be a list of {\"name\", \"description\"} objects.";
  if (!value.is_array()) return invalid_field("dimensions", shape);
  std::vector<saas::Dimension> out;
  for (size_t i = 0; i < value.size(); ++i) {
    const json& item = value[i];
    const std::string at = "dimensions[" + std::to_string(i) + "]";
    if (!item.is_object()) return invalid_field(at, shape);
    for (const auto& [key, ignored] : item.items()) {
      if (key != "name" && key != "description") {
        return invalid_field(at + "." + key, "A dimension has only a name and a description.");
      }
    }
    const auto name = item.find("name");
    if (name == item.end() || !name->is_string()) {
      return invalid_field(at + ".name", "A dimension's name must be a string.");
    }
    saas::Dimension d{.name = name->get<std::string>(), .description = ""};
    if (const auto description = item.find("description");
        description != item.end() && !description->is_null()) {
      if (!description->is_string()) {
        return invalid_field(at + ".description", "A dimension's description must be a string.");
      }
      d.description = description->get<std::string>();
    }
    out.push_back(std::move(d));
  }
  return out;
}

// A product body: every field for a new product (`creating`), any for a change. Unknown fields
// and wrong types are invalid_argument naming the field; the rules of the values are the
// service's (invalid_product).
core::Result<saas::ProductFields> product_fields(const json& body, bool creating) {
  for (const auto& [key, ignored] : body.items()) {
    if (std::find(std::begin(kProductFields), std::end(kProductFields), key) !=
        std::end(kProductFields)) {
      continue;
    }
    if (key == "created_at" || key == "updated_at") {
      return invalid_field(key, key + " is set by Marketlink and cannot be sent.");
    }
    return invalid_field(key, "Unknown field \"" + key + "\".");
  }
  saas::ProductFields f;
  const auto text = [&](const char* name, std::optional<std::string>& out) -> core::Status {
    auto value = optional_string(body, name);
    if (!value.ok()) return value.error();
    out = *value;
    return {};
  };
  const std::pair<const char*, std::optional<std::string>*> texts[] = {
      {"product_code", &f.product_code},
      {"name", &f.name},
      {"manage_url", &f.manage_url},
      {"support_contact", &f.support_contact}};
  for (const auto& [name, out] : texts) {
    if (auto s = text(name, *out); !s.ok()) return s.error();
  }
  auto pricing = optional_string(body, "pricing_model");
  if (!pricing.ok()) return pricing.error();
  if (*pricing) {
    f.pricing_model = saas::parse_pricing_model(**pricing);
    if (!f.pricing_model) {
      return invalid_field("pricing_model",
                           "pricing_model must be one of subscription, contract, "
                           "contract_with_consumption, free.");
    }
  }
  if (const auto d = body.find("dimensions"); d != body.end() && !d->is_null()) {
    auto dimensions = dimensions_field(*d);
    if (!dimensions.ok()) return dimensions.error();
    f.dimensions = std::move(dimensions).value();
  }
  auto concurrent = optional_bool(body, "concurrent_agreements");
  if (!concurrent.ok()) return concurrent.error();
  f.concurrent_agreements = *concurrent;
  if (creating && !f.concurrent_agreements) {
    return invalid_field("concurrent_agreements",
                         "concurrent_agreements is required: true when the listing uses "
                         "concurrent agreements, false for the legacy customer identifier.");
  }
  auto new_org = optional_string(body, "new_org_subscription");
  if (!new_org.ok()) return new_org.error();
  if (*new_org) {
    if (**new_org != "trial" && **new_org != "active") {
      return invalid_field("new_org_subscription",
                           "new_org_subscription must be \"trial\" or \"active\".");
    }
    f.new_org_subscription = identity::parse_subscription_status(**new_org);
  } else if (creating) {
    f.new_org_subscription = identity::SubscriptionStatus::kTrial;
  }
  return f;
}

core::Result<saas::PageRequest> page_request(const http::Request& r) {
  saas::PageRequest page;
  if (auto l = r.query("limit"); l && !l->empty()) {
    int n = 0;
    const auto [end, ec] = std::from_chars(l->data(), l->data() + l->size(), n);
    if (ec != std::errc() || end != l->data() + l->size() || n < 1 || n > saas::kMaxPageSize) {
      return invalid_field(
          "limit", "limit must be a number from 1 to " + std::to_string(saas::kMaxPageSize) + ".");
    }
    page.limit = n;
  }
  page.cursor = r.query("cursor").value_or("");
  return page;
}

// {dimension: quantity}
json usage_totals_json(const std::vector<saas::UsageTotal>& totals) {
  json out = json::object();
  for (const saas::UsageTotal& t : totals) out[t.dimension] = t.quantity;
  return out;
}

struct SaasApi {
  const Auth& auth;
  saas::SaasService& saas;
  const saas::MeteringService* metering = nullptr;

  // --- products (the operator's) ---

  http::Response products(http::Request& r, RequestContext&) const {
    auto listed = saas.products();
    if (!listed.ok()) return auth.error(r, listed.error());
    json out = json::array();
    for (const saas::Product& p : *listed) out.push_back(product_json(p));
    return json_response(200, {{"products", out}});
  }

  http::Response product(http::Request& r, RequestContext&) const {
    auto found = saas.product(r.param("code"));
    if (!found.ok()) return auth.error(r, found.error());
    return json_response(200, product_json(*found));
  }

  http::Response create_product(http::Request& r, RequestContext& ctx) const {
    auto body = body_object(r);
    if (!body.ok()) return auth.error(r, body.error());
    auto fields = product_fields(*body, true);
    if (!fields.ok()) return auth.error(r, fields.error());
    auto created = saas.create_product(ctx.org_id(), *fields, ctx.actor(r));
    if (!created.ok()) return auth.error(r, created.error());
    http::Response response = json_response(201, product_json(*created));
    response.set_header("Location", "/api/v1/products/" + created->product_code);
    return response;
  }

  http::Response update_product(http::Request& r, RequestContext& ctx) const {
    auto body = body_object(r);
    if (!body.ok()) return auth.error(r, body.error());
    auto fields = product_fields(*body, false);
    if (!fields.ok()) return auth.error(r, fields.error());
    auto updated = saas.update_product(ctx.org_id(), r.param("code"), *fields, ctx.actor(r));
    if (!updated.ok()) return auth.error(r, updated.error());
    return json_response(200, product_json(*updated));
  }

  // --- registrations (the operator's) ---

  http::Response registrations(http::Request& r, RequestContext&) const {
    auto filter = registration_filter(r);
    if (!filter.ok()) return auth.error(r, filter.error());
    auto page = page_request(r);
    if (!page.ok()) return auth.error(r, page.error());
    json rows = json::array();
    // A support reference finds one registration (or none); the other filters do not apply.
    if (const auto reference = r.query("reference"); reference && !reference->empty()) {
      auto found = saas.find_by_reference(*reference);
      if (!found.ok() && found.error().code != core::ErrorCode::kNotFound) {
        return auth.error(r, found.error());
      }
      if (found.ok()) {
        auto details = saas.registration_details(found->id);
        if (!details.ok()) return auth.error(r, details.error());
        rows.push_back(
            registration_json(details->registration,
                              details->link ? std::optional(details->link->status) : std::nullopt));
      }
      return json_response(200, {{"registrations", rows}, {"next_cursor", nullptr}});
    }
    auto listed = saas.list_registrations(*filter, *page);
    if (!listed.ok()) return auth.error(r, listed.error());
    for (const saas::RegistrationRow& row : listed->rows) {
      rows.push_back(registration_json(row.registration, row.link_status));
    }
    return json_response(
        200, {{"registrations", rows}, {"next_cursor", text_or_null(listed->next_cursor)}});
  }

  http::Response registration(http::Request& r, RequestContext&) const {
    auto details = saas.registration_details(r.param("id"));
    if (!details.ok()) return auth.error(r, details.error());
    json out = registration_json(
        details->registration, details->link ? std::optional(details->link->status) : std::nullopt);
    out["product_name"] = details->product ? json(details->product->name) : json(nullptr);
    json timeline = json::array();
    for (const saas::RegistrationEvent& e : details->timeline) timeline.push_back(event_json(e));
    out["timeline"] = timeline;
    out["link"] = details->link ? link_json(*details->link) : json(nullptr);
    return json_response(200, out);
  }

  // --- an organization's subscriptions ---

  http::Response subscription(http::Request& r, RequestContext& ctx) const {
    auto subscriptions = saas.subscriptions(ctx.org_id());
    if (!subscriptions.ok()) return auth.error(r, subscriptions.error());
    json out = json::array();
    for (const saas::Subscription& s : *subscriptions) {
      json item = subscription_json(s);
      if (metering != nullptr) {
        auto usage = metering->link_usage(s.link.id);
        if (!usage.ok()) return auth.error(r, usage.error());
        item["usage"] = {{"this_hour", usage_totals_json(usage->this_hour)},
                         {"this_month", usage_totals_json(usage->this_month)},
                         {"billed_this_month", usage_totals_json(usage->billed_this_month)}};
      }
      out.push_back(std::move(item));
    }
    return json_response(200, {{"subscriptions", out}});
  }

  void add_routes(http::Router& router) const {
    const SaasApi& a = *this;
    using A = SaasApi;
    const auto operator_member = [&](auto method) { return auth.operator_member(to(a, method)); };
    const auto operator_admin = [&](auto method) { return auth.operator_admin(to(a, method)); };
    router.get("/api/v1/products", operator_member(&A::products));
    router.post("/api/v1/products", operator_admin(&A::create_product));
    router.get("/api/v1/products/{code}", operator_member(&A::product));
    router.patch("/api/v1/products/{code}", operator_admin(&A::update_product));
    router.get("/api/v1/registrations", operator_member(&A::registrations));
    router.get("/api/v1/registrations/{id}", operator_member(&A::registration));
    router.get("/api/v1/orgs/{org}/subscription",
               auth.member(to(a, &A::subscription), {identity::OrgKind::kCustomer}));
  }
};

}  // namespace

void add_saas_api(http::Router& router, const Auth& auth, saas::SaasService& saas,
                  const saas::MeteringService* metering) {
  SaasApi{auth, saas, metering}.add_routes(router);
}

}  // namespace web
