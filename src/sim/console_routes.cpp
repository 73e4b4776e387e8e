// The buyer console at /console: a plain "AWS console" where a buyer picks an AWS account,
// browses AWS Marketplace products, subscribes (optionally to a free trial), manages
// subscriptions, and sets a product up: the set-up page POSTs a fresh registration token to the
// product's fulfillment URL as a form, which works without JavaScript.
#include <fmt/format.h>

#include <algorithm>

#include "core/embedded.h"
#include "http/errors.h"
#include "http/static_files.h"
#include "sim/sim_routes.h"

namespace resources {
std::span<const core::EmbeddedFile> sim_console_templates();
std::span<const core::EmbeddedFile> sim_console_static();
}  // namespace resources

namespace sim {

namespace {

using http::Request;
using http::Response;
using http::TemplateData;

constexpr std::string_view kCookie = "sim_console_account";

// The origin ("scheme://host[:port]") of an http(s) URL, or "".
std::string origin_of(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return {};
  const auto slash = url.find('/', scheme + 3);
  return url.substr(0, slash);
}

std::string csp(const std::string& extra_form_origin) {
  std::string form_action = "'self'";
  if (!extra_form_origin.empty()) form_action += " " + extra_form_origin;
  return "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action " + form_action +
         "; base-uri 'none'; frame-ancestors 'none'";
}

std::string pricing_label(const std::string& model) {
  if (model == "subscription") return "Usage-based pricing (billed hourly)";
  if (model == "contract") return "Contract";
  if (model == "contract_with_consumption") return "Contract with consumption";
  if (model == "free") return "Free";
  return model;
}

struct Status {
  const char* label;
  const char* kind;
};

Status status_label(const std::string& status) {
  if (status == "active") return {"Active", "ok"};
  if (status == "subscribe-pending") return {"Pending", "waiting"};
  if (status == "unsubscribe-pending") return {"Cancellation pending", "waiting"};
  return {"Cancelled", "neutral"};
}

class Console {
 public:
  Console(Simulator& sim, const http::Templates& templates) : sim_(sim), templates_(templates) {}

  std::string signed_in(const Request& r) const {
    auto id = r.cookie(kCookie);
    if (!id || !sim_.account_exists(*id)) return {};
    return *id;
  }

  Response page(const Request& r, const std::string& name, TemplateData data,
                const std::string& title, const std::string& current = {},
                const std::string& form_origin = {}) const {
    data.set("title", title);
    const std::string account = signed_in(r);
    if (!account.empty()) data.set("account_id", account);
    data.set("nav_products", current == "products");
    data.set("nav_subscriptions", current == "subscriptions");
    if (auto flash = r.query("flash")) data.set("flash", *flash);
    auto html = templates_.render_page(name, std::move(data));
    if (!html.ok()) return http::error_response(r, html.error());
    Response resp = Response::html(200, std::move(html).value());
    resp.set_header("Content-Security-Policy", csp(form_origin));
    resp.set_header("Cache-Control", "no-store");
    return resp;
  }

  Response message(const Request& r, int status, const std::string& heading,
                   const std::string& text) const {
    TemplateData d;
    d.set("heading", heading);
    d.set("text", text);
    Response resp = page(r, "message", d, heading);
    resp.status = status;
    return resp;
  }

  // ---- Pages ----

  Response home(const Request& r) const {
    if (!signed_in(r).empty()) return Response::redirect("/console/marketplace");
    TemplateData d;
    TemplateData accounts{TemplateData::type::list};
    // Buyers first, so that the preselected account is one that buys; the seller comes last.
    std::vector<std::string> ids = sim_.account_ids();
    std::stable_partition(ids.begin(), ids.end(),
                          [](const std::string& id) { return id != kSellerAccountId; });
    for (const auto& id : ids) {
      TemplateData a;
      a.set("id", id);
      if (id == kSellerAccountId) a.set("note", " (seller)");
      accounts.push_back(a);
    }
    d.set("accounts", accounts);
    return page(r, "signin", d, "Sign in");
  }

  Response sign_in(const Request& r) const {
    std::string account;
    for (const auto& [k, v] : http::parse_form(r.body)) {
      if (k == "account_id") account = v;
    }
    if (!sim_.account_exists(account))
      return message(r, 404, "Account not found", "There is no AWS account " + account + ".");
    return with_cookie(Response::redirect("/console/marketplace"), account);
  }

