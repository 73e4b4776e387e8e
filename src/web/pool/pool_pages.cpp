#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

#include "core/log.h"
#include "core/text.h"
#include "http/multipart.h"
#include "web/handlers.h"
#include "web/page_support.h"
#include "web/pool/pool_shared.h"

namespace web {

namespace {

using http::TemplateData;

constexpr int kDefaultPageSize = 50;
constexpr int kPageSizes[] = {50, 100, 200};
// Stuck accounts listed on the pool page; more are rare and counted.
constexpr int kStuckShown = 20;
// Account ids named in a flash message before "and N more".
constexpr size_t kIdsNamed = 10;

const char* status_label(pool::AccountStatus s) { return pool::display_name(s); }

const char* status_chip(pool::AccountStatus s) {
  switch (s) {
    case pool::AccountStatus::kReady: return "ok";
    case pool::AccountStatus::kProvisioning: return "wait";
    case pool::AccountStatus::kInvalid: return "fail";
    case pool::AccountStatus::kAllocated: return "neutral";
    case pool::AccountStatus::kProvisioningFailed: return "fail";
  }
  return "neutral";
}

constexpr pool::AccountStatus kStatuses[] = {
    pool::AccountStatus::kReady, pool::AccountStatus::kProvisioning, pool::AccountStatus::kInvalid,
    pool::AccountStatus::kAllocated, pool::AccountStatus::kProvisioningFailed};

long long count_of(const pool::StatusCounts& c, pool::AccountStatus s) {
  switch (s) {
    case pool::AccountStatus::kReady: return c.ready;
    case pool::AccountStatus::kProvisioning: return c.provisioning;
    case pool::AccountStatus::kInvalid: return c.invalid;
    case pool::AccountStatus::kAllocated: return c.allocated;
    case pool::AccountStatus::kProvisioningFailed: return c.provisioning_failed;
  }
  return 0;
}

std::string accounts_word(long long n) { return core::count_of(n, "account", "accounts"); }

// "111111111111, 222222222222 and 3 more".
std::string named_ids(const std::vector<std::string>& ids) {
  return core::join_first(ids, kIdsNamed);
}

core::Error field_error(const std::string& field, const std::string& message,
                        const std::string& summary = "Some fields need your attention.") {
  core::Error e = core::invalid(summary, "invalid_argument");
  e.details.push_back({.field = field, .message = message});
  return e;
}

// The list's state as the URL carries it: filters, page size and position.
struct ListQuery {
  std::string status, marketplace_id, model, q;
  int limit = kDefaultPageSize;
  std::string cursor;
  long long from = 0;  // accounts before this page (for "Showing 51–100")

  static ListQuery read(const http::Request& r) {
    ListQuery l;
    l.status = r.query("status").value_or("");
    l.marketplace_id = std::string(core::trim(r.query("marketplace_id").value_or("")));
    l.model = r.query("model").value_or("");
    l.q = std::string(core::trim(r.query("q").value_or("")));
    const std::string limit = r.query("limit").value_or("");
    for (int size : kPageSizes) {
      if (limit == std::to_string(size)) l.limit = size;
    }
    l.cursor = r.query("cursor").value_or("");
    const std::string from = r.query("from").value_or("");
    long long n = 0;
    if (!l.cursor.empty() &&
        std::from_chars(from.data(), from.data() + from.size(), n).ec == std::errc() && n > 0) {
      l.from = n;
    }
    return l;
  }

  bool narrowed() const { return !marketplace_id.empty() || !model.empty() || !q.empty(); }

  // The list's URL with these filters (and this page when `with_page`).
  std::string href(const std::string& base, bool with_page = true) const {
    const bool paged = with_page && !cursor.empty();
    return with_query(base, {{"status", status},
                             {"marketplace_id", marketplace_id},
                             {"model", model},
                             {"q", q},
                             {"limit", limit != kDefaultPageSize ? std::to_string(limit) : ""},
                             {"cursor", paged ? cursor : ""},
                             {"from", paged ? std::to_string(from) : ""}});
  }
};

// How the pool's history names who did something.
struct ActorNames {
  std::map<std::string, std::string> names;  // "user:…" / "token:…" → a readable name

