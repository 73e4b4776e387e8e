// The platform operator's pages: its products (/operator/products…) and every registration
// (/operator/registrations…). Operator members read; operator admins change products.
#include <fmt/format.h>

#include <charconv>
#include <map>
#include <optional>
#include <vector>

#include "core/text.h"
#include "web/handlers.h"
#include "web/page_support.h"
#include "web/saas/saas_shared.h"
#include "web/saas/saas_views_shared.h"

namespace resources {
std::span<const core::EmbeddedFile> web_saas_operator_templates();
}  // namespace resources

namespace web {

namespace {

using http::TemplateData;

constexpr const char* kProductsPath = "/operator/products";
constexpr const char* kRegistrationsPath = "/operator/registrations";
constexpr int kDefaultPageSize = 50;
constexpr int kPageSizes[] = {50, 100, 200};

constexpr saas::PricingModel kPricingModels[] = {
    saas::PricingModel::kSubscription, saas::PricingModel::kContract,
    saas::PricingModel::kContractWithConsumption, saas::PricingModel::kFree};
constexpr saas::Outcome kOutcomes[] = {
    saas::Outcome::kResolved,      saas::Outcome::kLinked,       saas::Outcome::kRefused,
    saas::Outcome::kInvalidToken,  saas::Outcome::kExpiredToken, saas::Outcome::kProductUnknown,
    saas::Outcome::kAwsUnavailable};
constexpr saas::LinkStatus kLinkStatuses[] = {
    saas::LinkStatus::kPending, saas::LinkStatus::kActive, saas::LinkStatus::kUnsubscribePending,
    saas::LinkStatus::kCancelled, saas::LinkStatus::kFailed};

const char* identity_label(bool concurrent_agreements) {
  return concurrent_agreements ? "Concurrent agreements" : "Legacy customer identifier";
}

const char* subscription_label(identity::SubscriptionStatus s) {
  return s == identity::SubscriptionStatus::kActive ? "Active" : "Trial";
}

std::string or_dash(const std::string& text) { return text.empty() ? "—" : text; }

std::string time_or_dash(const std::optional<core::TimePoint>& t) {
  return t ? display_time(*t) : "—";
}

std::string offer_label(const std::string& offer_type) {
  if (offer_type.empty()) return "Standard";
  if (offer_type == saas::kFreeTrialOfferType) return "Free trial";
  return offer_type;
}

// Sets `key` only when `value` is not empty: an empty string is still true to a mustache
// section.
void set_if(TemplateData& d, const std::string& key, const std::string& value) {
  if (!value.empty()) d.set(key, value);
}

// What the product form holds, as typed.
struct ProductForm {
  std::string product_code, name, pricing_model, dimensions, identity, manage_url, support_contact,
      new_org_subscription;

  static ProductForm read(const Form& f) {
    return {.product_code = std::string(core::trim(f["product_code"])),
            .name = f["name"],
            .pricing_model = f["pricing_model"],
            .dimensions = f["dimensions"],
            .identity = f["concurrent_agreements"],
            .manage_url = f["manage_url"],
            .support_contact = f["support_contact"],
            .new_org_subscription = f["new_org_subscription"]};
  }

  static ProductForm of(const saas::Product& p) {
    ProductForm f{.product_code = p.product_code,
                  .name = p.name,
                  .pricing_model = saas::pricing_model_name(p.pricing_model),
                  .dimensions = "",
                  .identity = p.concurrent_agreements ? "concurrent" : "legacy",
                  .manage_url = p.manage_url,
                  .support_contact = p.support_contact,
                  .new_org_subscription = identity::to_string(p.new_org_subscription)};
    for (const saas::Dimension& d : p.dimensions) {
      f.dimensions += d.name;
      if (!d.description.empty()) f.dimensions += ": " + d.description;
      f.dimensions += "\n";
    }
    return f;
  }

  // A new product's form: concurrent agreements and trial unless the operator says otherwise.
  static ProductForm blank() {
    return {.product_code = "",
            .name = "",
            .pricing_model = "",
            .dimensions = "",
            .identity = "concurrent",
            .manage_url = "",
            .support_contact = "",
            .new_org_subscription = "trial"};
  }

