// The "saas.flush_usage" job: a link has gone unsubscribe_pending, so its usage goes to AWS now
// (AWS takes a cancelled subscription's last records for about an hour). The lifecycle enqueues
// it in the transaction that moves the link; metering handles it. Its payload is built and read
// here only: {"link_id": "…"}.
#pragma once

#include <optional>
#include <string>

namespace saas {

inline constexpr const char* kFlushUsageJob = "saas.flush_usage";

std::string flush_usage_payload(const std::string& link_id);
// The link id of a payload; nullopt when it is not {"link_id": "<non-empty text>"}.
std::optional<std::string> flush_usage_link(const std::string& payload);

}  // namespace saas