  std::string operator()(const std::string& actor) const {
    const auto it = names.find(actor);
    if (it != names.end()) return it->second;
    if (actor == pool::kAccessCheckActor) return "Access check";
    if (actor.starts_with("order:")) return "Order " + actor.substr(6);
    return actor;
  }
};

struct PoolPages {
  Pages& pages;
  const Auth& auth;
  pool::Pool& pool;

  static std::string base(const RequestContext& ctx) { return "/orgs/" + ctx.org->slug + "/pool"; }

  static std::vector<Link> crumbs(const RequestContext& ctx, bool to_pool = false) {
    std::vector<Link> out = org_crumbs(ctx);
    if (to_pool) out.push_back(Link{.label = "Account pool", .href = base(ctx)});
    return out;
  }

  // Where a form on the list asks to go back to: the list it was on, else the list's start.
  static std::string back_to(const RequestContext& ctx, const std::string& back) {
    std::string safe = safe_next(back);
    std::string start = base(ctx);
    if (safe == start || safe.starts_with(start + "?")) return safe;
    return start;
  }

  ActorNames actor_names(const RequestContext& ctx) const {
    ActorNames names;
    if (auto members = auth.identity().members(ctx.org_id()); members.ok()) {
      for (const auto& m : *members) {
        names.names["user:" + m.user.id] = m.user.name.empty() ? m.user.email : m.user.name;
      }
    }
    if (auto tokens = auth.identity().api_tokens(ctx.org_id()); tokens.ok()) {
      for (const auto& t : *tokens) names.names["token:" + t.id] = "API token " + t.name;
    }
    return names;
  }

  TemplateData page_data(const RequestContext& ctx) const {
    TemplateData d = org_page_data(ctx);
    d.set("pool_href", base(ctx));
    return d;
  }

  // --- the list ---

