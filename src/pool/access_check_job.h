// The payload of a pool.access_check job (kAccessCheckJob): which provider's run it works on.
// Private to src/pool; the one place that writes and reads it.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace pool {

struct AccessCheckJob {
  std::string provider_org_id;
  core::TimePoint started_at;  // the run the job belongs to
};

std::string to_payload(const AccessCheckJob& job);
// invalid when the payload is not one to_payload made.
core::Result<AccessCheckJob> parse_access_check_job(std::string_view payload);
// The dedupe key of the job that works on the run once `done` accounts are checked, so a repeated
// step does not start two jobs.
std::string step_key(const AccessCheckJob& job, long long done);

}  // namespace pool
