#include <fmt/format.h>

#include "web/handlers.h"
#include "web/json_support.h"
#include "web/page_support.h"
#include "web/pool/pool_shared.h"

namespace web {

namespace {

using http::TemplateData;
using nlohmann::json;

json run_json(const std::optional<pool::AccessCheckRun>& run) {
  if (!run) return nullptr;
  return {{"scope", pool::scope_name(run->scope)},
          {"status", run->finished_at ? (run->error.empty() ? "finished" : "stopped") : "running"},
          {"started_at", core::format_rfc3339(run->started_at)},
          {"finished_at",
           run->finished_at ? json(core::format_rfc3339(*run->finished_at)) : json(nullptr)},
          {"total", run->total},
          {"checked", run->checked},
          {"invalidated", run->invalidated},
          {"restored", run->restored},
          {"error", run->error.empty() ? json(nullptr) : json(run->error)}};
}

json access_json(const pool::AwsAccessView& v) {
  return {{"access_key_id", v.access_key_id},  {"aws_account_id", v.aws_account_id},
          {"role_name", v.role_name},          {"access_check_enabled", v.access_check_enabled},
          {"updated_by", v.updated_by},        {"updated_at", core::format_rfc3339(v.updated_at)},
          {"last_check", run_json(v.last_run)}};
}

// The body of PUT …/aws-access.
core::Result<pool::AwsAccessInput> access_input(const json& body) {
  auto key = required_string(body, "access_key_id");
  if (!key.ok()) return key.error();
  auto secret = optional_string(body, "secret_access_key");
  if (!secret.ok()) return secret.error();
  auto role = optional_string(body, "role_name");
  if (!role.ok()) return role.error();
  auto check = optional_bool(body, "access_check_enabled");
  if (!check.ok()) return check.error();
  return pool::AwsAccessInput{.access_key_id = *key,
                              .secret_access_key = secret->value_or(""),
                              .role_name = role->value_or(""),
                              .access_check_enabled = check->value_or(false)};
}

// What the page shows of a run.
TemplateData run_data(const pool::AccessCheckRun& run) {
  TemplateData d;
  d.set("scope_label",
        run.scope == pool::AccessCheckScope::kAll ? "All ready accounts" : "New accounts");
  d.set("started", display_time(run.started_at));
  d.set("running", !run.finished_at.has_value());
  if (run.finished_at) d.set("finished", display_time(*run.finished_at));
  d.set("total", std::to_string(run.total));
  d.set("checked", std::to_string(run.checked));
  d.set("invalidated", std::to_string(run.invalidated));
  d.set("restored", std::to_string(run.restored));
  // Accounts imported during a run are checked too: never show more than 100%.
  const long long total = std::max(run.total, run.checked);
  d.set("progress_max", std::to_string(std::max(total, 1LL)));
  d.set("progress_value", std::to_string(run.checked));
  if (!run.error.empty()) d.set("error", run.error);
  const char* chip = !run.finished_at ? "wait" : run.error.empty() ? "ok" : "fail";
  const char* label = !run.finished_at ? "Running" : run.error.empty() ? "Finished" : "Stopped";
  d.set("chip", chip);
  d.set("status_label", label);
  return d;
}

struct AwsAccessRoutes {
  const Pages& pages;
  const Auth& auth;
  pool::AwsAccess& access;

  std::string settings_path(const RequestContext& ctx) const {
    return "/orgs/" + ctx.org->slug + "/pool/settings";
  }

  http::Response page(http::Request& r, RequestContext& ctx, TemplateData d,
                      int status = 200) const {
    auto current = access.get(ctx.org_id());
    if (!current.ok() && current.error().code != core::ErrorCode::kNotFound) {
      return auth.error(r, current.error(), &ctx);
    }
    d.set("org", org_data(*ctx.org));
    d.set("can_store_secrets", access.can_store_secrets());
    d.set("default_role", std::string(pool::kDefaultRoleName));
    bool running = false;
    if (current.ok()) {
      d.set("configured", true);
      d.set("access_key_id", current->access_key_id);
      d.set("aws_account_id", current->aws_account_id);
      d.set("role_name", current->role_name);
      d.set("check_on", current->access_check_enabled);
      d.set("updated_by", current->updated_by);
      d.set("updated_at", display_time(current->updated_at));
      if (current->last_run) {
        d.set("run", run_data(*current->last_run));
        running = !current->last_run->finished_at;
      }
      // The form starts from what is saved, unless it comes back with errors.
      if (!d.get("has_errors")) {
        d.set("f_access_key_id", current->access_key_id);
        d.set("f_role_name", current->role_name);
        d.set("f_check", current->access_check_enabled);
      }
    } else if (!d.get("has_errors")) {
      d.set("f_role_name", std::string(pool::kDefaultRoleName));
    }
    return pages.render(r, ctx, "pool_settings",
                        Frame{.title = "AWS access",
                              .breadcrumbs = {org_crumbs(ctx).front(),
                                              Link{.label = "Account pool",
                                                   .href = "/orgs/" + ctx.org->slug + "/pool"}},
                              .refresh_seconds = running ? 3 : 0},
                        std::move(d), status);
  }