  http::Response list_page(http::Request& r, RequestContext& ctx) const {
    const ListQuery q = ListQuery::read(r);
    const std::string start = base(ctx);
    TemplateData d = page_data(ctx);
    int status = 200;

    auto counts = pool.counts(ctx.org_id());
    if (!counts.ok()) return auth.error(r, counts.error(), &ctx);
    const long long total = counts->total();

    // Filters.
    d.set("q", q.q);
    d.set("marketplace_id", q.marketplace_id);
    TemplateData status_options{TemplateData::type::list};
    for (pool::AccountStatus s : kStatuses) {
      TemplateData o;
      o.set("value", pool::status_name(s));
      o.set("label", status_label(s));
      o.set("selected", q.status == pool::status_name(s));
      status_options.push_back(o);
    }
    d.set("status_options", status_options);
    d.set("model_spam", q.model == "SPAM" || q.model == "spam");
    d.set("model_ecam", q.model == "ECAM" || q.model == "ecam");
    TemplateData sizes{TemplateData::type::list};
    for (int size : kPageSizes) {
      TemplateData o;
      o.set("value", std::to_string(size));
      o.set("selected", size == q.limit);
      sizes.push_back(o);
    }
    d.set("page_sizes", sizes);
    d.set("has_filters", q.narrowed() || !q.status.empty());

    // Status tabs, keeping the other filters.
    TemplateData tabs{TemplateData::type::list};
    const auto add_tab = [&](const std::string& value, const std::string& label, long long n,
                             const char* chip) {
      ListQuery t = q;
      t.status = value;
      TemplateData tab;
      tab.set("label", label);
      tab.set("count", core::group_thousands(n));
      tab.set("href", t.href(start, false));
      if (*chip != '\0') tab.set("chip", chip);
      tab.set("current", q.status == value);
      tabs.push_back(tab);
    };
    add_tab("", "All", total, "");
    for (pool::AccountStatus s : kStatuses) {
      add_tab(pool::status_name(s), status_label(s), count_of(*counts, s), status_chip(s));
    }
    d.set("tabs", tabs);
    d.set("total", core::group_thousands(total));
    d.set("total_label", accounts_word(total));
    d.set("pool_empty", total == 0);

    // The page of accounts.
    const auto filter = pool_list_filter(r);
    auto listed = filter.ok()
                      ? pool.list(ctx.org_id(), *filter, {.limit = q.limit, .cursor = q.cursor})
                      : core::Result<pool::AccountPage>(filter.error());
    if (!listed.ok()) {
      if (listed.error().code != core::ErrorCode::kInvalid) {
        return auth.error(r, listed.error(), &ctx);
      }
      set_errors(d, listed.error());
      status = 422;
    }
    const std::string back = q.href(start);
    d.set("back", back);
    TemplateData rows{TemplateData::type::list};
    long long shown = 0;
    if (listed.ok()) {
      for (const pool::Account& a : listed->accounts) {
        TemplateData row;
        row.set("account_id", a.account_id);
        row.set("marketplace_id", a.marketplace_id);
        row.set("model", pool::model_name(a.model));
        row.set("status_label", status_label(a.status));
        row.set("status_chip", status_chip(a.status));
        row.set("order", a.order_ref.empty() ? "—" : a.order_ref);
        row.set("has_order", !a.order_ref.empty());
        row.set("created", display_time(a.created_at));
        row.set("provisioning", a.status == pool::AccountStatus::kProvisioning);
        rows.push_back(row);
        ++shown;
      }
      if (!listed->next_cursor.empty()) {
        ListQuery next = q;
        next.cursor = listed->next_cursor;
        next.from = q.from + shown;
        d.set("next_href", next.href(start));
      }
    }
    d.set("accounts", rows);
    d.set("has_accounts", shown > 0);
    d.set("no_match", shown == 0 && total > 0 && listed.ok());
    if (!q.cursor.empty()) d.set("first_href", q.href(start, false));
    d.set("clear_href", start);
    if (shown > 0) {
      const std::string range = fmt::format("{}–{}", core::group_thousands(q.from + 1),
                                            core::group_thousands(q.from + shown));
      std::string showing;
      if (!q.narrowed()) {
        const auto s = pool::parse_status(q.status);
        const long long matching = s ? count_of(*counts, *s) : total;
        showing = fmt::format("Showing {} of {}", range, core::group_thousands(matching));
      } else {
        showing = fmt::format("Showing {} of the matching accounts ({} in the pool)", range,
                              core::group_thousands(total));
      }
      d.set("showing", showing);
    }
    d.set("delete_all_label", "Delete all " + accounts_word(total));
    d.set("delete_all_confirm",
          fmt::format("Delete all {} of {}? Accounts in Provisioning in progress are skipped. "
                      "This cannot be undone.",
                      accounts_word(total), ctx.org->name));

    // Accounts whose order stopped moving.
    auto stuck = pool.stuck(ctx.org_id(), kStuckShown + 1);
    if (!stuck.ok()) return auth.error(r, stuck.error(), &ctx);
    TemplateData stuck_rows{TemplateData::type::list};
    for (size_t i = 0; i < stuck->size() && i < static_cast<size_t>(kStuckShown); ++i) {
      const pool::Account& a = (*stuck)[i];
      TemplateData row;
      row.set("account_id", a.account_id);
      row.set("order", a.order_ref.empty() ? "—" : a.order_ref);
      row.set("since", display_time(a.progress_at.value_or(a.status_changed_at)));
      stuck_rows.push_back(row);
    }
    d.set("stuck", stuck_rows);
    d.set("has_stuck", !stuck->empty());
    d.set("stuck_more", stuck->size() > static_cast<size_t>(kStuckShown));
    d.set("stuck_count", accounts_word(static_cast<long long>(
                             std::min(stuck->size(), static_cast<size_t>(kStuckShown)))));

    return pages.render(r, ctx, "pool", Frame{.title = "Account pool", .breadcrumbs = crumbs(ctx)},
                        std::move(d), status);
  }

