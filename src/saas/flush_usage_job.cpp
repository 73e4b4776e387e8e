#include "saas/flush_usage_job.h"

#include <nlohmann/json.hpp>

namespace saas {

std::string flush_usage_payload(const std::string& link_id) {
  return nlohmann::json{{"link_id", link_id}}.dump();
}

std::optional<std::string> flush_usage_link(const std::string& payload) {
  const auto json = nlohmann::json::parse(payload, nullptr, false);
  if (!json.is_object()) return std::nullopt;
  const auto it = json.find("link_id");
  if (it == json.end() || !it->is_string() || it->get<std::string>().empty()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace saas
