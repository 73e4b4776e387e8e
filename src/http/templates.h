// Templates: mustache templates compiled into the binary, rendered with kainjow::mustache.
// Pages are rendered into a layout: render_page() renders `name` with `data`, then the layout
// with the result as {{{content}}} and the same data (so the layout sees title, user, nav…).
// Partials: {{> name}} finds "name.mustache" among the same files.
// Thread safe: templates are parsed at start-up (load, add) and only read afterwards.
#pragma once

#include <kainjow/mustache.hpp>

#include <map>
#include <memory>
#include <span>
#include <string>

#include "core/embedded.h"
#include "core/result.h"

namespace http {

using TemplateData = kainjow::mustache::data;

class Templates {
 public:
  // Every "*.mustache" in `files`; fails (internal) when one does not parse.
  static core::Result<std::unique_ptr<Templates>> load(std::span<const core::EmbeddedFile> files,
                                                       std::string layout = "layout");
  // Adds every "*.mustache" of another set (start-up only). internal when one does not parse or
  // has the name of a template already there; nothing is added then.
  core::Status add(std::span<const core::EmbeddedFile> files);
  // Renders one template (without layout). Unknown names are a bug: internal error.
  core::Result<std::string> render(const std::string& name, const TemplateData& data) const;
  core::Result<std::string> render_page(const std::string& name, TemplateData data) const;
  bool has(const std::string& name) const { return sources_.contains(name); }

 private:
  std::map<std::string, std::string> sources_;
  std::string layout_;
};

}  // namespace http