  // --- adding ---

  http::Response new_page(http::Request& r, RequestContext& ctx, TemplateData d,
                          int status = 200) const {
    TemplateData data = page_data(ctx);
    for (const char* key : {"account_id", "marketplace_id"}) {
      if (auto v = d.get(key)) data.set(key, *v);
    }
    for (const char* key : {"has_errors", "error_message", "has_error_list", "error_list",
                            "account_id_error", "marketplace_id_error", "model_error"}) {
      if (auto v = d.get(key)) data.set(key, *v);
    }
    const auto model = d.get("model");
    data.set("model_ecam",
             model != nullptr && model->is_string() && model->string_value() == "ECAM");
    return pages.render(r, ctx, "pool_new",
                        Frame{.title = "Add account", .breadcrumbs = crumbs(ctx, true)},
                        std::move(data), status);
  }

  http::Response add(http::Request& r, RequestContext& ctx) const {
    const Form f(r);
    const std::string account_id = std::string(core::trim(f["account_id"]));
    const std::string marketplace_id = std::string(core::trim(f["marketplace_id"]));
    const auto model = pool::parse_model(f["model"]);
    TemplateData d;
    d.set("account_id", account_id);
    d.set("marketplace_id", marketplace_id);
    d.set("model", model ? pool::model_name(*model) : "");
    core::Error e = core::invalid("Some fields need your attention.", "invalid_argument");
    if (!pool::is_account_id(account_id)) {
      e.details.push_back({"account_id", "Enter the 12-digit AWS account id."});
    }
    if (marketplace_id.empty()) {
      e.details.push_back({"marketplace_id", "Enter the marketplace id, e.g. MP-0000."});
    }
    if (!model) e.details.push_back({"model", "Choose SPAM or ECAM."});
    if (!e.details.empty()) {
      set_errors(d, e);
      return new_page(r, ctx, d, 422);
    }
    auto added = pool.add(
        ctx.org_id(), {.account_id = account_id, .marketplace_id = marketplace_id, .model = *model},
        changed_by(r, ctx));
    if (!added.ok()) {
      const std::string slug = added.error().code_slug();
      std::string field;
      if (slug == "invalid_account_id" || slug == "account_exists") field = "account_id";
      if (slug == "invalid_marketplace") field = "marketplace_id";
      if (field.empty()) return auth.error(r, added.error(), &ctx);
      set_errors(d, field_error(field, added.error().message, "The account was not added."));
      return new_page(r, ctx, d, http::status_for(added.error().code));
    }
    return auth.redirect_with_flash(base(ctx), fmt::format("Account {} added.", account_id));
  }

  // --- importing ---

  http::Response import_page(http::Request& r, RequestContext& ctx, TemplateData d,
                             int status = 200) const {
    TemplateData data = page_data(ctx);
    for (const char* key :
         {"has_errors", "error_message", "has_error_list", "error_list", "file_error", "row_errors",
          "has_row_errors", "rows_listed", "file_name"}) {
      if (auto v = d.get(key)) data.set(key, *v);
    }
    data.set("max_rows", core::group_thousands(1'000'000));
    return pages.render(r, ctx, "pool_import",
                        Frame{.title = "Import accounts", .breadcrumbs = crumbs(ctx, true)},
                        std::move(data), status);
  }

