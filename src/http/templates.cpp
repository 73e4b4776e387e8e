#include "http/templates.h"

#include <fmt/format.h>

namespace http {

namespace mustache = kainjow::mustache;

core::Result<std::unique_ptr<Templates>> Templates::load(std::span<const core::EmbeddedFile> files,
                                                         std::string layout) {
  auto t = std::unique_ptr<Templates>(new Templates());
  t->layout_ = std::move(layout);
  if (auto added = t->add(files); !added.ok()) return added.error();
  return t;
}

core::Status Templates::add(std::span<const core::EmbeddedFile> files) {
  constexpr std::string_view kSuffix = ".mustache";
  std::map<std::string, std::string> parsed_sources;
  for (const auto& f : files) {
    if (!f.path.ends_with(kSuffix)) continue;
    const std::string name(f.path.substr(0, f.path.size() - kSuffix.size()));
    mustache::mustache parsed{std::string(f.data)};
    if (!parsed.is_valid()) {
      return core::internal(
          fmt::format("Template {} does not parse: {}", name, parsed.error_message()));
    }
    if (sources_.contains(name) || !parsed_sources.emplace(name, std::string(f.data)).second) {
      return core::internal(fmt::format("Template {} is defined twice.", name));
    }
  }
  sources_.merge(parsed_sources);
  return {};
}

core::Result<std::string> Templates::render(const std::string& name,
                                            const TemplateData& data) const {
  const auto it = sources_.find(name);
  if (it == sources_.end()) return core::internal(fmt::format("No template named {}", name));
  mustache::mustache tmpl{it->second};
  // Partials resolve against the same set of templates.
  TemplateData with_partials = data;
  for (const auto& [partial_name, source] : sources_) {
    if (!with_partials.is_object() || with_partials.get(partial_name) != nullptr) continue;
    const std::string* src = &source;
    with_partials.set(partial_name, mustache::partial([src] { return *src; }));
  }
  std::string out = tmpl.render(with_partials);
  if (!tmpl.is_valid())
    return core::internal(fmt::format("Template {} failed: {}", name, tmpl.error_message()));
  return out;
}

core::Result<std::string> Templates::render_page(const std::string& name, TemplateData data) const {
  auto content = render(name, data);
  if (!content.ok()) return content;
  data.set("content", std::move(content).value());
  return render(layout_, data);
}

}  // namespace http
