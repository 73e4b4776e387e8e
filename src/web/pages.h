// Pages: renders server-side pages in Marketlink's frame (top bar, navigation, flash messages)
// and the HTML error page. Route handlers in every module render through one Pages object, so
// every page looks the same. Read-only after creation: safe from any thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "http/errors.h"
#include "http/message.h"
#include "http/router.h"
#include "http/static_files.h"
#include "http/templates.h"

namespace web {

struct SiteInfo {
  std::string version;
  std::string database;  // display name, no password
  bool sandbox = false;
};

struct Link {
  std::string label;
  std::string href;
};

// What surrounds a page's content.
struct Frame {
  std::string title;
  std::vector<Link> breadcrumbs;
  std::string flash_message;
  std::string flash_kind = "ok";  // ok, fail or info
  int refresh_seconds = 0;        // > 0 while work shown on the page is running
};

class Pages {
 public:
  static core::Result<std::unique_ptr<Pages>> create(SiteInfo info);

  // Renders template `name` (web/templates/NAME.mustache) inside the layout.
  http::Response render(const http::Request& request, const std::string& name, const Frame& frame,
                        http::TemplateData data, int status = 200) const;
  // The HTML error page for http::error_response.
  http::ErrorPageRenderer error_page() const;
  const http::StaticFiles& static_files() const { return static_files_; }
  const SiteInfo& site() const { return site_; }

 private:
  Pages(SiteInfo info, std::unique_ptr<http::Templates> templates);
  // Sets the layout's keys (title, navigation, flash…) in `data`.
  void add_frame(http::TemplateData& data, const http::Request* request, const Frame& frame) const;

  SiteInfo site_;
  std::unique_ptr<http::Templates> templates_;
  http::StaticFiles static_files_;
};

// "/" (home) and "/static/{file*}".
void add_site_routes(http::Router& router, const Pages& pages);

}  // namespace web