  http::Response import(http::Request& r, RequestContext& ctx) const {
    TemplateData d;
    const std::string* type = r.header("content-type");
    auto parts = http::parse_multipart(type == nullptr ? "" : *type, r.body);
    if (!parts.ok()) {
      set_errors(d, field_error("file", parts.error().message, "The file was not imported."));
      return import_page(r, ctx, d, parts.error().slug == "too_large" ? 413 : 400);
    }
    const http::MultipartPart* file = http::find_part(*parts, "file");
    if (file == nullptr || (file->filename.empty() && file->body.empty())) {
      set_errors(d,
                 field_error("file", "Choose a CSV file to upload.", "The file was not imported."));
      return import_page(r, ctx, d, 422);
    }
    if (!file->filename.empty()) d.set("file_name", file->filename);
    auto imported =
        pool.import_csv(ctx.org_id(), file->body, changed_by(r, ctx), {.source = file->filename});
    if (!imported.ok()) {
      const core::Error& e = imported.error();
      if (e.code_slug() != std::string_view("invalid_csv")) {
        if (e.code != core::ErrorCode::kInvalid) return auth.error(r, e, &ctx);
        set_errors(d, field_error("file", e.message, "The file was not imported."));
        return import_page(r, ctx, d, 422);
      }
      d.set("has_errors", true);
      d.set("error_message", e.message);
      TemplateData rows{TemplateData::type::list};
      const auto row_errors = pool::import_row_errors(e);
      for (const pool::RowError& row : row_errors) {
        TemplateData item;
        item.set("line", std::to_string(row.line));
        item.set("message", row.message);
        rows.push_back(item);
      }
      d.set("row_errors", rows);
      d.set("has_row_errors", !row_errors.empty());
      d.set("rows_listed", core::group_thousands(static_cast<long long>(row_errors.size())));
      return import_page(r, ctx, d, 422);
    }
    return auth.redirect_with_flash(base(ctx),
                                    "Imported " + accounts_word(imported->imported) + ".");
  }

  // --- editing ---

  http::Response edit_page(http::Request& r, RequestContext& ctx, const TemplateData& form,
                           int status = 200) const {
    const std::string account_id = r.param("account_id");
    auto account = pool.get(ctx.org_id(), account_id);
    if (!account.ok()) return auth.error(r, account.error(), &ctx);
    auto history = pool.history(ctx.org_id(), account_id);
    if (!history.ok()) return auth.error(r, history.error(), &ctx);
    const pool::Account& a = *account;

    TemplateData d = page_data(ctx);
    d.set("account_id", a.account_id);
    d.set("status_label", status_label(a.status));
    d.set("status_chip", status_chip(a.status));
    if (!a.status_reason.empty()) d.set("status_reason", a.status_reason);
    if (!a.order_ref.empty()) d.set("order", a.order_ref);
    d.set("created", display_time(a.created_at));
    d.set("updated", display_time(a.updated_at));
    d.set("provisioning", a.status == pool::AccountStatus::kProvisioning);

    const auto kept = [&](const char* key, const std::string& fallback) {
      const auto v = form.get(key);
      return v != nullptr && v->is_string() ? v->string_value() : fallback;
    };
    d.set("marketplace_id", kept("marketplace_id", a.marketplace_id));
    const std::string model = kept("model", pool::model_name(a.model));
    d.set("model_ecam", model == "ECAM");
    d.set("reason", kept("reason", ""));
    const std::string chosen = kept("status", "");

    // The admin's moves from here.
    TemplateData moves{TemplateData::type::list};
    const auto add_move = [&](pool::AccountStatus to, const char* label) {
      TemplateData m;
      m.set("value", pool::status_name(to));
      m.set("label", label);
      m.set("selected", chosen == pool::status_name(to));
      moves.push_back(m);
    };
    switch (a.status) {
      case pool::AccountStatus::kReady: add_move(pool::AccountStatus::kInvalid, "Invalid"); break;
      case pool::AccountStatus::kInvalid: add_move(pool::AccountStatus::kReady, "Ready"); break;
      case pool::AccountStatus::kProvisioningFailed:
        add_move(pool::AccountStatus::kReady, "Ready (retry with another order)");
        break;
      default: break;
    }
    d.set("has_moves", !moves.is_empty_list());
    d.set("moves", moves);

    for (const char* key :
         {"has_errors", "error_message", "has_error_list", "error_list", "marketplace_id_error",
          "model_error", "status_error", "reason_error"}) {
      if (auto v = form.get(key)) d.set(key, *v);
    }

    const ActorNames names = actor_names(ctx);
    TemplateData rows{TemplateData::type::list};
    for (auto it = history->rbegin(); it != history->rend(); ++it) {
      TemplateData row;
      row.set("at", display_time(it->at));
      row.set("from", it->from ? status_label(*it->from) : "");
      row.set("has_from", it->from.has_value());
      row.set("to", status_label(it->to));
      row.set("to_chip", status_chip(it->to));
      row.set("actor", names(it->actor));
      row.set("reason", it->reason.empty() ? "—" : it->reason);
      row.set("order", it->order_ref.empty() ? "—" : it->order_ref);
      rows.push_back(row);
    }
    d.set("history", rows);
    return pages.render(r, ctx, "pool_edit",
                        Frame{.title = "Account " + a.account_id, .breadcrumbs = crumbs(ctx, true)},
                        std::move(d), status);
  }

