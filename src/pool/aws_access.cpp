#include "pool/aws_access.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <regex>

#include "db/database.h"
#include "identity/audit_store.h"
#include "jobs/jobs.h"
#include "pool/aws_access_store.h"

namespace pool {

namespace {

namespace store = aws_access_store;

constexpr int kCheckBatch = 50;

core::Error not_configured() {
  return core::not_found("No AWS keys are saved for this provider.", "aws_access_not_configured");
}

core::Error secret_key_missing() {
  return core::unavailable(
      "AWS secrets cannot be stored: this server has no secret key. Set MARKETLINK_SECRET_KEY or "
      "MARKETLINK_SECRET_KEY_FILE (`marketlink secret-key` prints a new key).",
      "secret_key_missing");
}

// Field errors of an AwsAccessInput, all at once.
std::vector<core::ErrorDetail> input_errors(const AwsAccessInput& in) {
  static const std::regex kKeyId("[A-Z0-9]{16,128}");
  static const std::regex kSecret("[\\x21-\\x7e]{16,128}");
  static const std::regex kRole("[\\w+=,.@-]{1,64}");
  std::vector<core::ErrorDetail> errors;
  if (!std::regex_match(in.access_key_id, kKeyId)) {
    errors.push_back({.field = "access_key_id",
                      .message = "Enter an AWS access key ID: 16 to 128 capital letters and "
                                 "digits, e.g. AKIAIOSFODNN7EXAMPLE."});
  } else if (in.access_key_id.starts_with("ASIA")) {
    errors.push_back({.field = "access_key_id",
                      .message = "This is a temporary key (ASIA…), which expires. Use an IAM "
                                 "user's access key (AKIA…)."});
  }
  if (!in.secret_access_key.empty() && !std::regex_match(in.secret_access_key, kSecret)) {
    errors.push_back({.field = "secret_access_key",
                      .message = "Enter the secret access key: 16 to 128 characters without "
                                 "spaces."});
  }
  if (!in.role_name.empty() && !std::regex_match(in.role_name, kRole)) {
    errors.push_back({.field = "role_name",
                      .message = "Enter an IAM role name: up to 64 letters, digits and + = , . @ "
                                 "_ -."});
  }
  return errors;
}

core::Error invalid_input(std::vector<core::ErrorDetail> details) {
  core::Error e =
      core::invalid(details.size() == 1 ? details.front().message : "Some fields need attention.",
                    "invalid_argument");
  e.details = std::move(details);
  return e;
}

// A job's key per step of a run, so a repeated step does not start two jobs.
std::string step_key(const std::string& provider, core::TimePoint started, long long done) {
  return fmt::format("{}:{}:{}:{}", kAccessCheckJob, provider, core::format_rfc3339(started), done);
}

std::string job_payload(const std::string& provider, core::TimePoint started) {
  return nlohmann::json{{"provider_org_id", provider},
                        {"started_at", core::format_rfc3339(started)}}
      .dump();
}

class ProviderChecker final : public AccessChecker {
 public:
  ProviderChecker(ProviderAws& aws, ProviderCredentials credentials)
      : aws_(aws), credentials_(std::move(credentials)) {}
  core::Result<AccessCheckOutcome> check(const std::string& account_id) override {
    return aws_.check(credentials_, account_id);
  }

