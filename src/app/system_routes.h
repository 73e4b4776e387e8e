// Operational endpoints: /healthz (the process answers), /readyz (database reachable and
// migrations current), /metrics (Prometheus text) and /api/v1/version.
#pragma once

#include <vector>

#include "core/metrics.h"
#include "db/database.h"
#include "db/migrations.h"
#include "http/router.h"

namespace app {

struct SystemInfo {
  std::string version;
};

void add_system_routes(http::Router& router, db::Database& database,
                       const std::vector<db::Migration>& migrations, const core::Metrics& metrics,
                       const SystemInfo& info);

}  // namespace app