  http::Response update(http::Request& r, RequestContext& ctx) const {
    const Form f(r);
    const std::string account_id = r.param("account_id");
    TemplateData d;
    d.set("marketplace_id", std::string(core::trim(f["marketplace_id"])));
    d.set("model", f["model"]);
    d.set("status", f["status"]);
    d.set("reason", std::string(core::trim(f["reason"])));

    pool::AccountUpdate update;
    core::Error e = core::invalid("Some fields need your attention.", "invalid_argument");
    const std::string marketplace_id = std::string(core::trim(f["marketplace_id"]));
    if (marketplace_id.empty()) {
      e.details.push_back({"marketplace_id", "Enter the marketplace id, e.g. MP-0000."});
    }
    update.marketplace_id = marketplace_id;
    update.model = pool::parse_model(f["model"]);
    if (!update.model) e.details.push_back({"model", "Choose SPAM or ECAM."});
    update.reason = std::string(core::trim(f["reason"]));
    if (!f["status"].empty()) {
      update.status = pool::parse_status(f["status"]);
      if (!update.status) e.details.push_back({"status", "Choose a status."});
      if (update.status == pool::AccountStatus::kInvalid && update.reason.empty()) {
        e.details.push_back({"reason", "Say why the account is invalid."});
      }
    }
    if (!e.details.empty()) {
      set_errors(d, e);
      return edit_page(r, ctx, d, 422);
    }
    auto updated = pool.update(ctx.org_id(), account_id, update, changed_by(r, ctx));
    if (!updated.ok()) {
      const core::Error& err = updated.error();
      if (err.code == core::ErrorCode::kNotFound) return auth.error(r, err, &ctx);
      const std::string slug = err.code_slug();
      if (slug == "invalid_marketplace") {
        set_errors(d, field_error("marketplace_id", err.message, "The account was not saved."));
      } else if (slug == "invalid_transition") {
        set_errors(d, field_error("status", err.message, "The account was not saved."));
      } else {
        core::Error summary = err;
        summary.details.clear();
        set_errors(d, summary);
      }
      return edit_page(r, ctx, d, http::status_for(err.code));
    }
    return auth.redirect_with_flash(base(ctx), fmt::format("Account {} saved.", account_id));
  }

  // --- deleting ---