  Response create_account(const Request& r) const {
    std::string email;
    for (const auto& [k, v] : http::parse_form(r.body)) {
      if (k == "email") email = v;
    }
    Json req = Json::object();
    if (!email.empty()) req["email"] = email;
    auto created = sim_.create_account(req);
    if (!created.ok()) return message(r, 409, "Account not created", created.error().message);
    const std::string id = (*created)["account_id"];
    return with_cookie(Response::redirect("/console/marketplace?flash=" +
                                          http::url_encode("Signed in to new account " + id)),
                       id);
  }

  Response sign_out(const Request&) const {
    Response resp = Response::redirect("/console");
    resp.add_header("Set-Cookie",
                    std::string(kCookie) + "=; Path=/console; Max-Age=0; HttpOnly; SameSite=Lax");
    return resp;
  }

  Response products(const Request& r) const {
    if (signed_in(r).empty()) return Response::redirect("/console");
    TemplateData list{TemplateData::type::list};
    for (const auto& p : sim_.console_products()) {
      TemplateData item;
      item.set("code", p.code);
      item.set("name", p.name);
      item.set("pricing", pricing_label(p.pricing_model));
      item.set("seller", p.seller_account_id);
      if (p.free_trial) item.set("free_trial", true);
      list.push_back(item);
    }
    TemplateData d;
    d.set("products", list);
    d.set("has_products", !list.is_empty_list());
    return page(r, "products", d, "Discover products", "products");
  }

  Response product(const Request& r) const {
    if (signed_in(r).empty()) return Response::redirect("/console");
    auto p = sim_.console_product(r.param("code"));
    if (!p) return message(r, 404, "Product not found", "No product has that code.");
    TemplateData d;
    d.set("code", p->code);
    d.set("name", p->name);
    d.set("pricing", pricing_label(p->pricing_model));
    d.set("seller", p->seller_account_id);
    if (p->free_trial) d.set("free_trial", true);
    TemplateData dims{TemplateData::type::list};
    for (const auto& dim : p->dimensions) dims.push_back(TemplateData("name", dim));
    d.set("dimensions", dims);
    d.set("has_dimensions", !p->dimensions.empty());
    TemplateData starts{TemplateData::type::list};
    for (long long h = 0; h <= kMaxStartedHoursAgo; ++h) {
      TemplateData o;
      o.set("value", std::to_string(h));
      o.set("label",
            h == 0 ? std::string("now") : fmt::format("{} hour{} ago", h, h == 1 ? "" : "s"));
      starts.push_back(o);
    }
    d.set("started_options", starts);
    return page(r, "product", d, p->name, "products");
  }

  Response subscribe(const Request& r) const {
    const std::string account = signed_in(r);
    if (account.empty()) return Response::redirect("/console");
    bool free_trial = false;
    Json started_ago = 0;
    for (const auto& [k, v] : http::parse_form(r.body)) {
      if (k == "free_trial" && v == "1") free_trial = true;
      if (k == "started_hours_ago") {
        // Anything but a plain number is passed on as text, which the simulator refuses.
        const bool digits =
            !v.empty() && v.size() <= 2 &&
            std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
        started_ago = digits ? Json(std::stoll(v)) : Json(v);
      }
    }
    auto out = sim_.subscribe({{"buyer_account_id", account},
                               {"product_code", r.param("code")},
                               {"free_trial", free_trial},
                               {"started_hours_ago", started_ago}});
    if (!out.ok()) return message(r, 409, "Subscription failed", out.error().message);
    return Response::redirect("/console/marketplace/subscriptions?flash=" +
                              http::url_encode("Subscribed. Choose Set up product to finish."));
  }

  Response subscriptions(const Request& r) const {
    const std::string account = signed_in(r);
    if (account.empty()) return Response::redirect("/console");
    TemplateData list{TemplateData::type::list};
    for (const auto& a : sim_.console_agreements(account)) {
      TemplateData item;
      item.set("agreement_id", a.agreement_id);
      item.set("product_name", a.product_name);
      item.set("product_code", a.product_code);
      const Status s = status_label(a.status);
      item.set("status", s.label);
      item.set("status_kind", s.kind);
      item.set("since", iso_date(a.created));
      if (a.free_trial) item.set("free_trial", true);
      if (a.status == "active" || a.status == "unsubscribe-pending") item.set("can_set_up", true);
      if (a.status == "active") item.set("can_cancel", true);
      list.push_back(item);
    }
    TemplateData d;
    d.set("subscriptions", list);
    d.set("has_subscriptions", !list.is_empty_list());
    return page(r, "subscriptions", d, "Manage subscriptions", "subscriptions");
  }