 private:
  ProviderAws& aws_;
  ProviderCredentials credentials_;
};

core::Result<std::optional<store::Row>> read_row(db::Database& database,
                                                 const std::string& provider_org_id) {
  return database.transact(
      [&](soci::session& s) -> core::Result<std::optional<store::Row>> {
        return store::find(s, provider_org_id, "");
      },
      db::TxMode::kRead);
}

}  // namespace

AwsAccess::AwsAccess(db::Database& database, const core::Clock& clock, Pool& pool, ProviderAws& aws,
                     jobs::JobQueue& queue, identity::AuditLog& audit,
                     const identity::SecretBox* secrets, AwsAccessSettings settings)
    : database_(database),
      clock_(clock),
      pool_(pool),
      aws_(aws),
      queue_(queue),
      audit_(audit),
      secrets_(secrets),
      settings_(settings) {}

core::Result<AwsAccessView> AwsAccess::get(const std::string& provider_org_id) const {
  auto row = read_row(database_, provider_org_id);
  if (!row.ok()) return row.error();
  if (!*row) return not_configured();
  return (*row)->view;
}

core::Result<ProviderCredentials> AwsAccess::credentials(const std::string& provider_org_id) const {
  if (!secrets_) return secret_key_missing();
  auto row = read_row(database_, provider_org_id);
  if (!row.ok()) return row.error();
  if (!*row) return not_configured();
  auto secret = secrets_->open((*row)->secret_sealed);
  if (!secret.ok()) return secret.error();
  return ProviderCredentials{.access_key_id = (*row)->view.access_key_id,
                             .secret_access_key = std::move(*secret),
                             .role_name = (*row)->view.role_name};
}

core::Result<AwsAccessView> AwsAccess::configure(const std::string& provider_org_id,
                                                 const AwsAccessInput& input,
                                                 const identity::Actor& actor) {
  if (!secrets_) return secret_key_missing();
  auto errors = input_errors(input);
  if (!errors.empty()) return invalid_input(std::move(errors));

  ProviderCredentials credentials{
      .access_key_id = input.access_key_id,
      .secret_access_key = input.secret_access_key,
      .role_name = input.role_name.empty() ? std::string(kDefaultRoleName) : input.role_name};
  auto before = get(provider_org_id);
  if (!before.ok() && before.error().code != core::ErrorCode::kNotFound) return before.error();
  if (credentials.secret_access_key.empty()) {
    // Keeping the stored secret is possible only for the same key.
    if (!before.ok() || before->access_key_id != input.access_key_id) {
      return invalid_input({{.field = "secret_access_key",
                             .message = "Enter the secret access key that goes with this key "
                                        "ID."}});
    }
    auto stored = this->credentials(provider_org_id);
    if (!stored.ok()) return stored.error();
    credentials.secret_access_key = stored->secret_access_key;
  }

  // Keys AWS refuses are not stored.
  auto account = aws_.account_of(credentials);
  if (!account.ok()) return account.error();

  const core::TimePoint now = clock_.now();
  AwsAccessView view{.access_key_id = credentials.access_key_id,
                     .aws_account_id = *account,
                     .role_name = credentials.role_name,
                     .access_check_enabled = input.access_check_enabled,
                     .updated_by = actor.label,
                     .updated_at = now,
                     .last_run = std::nullopt};
  const bool changed = !before.ok() || before->access_key_id != view.access_key_id ||
                       before->role_name != view.role_name || !input.secret_access_key.empty();
  const bool turned_on =
      view.access_check_enabled && (!before.ok() || !before->access_check_enabled);
  const bool full_run = view.access_check_enabled && (turned_on || changed);
  long long total = 0;
  if (full_run) {
    auto pending = pool_.count_access_check_pending(
        provider_org_id, {.scope = AccessCheckScope::kAll, .since = now});
    if (!pending.ok()) return pending.error();
    total = *pending;
  }

  const std::string sealed = secrets_->seal(credentials.secret_access_key);
  const std::string detail =
      fmt::format("AWS keys {} of account {}, role {}; access check {}", view.access_key_id,
                  view.aws_account_id, view.role_name, view.access_check_enabled ? "on" : "off");
  auto saved = database_.transact([&](soci::session& s) -> core::Result<AwsAccessView> {
    store::save(s, provider_org_id, view, sealed);
    identity::insert_audit_event(s, audit_.make_event({.org_id = provider_org_id,
                                                       .actor = actor,
                                                       .action = "pool.aws_access_saved",
                                                       .target_type = "organization",
                                                       .target_id = provider_org_id,
                                                       .detail = detail}));
    if (full_run) {
      const AccessCheckRun run{.scope = AccessCheckScope::kAll, .started_at = now, .total = total};
      store::start_run(s, provider_org_id, run);
      auto job = queue_.enqueue(s, std::string(kAccessCheckJob), job_payload(provider_org_id, now),
                                {.dedupe_key = step_key(provider_org_id, now, 0)});
      if (!job.ok()) return job.error();
    }
    auto row = store::find(s, provider_org_id, "");
    return row->view;
  });
  return saved;
}

core::Status AwsAccess::remove(const std::string& provider_org_id, const identity::Actor& actor) {
  auto removed = database_.transact([&](soci::session& s) -> core::Result<bool> {
    if (!store::remove(s, provider_org_id)) return false;
    identity::insert_audit_event(s, audit_.make_event({.org_id = provider_org_id,
                                                       .actor = actor,
                                                       .action = "pool.aws_access_removed",
                                                       .target_type = "organization",
                                                       .target_id = provider_org_id,
                                                       .detail = "AWS keys removed"}));
    return true;
  });
  if (!removed.ok()) return removed.error();
  if (!*removed) return not_configured();
  return core::Status();
}

core::Result<AccessCheckRun> AwsAccess::start_check(const std::string& provider_org_id,
                                                    const identity::Actor& actor) {
  auto current = get(provider_org_id);
  if (!current.ok()) return current.error();
  const core::TimePoint now = clock_.now();
  const auto& last = current->last_run;
  if (last && !last->finished_at && last->scope == AccessCheckScope::kAll &&
      now - last->progress_at < settings_.abandoned_after) {
    return *last;
  }
  auto run = begin_run(provider_org_id, AccessCheckScope::kAll);
  if (!run.ok()) return run.error();
  auto recorded = audit_.record({.org_id = provider_org_id,
                                 .actor = actor,
                                 .action = "pool.access_check_started",
                                 .target_type = "organization",
                                 .target_id = provider_org_id,
                                 .detail = fmt::format("Access check of {} accounts", run->total)});
  if (!recorded.ok()) return recorded.error();
  return run;
}

core::Result<AccessCheckRun> AwsAccess::begin_run(const std::string& provider_org_id,
                                                  AccessCheckScope scope) {
  const core::TimePoint now = clock_.now();
  auto pending = pool_.count_access_check_pending(provider_org_id, {.scope = scope, .since = now});
  if (!pending.ok()) return pending.error();
  const AccessCheckRun run{
      .scope = scope, .started_at = now, .total = *pending, .progress_at = now};
  auto started = database_.transact([&](soci::session& s) -> core::Result<AccessCheckRun> {
    if (!store::find(s, provider_org_id, database_.for_update())) return not_configured();
    store::start_run(s, provider_org_id, run);
    auto job = queue_.enqueue(s, std::string(kAccessCheckJob), job_payload(provider_org_id, now),
                              {.dedupe_key = step_key(provider_org_id, now, 0)});
    if (!job.ok()) return job.error();
    return run;
  });
  return started;
}

core::Status AwsAccess::register_jobs() {
  queue_.register_handler(std::string(kAccessCheckJob),
                          [this](const jobs::Job& job) { return run_job(job.payload); });
  queue_.register_handler(std::string(kAccessCheckSweepJob),
                          [this](const jobs::Job&) { return sweep(); });
  return queue_.add_schedule({.name = std::string(kAccessCheckSweepJob),
                              .kind = std::string(kAccessCheckSweepJob),
                              .payload = "{}",
                              .when = jobs::every_minutes(1),
                              .max_attempts = 1});
}

core::Status AwsAccess::sweep() {
  auto providers = database_.transact(
      [&](soci::session& s) -> core::Result<std::vector<std::string>> {
        return store::providers_checking(s);
      },
      db::TxMode::kRead);
  if (!providers.ok()) return providers.error();
  const core::TimePoint now = clock_.now();
  for (const std::string& provider : *providers) {
    auto current = get(provider);
    if (!current.ok()) continue;  // removed meanwhile
    const auto& last = current->last_run;
    if (last && !last->finished_at && now - last->progress_at < settings_.abandoned_after) {
      continue;  // a run is going; it covers new accounts too
    }
    auto pending = pool_.count_access_check_pending(provider, {.scope = AccessCheckScope::kNew});
    if (!pending.ok()) return pending.error();
    if (*pending == 0) continue;
    auto run = begin_run(provider, AccessCheckScope::kNew);
    if (!run.ok()) return run.error();
  }
  return core::Status();
}

core::Status AwsAccess::run_job(const std::string& payload) {
  const auto body = nlohmann::json::parse(payload, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("provider_org_id") ||
      !body["provider_org_id"].is_string() || !body.contains("started_at") ||
      !body["started_at"].is_string()) {
    return core::invalid("A pool.access_check job needs provider_org_id and started_at.");
  }
  const std::string provider = body["provider_org_id"];
  const auto started = core::parse_rfc3339(body["started_at"].get<std::string>());
  if (!started) return core::invalid("A pool.access_check job's started_at is not a time.");

  auto current = get(provider);
  if (!current.ok()) {
    return current.error().code == core::ErrorCode::kNotFound ? core::Status() : current.error();
  }
  const auto& run = current->last_run;
  // A newer run replaced this one, or it has ended: nothing to do.
  if (!run || run->started_at != *started || run->finished_at) return core::Status();

  auto finish = [&](const std::string& error) -> core::Status {
    return database_.transact([&](soci::session& s) -> core::Status {
      store::finish_run(s, provider, *started, clock_.now(), error);
      return core::Status();
    });
  };
  auto credentials = this->credentials(provider);
  if (!credentials.ok()) return finish(credentials.error().message);
  ProviderChecker checker(aws_, std::move(*credentials));

  const auto deadline = std::chrono::steady_clock::now() + settings_.job_budget;
  long long done = run->checked;
  while (true) {
    auto report = pool_.check_access(
        provider, checker, {.scope = run->scope, .since = *started, .batch = kCheckBatch});
    if (!report.ok()) return report.error();
    done += report->checked;
    auto current_run = database_.transact([&](soci::session& s) -> core::Result<bool> {
      return store::add_progress(s, provider, *started, *report, clock_.now());
    });
    if (!current_run.ok()) return current_run.error();
    if (!*current_run) return core::Status();  // replaced or removed meanwhile
    if (report->stopped) {
      return finish("The check stopped: " + report->stopped->message);
    }
    if (report->checked == 0) return finish("");
    if (std::chrono::steady_clock::now() >= deadline) {
      // The rest of the run is the next job's: this one ends in bounded time.
      auto next = queue_.enqueue(std::string(kAccessCheckJob), job_payload(provider, *started),
                                 {.dedupe_key = step_key(provider, *started, done)});
      if (!next.ok()) return next.error();
      return core::Status();
    }
  }
}

}  // namespace pool
