#include "web/pages.h"

#include "core/text.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/embedded.h"
#include "core/log.h"
#include "web/auth.h"

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

core::Status Pages::add_templates(std::span<const core::EmbeddedFile> files) {
  return templates_->add(files);
}

void Pages::add_nav(NavItem item) { nav_.push_back(std::move(item)); }

void Pages::add_frame(TemplateData& d, const http::Request* request, const RequestContext* ctx,
                      const Frame& frame) const {
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
  std::string flash_message = frame.flash_message;
  std::string flash_kind = frame.flash_kind;
  if (flash_message.empty() && ctx != nullptr && !ctx->flash_message.empty()) {
    flash_message = ctx->flash_message;
    flash_kind = ctx->flash_kind;
  }
  if (!flash_message.empty()) {
    TemplateData flash;
    flash.set("message", flash_message);
    flash.set("kind", flash_kind);
    d.set("flash", flash);
  }
  if (frame.refresh_seconds > 0) d.set("refresh_seconds", std::to_string(frame.refresh_seconds));
  const std::string path = request != nullptr ? request->path : "";
  // Sign in (top bar and menu) comes back to the page it was chosen on (not to the sign-in pages).
  const bool comes_back = request != nullptr && request->method == http::Method::kGet &&
                          path.size() > 1 && !path.starts_with("/login") &&
                          !path.starts_with("/signup") && !path.starts_with("/verify-email") &&
                          !path.starts_with("/password");
  const std::string sign_in_href = comes_back ? "/login?next=" + http::url_encode(path) : "/login";
  d.set("sign_in_href", sign_in_href);

  // Top bar: the current organization (a switcher when there are several) and the user menu.
  if (ctx != nullptr) {
    d.set("csrf_token", ctx->csrf_token);
    if (ctx->user) {
      d.set("user_name", ctx->user->name.empty() ? ctx->user->email : ctx->user->name);
      d.set("user_email", ctx->user->email);
      d.set("signed_in", true);
    } else if (ctx->token) {
      d.set("user_name", "API token " + ctx->token->token.name);
    }
    const identity::Organization* current = ctx->org ? &*ctx->org : nullptr;
    if (current == nullptr && !ctx->memberships.empty()) current = &ctx->memberships.front().org;
    if (current != nullptr) {
      d.set("org_name", current->name);
      d.set("org_kind", identity::display_name(current->kind));
    }
    TemplateData orgs{TemplateData::type::list};
    for (const auto& m : ctx->memberships) {
      TemplateData o;
      o.set("name", m.org.name);
      o.set("kind", identity::display_name(m.org.kind));
      o.set("href", "/orgs/" + m.org.slug);
      if (current != nullptr && m.org.id == current->id) o.set("current", true);
      orgs.push_back(o);
    }
    d.set("orgs", orgs);
    d.set("has_many_orgs", ctx->memberships.size() > 1);
  }

  // Left navigation: what this organization's kind and the viewer's role allow.
  TemplateData sections{TemplateData::type::list};
  const auto add_link = [&](TemplateData& links, const std::string& label,
                            const std::string& href) {
    TemplateData link;
    link.set("label", label);
    link.set("href", href);
    if (href == path) link.set("current", true);
    links.push_back(link);
  };
  const auto add_section = [&](const std::string& heading, const TemplateData& links) {
    TemplateData s;
    s.set("heading", heading);
    s.set("links", links);
    sections.push_back(s);
  };
  if (ctx != nullptr && ctx->org) {
    const identity::Organization& org = *ctx->org;
    std::vector<std::string> order;
    for (const NavItem& item : nav_) {
      if (std::find(order.begin(), order.end(), item.section) == order.end()) {
        order.push_back(item.section);
      }
    }
    for (const std::string& section : order) {
      TemplateData links{TemplateData::type::list};
      bool any = false;
      for (const NavItem& item : nav_) {
        if (item.section != section) continue;
        if (!item.kinds.empty() &&
            std::find(item.kinds.begin(), item.kinds.end(), org.kind) == item.kinds.end()) {
          continue;
        }
        if (item.admin_only && !ctx->is_admin()) continue;
        if (item.shown && !item.shown(org)) continue;
        add_link(links, item.label, item.site_path ? item.path : "/orgs/" + org.slug + item.path);
        any = true;
      }
      if (any) add_section(section, links);
    }
  } else if (ctx != nullptr && ctx->user) {
    TemplateData links{TemplateData::type::list};
    for (const auto& m : ctx->memberships) add_link(links, m.org.name, "/orgs/" + m.org.slug);
    add_section("Organizations", links);
  } else {
    TemplateData links{TemplateData::type::list};
    add_link(links, "Home", "/");
    add_link(links, "Sign in", sign_in_href);
    add_link(links, "Create an account", "/signup");
    add_section("Marketlink", links);
  }
  d.set("nav_sections", sections);
}

http::Response Pages::render(const http::Request& request, const RequestContext& ctx,
                             const std::string& name, const Frame& frame, TemplateData data,
                             int status) const {
  add_frame(data, &request, &ctx, frame);
  auto html = templates_->render_page(name, data);
  if (!html.ok()) {
    core::log::error("page render failed", {{"template", name}, {"error", html.error().message}});
    return http::error_response(request, core::internal("This page could not be shown."),
                                error_page());
  }
  return http::Response::html(status, std::move(html).value());
}

http::Response Pages::render(const http::Request& request, const std::string& name,
                             const Frame& frame, TemplateData data, int status) const {
  return render(request, RequestContext{}, name, frame, std::move(data), status);
}

std::string Pages::error_html(int status, const core::Error& error, const std::string& request_id,
                              const RequestContext* ctx) const {
  const ErrorText text = error_text(status);
  TemplateData d;
  add_frame(d, nullptr, ctx, Frame{.title = text.heading});
  d.set("status", std::to_string(status));
  d.set("heading", text.heading);
  d.set("message", error.message);
  d.set("action_label", text.action_label);
  d.set("action_href", text.action_href);
  d.set("request_id", request_id);
  auto html = templates_->render_page("error", d);
  return html.ok()
             ? std::move(html).value()
             : "<!doctype html><title>Error</title><p>" + core::escape_html(error.message) + "</p>";
}

http::ErrorPageRenderer Pages::error_page() const {
  return [this](int status, const core::Error& error, const std::string& request_id) {
    return error_html(status, error, request_id, nullptr);
  };
}

void add_site_routes(http::Router& router, const Pages& pages, const Auth& auth) {
  router.get("/", auth.anyone([&pages](http::Request& r, RequestContext& ctx) {
    if (ctx.user && !ctx.memberships.empty()) {
      return http::Response::redirect("/orgs/" + ctx.memberships.front().org.slug);
    }
    TemplateData d;
    d.set("version", pages.site().version);
    d.set("database", pages.site().database);
    return pages.render(r, ctx, "home", Frame{.title = "Home"}, d);
  }));
  router.get("/static/{file*}",
             [&pages](http::Request& r) { return pages.static_files().serve(r, r.param("file")); },
             {.inline_io = true});
}

std::string display_time(core::TimePoint t) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::string iso = core::format_rfc3339(t);  // 2026-03-02T09:00:00.000Z
  const int month = std::stoi(iso.substr(5, 2));
  const int day = std::stoi(iso.substr(8, 2));
  return fmt::format("{} {}, {}, {} UTC", kMonths[(month + 11) % 12], day, iso.substr(0, 4),
                     iso.substr(11, 5));
}

}  // namespace web
