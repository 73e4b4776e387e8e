#include "web/pages.h"

#include "core/embedded.h"
#include "core/log.h"

namespace resources {
std::span<const core::EmbeddedFile> web_templates();
std::span<const core::EmbeddedFile> web_static();
}  // namespace resources

namespace web {

namespace {

using http::TemplateData;

struct ErrorText {
  const char* heading;
  const char* action_label;
  const char* action_href;
};

ErrorText error_text(int status) {
  switch (status) {
    case 400: return {"That request could not be read", "Go to the home page", "/"};
    case 401: return {"Please sign in", "Sign in", "/login"};
    case 403: return {"You do not have access to this", "Go to the home page", "/"};
    case 404: return {"Page not found", "Go to the home page", "/"};
    case 409: return {"That cannot be done right now", "Go back to the home page", "/"};
    case 413: return {"That upload is too large", "Go to the home page", "/"};
    case 422: return {"Something in the request needs fixing", "Go to the home page", "/"};
    case 429: return {"Too many attempts", "Go to the home page", "/"};
    case 503: return {"Marketlink is busy", "Try again", "/"};
    default: return {"Something went wrong", "Go to the home page", "/"};
  }
}

}  // namespace

Pages::Pages(SiteInfo info, std::unique_ptr<http::Templates> templates)
    : site_(std::move(info)),
      templates_(std::move(templates)),
      static_files_(resources::web_static()) {}

core::Result<std::unique_ptr<Pages>> Pages::create(SiteInfo info) {
  auto templates = http::Templates::load(resources::web_templates());
  if (!templates.ok()) return templates.error();
  return std::unique_ptr<Pages>(new Pages(std::move(info), std::move(templates).value()));
}

void Pages::add_frame(TemplateData& d, const http::Request* request, const Frame& frame) const {
  d.set("title", frame.title);
  d.set("sandbox", site_.sandbox);
  TemplateData crumbs{TemplateData::type::list};
  for (const Link& l : frame.breadcrumbs) {
    TemplateData item;
    item.set("label", l.label);
    item.set("href", l.href);
    crumbs.push_back(item);
  }
  d.set("has_breadcrumbs", !frame.breadcrumbs.empty());
  d.set("breadcrumbs", crumbs);
  if (!frame.flash_message.empty()) {
    TemplateData flash;
    flash.set("message", frame.flash_message);
    flash.set("kind", frame.flash_kind);
    d.set("flash", flash);
  }
  if (frame.refresh_seconds > 0) d.set("refresh_seconds", std::to_string(frame.refresh_seconds));
  TemplateData sections{TemplateData::type::list};
  TemplateData overview;
  overview.set("heading", "Overview");
  TemplateData links{TemplateData::type::list};
  TemplateData home;
  home.set("label", "Home");
  home.set("href", "/");
  if (request != nullptr && request->path == "/") home.set("current", true);
  links.push_back(home);
  overview.set("links", links);
  sections.push_back(overview);
  d.set("nav_sections", sections);
}

http::Response Pages::render(const http::Request& request, const std::string& name,
                             const Frame& frame, TemplateData data, int status) const {
  add_frame(data, &request, frame);
  auto html = templates_->render_page(name, data);
  if (!html.ok()) {
    core::log::error("page render failed", {{"template", name}, {"error", html.error().message}});
    return http::error_response(request, core::internal("This page could not be shown."),
                                error_page());
  }
  return http::Response::html(status, std::move(html).value());
}

http::ErrorPageRenderer Pages::error_page() const {
  return [this](int status, const core::Error& error, const std::string& request_id) {
    const ErrorText text = error_text(status);
    TemplateData d;
    add_frame(d, nullptr, Frame{.title = text.heading});
    d.set("status", std::to_string(status));
    d.set("heading", text.heading);
    d.set("message", error.message);
    d.set("action_label", text.action_label);
    d.set("action_href", text.action_href);
    d.set("request_id", request_id);
    auto html = templates_->render_page("error", d);
    return html.ok() ? std::move(html).value()
                     : "<!doctype html><title>Error</title><p>" + http::html_escape(error.message) +
                           "</p>";
  };
}

void add_site_routes(http::Router& router, const Pages& pages) {
  router.get("/", [&pages](http::Request& r) {
    TemplateData d;
    d.set("version", pages.site().version);
    d.set("database", pages.site().database);
    return pages.render(r, "home", Frame{.title = "Home"}, d);
  });
  router.get("/static/{file*}",
             [&pages](http::Request& r) { return pages.static_files().serve(r, r.param("file")); },
             {.inline_io = true});
}

}  // namespace web