  http::Response confirm_page(http::Request& r, RequestContext& ctx, const std::string& heading,
                              const std::string& message, const std::string& action,
                              const std::vector<std::string>& ids, const std::string& back,
                              const std::string& label) const {
    TemplateData d = page_data(ctx);
    d.set("heading", heading);
    d.set("message", message);
    d.set("action", action);
    d.set("back", back);
    d.set("confirm_label", label);
    TemplateData list{TemplateData::type::list};
    for (const std::string& id : ids) list.push_back(TemplateData(id));
    d.set("account_ids", list);
    return pages.render(r, ctx, "pool_confirm",
                        Frame{.title = heading, .breadcrumbs = crumbs(ctx, true)}, std::move(d));
  }

  http::Response remove_one(http::Request& r, RequestContext& ctx) const {
    const Form f(r);
    const std::string back = back_to(ctx, f["back"]);
    const std::string account_id = r.param("account_id");
    auto removed = pool.remove(ctx.org_id(), account_id, changed_by(r, ctx));
    if (!removed.ok()) {
      if (removed.error().code == core::ErrorCode::kNotFound) {
        return auth.error(r, removed.error(), &ctx);
      }
      return auth.redirect_with_flash(back, removed.error().message, "fail");
    }
    return auth.redirect_with_flash(back, fmt::format("Account {} deleted.", account_id));
  }

  http::Response remove_selected(http::Request& r, RequestContext& ctx) const {
    const Form f(r);
    const std::string back = back_to(ctx, f["back"]);
    const std::vector<std::string> ids = f.all("account_ids");
    if (ids.empty()) {
      return auth.redirect_with_flash(back, "Select the accounts to delete first.", "info");
    }
    if (f["confirmed"] != "yes") {
      return confirm_page(
          r, ctx, fmt::format("Delete {}?", accounts_word(static_cast<long long>(ids.size()))),
          "Nothing is deleted if any of them is in Provisioning in progress. "
          "Their history is deleted with them; this cannot be undone.",
          base(ctx) + "/delete", ids, back,
          "Delete " + accounts_word(static_cast<long long>(ids.size())));
    }
    auto removed = pool.remove_selected(ctx.org_id(), ids, changed_by(r, ctx));
    if (!removed.ok()) {
      const core::Error& e = removed.error();
      std::vector<std::string> named;
      for (const auto& detail : e.details) named.push_back(detail.field);
      if (e.code_slug() == std::string_view("account_in_use")) {
        return auth.redirect_with_flash(
            back,
            fmt::format("Nothing was deleted: {} in Provisioning in progress: {}.",
                        named.size() == 1 ? "1 selected account is"
                                          : fmt::format("{} selected accounts are", named.size()),
                        named_ids(named)),
            "fail");
      }
      if (e.code == core::ErrorCode::kNotFound && !named.empty()) {
        return auth.redirect_with_flash(
            back, fmt::format("Nothing was deleted: not in this pool: {}.", named_ids(named)),
            "fail");
      }
      return auth.redirect_with_flash(back, e.message, "fail");
    }
    return auth.redirect_with_flash(back, "Deleted " + accounts_word(*removed) + ".");
  }

  http::Response remove_all(http::Request& r, RequestContext& ctx) const {
    const Form f(r);
    const std::string back = back_to(ctx, f["back"]);
    if (f["confirmed"] != "yes") {
      auto counts = pool.counts(ctx.org_id());
      if (!counts.ok()) return auth.error(r, counts.error(), &ctx);
      const long long total = counts->total();
      if (total == 0) return auth.redirect_with_flash(back, "The pool is already empty.", "info");
      return confirm_page(
          r, ctx, fmt::format("Delete all {}?", accounts_word(total)),
          fmt::format("Every account in the pool of {} is deleted, on every page, with its "
                      "history. Accounts in Provisioning in progress ({}) are skipped. This "
                      "cannot be undone.",
                      ctx.org->name, core::group_thousands(counts->provisioning)),
          base(ctx) + "/delete-all", {}, back, "Delete all " + accounts_word(total));
    }
    auto removed = pool.remove_all(ctx.org_id(), changed_by(r, ctx));
    if (!removed.ok()) return auth.redirect_with_flash(back, removed.error().message, "fail");
    std::string message = "Deleted " + accounts_word(removed->deleted) + ".";
    const auto& skipped = removed->skipped_in_use;
    if (!skipped.empty()) {
      message += fmt::format(" {} in Provisioning in progress {} kept: {}.",
                             accounts_word(static_cast<long long>(skipped.size())),
                             skipped.size() == 1 ? "was" : "were", named_ids(skipped));
    }
    return auth.redirect_with_flash(base(ctx), message, skipped.empty() ? "ok" : "info");
  }

