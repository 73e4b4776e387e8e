// GET /api/v1/openapi.json: the OpenAPI 3.1 document of /api/v1 (docs/openapi.json, compiled
// into the binary). A test holds it and the router to each other: every /api/v1 route is in the
// document and everything in the document is a route.
#pragma once

#include <string_view>

#include "http/router.h"

namespace app {

// The document's text.
std::string_view openapi_document();
void add_openapi_route(http::Router& router);

}  // namespace app