  Response setup(const Request& r) const {
    const std::string account = signed_in(r);
    if (account.empty()) return Response::redirect("/console");
    auto a = sim_.console_agreement(r.param("id"));
    if (!a || !owns(account, a->agreement_id))
      return message(r, 404, "Subscription not found", "This account has no such subscription.");
    if (a->fulfillment_url.empty())
      return message(r, 409, "No set-up page", "The seller has not given a fulfillment URL.");
    auto token = sim_.new_registration_token(a->agreement_id);
    if (!token.ok()) return message(r, 409, "Cannot set up", token.error().message);
    TemplateData d;
    d.set("product_name", a->product_name);
    d.set("fulfillment_url", a->fulfillment_url);
    d.set("token", *token);
    if (a->free_trial) d.set("free_trial", true);
    return page(r, "setup", d, "Set up your account", "subscriptions",
                origin_of(a->fulfillment_url));
  }

  Response cancel_form(const Request& r) const {
    const std::string account = signed_in(r);
    if (account.empty()) return Response::redirect("/console");
    auto a = sim_.console_agreement(r.param("id"));
    if (!a || !owns(account, a->agreement_id))
      return message(r, 404, "Subscription not found", "This account has no such subscription.");
    TemplateData d;
    d.set("agreement_id", a->agreement_id);
    d.set("product_name", a->product_name);
    return page(r, "cancel", d, "Cancel subscription", "subscriptions");
  }

  Response cancel(const Request& r) const {
    const std::string account = signed_in(r);
    if (account.empty()) return Response::redirect("/console");
    if (!owns(account, r.param("id")))
      return message(r, 404, "Subscription not found", "This account has no such subscription.");
    auto out = sim_.cancel_subscription(r.param("id"));
    if (!out.ok()) return message(r, 409, "Not cancelled", out.error().message);
    return Response::redirect("/console/marketplace/subscriptions?flash=" +
                              http::url_encode("Cancellation requested."));
  }

 private:
  bool owns(const std::string& account, const std::string& agreement_id) const {
    for (const auto& a : sim_.console_agreements(account)) {
      if (a.agreement_id == agreement_id) return true;
    }
    return false;
  }

  static std::string iso_date(core::TimePoint t) { return core::format_rfc3339(t).substr(0, 10); }

  static Response with_cookie(Response resp, const std::string& account) {
    resp.add_header("Set-Cookie",
                    fmt::format("{}={}; Path=/console; HttpOnly; SameSite=Lax", kCookie, account));
    return resp;
  }

  Simulator& sim_;
  const http::Templates& templates_;
};

}  // namespace

core::Result<std::unique_ptr<http::Templates>> load_console_templates() {
  return http::Templates::load(resources::sim_console_templates());
}

void add_console_routes(http::Router& router, Simulator& simulator,
                        const http::Templates& templates) {
  auto console = std::make_shared<Console>(simulator, templates);
  router.get("/console/static/{file*}",
             [files = std::make_shared<http::StaticFiles>(resources::sim_console_static())](
                 Request& r) { return files->serve(r, r.param("file")); },
             {.inline_io = true});
  router.get("/console", [console](Request& r) { return console->home(r); });
  router.post("/console/signin", [console](Request& r) { return console->sign_in(r); });
  router.post("/console/accounts", [console](Request& r) { return console->create_account(r); });
  router.post("/console/signout", [console](Request& r) { return console->sign_out(r); });
  router.get("/console/marketplace", [console](Request& r) { return console->products(r); });
  router.get("/console/marketplace/products/{code}",
             [console](Request& r) { return console->product(r); });
  router.post("/console/marketplace/products/{code}/subscribe",
              [console](Request& r) { return console->subscribe(r); });
  router.get("/console/marketplace/subscriptions",
             [console](Request& r) { return console->subscriptions(r); });
  router.get("/console/marketplace/subscriptions/{id}/setup",
             [console](Request& r) { return console->setup(r); });
  router.get("/console/marketplace/subscriptions/{id}/cancel",
             [console](Request& r) { return console->cancel_form(r); });
  router.post("/console/marketplace/subscriptions/{id}/cancel",
              [console](Request& r) { return console->cancel(r); });
}

}  // namespace sim