  // --- stuck provisioning ---

  http::Response resolve(http::Request& r, RequestContext& ctx) const {
    const Form f(r);
    const std::string back = back_to(ctx, f["back"]);
    const std::string account_id = r.param("account_id");
    const std::string reason = std::string(core::trim(f["reason"]));
    const std::string choice = f["resolution"];
    if (choice != "mark_failed" && choice != "return_to_ready") {
      return auth.redirect_with_flash(back, "Choose Mark failed or Return to ready.", "fail");
    }
    const bool fail = choice == "mark_failed";
    if (reason.empty()) {
      return auth.redirect_with_flash(
          back,
          fmt::format("Give a reason to {} account {}.", fail ? "mark failed" : "return to ready",
                      account_id),
          "fail");
    }
    auto resolved = pool.resolve_stuck(
        ctx.org_id(), account_id,
        fail ? pool::StuckResolution::kMarkFailed : pool::StuckResolution::kReturnToReady, reason,
        changed_by(r, ctx));
    if (!resolved.ok()) {
      if (resolved.error().code == core::ErrorCode::kNotFound) {
        return auth.error(r, resolved.error(), &ctx);
      }
      return auth.redirect_with_flash(back, resolved.error().message, "fail");
    }
    return auth.redirect_with_flash(
        back, fmt::format("Account {} {}.", account_id,
                          fail ? "is marked Provisioning failed" : "is ready again"));
  }

  // Routes that show a page before anything is entered.
  http::Response new_form(http::Request& r, RequestContext& ctx) const {
    return new_page(r, ctx, TemplateData{});
  }
  http::Response import_form(http::Request& r, RequestContext& ctx) const {
    return import_page(r, ctx, TemplateData{});
  }
  http::Response edit_form(http::Request& r, RequestContext& ctx) const {
    return edit_page(r, ctx, TemplateData{});
  }

  void add_routes(http::Router& router) const {
    const PoolPages& p = *this;
    using P = PoolPages;
    const auto member = [&](auto method) { return auth.member(to(p, method), kProviderOrgs); };
    const auto admin = [&](auto method) { return auth.admin(to(p, method), kProviderOrgs); };
    router.get("/orgs/{org}/pool", member(&P::list_page));
    router.get("/orgs/{org}/pool/new", admin(&P::new_form));
    router.post("/orgs/{org}/pool/accounts", admin(&P::add));
    router.get("/orgs/{org}/pool/import", admin(&P::import_form));
    router.post("/orgs/{org}/pool/import", admin(&P::import));
    router.get("/orgs/{org}/pool/accounts/{account_id}/edit", admin(&P::edit_form));
    router.post("/orgs/{org}/pool/accounts/{account_id}/edit", admin(&P::update));
    router.post("/orgs/{org}/pool/accounts/{account_id}/delete", admin(&P::remove_one));
    router.post("/orgs/{org}/pool/accounts/{account_id}/resolve", admin(&P::resolve));
    router.post("/orgs/{org}/pool/delete", admin(&P::remove_selected));
    router.post("/orgs/{org}/pool/delete-all", admin(&P::remove_all));
  }
};

}  // namespace

void add_pool_pages(http::Router& router, Pages& pages, const Auth& auth, pool::Pool& pool) {
  PoolPages{pages, auth, pool}.add_routes(router);
}

}  // namespace web
