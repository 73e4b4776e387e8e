// AwsOrganizations: the AWS organizations a marketplace links to Marketlink, under which member
// accounts are created for its customers' orders.
//
// A linked organization is the management account of an AWS organization (`account_id`, 12
// digits), the region Marketlink works in there, the access key of an IAM user with
// administrator permissions (the secret sealed with identity::SecretBox — the same box and key as
// the providers' pool keys — and never returned by any function here but credentials()), the
// e-mail pattern new member accounts get their address from, and whether it is the marketplace's
// default.
//
// Linking runs the pre-flight checks against AWS through OrgsAws, in order, each with a message:
//   keys           the keys are valid and belong to `account_id` (STS GetCallerIdentity)
//   organization   the account is in no organization (Marketlink creates one with all features)
//                  or is its management account; a member of someone else's organization fails
//   s3_access      the keys can use S3 (buckets can be created)
//   billing_bucket no bucket `daily-billing-report-<account id>` exists yet
//   cost_report    no Cost and Usage Report is defined yet
// When every check passes, Marketlink creates the organization when there is none, the billing
// bucket with the policy CUR delivery needs and a report definition writing to it (the "setup"
// check), and records all three. When one fails nothing is stored: the answer is
// invalid / preflight_failed with the checks (PreflightError). A check that cannot run because an
// earlier one failed is reported as skipped.
//
// check() ("Check again") and a change of keys verify a linked organization instead: keys, still
// the management account, the recorded bucket still there, the recorded report still defined.
// check() records its result (last check, time) whatever it is; a change of keys whose checks fail
// changes nothing.
//
// Default: exactly one organization per marketplace is the default when it has any. The first
// one linked is; linking or editing another with `default` moves it in the same transaction;
// the default cannot be unset (make another the default instead); removing the default while
// others exist needs the one to become the default. A partial unique index holds this in the
// database too.
//
// E-mail pattern: `<prefix>+%s@<domain>` with exactly one `%s`, which a member account's short
// id (kMemberIdLength characters) replaces; every address it generates must be valid and at most
// 64 characters (AWS's limit).
//
// Thread safety: safe for concurrent use from many threads and processes sharing one database.
//
// Errors (code / slug):
//   not_found   / aws_organization_not_found  no such organization in this marketplace
//   invalid     / invalid_argument            malformed fields (details name each field)
//   invalid     / preflight_failed            a pre-flight check failed (PreflightError has them)
//   invalid     / default_required            removing or unsetting the default needs another
//   conflict    / aws_organization_exists     the account is already linked to this marketplace
//   unavailable / secret_key_missing          no MARKETLINK_SECRET_KEY: secrets cannot be stored
//   unavailable                               AWS or the database cannot be reached
//   internal    / secret_unreadable           the stored secret was sealed under another key
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "core/result.h"
#include "identity/audit_log.h"
#include "identity/sealed_secrets.h"
#include "identity/secret_box.h"

namespace db {
class Database;
}