  // The dimensions, one per non-blank line "name: description"; `lines` gets each one's line
  // number (for errors).
  std::vector<saas::Dimension> dimension_list(std::vector<int>* lines = nullptr) const {
    std::vector<saas::Dimension> out;
    size_t start = 0;
    int line = 0;
    while (start <= dimensions.size()) {
      size_t end = dimensions.find('\n', start);
      if (end == std::string::npos) end = dimensions.size();
      ++line;
      std::string_view text = core::trim(std::string_view(dimensions).substr(start, end - start));
      start = end + 1;
      if (text.empty()) continue;
      const auto colon = text.find(':');
      saas::Dimension d;
      d.name = std::string(core::trim(text.substr(0, colon)));
      if (colon != std::string_view::npos) {
        d.description = std::string(core::trim(text.substr(colon + 1)));
      }
      out.push_back(std::move(d));
      if (lines != nullptr) lines->push_back(line);
    }
    return out;
  }

  // The fields for create_product (`creating`) or update_product, or the form's own errors (a
  // choice that is not one of the form's).
  core::Result<saas::ProductFields> fields(bool creating, std::vector<int>& lines) const {
    saas::ProductFields f;
    core::Error e =
        core::invalid("Some fields of the product need your attention.", "invalid_product");
    if (creating) f.product_code = product_code;
    f.name = name;
    if (!pricing_model.empty()) {
      f.pricing_model = saas::parse_pricing_model(pricing_model);
      if (!f.pricing_model) e.details.push_back({"pricing_model", "Choose a pricing model."});
    } else if (!creating) {
      e.details.push_back({"pricing_model", "Choose a pricing model."});
    }
    f.dimensions = dimension_list(&lines);
    if (identity == "concurrent" || identity == "legacy") {
      f.concurrent_agreements = identity == "concurrent";
    } else {
      e.details.push_back({"concurrent_agreements", "Choose how AWS identifies buyers."});
    }
    f.manage_url = manage_url;
    f.support_contact = support_contact;
    f.new_org_subscription = identity::parse_subscription_status(new_org_subscription);
    if (!f.new_org_subscription) {
      e.details.push_back({"new_org_subscription", "Choose trial or active."});
    }
    if (!e.details.empty()) return e;
    return f;
  }

  void fill(TemplateData& d) const {
    d.set("product_code", product_code);
    d.set("name", name);
    d.set("dimensions", dimensions);
    d.set("manage_url", manage_url);
    d.set("support_contact", support_contact);
    TemplateData models{TemplateData::type::list};
    for (saas::PricingModel m : kPricingModels) {
      TemplateData o;
      o.set("value", saas::pricing_model_name(m));
      o.set("label", saas::display_name(m));
      o.set("selected", pricing_model == saas::pricing_model_name(m));
      models.push_back(o);
    }
    d.set("pricing_models", models);
    d.set("concurrent", identity != "legacy");
    d.set("legacy", identity == "legacy");
    d.set("new_org_trial", new_org_subscription != "active");
    d.set("new_org_active", new_org_subscription == "active");
  }
};

// The service's product error for the form: dimension errors ("dimensions[2].name") become
// errors of the dimensions field that name the line.
core::Error form_error(const core::Error& e, const std::vector<int>& lines,
                       std::string& dimensions_message) {
  core::Error out = e;
  out.details.clear();
  for (const core::ErrorDetail& detail : e.details) {
    if (!detail.field.starts_with("dimensions")) {
      out.details.push_back(detail);
      continue;
    }
    std::string message = detail.message;
    size_t index = 0;
    const char* first = detail.field.data() + std::string_view("dimensions[").size();
    if (detail.field.starts_with("dimensions[") &&
        std::from_chars(first, detail.field.data() + detail.field.size(), index).ec ==
            std::errc() &&
        index < lines.size()) {
      message = fmt::format("Line {}: {}", lines[index], detail.message);
    }
    dimensions_message += (dimensions_message.empty() ? "" : " ") + message;
    out.details.push_back({"dimensions", message});
  }
  return out;
}

// Who is who on a registration's page: organizations and their members by id.
struct Names {
  identity::IdentityService& identity;
  std::map<std::string, std::optional<identity::Organization>> orgs;
  std::map<std::string, std::map<std::string, std::string>> members;  // org id → user id → name

