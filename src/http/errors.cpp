#include "http/errors.h"

#include "core/text.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace http {

int status_for(core::ErrorCode code) {
  switch (code) {
    case core::ErrorCode::kNotFound: return 404;
    case core::ErrorCode::kConflict: return 409;
    case core::ErrorCode::kInvalid: return 422;
    case core::ErrorCode::kUnauthenticated: return 401;
    case core::ErrorCode::kForbidden: return 403;
    case core::ErrorCode::kRateLimited: return 429;
    case core::ErrorCode::kUnavailable: return 503;
    case core::ErrorCode::kInternal: return 500;
  }
  return 500;
}

std::string error_json(const core::Error& error) {
  nlohmann::json e = {{"code", error.code_slug()}, {"message", error.message}};
  if (!error.details.empty()) {
    auto& details = e["details"] = nlohmann::json::array();
    for (const auto& d : error.details)
      details.push_back({{"field", d.field}, {"message", d.message}});
  }
  return nlohmann::json{{"error", e}}.dump();
}

Response error_response(const Request& request, const core::Error& error,
                        const ErrorPageRenderer& page) {
  return error_response(request, status_for(error.code), error, page);
}

Response error_response(const Request& request, int status, const core::Error& error,
                        const ErrorPageRenderer& page) {
  if (request.wants_html()) {
    if (page) return Response::html(status, page(status, error, request.request_id));
    return Response::html(
        status,
        fmt::format("<!doctype html><title>Error {}</title><p>{}</p><p>Reference: {}</p>", status,
                    core::escape_html(error.message), core::escape_html(request.request_id)));
  }
  return Response::json(status, error_json(error));
}

}  // namespace http
