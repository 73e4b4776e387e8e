#include "pool/aws_access.h"

#include <fmt/format.h>

#include <regex>

#include "jobs/job_queue.h"
#include "pool/access_check_job.h"
#include "pool/aws_access_store.h"

namespace pool {

namespace {

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

}  // namespace

AwsAccess::AwsAccess(db::Database& database, const core::Clock& clock, Pool& pool, ProviderAws& aws,
                     jobs::JobQueue& queue, identity::AuditLog& audit,
                     const identity::SecretBox* secrets, AwsAccessSettings settings)
    : clock_(clock),
      pool_(pool),
      aws_(aws),
      queue_(queue),
      audit_(audit),
      secrets_(secrets),
      settings_(settings),
      store_(std::make_unique<AwsAccessStore>(database)) {}

AwsAccess::~AwsAccess() = default;

core::Result<AwsAccessView> AwsAccess::get(const std::string& provider_org_id) const {
  return store_->read([&](AwsAccessTx& tx) -> core::Result<AwsAccessView> {
    auto row = tx.find(provider_org_id);
    if (!row) return not_configured();
    return row->view;
  });
}

core::Result<ProviderCredentials> AwsAccess::credentials(const std::string& provider_org_id) const {
  if (!secrets_) return secret_key_missing();
  auto row = store_->read([&](AwsAccessTx& tx) -> core::Result<AwsAccessRow> {
    auto found = tx.find(provider_org_id);
    if (!found) return not_configured();
    return *found;
  });
  if (!row.ok()) return row.error();
  auto secret = secrets_->open(row->secret_sealed);
  if (!secret.ok()) return secret.error();
  return ProviderCredentials{.access_key_id = row->view.access_key_id,
                             .secret_access_key = std::move(*secret),
                             .role_name = row->view.role_name};
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
  return store_->write([&](AwsAccessTx& tx) -> core::Result<AwsAccessView> {
    const auto current = tx.find_for_update(provider_org_id);
    tx.save(provider_org_id, view, sealed);
    audit_.record(tx.transaction(), {.org_id = provider_org_id,
                                     .actor = actor,
                                     .action = "pool.aws_access_saved",
                                     .target_type = "organization",
                                     .target_id = provider_org_id,
                                     .detail = detail});
    const std::optional<AccessCheckRun>& running =
        current ? current->view.last_run : std::optional<AccessCheckRun>();
    if (full_run) {
      // A new run replaces any run going: the old one's answers are no longer applied.
      const AccessCheckRun run{.scope = AccessCheckScope::kAll, .started_at = now, .total = total};
      tx.start_run(provider_org_id, run);
      const AccessCheckJob job{.provider_org_id = provider_org_id, .started_at = now};
      auto enqueued = queue_.enqueue(tx.transaction(), std::string(kAccessCheckJob),
                                     to_payload(job), {.dedupe_key = step_key(job, 0)});
      if (!enqueued.ok()) return enqueued.error();
    } else if (running && !running->finished_at) {
      // A run the provider no longer wants stops here: switched off, or keys it no longer uses.
      const bool turned_off = current->view.access_check_enabled && !view.access_check_enabled;
      if (turned_off || changed) {
        tx.finish_run(provider_org_id, running->started_at, now,
                      turned_off ? "Stopped: the access check was turned off."
                                 : "Stopped: the AWS keys or role changed.");
      }
    }
    return tx.find(provider_org_id)->view;
  });
}

core::Status AwsAccess::remove(const std::string& provider_org_id, const identity::Actor& actor) {
  auto removed = store_->write([&](AwsAccessTx& tx) -> core::Result<bool> {
    // The run, if any, goes with the row: its job finds nothing to do and moves nothing more.
    if (!tx.remove(provider_org_id)) return false;
    audit_.record(tx.transaction(), {.org_id = provider_org_id,
                                     .actor = actor,
                                     .action = "pool.aws_access_removed",
                                     .target_type = "organization",
                                     .target_id = provider_org_id,
                                     .detail = "AWS keys removed"});
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
  return begin_run(provider_org_id, AccessCheckScope::kAll, &actor);
}

core::Result<AccessCheckRun> AwsAccess::begin_run(const std::string& provider_org_id,
                                                  AccessCheckScope scope,
                                                  const identity::Actor* requested_by) {
  const core::TimePoint now = clock_.now();
  auto pending = pool_.count_access_check_pending(provider_org_id, {.scope = scope, .since = now});
  if (!pending.ok()) return pending.error();
  const AccessCheckRun run{
      .scope = scope, .started_at = now, .total = *pending, .progress_at = now};
  return store_->write([&](AwsAccessTx& tx) -> core::Result<AccessCheckRun> {
    if (!tx.find_for_update(provider_org_id)) return not_configured();
    tx.start_run(provider_org_id, run);
    const AccessCheckJob job{.provider_org_id = provider_org_id, .started_at = now};
    auto enqueued = queue_.enqueue(tx.transaction(), std::string(kAccessCheckJob), to_payload(job),
                                   {.dedupe_key = step_key(job, 0)});
    if (!enqueued.ok()) return enqueued.error();
    if (requested_by != nullptr) {
      audit_.record(tx.transaction(),
                    {.org_id = provider_org_id,
                     .actor = *requested_by,
                     .action = "pool.access_check_started",
                     .target_type = "organization",
                     .target_id = provider_org_id,
                     .detail = fmt::format("Access check of {} accounts", run.total)});
    }
    return run;
  });
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
  auto providers = store_->read([&](AwsAccessTx& tx) -> core::Result<std::vector<std::string>> {
    return tx.providers_checking();
  });
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
    auto run = begin_run(provider, AccessCheckScope::kNew, nullptr);
    if (!run.ok()) return run.error();
  }
  return core::Status();
}

core::Status AwsAccess::run_job(const std::string& payload) {
  auto job = parse_access_check_job(payload);
  if (!job.ok()) return job.error();
  const std::string& provider = job->provider_org_id;
  const core::TimePoint started = job->started_at;

  auto current = get(provider);
  if (!current.ok()) {
    return current.error().code == core::ErrorCode::kNotFound ? core::Status() : current.error();
  }
  const auto& run = current->last_run;
  // A newer run replaced this one, or it has ended: nothing to do.
  if (!run || run->started_at != started || run->finished_at) return core::Status();

  auto finish = [&](const std::string& error) -> core::Status {
    return store_->write([&](AwsAccessTx& tx) -> core::Status {
      tx.finish_run(provider, started, clock_.now(), error);
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
        provider, checker,
        {.scope = run->scope, .since = started, .batch = kCheckBatch, .run_started_at = started});
    if (!report.ok()) return report.error();
    done += report->checked;
    auto still_latest = store_->write([&](AwsAccessTx& tx) -> core::Result<bool> {
      return tx.add_progress(provider, started, *report, clock_.now());
    });
    if (!still_latest.ok()) return still_latest.error();
    // Stopped, replaced or removed meanwhile: whoever did it has ended this run.
    if (!*still_latest || report->cancelled) return core::Status();
    if (report->stopped) {
      return finish("The check stopped: " + report->stopped->message);
    }
    if (report->checked == 0) return finish("");
    if (std::chrono::steady_clock::now() >= deadline) {
      // The rest of the run is the next job's: this one ends in bounded time.
      auto next = queue_.enqueue(std::string(kAccessCheckJob), to_payload(*job),
                                 {.dedupe_key = step_key(*job, done)});
      if (!next.ok()) return next.error();
      return core::Status();
    }
  }
}

}  // namespace pool
