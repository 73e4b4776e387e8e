#include "web/orgs/orgs_routes.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "web/handlers.h"
#include "web/json_support.h"
#include "web/page_support.h"

namespace resources {
std::span<const core::EmbeddedFile> web_orgs_templates();
}

namespace web {

namespace {

using http::TemplateData;
using nlohmann::json;

const std::vector<identity::OrgKind> kMarketplaces = {identity::OrgKind::kMarketplace};

json checks_json(const std::vector<orgs::Check>& checks) {
  json out = json::array();
  for (const auto& c : checks) {
    out.push_back({{"name", c.name},
                   {"ok", c.ok()},
                   {"status", orgs::check_status_name(c.status)},
                   {"message", c.message}});
  }
  return out;
}

json org_json(const orgs::AwsOrganization& o) {
  return {{"id", o.id},
          {"account_id", o.account_id},
          {"region", o.region},
          {"access_key_id", orgs::mask_key_id(o.access_key_id)},
          {"email_pattern", o.email_pattern},
          {"default", o.is_default},
          {"aws_organization_id", o.aws_organization_id},
          {"billing_bucket", o.billing_bucket},
          {"report_name", o.report_name},
          {"checks", checks_json(o.checks)},
          {"last_check_ok", o.last_check_ok},
          {"last_check_at", core::format_rfc3339(o.last_check_at)},
          {"created_at", core::format_rfc3339(o.created_at)}};
}

http::Response preflight_response(const orgs::PreflightError& failed) {
  json body = json::parse(http::error_json(failed.error));
  body["error"]["checks"] = checks_json(failed.checks);
  return json_response(422, body);
}

TemplateData checks_data(const std::vector<orgs::Check>& checks) {
  TemplateData list{TemplateData::type::list};
  for (const auto& c : checks) {
    TemplateData d;
    d.set("name", c.name);
    d.set("message", c.message);
    d.set("chip", c.ok() ? "ok" : c.status == orgs::CheckStatus::kFailed ? "fail" : "neutral");
    d.set("status", c.ok()                                   ? "Passed"
                    : c.status == orgs::CheckStatus::kFailed ? "Failed"
                                                             : "Skipped");
    list.push_back(d);
  }
  return list;
}

TemplateData examples_data(const std::string& pattern) {
  TemplateData list{TemplateData::type::list};
  for (const auto& e : orgs::example_emails(pattern)) list.push_back(TemplateData(e));
  return list;
}

struct OrgsRoutes {
  const Pages& pages;
  const Auth& auth;
  orgs::AwsOrganizations& organizations;

  static const std::string& mp(const RequestContext& ctx) { return ctx.org->marketplace_id; }
  static std::string base(const RequestContext& ctx) {
    return "/marketplaces/" + ctx.org->marketplace_id + "/settings/aws";
  }

  // --- JSON ---

  http::Response list(http::Request& r, RequestContext& ctx) const {
    auto all = organizations.list(mp(ctx));
    if (!all.ok()) return auth.error(r, all.error());
    json out = json::array();
    for (const auto& o : *all) out.push_back(org_json(o));
    return json_response(200, {{"organizations", out}});
  }

  http::Response create(http::Request& r, RequestContext& ctx) const {
    auto body = body_object(r);
    if (!body.ok()) return auth.error(r, body.error());
    orgs::NewAwsOrganization in;
    for (auto [name, target] :
         {std::pair{"account_id", &in.account_id}, std::pair{"region", &in.region},
          std::pair{"access_key_id", &in.access_key_id},
          std::pair{"secret_access_key", &in.secret_access_key},
          std::pair{"email_pattern", &in.email_pattern}}) {
      auto v = optional_string(*body, name);
      if (!v.ok()) return auth.error(r, v.error());
      *target = v->value_or("");
    }
    auto make_default = optional_bool(*body, "default");
    if (!make_default.ok()) return auth.error(r, make_default.error());
    in.make_default = make_default->value_or(false);
    auto added = organizations.add(mp(ctx), in, ctx.actor(r));
    if (!added.ok()) return auth.error(r, added.error());
    if (auto* failed = std::get_if<orgs::PreflightError>(&*added)) {
      return preflight_response(*failed);
    }
    return json_response(201, org_json(std::get<orgs::AwsOrganization>(*added)));
  }

