// Small pieces every JSON API handler uses: the answer, the request body as an object, and typed
// fields with the contract's errors (invalid_json, invalid_argument with the field in details).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/result.h"
#include "http/message.h"

namespace web {

http::Response json_response(int status, const nlohmann::json& body);

// invalid / invalid_argument naming `field` in its details.
core::Error invalid_field(const std::string& field, const std::string& message);

// The JSON object of the request body, or invalid / invalid_json.
core::Result<nlohmann::json> body_object(const http::Request& r);

// An optional string field: nullopt when absent or null, an error when of another type.
core::Result<std::optional<std::string>> optional_string(const nlohmann::json& body,
                                                         const char* name);
// A required string field.
core::Result<std::string> required_string(const nlohmann::json& body, const char* name);
// An optional boolean field: nullopt when absent or null, an error when of another type.
core::Result<std::optional<bool>> optional_bool(const nlohmann::json& body, const char* name);

}  // namespace web