  // --- JSON ---

  http::Response get(http::Request& r, RequestContext& ctx) const {
    auto current = access.get(ctx.org_id());
    if (!current.ok()) return auth.error(r, current.error());
    return json_response(200, access_json(*current));
  }

  http::Response put(http::Request& r, RequestContext& ctx) const {
    auto body = body_object(r);
    if (!body.ok()) return auth.error(r, body.error());
    auto input = access_input(*body);
    if (!input.ok()) return auth.error(r, input.error());
    auto saved = access.configure(ctx.org_id(), *input, ctx.actor(r));
    if (!saved.ok()) return auth.error(r, saved.error());
    return json_response(200, access_json(*saved));
  }

  http::Response remove(http::Request& r, RequestContext& ctx) const {
    auto removed = access.remove(ctx.org_id(), ctx.actor(r));
    if (!removed.ok()) return auth.error(r, removed.error());
    return http::Response::no_content();
  }

  http::Response start_check(http::Request& r, RequestContext& ctx) const {
    auto run = access.start_check(ctx.org_id(), ctx.actor(r));
    if (!run.ok()) return auth.error(r, run.error());
    return json_response(202, run_json(*run));
  }

  // --- Page ---

  http::Response settings(http::Request& r, RequestContext& ctx) const { return page(r, ctx, {}); }

  http::Response save(http::Request& r, RequestContext& ctx) const {
    const Form f(r);
    const pool::AwsAccessInput input{.access_key_id = f["access_key_id"],
                                     .secret_access_key = f["secret_access_key"],
                                     .role_name = f["role_name"],
                                     .access_check_enabled = f["access_check"] == "on"};
    auto saved = access.configure(ctx.org_id(), input, ctx.actor(r));
    if (!saved.ok()) {
      TemplateData d;
      d.set("f_access_key_id", input.access_key_id);
      d.set("f_role_name", input.role_name);
      d.set("f_check", input.access_check_enabled);
      // AWS's refusal belongs to the keys: show it next to them.
      core::Error e = saved.error();
      if (e.details.empty() && e.code_slug() == std::string_view("aws_keys_rejected")) {
        e.details.push_back({.field = "access_key_id", .message = e.message});
        e.message = "AWS refused these keys. Check the access key ID and the secret.";
      }
      set_errors(d, e);
      return page(r, ctx, d, status_of(e));
    }
    std::string message =
        fmt::format("Saved. The keys belong to AWS account {}.", saved->aws_account_id);
    if (saved->last_run && !saved->last_run->finished_at) {
      message += fmt::format(" Checking {} accounts now.", saved->last_run->total);
    }
    return auth.redirect_with_flash(settings_path(ctx), message);
  }

  http::Response remove_keys(http::Request& r, RequestContext& ctx) const {
    auto removed = access.remove(ctx.org_id(), ctx.actor(r));
    if (!removed.ok()) return auth.error(r, removed.error(), &ctx);
    return auth.redirect_with_flash(settings_path(ctx),
                                    "AWS keys removed. Accounts are no longer checked.");
  }

  http::Response check_again(http::Request& r, RequestContext& ctx) const {
    auto run = access.start_check(ctx.org_id(), ctx.actor(r));
    if (!run.ok()) {
      return auth.redirect_with_flash(settings_path(ctx), run.error().message, "fail");
    }
    return auth.redirect_with_flash(
        settings_path(ctx),
        fmt::format("Checking {} accounts. This page updates as it goes.", run->total));
  }

  void add_routes(http::Router& router) const {
    const AwsAccessRoutes& a = *this;
    using A = AwsAccessRoutes;
    const auto admin = [&](auto method) { return auth.admin(to(a, method), kProviderOrgs); };
    router.get("/api/v1/orgs/{org}/pool/aws-access", admin(&A::get));
    router.put("/api/v1/orgs/{org}/pool/aws-access", admin(&A::put));
    router.del("/api/v1/orgs/{org}/pool/aws-access", admin(&A::remove));
    router.post("/api/v1/orgs/{org}/pool/access-checks", admin(&A::start_check));
    router.get("/orgs/{org}/pool/settings", admin(&A::settings));
    router.post("/orgs/{org}/pool/settings", admin(&A::save));
    router.post("/orgs/{org}/pool/settings/remove", admin(&A::remove_keys));
    router.post("/orgs/{org}/pool/settings/check", admin(&A::check_again));
  }
};

}  // namespace

void add_aws_access_routes(http::Router& router, const Pages& pages, const Auth& auth,
                           pool::AwsAccess& access) {
  AwsAccessRoutes{pages, auth, access}.add_routes(router);
}

}  // namespace web