  http::Response patch(http::Request& r, RequestContext& ctx) const {
    auto body = body_object(r);
    if (!body.ok()) return auth.error(r, body.error());
    orgs::AwsOrganizationChange change;
    for (auto [name, target] : {std::pair{"access_key_id", &change.access_key_id},
                                std::pair{"secret_access_key", &change.secret_access_key},
                                std::pair{"email_pattern", &change.email_pattern}}) {
      auto v = optional_string(*body, name);
      if (!v.ok()) return auth.error(r, v.error());
      *target = *v;
    }
    auto make_default = optional_bool(*body, "default");
    if (!make_default.ok()) return auth.error(r, make_default.error());
    change.make_default = *make_default;
    auto edited = organizations.edit(mp(ctx), r.param("id"), change, ctx.actor(r));
    if (!edited.ok()) return auth.error(r, edited.error());
    if (auto* failed = std::get_if<orgs::PreflightError>(&*edited)) {
      return preflight_response(*failed);
    }
    return json_response(200, org_json(std::get<orgs::AwsOrganization>(*edited)));
  }

  http::Response remove(http::Request& r, RequestContext& ctx) const {
    std::optional<std::string> next;
    if (auto q = r.query("new_default_id"); q && !q->empty()) next = *q;
    auto removed = organizations.remove(mp(ctx), r.param("id"), next, ctx.actor(r));
    if (!removed.ok()) return auth.error(r, removed.error());
    return http::Response::no_content();
  }

  http::Response check(http::Request& r, RequestContext& ctx) const {
    auto checked = organizations.check(mp(ctx), r.param("id"), ctx.actor(r));
    if (!checked.ok()) return auth.error(r, checked.error());
    return json_response(200, org_json(*checked));
  }

  // --- Page ---

  http::Response page(http::Request& r, RequestContext& ctx, TemplateData d,
                      int status = 200) const {
    auto all = organizations.list(mp(ctx));
    if (!all.ok()) return auth.error(r, all.error(), &ctx);
    d.set("org", org_data(*ctx.org));
    d.set("base", base(ctx));
    d.set("can_store_secrets", organizations.can_store_secrets());
    TemplateData list{TemplateData::type::list};
    for (const auto& o : *all) {
      TemplateData row;
      row.set("id", o.id);
      row.set("account_id", o.account_id);
      row.set("region", o.region);
      row.set("masked_key", orgs::mask_key_id(o.access_key_id));
      row.set("email_pattern", o.email_pattern);
      row.set("is_default", o.is_default);
      row.set("check_ok", o.last_check_ok);
      row.set("check_at", display_time(o.last_check_at));
      row.set("checks", checks_data(o.checks));
      row.set("aws_organization_id", o.aws_organization_id);
      row.set("billing_bucket", o.billing_bucket);
      TemplateData others{TemplateData::type::list};
      for (const auto& other : *all) {
        if (other.id == o.id) continue;
        TemplateData x;
        x.set("id", other.id);
        x.set("account_id", other.account_id);
        others.push_back(x);
      }
      row.set("needs_next_default", o.is_default && all->size() > 1);
      row.set("others", others);
      list.push_back(row);
    }
    d.set("organizations", list);
    d.set("has_organizations", !all->empty());
    if (!d.get("f_region")) d.set("f_region", std::string("us-east-1"));
    std::string region;
    if (const auto* v = d.get("f_region"); v && v->is_string()) region = v->string_value();
    TemplateData regions{TemplateData::type::list};
    for (const auto& name : orgs::known_regions()) {
      TemplateData x;
      x.set("name", name);
      x.set("selected", name == region);
      regions.push_back(x);
    }
    d.set("regions", regions);
    std::string pattern = "aws-accounts+%s@example.com";
    if (const auto* v = d.get("f_email_pattern");
        v && v->is_string() && !v->string_value().empty()) {
      pattern = v->string_value();
    }
    d.set("examples", examples_data(pattern));
    d.set("example_pattern", pattern);
    return pages.render(r, ctx, "aws_settings",
                        Frame{.title = "AWS organizations", .breadcrumbs = org_crumbs(ctx)},
                        std::move(d), status);
  }

  http::Response settings(http::Request& r, RequestContext& ctx) const { return page(r, ctx, {}); }

  http::Response add(http::Request& r, RequestContext& ctx) const {
    const Form f(r);
    const orgs::NewAwsOrganization in{.account_id = f["account_id"],
                                      .region = f["region"],
                                      .access_key_id = f["access_key_id"],
                                      .secret_access_key = f["secret_access_key"],
                                      .email_pattern = f["email_pattern"],
                                      .make_default = f["default"] == "on"};
    auto added = organizations.add(mp(ctx), in, ctx.actor(r));
    TemplateData d;
    d.set("f_account_id", in.account_id);
    d.set("f_region", in.region);
    d.set("f_access_key_id", in.access_key_id);
    d.set("f_email_pattern", in.email_pattern);
    d.set("f_default", in.make_default);
    if (!added.ok()) {
      set_errors(d, added.error());
      return page(r, ctx, d, status_of(added.error()));
    }
    if (auto* failed = std::get_if<orgs::PreflightError>(&*added)) {
      d.set("failed_checks", checks_data(failed->checks));
      d.set("has_failed", true);
      d.set("failed_message", failed->error.message);
      return page(r, ctx, d, 422);
    }
    const auto& o = std::get<orgs::AwsOrganization>(*added);
    return auth.redirect_with_flash(
        base(ctx),
        fmt::format("AWS account {} is linked{}: every check passed and billing is set "
                    "up (bucket {}).",
                    o.account_id, o.is_default ? " as the default" : "", o.billing_bucket));
  }

