#include "pool/access_check_job.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "pool/aws_access.h"

namespace pool {

std::string to_payload(const AccessCheckJob& job) {
  return nlohmann::json{{"provider_org_id", job.provider_org_id},
                        {"started_at", core::format_rfc3339(job.started_at)}}
      .dump();
}

core::Result<AccessCheckJob> parse_access_check_job(std::string_view payload) {
  const auto body = nlohmann::json::parse(payload, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("provider_org_id") ||
      !body["provider_org_id"].is_string() || !body.contains("started_at") ||
      !body["started_at"].is_string()) {
    return core::invalid("A pool.access_check job needs provider_org_id and started_at.");
  }
  const auto started = core::parse_rfc3339(body["started_at"].get<std::string>());
  if (!started) return core::invalid("A pool.access_check job's started_at is not a time.");
  return AccessCheckJob{.provider_org_id = body["provider_org_id"].get<std::string>(),
                        .started_at = *started};
}

std::string step_key(const AccessCheckJob& job, long long done) {
  return fmt::format("{}:{}:{}:{}", kAccessCheckJob, job.provider_org_id,
                     core::format_rfc3339(job.started_at), done);
}

}  // namespace pool