  const identity::Organization* org(const std::string& id) {
    if (id.empty()) return nullptr;
    auto it = orgs.find(id);
    if (it == orgs.end()) {
      auto found = identity.find_organization(id);
      it = orgs.emplace(id, found.ok() ? std::optional(*found) : std::nullopt).first;
    }
    return it->second ? &*it->second : nullptr;
  }
  std::string org_name(const std::string& id) {
    const identity::Organization* o = org(id);
    return o != nullptr ? o->name : or_dash(id);
  }
  // The user's name as a member of `org_id`; someone who left is "a former member".
  std::string user(const std::string& org_id, const std::string& user_id) {
    if (user_id.empty()) return "—";
    auto it = members.find(org_id);
    if (it == members.end()) {
      std::map<std::string, std::string> names;
      if (auto list = identity.members(org_id); list.ok()) {
        for (const identity::Member& m : *list) {
          names[m.user.id] =
              m.user.name.empty() ? m.user.email : m.user.name + " (" + m.user.email + ")";
        }
      }
      it = members.emplace(org_id, std::move(names)).first;
    }
    const auto name = it->second.find(user_id);
    return name != it->second.end() ? name->second : "A former member";
  }
};

// The registration list's state as its URL carries it.
struct ListQuery {
  std::string product_code, outcome, status, buyer, from, to;
  int limit = kDefaultPageSize;
  std::string cursor;
  long long start = 0;  // registrations before this page (for "Showing 51–100")

  static ListQuery read(const http::Request& r) {
    ListQuery q;
    const auto value = [&](const char* name) {
      return std::string(core::trim(r.query(name).value_or("")));
    };
    q.product_code = value("product_code");
    q.outcome = value("outcome");
    q.status = value("status");
    q.buyer = value("buyer");
    q.from = value("from");
    q.to = value("to");
    const std::string limit = value("limit");
    for (int size : kPageSizes) {
      if (limit == std::to_string(size)) q.limit = size;
    }
    q.cursor = value("cursor");
    const std::string start = value("start");
    long long n = 0;
    if (!q.cursor.empty() &&
        std::from_chars(start.data(), start.data() + start.size(), n).ec == std::errc() && n > 0) {
      q.start = n;
    }
    return q;
  }

  bool narrowed() const {
    return !product_code.empty() || !outcome.empty() || !status.empty() || !buyer.empty() ||
           !from.empty() || !to.empty();
  }

  std::string href(bool with_page = true) const {
    const bool paged = with_page && !cursor.empty();
    return with_query(kRegistrationsPath,
                      {{"product_code", product_code},
                       {"outcome", outcome},
                       {"status", status},
                       {"buyer", buyer},
                       {"from", from},
                       {"to", to},
                       {"limit", limit != kDefaultPageSize ? std::to_string(limit) : ""},
                       {"cursor", paged ? cursor : ""},
                       {"start", paged ? std::to_string(start) : ""}});
  }
};

struct OperatorPages {
  Pages& pages;
  const Auth& auth;
  saas::SaasService& saas;

  static std::vector<Link> crumbs(const RequestContext& ctx, const char* label = nullptr,
                                  const char* href = nullptr) {
    std::vector<Link> out = {Link{.label = "Operator", .href = "/orgs/" + ctx.org->slug}};
    if (label != nullptr) out.push_back(Link{.label = label, .href = href});
    return out;
  }

  // --- products ---