  http::Response edit(http::Request& r, RequestContext& ctx) const {
    const Form f(r);
    orgs::AwsOrganizationChange change;
    if (!f["access_key_id"].empty() || !f["secret_access_key"].empty()) {
      change.access_key_id = f["access_key_id"];
      change.secret_access_key = f["secret_access_key"];
      if (change.access_key_id->empty()) change.access_key_id.reset();
    }
    if (!f["email_pattern"].empty()) change.email_pattern = f["email_pattern"];
    if (f["default"] == "on") change.make_default = true;
    auto edited = organizations.edit(mp(ctx), r.param("id"), change, ctx.actor(r));
    if (!edited.ok()) {
      return auth.redirect_with_flash(base(ctx), edited.error().message, "fail");
    }
    if (auto* failed = std::get_if<orgs::PreflightError>(&*edited)) {
      TemplateData d;
      d.set("failed_checks", checks_data(failed->checks));
      d.set("has_failed", true);
      d.set("failed_message", failed->error.message);
      return page(r, ctx, d, 422);
    }
    return auth.redirect_with_flash(
        base(ctx),
        fmt::format("AWS account {} saved.", std::get<orgs::AwsOrganization>(*edited).account_id));
  }

  http::Response check_again(http::Request& r, RequestContext& ctx) const {
    auto checked = organizations.check(mp(ctx), r.param("id"), ctx.actor(r));
    if (!checked.ok()) return auth.redirect_with_flash(base(ctx), checked.error().message, "fail");
    if (!checked->last_check_ok) {
      return auth.redirect_with_flash(
          base(ctx),
          fmt::format("AWS account {}: a check failed; see its checks below.", checked->account_id),
          "fail");
    }
    return auth.redirect_with_flash(
        base(ctx), fmt::format("AWS account {}: every check passed.", checked->account_id));
  }

  http::Response remove_org(http::Request& r, RequestContext& ctx) const {
    const Form f(r);
    std::optional<std::string> next;
    if (!f["new_default_id"].empty()) next = f["new_default_id"];
    auto removed = organizations.remove(mp(ctx), r.param("id"), next, ctx.actor(r));
    if (!removed.ok()) return auth.redirect_with_flash(base(ctx), removed.error().message, "fail");
    return auth.redirect_with_flash(base(ctx), "The AWS organization was unlinked.");
  }

  // /orgs/{org}/settings/aws, where the navigation points: the marketplace's page.
  http::Response to_settings(http::Request&, RequestContext& ctx) const {
    http::Response res = http::Response::redirect(base(ctx), 303);
    return res;
  }

  void add_routes(http::Router& router) const {
    const OrgsRoutes& o = *this;
    using O = OrgsRoutes;
    const auto admin = [&](auto method) { return auth.admin(to(o, method), kMarketplaces); };
    router.get("/api/v1/marketplaces/{mp}/aws-organizations", admin(&O::list));
    router.post("/api/v1/marketplaces/{mp}/aws-organizations", admin(&O::create));
    router.patch("/api/v1/marketplaces/{mp}/aws-organizations/{id}", admin(&O::patch));
    router.del("/api/v1/marketplaces/{mp}/aws-organizations/{id}", admin(&O::remove));
    router.post("/api/v1/marketplaces/{mp}/aws-organizations/{id}/checks", admin(&O::check));
    router.get("/marketplaces/{mp}/settings/aws", admin(&O::settings));
    router.post("/marketplaces/{mp}/settings/aws", admin(&O::add));
    router.post("/marketplaces/{mp}/settings/aws/{id}", admin(&O::edit));
    router.post("/marketplaces/{mp}/settings/aws/{id}/check", admin(&O::check_again));
    router.post("/marketplaces/{mp}/settings/aws/{id}/remove", admin(&O::remove_org));
    router.get("/orgs/{org}/settings/aws", admin(&O::to_settings));
  }
};

}  // namespace

core::Status add_orgs_routes(http::Router& router, Pages& pages, const Auth& auth,
                             orgs::AwsOrganizations& organizations) {
  if (auto added = pages.add_templates(resources::web_orgs_templates()); !added.ok()) return added;
  pages.add_nav({.section = "Settings",
                 .label = "AWS organizations",
                 .path = "/settings/aws",
                 .kinds = {identity::OrgKind::kMarketplace},
                 .admin_only = true});
  OrgsRoutes{pages, auth, organizations}.add_routes(router);
  return {};
}

}  // namespace web
