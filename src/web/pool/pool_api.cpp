#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

#include "web/handlers.h"
#include "web/json_support.h"
#include "web/pool/pool_shared.h"

namespace web {

namespace {

using nlohmann::json;

json account_json(const pool::Account& a) {
  return {{"account_id", a.account_id},
          {"marketplace_id", a.marketplace_id},
          {"model", pool::model_name(a.model)},
          {"status", pool::status_name(a.status)},
          {"status_reason", a.status_reason.empty() ? json(nullptr) : json(a.status_reason)},
          {"created_at", core::format_rfc3339(a.created_at)},
          {"updated_at", core::format_rfc3339(a.updated_at)},
          {"order_id", a.order_ref.empty() ? json(nullptr) : json(a.order_ref)}};
}

core::Result<pool::Model> model_field(const std::string& text) {
  auto model = pool::parse_model(text);
  if (!model) return invalid_field("model", "model must be \"SPAM\" or \"ECAM\".");
  return *model;
}

// The 422 of a CSV import with bad rows: every row's line and reason.
http::Response invalid_csv_response(const core::Error& error) {
  json rows = json::array();
  for (const pool::RowError& row : pool::import_row_errors(error)) {
    rows.push_back({{"line", row.line}, {"message", row.message}});
  }
  return json_response(
      422, {{"error", {{"code", error.code_slug()}, {"message", error.message}, {"rows", rows}}}});
}

core::Result<pool::PageRequest> page_request(const http::Request& r) {
  pool::PageRequest page;
  if (auto l = r.query("limit"); l && !l->empty()) {
    const std::string message =
        "limit must be a number from 1 to " + std::to_string(pool::kMaxPageSize) + ".";
    try {
      size_t used = 0;
      page.limit = std::stoi(*l, &used);
      if (used != l->size() || page.limit < 1 || page.limit > pool::kMaxPageSize) {
        return invalid_field("limit", message);
      }
    } catch (const std::exception&) {
      return invalid_field("limit", message);
    }
  }
  page.cursor = r.query("cursor").value_or("");
  return page;
}

core::Result<pool::AccountUpdate> account_update(const json& body) {
  pool::AccountUpdate update;
  auto marketplace = optional_string(body, "marketplace_id");
  if (!marketplace.ok()) return marketplace.error();
  update.marketplace_id = *marketplace;
  auto model = optional_string(body, "model");
  if (!model.ok()) return model.error();
  if (*model) {
    auto parsed = model_field(**model);
    if (!parsed.ok()) return parsed.error();
    update.model = *parsed;
  }
  auto status = optional_string(body, "status");
  if (!status.ok()) return status.error();
  if (*status) {
    if (**status != "ready" && **status != "invalid") {
      return invalid_field("status", "status must be \"ready\" or \"invalid\".");
    }
    update.status = pool::parse_status(**status);
  }
  auto reason = optional_string(body, "reason");
  if (!reason.ok()) return reason.error();
  update.reason = reason->value_or("");
  return update;
}

core::Result<std::vector<std::string>> account_ids(const json& body) {
  const auto it = body.find("account_ids");
  if (it == body.end() || !it->is_array()) {
    return invalid_field("account_ids",
                         "Send account_ids (a list of account ids) or \"all\": true.");
  }
  std::vector<std::string> ids;
  for (const json& id : *it) {
    if (!id.is_string()) return invalid_field("account_ids", "Account ids must be strings.");
    ids.push_back(id.get<std::string>());
  }
  return ids;
}

// The handlers, each for a provider organization already checked by Auth.
struct PoolApi {
  const Auth& auth;
  pool::Pool& pool;

  http::Response list(http::Request& r, RequestContext& ctx) const {
    auto filter = pool_list_filter(r);
    if (!filter.ok()) return auth.error(r, filter.error());
    auto page = page_request(r);
    if (!page.ok()) return auth.error(r, page.error());
    auto listed = pool.list(ctx.org_id(), *filter, *page);
    if (!listed.ok()) return auth.error(r, listed.error());
    json accounts = json::array();
    for (const auto& a : listed->accounts) accounts.push_back(account_json(a));
    return json_response(
        200,
        {{"accounts", accounts},
         {"next_cursor", listed->next_cursor.empty() ? json(nullptr) : json(listed->next_cursor)}});
  }

  http::Response add(http::Request& r, RequestContext& ctx) const {
    auto body = body_object(r);
    if (!body.ok()) return auth.error(r, body.error());
    auto account_id = required_string(*body, "account_id");
    if (!account_id.ok()) return auth.error(r, account_id.error());
    auto marketplace_id = required_string(*body, "marketplace_id");
    if (!marketplace_id.ok()) return auth.error(r, marketplace_id.error());
    auto model_text = required_string(*body, "model");
    if (!model_text.ok()) return auth.error(r, model_text.error());
    auto model = model_field(*model_text);
    if (!model.ok()) return auth.error(r, model.error());
    auto added =
        pool.add(ctx.org_id(),
                 {.account_id = *account_id, .marketplace_id = *marketplace_id, .model = *model},
                 changed_by(r, ctx));
    if (!added.ok()) return auth.error(r, added.error());
    return json_response(201, account_json(*added));
  }

