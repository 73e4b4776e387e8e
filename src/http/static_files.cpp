#include "http/static_files.h"

#include <fmt/format.h>

#include "http/errors.h"

namespace http {

namespace {
// FNV-1a: a cheap, stable fingerprint of the file's content for the ETag.
std::string etag_of(std::string_view data) {
  unsigned long long h = 1469598103934665603ULL;
  for (const char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return fmt::format("\"{:016x}\"", h);
}
}  // namespace

std::string content_type_for(std::string_view path) {
  if (path.ends_with(".css")) return "text/css; charset=utf-8";
  if (path.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (path.ends_with(".svg")) return "image/svg+xml";
  if (path.ends_with(".png")) return "image/png";
  if (path.ends_with(".ico")) return "image/x-icon";
  if (path.ends_with(".txt")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

Response StaticFiles::serve(const Request& request, const std::string& path) const {
  const core::EmbeddedFile* f = core::find_embedded(files_, path);
  if (f == nullptr) return error_response(request, core::not_found("There is no such file."));
  const std::string etag = etag_of(f->data);
  if (const std::string* match = request.header("if-none-match");
      match != nullptr && *match == etag) {
    Response r;
    r.status = 304;
    r.set_header("ETag", etag);
    return r;
  }
  Response r = Response::text(200, std::string(f->data), content_type_for(path));
  r.set_header("ETag", etag);
  r.set_header("Cache-Control", "public, max-age=300");
  return r;
}

}  // namespace http
