#include "web/page_support.h"

#include "http/errors.h"

namespace web {

Form::Form(const http::Request& r) : fields_(http::parse_form(r.body)) {}

std::string Form::operator[](const std::string& key) const {
  for (const auto& [k, v] : fields_) {
    if (k == key) return v;
  }
  return "";
}

std::vector<std::string> Form::all(const std::string& key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : fields_) {
    if (k == key) out.push_back(v);
  }
  return out;
}

void set_errors(http::TemplateData& d, const core::Error& e) {
  d.set("has_errors", true);
  d.set("error_message", e.message);
  http::TemplateData list{http::TemplateData::type::list};
  for (const auto& detail : e.details) {
    if (detail.field == "retry_after") continue;
    d.set(detail.field + "_error", detail.message);
    http::TemplateData item;
    item.set("field", detail.field);
    item.set("message", detail.message);
    list.push_back(item);
  }
  d.set("has_error_list", !list.is_empty_list());
  d.set("error_list", list);
}

int status_of(const core::Error& e) { return http::status_for(e.code); }

std::string with_query(const std::string& path,
                       const std::vector<std::pair<std::string, std::string>>& params) {
  std::string query;
  for (const auto& [name, value] : params) {
    if (value.empty()) continue;
    query += (query.empty() ? "?" : "&") + name + "=" + http::url_encode(value);
  }
  return path + query;
}

http::TemplateData org_data(const identity::Organization& org) {
  http::TemplateData o;
  o.set("id", org.id);
  o.set("slug", org.slug);
  o.set("name", org.name);
  o.set("kind", identity::to_string(org.kind));
  o.set("kind_label", identity::display_name(org.kind));
  if (!org.marketplace_id.empty()) o.set("marketplace_id", org.marketplace_id);
  o.set("created_at", display_time(org.created_at));
  return o;
}

http::TemplateData org_page_data(const RequestContext& ctx) {
  http::TemplateData d;
  d.set("org", org_data(*ctx.org));
  d.set("is_admin", ctx.is_admin());
  d.set("role_label", identity::display_name(ctx.role));
  return d;
}

std::vector<Link> org_crumbs(const RequestContext& ctx) {
  return {Link{.label = ctx.org->name, .href = "/orgs/" + ctx.org->slug}};
}

}  // namespace web
