#include "app/system_routes.h"

#include <nlohmann/json.hpp>

namespace app {

void add_system_routes(http::Router& router, db::Database& database,
                       const std::vector<db::Migration>& migrations, const core::Metrics& metrics,
                       const SystemInfo& info) {
  router.get("/healthz",
             [](http::Request&) { return http::Response::json(200, R"({"status":"ok"})"); },
             {.inline_io = true});

  router.get("/readyz", [&database, &migrations](http::Request&) {
    nlohmann::json body;
    const core::Status ping = database.ping();
    body["database"] = ping.ok() ? "ok" : "unreachable";
    bool ready = ping.ok();
    if (ready) {
      auto status = db::migration_status(database, migrations);
      if (status.ok()) {
        body["migrations"] = {{"current", status->current}, {"latest", status->latest}};
        ready = status->up_to_date();
      } else {
        ready = false;
      }
    }
    body["status"] = ready ? "ready" : "not_ready";
    return http::Response::json(ready ? 200 : 503, body.dump());
  });

  router.get("/metrics",
             [&metrics](http::Request&) {
               return http::Response::text(200, metrics.render(),
                                           "text/plain; version=0.0.4; charset=utf-8");
             },
             {.inline_io = true});

  // The answer never changes while the process runs: build it once.
  const std::string version_body = nlohmann::json{
      {"name", "marketlink"},
      {"version", info.version},
      {"database", database.backend() == db::Backend::kSqlite
                       ? "sqlite"
                       : "postgresql"}}.dump();
  router.get("/api/v1/version",
             [version_body](http::Request&) { return http::Response::json(200, version_body); },
             {.inline_io = true});
}

}  // namespace app