  http::Response products_page(http::Request& r, RequestContext& ctx) const {
    auto products = saas.products();
    if (!products.ok()) return auth.error(r, products.error(), &ctx);
    TemplateData d = org_page_data(ctx);
    TemplateData rows{TemplateData::type::list};
    for (const saas::Product& p : *products) {
      TemplateData row;
      row.set("name", p.name);
      row.set("href", std::string(kProductsPath) + "/" + p.product_code);
      row.set("product_code", p.product_code);
      row.set("pricing_model", saas::display_name(p.pricing_model));
      row.set("identity", identity_label(p.concurrent_agreements));
      row.set("dimensions", std::to_string(p.dimensions.size()));
      row.set("new_org_subscription", subscription_label(p.new_org_subscription));
      rows.push_back(row);
    }
    d.set("products", rows);
    d.set("has_products", !products->empty());
    d.set("showing",
          core::count_of(static_cast<long long>(products->size()), "product", "products"));
    return pages.render(r, ctx, "operator_products",
                        Frame{.title = "Products", .breadcrumbs = crumbs(ctx)}, std::move(d));
  }

  // The new-product form (`code` empty) or a product's page, with `form` as typed and `errors`.
  http::Response product_page(http::Request& r, RequestContext& ctx, const std::string& code,
                              const ProductForm& form, TemplateData errors, int status = 200,
                              const saas::Product* product = nullptr) const {
    const bool creating = code.empty();
    TemplateData d = org_page_data(ctx);
    form.fill(d);
    for (const char* key :
         {"has_errors", "error_message", "has_error_list", "error_list", "product_code_error",
          "name_error", "pricing_model_error", "dimensions_error", "concurrent_agreements_error",
          "manage_url_error", "support_contact_error", "new_org_subscription_error"}) {
      if (auto v = errors.get(key)) d.set(key, *v);
    }
    d.set("creating", creating);
    d.set("can_edit", ctx.is_admin());
    d.set("action",
          creating ? std::string(kProductsPath) : std::string(kProductsPath) + "/" + code);
    d.set("submit_label", creating ? "Register product" : "Save");
    std::string title = "Register product";
    if (product != nullptr) {
      title = product->name;
      d.set("pricing_model_label", saas::display_name(product->pricing_model));
      d.set("identity_label", identity_label(product->concurrent_agreements));
      d.set("new_org_label", subscription_label(product->new_org_subscription));
      d.set("created", display_time(product->created_at));
      d.set("updated", display_time(product->updated_at));
      TemplateData dims{TemplateData::type::list};
      for (const saas::Dimension& dim : product->dimensions) {
        TemplateData item;
        item.set("name", dim.name);
        set_if(item, "description", dim.description);
        dims.push_back(item);
      }
      d.set("dimension_list", dims);
    }
    d.set("heading", title);
    return pages.render(
        r, ctx, "operator_product",
        Frame{.title = title, .breadcrumbs = crumbs(ctx, "Products", kProductsPath)}, std::move(d),
        status);
  }

  http::Response new_product_form(http::Request& r, RequestContext& ctx) const {
    return product_page(r, ctx, "", ProductForm::blank(), TemplateData{});
  }

  http::Response create_product(http::Request& r, RequestContext& ctx) const {
    return save_product(r, ctx, "");
  }

  http::Response show_product(http::Request& r, RequestContext& ctx) const {
    auto product = saas.product(r.param("code"));
    if (!product.ok()) return auth.error(r, product.error(), &ctx);
    return product_page(r, ctx, product->product_code, ProductForm::of(*product), TemplateData{},
                        200, &*product);
  }

  http::Response update_product(http::Request& r, RequestContext& ctx) const {
    auto product = saas.product(r.param("code"));
    if (!product.ok()) return auth.error(r, product.error(), &ctx);
    return save_product(r, ctx, product->product_code, &*product);
  }

