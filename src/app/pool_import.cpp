// `marketlink pool import --org ORG FILE.csv`: the same import as the API, from a terminal, with a
// progress bar on standard error.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "app/commands.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/database.h"
#include "db/migrations.h"
#include "pool/pool.h"

namespace app {

namespace {

// Until marketplace organizations exist, any well-formed marketplace id is accepted here; the
// app wires the directory of marketplace organizations in its place once identity has them.
class WellFormedMarketplaces final : public pool::MarketplaceDirectory {
 public:
  bool exists(const std::string& marketplace_id) const override {
    return pool::is_marketplace_id_syntax(marketplace_id);
  }
};

// The provider organization named by --org (an id or a slug). Organizations are not stored yet,
// so the name is the provider's id as given; identity's organization lookup goes here.
core::Result<std::string> resolve_provider_org(const std::string& org) {
  if (org.empty()) return core::invalid("--org names the provider organization.");
  return org;
}

// "12,345".
std::string grouped(long long n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

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
      if (!tty_) fmt::print(stderr, "{} {} rows\n", label, grouped(total));
    }
    const int percent = total > 0 ? static_cast<int>(done * 100 / total) : 100;
    if (tty_ && percent != last_percent_) {
      constexpr int kWidth = 30;
      const int filled = percent * kWidth / 100;
      fmt::print(stderr, "\r{} [{}{}] {:>3}%  {} / {}", label, std::string(filled, '#'),
                 std::string(kWidth - filled, '.'), percent, grouped(done), grouped(total));
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

  auto provider = resolve_provider_org(options.org);
  if (!provider.ok()) {
    fmt::print(stderr, "marketlink: {}\n", provider.error().message);
    return 2;
  }
  std::ifstream in(options.file, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  if (!in.good() && !in.eof()) {
    fmt::print(stderr, "marketlink: cannot read {}\n", options.file);
    return 1;
  }
  const std::string csv = content.str();

  core::SystemClock clock;
  auto database = db::Database::open({.url = config.db, .pool_size = 1});
  if (!database.ok()) {
    fmt::print(stderr, "marketlink: {}\n", database.error().message);
    return 1;
  }
  auto applied = db::migrate(**database, db::builtin_migrations((*database)->backend()), clock);
  if (!applied.ok()) {
    fmt::print(stderr, "marketlink: {}\n", applied.error().message);
    return 1;
  }

  WellFormedMarketplaces marketplaces;
  pool::Pool accounts(**database, clock, marketplaces);
  const char* user = std::getenv("USER");
  const std::string actor = fmt::format("cli:{}", user != nullptr && *user ? user : "operator");
  ProgressBar bar;
  auto imported = accounts.import_csv(
      *provider, csv, actor, [&bar](pool::ImportPhase phase, long long done, long long total) {
        bar.update(phase, done, total);
      });
  bar.finish_line();
  if (!imported.ok()) {
    fmt::print(stderr, "marketlink: {}\n", imported.error().message);
    for (const pool::RowError& row : pool::import_row_errors(imported.error())) {
      fmt::print(stderr, "  line {}: {}\n", row.line, row.message);
    }
    return 1;
  }
  fmt::print("Imported {} accounts into the pool of {}.\n", grouped(imported->imported), *provider);
  return 0;
}

}  // namespace app
