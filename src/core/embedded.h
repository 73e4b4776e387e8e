// Files compiled into the binary (templates, static assets, migrations) by cmake/embed.cmake.
// Each embedding defines `std::span<const core::EmbeddedFile> resources::NAME()`.
#pragma once

#include <span>
#include <string_view>

namespace core {

struct EmbeddedFile {
  std::string_view path;  // relative to the embedded folder, e.g. "layout.mustache"
  std::string_view data;
};

// The file at `path`, or nullptr.
inline const EmbeddedFile* find_embedded(std::span<const EmbeddedFile> files,
                                         std::string_view path) {
  for (const EmbeddedFile& f : files) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

}  // namespace core
