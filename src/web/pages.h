// Pages: renders server-side pages in Marketlink's frame (top bar with the current organization
// and the user menu, navigation, flash messages) and the HTML error page. Route handlers in every
// module render through one Pages object, so every page looks the same.
// The frame's own templates (layout, error, notice, home, form_errors) come with it; each web
// domain adds its template set and its navigation items at start-up (add_templates, add_nav).
// Afterwards Pages is read-only and safe from any thread.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/embedded.h"

#include "http/errors.h"
#include "http/message.h"
#include "http/router.h"
#include "http/static_files.h"
#include "http/templates.h"
#include "identity/types.h"
#include "web/request_context.h"

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

// A link in the left navigation of organization pages: /orgs/{org}{path}. Shown only to members
// of an organization of one of `kinds` (empty: every kind), and only to admins when admin_only.
// With `site_path`, the link is `path` itself (the operator's pages, e.g. "/operator/products").
// With `shown`, only organizations it answers true for see it (asked on every page: keep it cheap).
struct NavItem {
  std::string section;  // heading, e.g. "Organization", "Selling", "Reselling"
  std::string label;
  std::string path;  // after /orgs/{org}, e.g. "/pool"; "" for the overview
  std::vector<identity::OrgKind> kinds;
  bool admin_only = false;
  bool site_path = false;
  std::function<bool(const identity::Organization&)> shown;
};

class Pages {
 public:
  static core::Result<std::unique_ptr<Pages>> create(SiteInfo info);

  // Adds a domain's templates (web/<domain>/templates), rendered in the same layout and able to
  // use the frame's partials (start-up only). internal when one does not parse or reuses a name.
  core::Status add_templates(std::span<const core::EmbeddedFile> files);

  // Registers a navigation item (start-up only, before serving). Items keep their order within
  // a section; sections appear in the order first used.
  void add_nav(NavItem item);

  // Renders template `name` (NAME.mustache of any added set) inside the layout, for the viewer in
  // `ctx` (top bar, organization switcher, navigation, flash message). Sets `csrf_token` in the
  // data for the page's forms.
  http::Response render(const http::Request& request, const RequestContext& ctx,
                        const std::string& name, const Frame& frame, http::TemplateData data,
                        int status = 200) const;
  // The same for an anonymous viewer.
  http::Response render(const http::Request& request, const std::string& name, const Frame& frame,
                        http::TemplateData data, int status = 200) const;
  // The HTML error page for http::error_response (anonymous frame).
  http::ErrorPageRenderer error_page() const;
  // The error page in the frame of `ctx`'s viewer (nullptr: anonymous).
  std::string error_html(int status, const core::Error& error, const std::string& request_id,
                         const RequestContext* ctx) const;
  const http::StaticFiles& static_files() const { return static_files_; }
  const SiteInfo& site() const { return site_; }

 private:
  Pages(SiteInfo info, std::unique_ptr<http::Templates> templates);
  // Sets the layout's keys (title, navigation, flash…) in `data`.
  void add_frame(http::TemplateData& data, const http::Request* request, const RequestContext* ctx,
                 const Frame& frame) const;

  SiteInfo site_;
  std::unique_ptr<http::Templates> templates_;
  http::StaticFiles static_files_;
  std::vector<NavItem> nav_;
};

class Auth;

// "/" (home: signed-in users go to their organization) and "/static/{file*}".
void add_site_routes(http::Router& router, const Pages& pages, const Auth& auth);

// "Jan 2, 2026, 09:00 UTC" for pages.
std::string display_time(core::TimePoint t);

}  // namespace web