  // Creates (`code` empty) or updates the product from the posted form.
  http::Response save_product(http::Request& r, RequestContext& ctx, const std::string& code,
                              const saas::Product* existing = nullptr) const {
    const bool creating = code.empty();
    ProductForm form = ProductForm::read(Form(r));
    if (!creating) form.product_code = code;
    std::vector<int> lines;
    auto fields = form.fields(creating, lines);
    core::Result<saas::Product> saved =
        !fields.ok() ? core::Result<saas::Product>(fields.error())
        : creating   ? saas.create_product(ctx.org_id(), *fields, ctx.actor(r))
                     : saas.update_product(ctx.org_id(), code, *fields, ctx.actor(r));
    if (!saved.ok()) {
      const core::Error& e = saved.error();
      if (e.code != core::ErrorCode::kInvalid && e.code != core::ErrorCode::kConflict) {
        return auth.error(r, e, &ctx);
      }
      std::string dimensions_message;
      TemplateData errors;
      set_errors(errors, form_error(e, lines, dimensions_message));
      if (!dimensions_message.empty()) errors.set("dimensions_error", dimensions_message);
      return product_page(r, ctx, code, form, std::move(errors), status_of(e), existing);
    }
    return auth.redirect_with_flash(
        kProductsPath, fmt::format("Product {} ({}) {}.", saved->name, saved->product_code,
                                   creating ? "registered" : "saved"));
  }

  // --- registrations ---

  http::Response registrations_page(http::Request& r, RequestContext& ctx) const {
    const std::string typed_reference(core::trim(r.query("reference").value_or("")));
    std::string lookup_message;
    if (!typed_reference.empty()) {
      const auto canonical = saas::normalize_support_reference(typed_reference);
      if (!canonical) {
        lookup_message = fmt::format(
            "“{}” is not a support reference. References look like ML-7KQ2-M9XD.", typed_reference);
      } else {
        auto found = saas.find_by_reference(*canonical);
        if (found.ok()) {
          return http::Response::redirect(std::string(kRegistrationsPath) + "/" + found->id);
        }
        if (found.error().code != core::ErrorCode::kNotFound) {
          return auth.error(r, found.error(), &ctx);
        }
        lookup_message = fmt::format("No registration has the support reference {}.", *canonical);
      }
    }

    const ListQuery q = ListQuery::read(r);
    TemplateData d = org_page_data(ctx);
    int status = 200;
    d.set("reference", typed_reference);
    set_if(d, "lookup_message", lookup_message);

    // Filters.
    auto products = saas.products();
    if (!products.ok()) return auth.error(r, products.error(), &ctx);
    TemplateData product_options{TemplateData::type::list};
    bool listed_product = q.product_code.empty();
    for (const saas::Product& p : *products) {
      TemplateData o;
      o.set("value", p.product_code);
      o.set("label", p.name + " (" + p.product_code + ")");
      o.set("selected", p.product_code == q.product_code);
      listed_product = listed_product || p.product_code == q.product_code;
      product_options.push_back(o);
    }
    if (!listed_product) {  // a code that is not ours, e.g. from a product_unknown landing
      TemplateData o;
      o.set("value", q.product_code);
      o.set("label", q.product_code);
      o.set("selected", true);
      product_options.push_back(o);
    }
    d.set("product_options", product_options);
    d.set("no_products", products->empty());
    TemplateData outcome_options{TemplateData::type::list};
    for (saas::Outcome o : kOutcomes) {
      TemplateData option;
      option.set("value", saas::outcome_name(o));
      option.set("label", saas::display_name(o));
      option.set("selected", q.outcome == saas::outcome_name(o));
      outcome_options.push_back(option);
    }
    d.set("outcome_options", outcome_options);
    TemplateData status_options{TemplateData::type::list};
    for (saas::LinkStatus s : kLinkStatuses) {
      TemplateData option;
      option.set("value", saas::link_status_name(s));
      option.set("label", saas::display_name(s));
      option.set("selected", q.status == saas::link_status_name(s));
      status_options.push_back(option);
    }
    d.set("status_options", status_options);
    d.set("buyer", q.buyer);
    d.set("from", q.from);
    d.set("to", q.to);
    TemplateData sizes{TemplateData::type::list};
    for (int size : kPageSizes) {
      TemplateData o;
      o.set("value", std::to_string(size));
      o.set("selected", size == q.limit);
      sizes.push_back(o);
    }
    d.set("page_sizes", sizes);
    d.set("has_filters", q.narrowed());

    auto all = saas.count_registrations({});
    if (!all.ok()) return auth.error(r, all.error(), &ctx);
    d.set("none_at_all", *all == 0);

    // The page.
    auto filter = registration_filter(r);
    core::Result<long long> matching =
        filter.ok() ? saas.count_registrations(*filter) : core::Result<long long>(filter.error());
    core::Result<saas::RegistrationPage> listed =
        filter.ok() ? saas.list_registrations(*filter, {.limit = q.limit, .cursor = q.cursor})
                    : core::Result<saas::RegistrationPage>(filter.error());
    if (!matching.ok() && matching.error().code != core::ErrorCode::kInvalid) {
      return auth.error(r, matching.error(), &ctx);
    }
    if (!listed.ok()) {
      if (listed.error().code != core::ErrorCode::kInvalid) {
        return auth.error(r, listed.error(), &ctx);
      }
      set_errors(d, listed.error());
      status = 422;
    }
    Names names{.identity = auth.identity(), .orgs = {}, .members = {}};
    TemplateData rows{TemplateData::type::list};
    long long shown = 0;
    if (listed.ok()) {
      for (const saas::RegistrationRow& row : listed->rows) {
        const saas::Registration& g = row.registration;
        TemplateData item;
        item.set("reference", g.reference);
        item.set("href", std::string(kRegistrationsPath) + "/" + g.id);
        item.set("landed", display_time(g.landed_at));
        if (!row.product_name.empty()) {
          item.set("product", row.product_name);
        } else {
          item.set("product", g.product_code.empty() ? "—" : "Not registered");
          item.set("product_code_shown", false);
          set_if(item, "product_code_shown", g.product_code);
        }
        item.set("buyer", or_dash(g.customer_aws_account_id));
        item.set("offer", offer_label(g.offer_type));
        item.set("outcome_label", saas::display_name(g.outcome));
        item.set("outcome_chip", outcome_chip(g.outcome));
        // Keys a row lacks would be looked up in the page's data (the frame has an org_name):
        // absent values are set false.
        item.set("linked_org_name", false);
        if (!g.linked_org_id.empty()) {
          item.set("linked_org_name", names.org_name(g.linked_org_id));
        }
        item.set("status_label", false);
        if (row.link_status) {
          item.set("status_label", saas::display_name(*row.link_status));
          item.set("status_chip", link_status_chip(*row.link_status));
        }
        rows.push_back(item);
        ++shown;
      }
      if (!listed->next_cursor.empty()) {
        ListQuery next = q;
        next.cursor = listed->next_cursor;
        next.start = q.start + shown;
        d.set("next_href", next.href());
      }
    }
    d.set("rows", rows);
    d.set("has_rows", shown > 0);
    d.set("no_match", shown == 0 && *all > 0 && listed.ok());
    if (!q.cursor.empty()) d.set("first_href", q.href(false));
    if (shown > 0 && matching.ok()) {
      d.set("showing", fmt::format("Showing {}–{} of {}", core::group_thousands(q.start + 1),
                                   core::group_thousands(q.start + shown),
                                   core::count_of(*matching, "registration", "registrations")));
    }
    return pages.render(r, ctx, "operator_registrations",
                        Frame{.title = "Registrations",
                              .breadcrumbs = crumbs(ctx),
                              .flash_message = "",
                              .flash_kind = "ok",
                              .refresh_seconds = 0},
                        std::move(d), status);
  }

