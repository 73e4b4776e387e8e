// AwsAccess: each provider's own AWS keys and the IAM role Marketlink assumes in every account of
// its pool (for the access check, and for provisioning orders), and the access check itself.
//
// The secret access key is sealed with identity::SecretBox before it is stored and is never
// returned by get(); credentials() opens it for the code that calls AWS. Saving keys asks AWS
// whose they are (STS GetCallerIdentity): keys AWS refuses are not stored.
//
// The access check (off by default, per provider) is a background job: it assumes the role in
// each account (STS AssumeRole, then GetCallerIdentity with the role's keys) and marks the
// accounts it cannot reach invalid with the reason, through Pool::check_access. Runs:
//   - "new": every minute (a schedule), for providers with the check on, when some ready
//     accounts were never checked — e.g. right after an import;
//   - "all": when an admin turns the check on, changes keys or role while it is on, or asks to
//     run it again: every ready account, and every account an earlier check made invalid (which
//     becomes ready again when reachable now).
// A run that cannot tell (AWS unreachable, the provider's keys refused) stops with the reason and
// moves nothing further. A run the provider no longer wants stops at its next account, and an
// answer AWS gave it meanwhile is not applied: turning the check off or changing the keys or
// role (when no new run starts) ends it, a new run replaces it, removing the keys ends it. One job
// works for at most `job_budget` and hands the rest of its run to a new job, so runs over 100,000
// accounts neither hold a worker nor delay shutdown. The latest run's progress (total, checked,
// invalidated, restored, error) is kept for the page.
//
// Thread safety: safe for concurrent use from many threads and processes sharing one database.
//
// Errors (code / slug):
//   not_found   / aws_access_not_configured   no keys saved for the provider
//   invalid     / invalid_argument            a malformed key id, secret or role name (details)
//   invalid     / aws_keys_rejected           AWS refused the keys (its message in `message`)
//   unavailable / secret_key_missing          no MARKETLINK_SECRET_KEY: secrets cannot be stored
//   unavailable                               AWS or the database cannot be reached
//   internal    / secret_unreadable           the stored secret was sealed under another key
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "identity/audit_log.h"
#include "identity/sealed_secrets.h"
#include "identity/secret_box.h"
#include "pool/pool.h"

namespace db {
class Database;
}
namespace jobs {
class JobQueue;
}

namespace pool {

class AwsAccessStore;

inline constexpr std::string_view kDefaultRoleName = "OrganizationAccountAccessRole";
inline constexpr std::string_view kAccessCheckJob = "pool.access_check";
inline constexpr std::string_view kAccessCheckSweepJob = "pool.access_check_sweep";

struct ProviderCredentials {
  std::string access_key_id;
  std::string secret_access_key;  // never log it
  std::string role_name;
};

struct AwsAccessInput {
  std::string access_key_id;
  // Empty: keep the stored secret (only when access_key_id is unchanged).
  std::string secret_access_key;
  std::string role_name;  // empty: kDefaultRoleName
  bool access_check_enabled = false;
};

struct AccessCheckRun {
  AccessCheckScope scope = AccessCheckScope::kAll;
  core::TimePoint started_at;
  std::optional<core::TimePoint> finished_at;  // nullopt while it runs
  long long total = 0;                         // accounts to check when it started
  long long checked = 0;
  long long invalidated = 0;
  long long restored = 0;
  std::string error;            // why it stopped before the end; "" otherwise
  core::TimePoint progress_at;  // when it last reported progress
};

// What get() shows: everything but the secret.
struct AwsAccessView {
  std::string access_key_id;
  std::string aws_account_id;  // whose keys they are, as STS said when they were saved
  std::string role_name;
  bool access_check_enabled = false;
  std::string updated_by;
  core::TimePoint updated_at;
  std::optional<AccessCheckRun> last_run;
};

// What AwsAccess needs from AWS: implemented over src/aws in app/, by fakes in tests.
class ProviderAws {
 public:
  virtual ~ProviderAws() = default;
  // The 12-digit AWS account the keys belong to. invalid / aws_keys_rejected when AWS refuses
  // them; unavailable when AWS cannot be reached.
  virtual core::Result<std::string> account_of(const ProviderCredentials& credentials) = 0;
  // Whether credentials.role_name can be assumed in `account_id` with these keys (see
  // AccessChecker for what an error means).
  virtual core::Result<AccessCheckOutcome> check(const ProviderCredentials& credentials,
                                                 const std::string& account_id) = 0;
};

struct AwsAccessSettings {
  // How long one job checks before handing the rest of its run to the next job.
  std::chrono::seconds job_budget{20};
  // A run whose job has not reported for this long is taken as abandoned: a new one may start.
  std::chrono::minutes abandoned_after{30};
};

class AwsAccess {
 public:
  // `secrets` nullptr: no secret key is configured, configure() answers secret_key_missing.
  // Everything referenced must outlive this object.
  AwsAccess(db::Database& database, const core::Clock& clock, Pool& pool, ProviderAws& aws,
            jobs::JobQueue& queue, identity::AuditLog& audit, const identity::SecretBox* secrets,
            AwsAccessSettings settings = {});
  ~AwsAccess();
  AwsAccess(const AwsAccess&) = delete;
  AwsAccess& operator=(const AwsAccess&) = delete;

  // Whether a secret key is configured (without one, keys cannot be saved).
  bool can_store_secrets() const { return secrets_ != nullptr; }

  core::Result<AwsAccessView> get(const std::string& provider_org_id) const;
  // Validates, asks AWS whose keys they are, seals the secret and stores it (audited). Turning the
  // check on, or changing keys or role while it is on, starts a full run; turning it off, or
  // changing keys or role while it is off, stops a run that is going.
  core::Result<AwsAccessView> configure(const std::string& provider_org_id,
                                        const AwsAccessInput& input, const identity::Actor& actor);
  // Forgets the keys (and stops any run). not_found when none were saved.
  core::Status remove(const std::string& provider_org_id, const identity::Actor& actor);
  // The keys with the secret opened, for code that calls AWS for the provider.
  core::Result<ProviderCredentials> credentials(const std::string& provider_org_id) const;

  // "Run again": a full run now (whether or not the automatic check is on). Answers the run
  // already going when a full run is in progress.
  core::Result<AccessCheckRun> start_check(const std::string& provider_org_id,
                                           const identity::Actor& actor);

  // Registers the handlers of kAccessCheckJob and kAccessCheckSweepJob and the schedule that
  // enqueues the sweep every minute. Call before queue.start().
  core::Status register_jobs();

 private:
  core::Status run_job(const std::string& payload);
  core::Status sweep();
  // Starts a run and its first job; audited as requested by `requested_by` when given.
  core::Result<AccessCheckRun> begin_run(const std::string& provider_org_id, AccessCheckScope scope,
                                         const identity::Actor* requested_by);

  const core::Clock& clock_;
  Pool& pool_;
  ProviderAws& aws_;
  jobs::JobQueue& queue_;
  identity::AuditLog& audit_;
  const identity::SecretBox* secrets_;
  AwsAccessSettings settings_;
  std::unique_ptr<AwsAccessStore> store_;
};

// Where providers' secret access keys are stored sealed, for `marketlink secrets rotate`.
identity::SealedColumn sealed_aws_secrets();

}  // namespace pool
