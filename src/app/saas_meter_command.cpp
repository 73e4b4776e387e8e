// `marketlink saas meter`: the run the hourly saas.meter job makes, now, from a terminal.
#include <fmt/format.h>

#include "app/commands.h"
#include "app/wiring.h"
#include "core/log.h"

namespace app {

int run_metering(const core::Config& config) {
  if (config.log_level == "info") core::log::set_level("warn");
  auto platform = Platform::open(
      config, config.public_url.empty() ? std::string("http://127.0.0.1:8080") : config.public_url);
  if (!platform) return 1;
  auto identity = wire_identity(*platform);
  if (!identity) return 1;
  MeteringDomain metering(*platform, *identity, nullptr);
  auto ran = metering.service.run();
  if (!ran.ok()) {
    fmt::print(stderr, "marketlink: {}\n", ran.error().message);
    return 1;
  }
  if (ran->nothing_due()) {
    fmt::print("Nothing to meter: every closed hour has been sent.\n");
    return 0;
  }
  fmt::print(
      "Fixed {} hours; {} BatchMeterUsage calls with {} records: {} billed, {} not subscribed, "
      "{} alarms, {} expired, {} left unprocessed; {} late usage records.\n",
      ran->hours_fixed, ran->calls, ran->records_sent, ran->billed, ran->not_subscribed,
      ran->alarms, ran->expired, ran->unprocessed_left, ran->late_usage);
  for (const saas::MeteredHour& h : ran->answered) {
    fmt::print("  {} {} {} {} = {}: {}\n", h.product_code, h.link_id, h.dimension,
               core::format_rfc3339(h.hour), h.quantity, saas::hour_state_name(h.state));
  }
  if (!ran->error.empty()) {
    fmt::print(stderr, "marketlink: sending stopped: {} (the next run retries)\n", ran->error);
    return 1;
  }
  return 0;
}

}  // namespace app
