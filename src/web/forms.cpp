#include "web/forms.h"

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

}  // namespace web
