#include "sim/sim_server.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/ids.h"
#include "core/log.h"
#include "core/metrics.h"
#include "http/server.h"
#include "sim/delivery_worker.h"
#include "sim/sim_routes.h"

namespace sim {

struct SimServer::Impl {
  SimServerSettings settings;
  Simulator simulator;
  core::Metrics metrics;
  core::RandomIdGenerator ids;
  http::Router router;
  std::unique_ptr<http::Templates> templates;
  std::unique_ptr<http::Server> server;
  std::unique_ptr<DeliveryWorker> worker;
  std::string url;
  std::mutex save_mu;
  bool started = false;
  bool stopped = false;

  Impl(SimServerSettings s, const core::Clock& clock)
      : settings(std::move(s)), simulator(settings.simulator, clock) {}

  void save() {
    if (settings.state_file.empty()) return;
    std::lock_guard lock(save_mu);
    const std::string tmp = settings.state_file + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << simulator.save_json().dump(1) << "\n";
      if (!out) {
        core::log::warn("sim state not saved", {{"file", settings.state_file}});
        return;
      }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, settings.state_file, ec);
    if (ec)
      core::log::warn("sim state not saved",
                      {{"file", settings.state_file}, {"error", ec.message()}});
  }
};

SimServer::SimServer(SimServerSettings settings, const core::Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(settings), clock)) {}

SimServer::~SimServer() { shutdown(); }

core::Result<unsigned short> SimServer::start() {
  Impl& s = *impl_;
  if (!s.settings.state_file.empty() && std::filesystem::exists(s.settings.state_file)) {
    std::ifstream in(s.settings.state_file);
    std::stringstream text;
    text << in.rdbuf();
    const Json saved = Json::parse(text.str(), nullptr, false);
    if (saved.is_discarded())
      return core::invalid(fmt::format("{} is not JSON.", s.settings.state_file));
    if (auto st = s.simulator.load_json(saved); !st.ok())
      return core::invalid(fmt::format("{}: {}", s.settings.state_file, st.error().message));
  }
  auto templates = load_console_templates();
  if (!templates.ok()) return templates.error();
  s.templates = std::move(templates).value();
  add_control_routes(s.router, s.simulator);
  add_console_routes(s.router, s.simulator, *s.templates);
  add_aws_routes(s.router, s.simulator);
  s.server = std::make_unique<http::Server>(
      http::ServerSettings{.host = s.settings.host,
                           .port = s.settings.port,
                           .io_threads = s.settings.io_threads,
                           .worker_threads = s.settings.worker_threads,
                           .shutdown_grace = s.settings.shutdown_grace,
                           .default_headers = {{"X-Content-Type-Options", "nosniff"},
                                               {"Referrer-Policy", "same-origin"},
                                               {"X-Frame-Options", "DENY"}}},
      s.router, s.metrics, s.ids);
  auto port = s.server->start();
  if (!port.ok()) return port.error();
  const std::string host = s.settings.host.find(':') != std::string::npos
                               ? "[" + s.settings.host + "]"
                               : s.settings.host;
  s.url = s.settings.public_url.empty() ? fmt::format("http://{}:{}", host, *port)
                                        : s.settings.public_url;
  s.simulator.set_base_url(s.url);
  s.worker = std::make_unique<DeliveryWorker>(s.simulator, [&s] {
    if (s.simulator.take_dirty()) s.save();
  });
  s.worker->start();
  s.started = true;
  return *port;
}

void SimServer::shutdown() {
  Impl& s = *impl_;
  if (!s.started || s.stopped) return;
  s.stopped = true;
  if (s.worker) s.worker->stop();
  if (s.server) s.server->shutdown();
  s.save();
}

std::string SimServer::url() const { return impl_->url; }

Simulator& SimServer::simulator() { return impl_->simulator; }

}  // namespace sim
