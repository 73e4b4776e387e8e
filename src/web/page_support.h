// Small pieces every page handler uses: form fields, errors shown next to their fields, and the
// organization's data and breadcrumbs in a page's template data.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "http/message.h"
#include "http/templates.h"
#include "web/pages.h"
#include "web/request_context.h"

namespace web {

// The fields of an application/x-www-form-urlencoded body.
class Form {
 public:
  explicit Form(const http::Request& request);
  // The first value of `key`, or "".
  std::string operator[](const std::string& key) const;
  // Every value of `key` (checkboxes of one name), in order.
  std::vector<std::string> all(const std::string& key) const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// `path` with the non-empty `params` as its query string, in order and URL-encoded:
// with_query("/pool", {{"status", "ready"}, {"q", ""}}) is "/pool?status=ready".
std::string with_query(const std::string& path,
                       const std::vector<std::pair<std::string, std::string>>& params);

// Errors next to their fields ("<field>_error") and a summary at the top (form_errors partial).
void set_errors(http::TemplateData& d, const core::Error& e);

// The HTTP status of an error (http::status_for of its code).
int status_of(const core::Error& e);

// "org" (id, slug, name, kind, …) for templates.
http::TemplateData org_data(const identity::Organization& org);
// org, is_admin and role_label of the viewer's current organization.
http::TemplateData org_page_data(const RequestContext& ctx);
// The organization as the first breadcrumb.
std::vector<Link> org_crumbs(const RequestContext& ctx);

}  // namespace web