  http::Response registration_page(http::Request& r, RequestContext& ctx) const {
    auto details = saas.registration_details(r.param("id"));
    if (!details.ok()) return auth.error(r, details.error(), &ctx);
    const saas::Registration& g = details->registration;
    Names names{.identity = auth.identity(), .orgs = {}, .members = {}};
    TemplateData d = org_page_data(ctx);
    d.set("id", g.id);
    d.set("reference", g.reference);
    d.set("outcome_label", saas::display_name(g.outcome));
    d.set("outcome_chip", outcome_chip(g.outcome));
    set_if(d, "outcome_slug", g.outcome_slug);
    set_if(d, "outcome_message", g.outcome_message);
    if (details->product) set_if(d, "product_name", details->product->name);
    set_if(d, "product_code", g.product_code);
    d.set("buyer", or_dash(g.customer_aws_account_id));
    d.set("customer_identifier", or_dash(g.customer_identifier));
    d.set("license_arn", or_dash(g.license_arn));
    d.set("offer", offer_label(g.offer_type));
    d.set("choice", g.choice == saas::Choice::kExisting ? "Has an account"
                    : g.choice == saas::Choice::kNew    ? "Creates an account"
                                                        : "Nothing yet");
    d.set("landings", std::to_string(g.landings));
    d.set("landed", display_time(g.landed_at));
    d.set("resolved", time_or_dash(g.resolved_at));
    d.set("expires", display_time(g.expires_at));
    d.set("linked", g.linked_at
                        ? display_time(*g.linked_at) + " to " + names.org_name(g.linked_org_id)
                        : "—");
    d.set("updated", display_time(g.updated_at));

    if (details->link) {
      const saas::Link& l = *details->link;
      TemplateData link;
      link.set("id", l.id);
      link.set("org_name", names.org_name(l.org_id));
      const identity::Organization* org = names.org(l.org_id);
      link.set("org_slug", org != nullptr ? org->slug : "");
      link.set("status_label", saas::display_name(l.status));
      link.set("status_chip", link_status_chip(l.status));
      link.set("buyer", or_dash(l.customer_aws_account_id));
      link.set("customer_identifier", or_dash(l.customer_identifier));
      link.set("license_arn", or_dash(l.license_arn));
      link.set("free_trial", !l.free_trial()        ? "No"
                             : l.free_trial_ends_at ? "Ends " + display_time(*l.free_trial_ends_at)
                                                    : "Yes; AWS has not said when it ends");
      link.set("linked_by", names.user(l.org_id, l.linked_by_user_id));
      link.set("created", display_time(l.created_at));
      link.set("updated", display_time(l.updated_at));
      link.set("other_registration", l.registration_id != g.id);
      d.set("link", link);
    }

    TemplateData timeline{TemplateData::type::list};
    for (const saas::RegistrationEvent& e : details->timeline) {
      TemplateData item;
      item.set("seq", std::to_string(e.seq));
      item.set("at", display_time(e.at));
      item.set("label", event_label(e.kind));
      set_if(item, "slug", e.slug);
      set_if(item, "detail", e.detail);
      item.set("org", e.org_id.empty() ? "—" : names.org_name(e.org_id));
      item.set("user", names.user(e.org_id, e.user_id));
      timeline.push_back(item);
    }
    d.set("timeline", timeline);
    return pages.render(r, ctx, "operator_registration",
                        Frame{.title = "Registration " + g.reference,
                              .breadcrumbs = crumbs(ctx, "Registrations", kRegistrationsPath)},
                        std::move(d));
  }