namespace orgs {

class AwsOrganizationStore;

// The length of the short id that replaces %s in the e-mail pattern.
inline constexpr size_t kMemberIdLength = 10;
inline constexpr size_t kMaxEmailLength = 64;
inline constexpr std::string_view kBillingBucketPrefix = "daily-billing-report-";
inline constexpr std::string_view kReportName = "marketlink-daily-billing-report";

// The regions Marketlink accepts (AWS's commercial regions).
const std::vector<std::string>& known_regions();

// Field errors of an e-mail pattern (field "email_pattern"); empty when it is good.
std::vector<core::ErrorDetail> email_pattern_errors(const std::string& pattern);
// The pattern with %s replaced by `member_id` (the pattern must be valid).
std::string member_email(const std::string& pattern, std::string_view member_id);
// Two addresses the pattern generates, for the page: valid patterns only.
std::vector<std::string> example_emails(const std::string& pattern);
// "AKIA…WXYZ": the first four and last four characters of an access key id.
std::string mask_key_id(const std::string& access_key_id);
// The bucket CUR writes to for an account.
std::string billing_bucket_name(const std::string& account_id);

// What OrgsAws calls AWS with.
struct OrgCredentials {
  std::string account_id;
  std::string region;
  std::string access_key_id;
  std::string secret_access_key;  // never log it
};

enum class CheckStatus { kPassed, kFailed, kSkipped };

struct Check {
  std::string name;  // keys, organization, s3_access, billing_bucket, cost_report, setup
  CheckStatus status = CheckStatus::kSkipped;
  std::string message;
  bool ok() const { return status == CheckStatus::kPassed; }
};

// The AWS organization an account is in.
struct OrganizationInfo {
  std::string id;  // "o-…"
  std::string management_account_id;
  std::string feature_set;  // ALL or CONSOLIDATED_BILLING
};

enum class BucketState { kAbsent, kOurs, kSomeoneElses };

// What the checks need from AWS: implemented over src/aws in app/, by fakes in tests. Errors:
// invalid / aws_keys_rejected when AWS refuses the keys; forbidden when they may not do it
// (message from AWS); unavailable when AWS cannot be reached.
class OrgsAws {
 public:
  virtual ~OrgsAws() = default;
  // The 12-digit account the keys belong to.
  virtual core::Result<std::string> caller_account(const OrgCredentials& c) = 0;
  // The organization the account is in; nullopt when it is in none.
  virtual core::Result<std::optional<OrganizationInfo>> organization(const OrgCredentials& c) = 0;
  // Creates an organization with all features, the account its management account.
  virtual core::Result<OrganizationInfo> create_organization(const OrgCredentials& c) = 0;
  // Whether the keys may use S3 (list and create buckets): forbidden when not.
  virtual core::Status s3_usable(const OrgCredentials& c) = 0;
  virtual core::Result<BucketState> bucket_state(const OrgCredentials& c,
                                                 const std::string& bucket) = 0;
  // The names of the account's Cost and Usage Report definitions.
  virtual core::Result<std::vector<std::string>> report_names(const OrgCredentials& c) = 0;
  // Creates the bucket in c.region with a policy that lets CUR deliver to it.
  virtual core::Status create_billing_bucket(const OrgCredentials& c,
                                             const std::string& bucket) = 0;
  // Defines a daily CUR report `report_name` delivered to `bucket`.
  virtual core::Status create_report(const OrgCredentials& c, const std::string& report_name,
                                     const std::string& bucket) = 0;
};

// A linked organization as every function here shows it: everything but the secret.
struct AwsOrganization {
  std::string id;
  std::string marketplace_id;
  std::string account_id;
  std::string region;
  std::string access_key_id;  // in full; mask_key_id() for display
  std::string email_pattern;
  bool is_default = false;
  std::string aws_organization_id;    // "o-…"
  bool created_organization = false;  // Marketlink created it at link time
  std::string billing_bucket;
  std::string report_name;
  std::vector<Check> checks;  // of the last check
  bool last_check_ok = false;
  core::TimePoint last_check_at;
  std::string created_by;
  core::TimePoint created_at;
  core::TimePoint updated_at;
};

struct NewAwsOrganization {
  std::string account_id;
  std::string region;
  std::string access_key_id;
  std::string secret_access_key;
  std::string email_pattern;
  bool make_default = false;  // the first organization of a marketplace is the default anyway
};

// What an edit changes; nullopt fields stay. A new access key needs its secret; a new secret
// alone keeps the key id. Either runs the checks again.
struct AwsOrganizationChange {
  std::optional<std::string> access_key_id;
  std::optional<std::string> secret_access_key;
  std::optional<std::string> email_pattern;
  std::optional<bool> make_default;  // only true is accepted
};

// A failed pre-flight or verification: the checks as they ran.
struct PreflightError {
  core::Error error;
  std::vector<Check> checks;
};

template <typename T>
using PreflightResult = std::variant<T, PreflightError>;

class AwsOrganizations {
 public:
  // `secrets` nullptr: no secret key is configured; add/edit answer secret_key_missing.
  // Everything referenced must outlive this object.
  AwsOrganizations(db::Database& database, const core::Clock& clock, core::IdGenerator& ids,
                   OrgsAws& aws, identity::AuditLog& audit, const identity::SecretBox* secrets);
  ~AwsOrganizations();
  AwsOrganizations(const AwsOrganizations&) = delete;
  AwsOrganizations& operator=(const AwsOrganizations&) = delete;

  bool can_store_secrets() const { return secrets_ != nullptr; }

  // The marketplace's organizations, the default first, then by account id.
  core::Result<std::vector<AwsOrganization>> list(const std::string& marketplace_id) const;
  core::Result<AwsOrganization> get(const std::string& marketplace_id, const std::string& id) const;
  // The marketplace's default; not_found / no_default_aws_organization when it has none.
  core::Result<AwsOrganization> default_for(const std::string& marketplace_id) const;

  // Validates, runs the pre-flight checks, sets up billing and stores (audited). Field errors
  // come back as a plain error (no checks run); a failed check as PreflightError.
  core::Result<PreflightResult<AwsOrganization>> add(const std::string& marketplace_id,
                                                     const NewAwsOrganization& input,
                                                     const identity::Actor& actor);
  core::Result<PreflightResult<AwsOrganization>> edit(const std::string& marketplace_id,
                                                      const std::string& id,
                                                      const AwsOrganizationChange& change,
                                                      const identity::Actor& actor);
  // Verifies with the stored keys and records the result (passed or not).
  core::Result<AwsOrganization> check(const std::string& marketplace_id, const std::string& id,
                                      const identity::Actor& actor);
  // Unlinks (nothing is deleted at AWS). Removing the default while others exist needs
  // `new_default_id`.
  core::Status remove(const std::string& marketplace_id, const std::string& id,
                      const std::optional<std::string>& new_default_id,
                      const identity::Actor& actor);

  // The keys with the secret opened, for code that calls AWS for the organization.
  core::Result<OrgCredentials> credentials(const std::string& marketplace_id,
                                           const std::string& id) const;

 private:
  // The first check of both: the keys are valid and belong to the account.
  Check keys_check(const OrgCredentials& c);
  std::vector<Check> preflight(const OrgCredentials& c);
  std::vector<Check> verify(const OrgCredentials& c, const AwsOrganization& linked);

  const core::Clock& clock_;
  core::IdGenerator& ids_;
  OrgsAws& aws_;
  identity::AuditLog& audit_;
  const identity::SecretBox* secrets_;
  std::unique_ptr<AwsOrganizationStore> store_;
};

const char* check_status_name(CheckStatus status);  // passed, failed, skipped
std::optional<CheckStatus> parse_check_status(std::string_view name);

// Where linked organizations' secret access keys are stored sealed, for `marketlink secrets
// rotate`.
identity::SealedColumn sealed_organization_secrets();

}  // namespace orgs