  http::Response import(http::Request& r, RequestContext& ctx) const {
    auto imported =
        pool.import_csv(ctx.org_id(), r.body, changed_by(r, ctx), {.source = "the API"});
    if (!imported.ok()) {
      if (imported.error().code_slug() == std::string_view("invalid_csv")) {
        return invalid_csv_response(imported.error());
      }
      return auth.error(r, imported.error());
    }
    return json_response(201, {{"imported", imported->imported}});
  }

  http::Response update(http::Request& r, RequestContext& ctx) const {
    auto body = body_object(r);
    if (!body.ok()) return auth.error(r, body.error());
    auto update = account_update(*body);
    if (!update.ok()) return auth.error(r, update.error());
    auto updated = pool.update(ctx.org_id(), r.param("account_id"), *update, changed_by(r, ctx));
    if (!updated.ok()) return auth.error(r, updated.error());
    return json_response(200, account_json(*updated));
  }

  http::Response remove(http::Request& r, RequestContext& ctx) const {
    auto removed = pool.remove(ctx.org_id(), r.param("account_id"), changed_by(r, ctx));
    if (!removed.ok()) return auth.error(r, removed.error());
    return http::Response::no_content();
  }

  http::Response remove_many(http::Request& r, RequestContext& ctx) const {
    auto body = body_object(r);
    if (!body.ok()) return auth.error(r, body.error());
    const auto all = body->find("all");
    if (all != body->end() && !all->is_boolean()) {
      return auth.error(r, invalid_field("all", "all must be true or false."));
    }
    if (all != body->end() && all->get<bool>()) {
      if (body->contains("account_ids")) {
        return auth.error(r, invalid_field("account_ids", "Send account_ids or all, not both."));
      }
      auto removed = pool.remove_all(ctx.org_id(), changed_by(r, ctx));
      if (!removed.ok()) return auth.error(r, removed.error());
      return json_response(
          200, {{"deleted", removed->deleted}, {"skipped_in_use", removed->skipped_in_use}});
    }
    auto ids = account_ids(*body);
    if (!ids.ok()) return auth.error(r, ids.error());
    auto removed = pool.remove_selected(ctx.org_id(), *ids, changed_by(r, ctx));
    if (!removed.ok()) return auth.error(r, removed.error());
    return json_response(200, {{"deleted", *removed}});
  }

  http::Response take(http::Request& r, RequestContext& ctx) const {
    auto body = body_object(r);
    if (!body.ok()) return auth.error(r, body.error());
    auto marketplace_id = required_string(*body, "marketplace_id");
    if (!marketplace_id.ok()) return auth.error(r, marketplace_id.error());
    auto order_ref = required_string(*body, "order_ref");
    if (!order_ref.ok()) return auth.error(r, order_ref.error());
    auto taken = pool.take(ctx.org_id(), *marketplace_id, *order_ref, changed_by(r, ctx));
    if (!taken.ok()) return auth.error(r, taken.error());
    return json_response(201, account_json(*taken));
  }

  http::Response complete(http::Request& r, RequestContext& ctx) const {
    return finish(r, ctx, false);
  }
  http::Response fail(http::Request& r, RequestContext& ctx) const { return finish(r, ctx, true); }

  // complete (`failed` false) or fail an allocation named by its account.
  http::Response finish(http::Request& r, RequestContext& ctx, bool failed) const {
    json body = json::object();
    if (!r.body.empty()) {
      auto parsed = body_object(r);
      if (!parsed.ok()) return auth.error(r, parsed.error());
      body = *parsed;
    }
    auto reason = optional_string(body, "reason");
    if (!reason.ok()) return auth.error(r, reason.error());
    const auto ref = pool::AllocationRef::account(r.param("account_id"));
    auto finished = failed ? pool.fail(ctx.org_id(), ref, reason->value_or(""), changed_by(r, ctx))
                           : pool.complete(ctx.org_id(), ref, changed_by(r, ctx));
    if (!finished.ok()) return auth.error(r, finished.error());
    return json_response(200, account_json(*finished));
  }

  void add_routes(http::Router& router) const {
    const PoolApi& a = *this;
    using A = PoolApi;
    const auto member = [&](auto method) { return auth.member(to(a, method), kProviderOrgs); };
    const auto admin = [&](auto method) { return auth.admin(to(a, method), kProviderOrgs); };
    router.get("/api/v1/orgs/{org}/pool/accounts", member(&A::list));
    router.post("/api/v1/orgs/{org}/pool/accounts", admin(&A::add));
    router.post("/api/v1/orgs/{org}/pool/accounts/import", admin(&A::import));
    router.post("/api/v1/orgs/{org}/pool/accounts/delete", admin(&A::remove_many));
    router.patch("/api/v1/orgs/{org}/pool/accounts/{account_id}", admin(&A::update));
    router.del("/api/v1/orgs/{org}/pool/accounts/{account_id}", admin(&A::remove));
    router.post("/api/v1/orgs/{org}/pool/allocations", admin(&A::take));
    router.post("/api/v1/orgs/{org}/pool/allocations/{account_id}/complete", admin(&A::complete));
    router.post("/api/v1/orgs/{org}/pool/allocations/{account_id}/fail", admin(&A::fail));
  }
};

}  // namespace

void add_pool_api(http::Router& router, const Auth& auth, pool::Pool& pool) {
  PoolApi{auth, pool}.add_routes(router);
}

}  // namespace web
