// `marketlink pool import --org ORG FILE.csv`: the same import as the API, from a terminal, with a
// progress bar on standard error.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "app/command_context.h"
#include "app/marketplace_organizations.h"
#include "core/log.h"
#include "core/text.h"
#include "pool/pool.h"

namespace app {

namespace {

// Draws one line per phase on standard error: a bar redrawn in place on a terminal, the phase's
// start and end otherwise (logs stay readable).
class ProgressBar {
 public:
  ProgressBar() : tty_(isatty(STDERR_FILENO) == 1) {}

  void update(pool::ImportPhase phase, long long done, long long total) {
    const char* label = phase == pool::ImportPhase::kValidating ? "Validating" : "Importing ";
    if (phase_ != phase) {
      finish_line();
      phase_ = phase;
      last_percent_ = -1;
      if (!tty_) fmt::print(stderr, "{} {} rows\n", label, core::group_thousands(total));
    }
    const int percent = total > 0 ? static_cast<int>(done * 100 / total) : 100;
    if (tty_ && percent != last_percent_) {
      constexpr int kWidth = 30;
      const int filled = percent * kWidth / 100;
      fmt::print(stderr, "\r{} [{}{}] {:>3}%  {} / {}", label, std::string(filled, '#'),
                 std::string(kWidth - filled, '.'), percent, core::group_thousands(done),
                 core::group_thousands(total));
      open_line_ = true;
    }
    last_percent_ = percent;
  }

  void finish_line() {
    if (open_line_) fmt::print(stderr, "\n");
    open_line_ = false;
  }

 private:
  bool tty_;
  std::optional<pool::ImportPhase> phase_;
  int last_percent_ = -1;
  bool open_line_ = false;
};

}  // namespace

int import_pool(const core::Config& config, const PoolImportOptions& options) {
  // Keep standard error for the progress bar and the answer, unless asked for more.
  if (config.log_level == "info") core::log::set_level("warn");

  std::ifstream in(options.file, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  if (!in.good() && !in.eof()) {
    fmt::print(stderr, "marketlink: cannot read {}\n", options.file);
    return 1;
  }
  const std::string csv = content.str();

  CommandContext ctx;
  if (!ctx.open(config)) return 1;
  auto provider = ctx.service->find_organization(options.org);
  if (!provider.ok() || provider->kind != identity::OrgKind::kProvider) {
    return fail_command(core::not_found(fmt::format(
        "No provider organization {}: --org takes a provider's slug or id.", options.org)));
  }
  const MarketplaceOrganizations marketplaces(*ctx.service);
  pool::Pool accounts(*ctx.opened->database, ctx.clock, marketplaces, *ctx.audit);
  const char* user = std::getenv("USER");
  const std::string actor = fmt::format("cli:{}", user != nullptr && *user ? user : "operator");
  ProgressBar bar;
  auto imported = accounts.import_csv(
      provider->id, csv, actor,
      {.source = options.file,
       .progress = [&bar](pool::ImportPhase phase, long long done, long long total) {
         bar.update(phase, done, total);
       }});
  bar.finish_line();
  if (!imported.ok()) {
    fmt::print(stderr, "marketlink: {}\n", imported.error().message);
    for (const pool::RowError& row : pool::import_row_errors(imported.error())) {
      fmt::print(stderr, "  line {}: {}\n", row.line, row.message);
    }
    return 1;
  }
  fmt::print("Imported {} accounts into the pool of {}.\n",
             core::group_thousands(imported->imported), provider->name);
  return 0;
}

}  // namespace app
