#include "web/json_support.h"

namespace web {

using nlohmann::json;

http::Response json_response(int status, const json& body) {
  return http::Response::json(status, body.dump());
}

core::Error invalid_field(const std::string& field, const std::string& message) {
  core::Error e = core::invalid(message, "invalid_argument");
  e.details.push_back({.field = field, .message = message});
  return e;
}

core::Result<json> body_object(const http::Request& r) {
  json body = json::parse(r.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return core::invalid("The request body must be a JSON object.", "invalid_json");
  }
  return body;
}

core::Result<std::optional<std::string>> optional_string(const json& body, const char* name) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return invalid_field(name, std::string(name) + " must be a string.");
  return std::optional<std::string>(it->get<std::string>());
}

core::Result<std::string> required_string(const json& body, const char* name) {
  auto value = optional_string(body, name);
  if (!value.ok()) return value.error();
  if (!*value) return invalid_field(name, std::string(name) + " is required.");
  return **value;
}

core::Result<std::optional<bool>> optional_bool(const json& body, const char* name) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) return invalid_field(name, std::string(name) + " must be true or false.");
  return std::optional<bool>(it->get<bool>());
}

}  // namespace web