  void add_routes(http::Router& router) const {
    const OperatorPages& p = *this;
    using P = OperatorPages;
    const auto member = [&](auto method) { return auth.operator_member(to(p, method)); };
    const auto admin = [&](auto method) { return auth.operator_admin(to(p, method)); };
    router.get(kProductsPath, member(&P::products_page));
    router.get("/operator/products/new", admin(&P::new_product_form));
    router.post(kProductsPath, admin(&P::create_product));
    router.get("/operator/products/{code}", member(&P::show_product));
    router.post("/operator/products/{code}", admin(&P::update_product));
    router.get(kRegistrationsPath, member(&P::registrations_page));
    router.get("/operator/registrations/{id}", member(&P::registration_page));
  }
};

}  // namespace

core::Status add_operator_pages(http::Router& router, Pages& pages, const Auth& auth,
                                saas::SaasService& saas) {
  if (auto added = pages.add_templates(resources::web_saas_operator_templates()); !added.ok()) {
    return added;
  }
  const std::vector<identity::OrgKind> operator_only = {identity::OrgKind::kOperator};
  pages.add_nav({.section = "Selling",
                 .label = "Products",
                 .path = kProductsPath,
                 .kinds = operator_only,
                 .site_path = true});
  pages.add_nav({.section = "Selling",
                 .label = "Registrations",
                 .path = kRegistrationsPath,
                 .kinds = operator_only,
                 .site_path = true});
  OperatorPages{pages, auth, saas}.add_routes(router);
  return {};
}

}  // namespace web
