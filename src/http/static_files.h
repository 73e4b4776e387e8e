// Serves files compiled into the binary (CSS, JS, icons) with a content type, an ETag and
// caching headers. Read-only after construction; safe from any thread and from the I/O threads.
#pragma once

#include <span>
#include <string>

#include "core/embedded.h"
#include "http/message.h"

namespace http {

class StaticFiles {
 public:
  explicit StaticFiles(std::span<const core::EmbeddedFile> files) : files_(files) {}
  // `path` relative to the embedded folder; 404 JSON/HTML when absent; 304 on a matching ETag.
  Response serve(const Request& request, const std::string& path) const;

 private:
  std::span<const core::EmbeddedFile> files_;
};

std::string content_type_for(std::string_view path);

}  // namespace http
