#include "app/openapi_route.h"

#include <string>

#include "core/embedded.h"

namespace resources {
std::span<const core::EmbeddedFile> app_openapi();
}  // namespace resources

namespace app {

std::string_view openapi_document() {
  const core::EmbeddedFile* file = core::find_embedded(resources::app_openapi(), "openapi.json");
  return file != nullptr ? file->data : std::string_view("{}");
}

void add_openapi_route(http::Router& router) {
  const std::string body(openapi_document());
  router.get("/api/v1/openapi.json",
             [body](http::Request&) { return http::Response::json(200, body); },
             {.inline_io = true});
}

}  // namespace app
