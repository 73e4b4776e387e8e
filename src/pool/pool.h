// Pool: each provider's pool of preconfigured standalone AWS accounts, from CSV import to
// exactly-once allocation to orders.
//
// An account is a 12-digit AWS account id, unique across the whole system (one AWS account cannot
// sit in two pools), owned by the provider organization that added it. Every function takes the
// provider's organization id and answers `not_found` for another provider's account exactly as
// for a missing one: only the owner ever sees, changes or takes it.
//
// Statuses and the only moves between them (is_allowed_move):
//   ready ──take──▶ provisioning ──complete──▶ allocated            (final)
//                                 └─fail─────▶ provisioning_failed  (final unless an admin retries)
//   ready ◀──────▶ invalid                     (an admin, or the access check)
//   provisioning ──▶ ready | provisioning_failed, by an admin once it is stuck (resolve_stuck)
//   provisioning_failed ──▶ ready, by an admin (update with status = ready)
// Every move is recorded in the account's history with who made it, when and why. Adding or
// importing an account is not a history row: an account's history starts with a synthesized
// "created" entry from its created_at / created_by columns (compact for 1,000,000-row imports).
//
// Audit: imports, an admin's status moves, deletions and resolutions of stuck accounts are also
// written to the provider organization's audit log (identity::AuditLog), in the transaction of
// the change itself: both are committed, or neither is.
//
// Allocation: take() gives the oldest ready account of (provider, marketplace), by created time
// then account id, and marks it provisioning in the same transaction. On PostgreSQL concurrent
// takers skip each other's locked rows (FOR UPDATE SKIP LOCKED) and, only when every remaining
// ready row is locked, look again after short pauses, so no taker is told "none" while one is
// ready; on SQLite takes are serialized by BEGIN IMMEDIATE. Taking again with the same order_ref
// returns the same account; takers with one order_ref at the same moment queue on it (a
// PostgreSQL advisory lock) before locking any row, so none of them holds back an older account.
//
// Thread safety: a Pool is safe for concurrent use from many threads and many processes sharing
// one database. It holds no state of its own between calls.
//
// Errors (core::Error code / slug):
//   not_found                         no such account for this provider (or order_ref unknown)
//   invalid   / invalid_account_id    not 12 digits
//   invalid   / invalid_marketplace   malformed or unknown marketplace id
//   invalid   / invalid_csv           a CSV import with bad rows; `details` lists the first
//                                     kMaxRowErrors (field = line number, message = reason)
//   invalid   / invalid_cursor        a paging cursor this module did not make
//   invalid   / invalid_argument      an empty order_ref, reason, or other bad parameter
//   conflict  / account_exists        the AWS account is already in a pool (this one or another)
//   conflict  / account_in_use        the account is provisioning: no edit, no delete
//   conflict  / invalid_transition    the status move is not allowed from the current status
//   conflict  / no_ready_account      take() found no ready account for the marketplace
//   conflict  / order_ref_conflict    order_ref already took an account in another marketplace
//   conflict  / account_not_stuck     resolve_stuck() on an account that is not stuck yet
//   unavailable                       take(): every ready account stayed locked for 5 s; or the
//                                     database is busy or down (see db::Database::transact)
//   internal                          from the database
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "identity/audit_log.h"

namespace db {
class Database;
}

namespace pool {

class AccountStore;

enum class AccountStatus { kReady, kProvisioning, kInvalid, kAllocated, kProvisioningFailed };

// "ready", "provisioning", "invalid", "allocated", "provisioning_failed" (the contract's names).
const char* status_name(AccountStatus status);
// "Ready", "Provisioning in progress", "Invalid", "Allocated", "Provisioning failed": for people.
const char* display_name(AccountStatus status);
// The inverse of status_name; nullopt for anything else.
std::optional<AccountStatus> parse_status(std::string_view name);
// Whether the state machine above allows `from` → `to` at all (who may make the move is up to
// the function that makes it).
bool is_allowed_move(AccountStatus from, AccountStatus to);

enum class Model { kSpam, kEcam };

// "SPAM" or "ECAM".
const char* model_name(Model model);
// "SPAM" / "ECAM" in any case, surrounding spaces ignored; nullopt for anything else.
std::optional<Model> parse_model(std::string_view text);

// Exactly 12 ASCII digits.
bool is_account_id(std::string_view text);
// 1..64 characters of letters, digits and . _ : - (e.g. "MP-0000"). Says nothing about existence.
bool is_marketplace_id_syntax(std::string_view text);

// Whether a marketplace exists. The app wires the real directory (marketplace organizations);
// tests use a fixed set. Implementations must be safe for concurrent use.
class MarketplaceDirectory {
 public:
  virtual ~MarketplaceDirectory() = default;
  virtual bool exists(const std::string& marketplace_id) const = 0;
};

// Who changes the pool. The account's history records `ref`; a change the audit log keeps (see the
// header comment) is recorded there as made by `audit`. A bare reference (orders, the sandbox,
// tests) converts implicitly and is audited under that reference, with no user and no address.
struct ChangedBy {
  ChangedBy(std::string ref)  // NOLINT(google-explicit-constructor)
      : ref(std::move(ref)), audit{.user_id = "", .label = this->ref, .ip = ""} {}
  ChangedBy(const char* ref) : ChangedBy(std::string(ref)) {}  // NOLINT
  ChangedBy(std::string ref, identity::Actor audit)
      : ref(std::move(ref)), audit(std::move(audit)) {}

  std::string ref;  // "user:<id>", "token:<id>", "order:<ref>", "access-check", "sandbox", …
  identity::Actor audit;
};

struct Account {
  std::string account_id;       // 12 digits
  std::string provider_org_id;  // the owner
  std::string marketplace_id;
  Model model = Model::kSpam;
  AccountStatus status = AccountStatus::kReady;
  std::string status_reason;  // why it has its status (e.g. the access check's message); may be ""
  std::string order_ref;      // the order using it (provisioning, allocated, failed); "" when none
  core::TimePoint created_at;
  core::TimePoint updated_at;
  core::TimePoint status_changed_at;
  // While provisioning: the order's last sign of life (take or note_progress); stuck is measured
  // from it.
  std::optional<core::TimePoint> progress_at;
};

// One entry of an account's history. The first entry is the account's creation (no `from`).
struct StatusChange {
  std::optional<AccountStatus> from;
  AccountStatus to = AccountStatus::kReady;
  std::string actor;  // e.g. "user:…", "order:…", "access-check"
  std::string reason;
  std::string order_ref;
  core::TimePoint at;
};

struct NewAccount {
  std::string account_id;
  std::string marketplace_id;
  Model model = Model::kSpam;
};

// Fields left unset are kept. Editing marketplace or model affects future orders only.
struct AccountUpdate {
  std::optional<std::string> marketplace_id;
  std::optional<Model> model;
  // An admin's move: ready ↔ invalid, or provisioning_failed → ready (a retry).
  std::optional<AccountStatus> status;
  std::string reason;  // recorded with a status move
};

struct AccountFilter {
  std::optional<AccountStatus> status;
  std::optional<std::string> marketplace_id;
  std::optional<Model> model;
  // Accounts whose id starts with these 1..12 digits ("" for any); anything else is
  // invalid_argument.
  std::string account_id_prefix;
};

struct PageRequest {
  int limit = 50;      // clamped to 1..kMaxPageSize
  std::string cursor;  // "" for the first page, else a next_cursor from a previous page
};

// Accounts in allocation order (created_at, then account_id).
struct AccountPage {
  std::vector<Account> accounts;
  std::string next_cursor;  // "" on the last page
};

struct StatusCounts {
  long long ready = 0;
  long long provisioning = 0;
  long long invalid = 0;
  long long allocated = 0;
  long long provisioning_failed = 0;
  long long total() const {
    return ready + provisioning + invalid + allocated + provisioning_failed;
  }
};

// A bad CSV row: its physical line number (1-based, header and blank lines counted) and why.
struct RowError {
  int line = 0;
  std::string message;
};

struct ImportResult {
  long long imported = 0;
};

enum class ImportPhase { kValidating, kInserting };
// Called from the importing thread, inside the import's transaction while inserting: keep it
// quick. `done` counts rows of `total` for the phase; it reaches `total` at the end of each phase.
using ImportProgress = std::function<void(ImportPhase phase, long long done, long long total)>;

struct ImportOptions {
  // Where the rows came from, for the audit log: a file name, "the API"; "" reads "a CSV file".
  std::string source;
  ImportProgress progress;
};

struct DeleteAllResult {
  long long deleted = 0;
  std::vector<std::string> skipped_in_use;  // provisioning accounts left in place
};

// How an allocation is named: by the order that took it, or by the account (the HTTP API's
// /allocations/{account_id}/…).
struct AllocationRef {
  static AllocationRef order(std::string order_ref) { return {std::move(order_ref), {}}; }
  static AllocationRef account(std::string account_id) { return {{}, std::move(account_id)}; }
  std::string order_ref;
  std::string account_id;
};

enum class StuckResolution { kMarkFailed, kReturnToReady };

// The access check's view of one account: can Marketlink assume the configured role in it?
struct AccessCheckOutcome {
  bool reachable = false;
  std::string reason;  // why not, when unreachable
};

// Asks AWS (STS AssumeRole then GetCallerIdentity) in production; a fixed answer in tests.
// Called outside any database transaction; may be slow. An error means the checker could not
// tell (AWS unreachable or throttling, the provider's own keys refused): the account is left as
// it is and the check stops.
class AccessChecker {
 public:
  virtual ~AccessChecker() = default;
  virtual core::Result<AccessCheckOutcome> check(const std::string& account_id) = 0;
};

enum class AccessCheckScope {
  kNew,  // ready accounts never checked
  kAll,  // every ready account, and every account an earlier check made invalid
};

// "new" or "all"; and back (nullopt for anything else).
const char* scope_name(AccessCheckScope scope);
std::optional<AccessCheckScope> parse_scope(std::string_view name);

struct AccessCheckRequest {
  AccessCheckScope scope = AccessCheckScope::kNew;
  // When the run started: with kAll, accounts checked at or after it are not asked again, so a
  // run resumed in several steps asks about each account once.
  core::TimePoint since;
  int batch = 100;  // accounts asked about per call, 1..kMaxPageSize
  // Set by AwsAccess: the check belongs to the provider's access check run that started then.
  // Each move is applied only while that run is still the provider's latest and has not ended
  // (checked in the move's own transaction); once it is not, the check stops, `cancelled` set.
  std::optional<core::TimePoint> run_started_at;
};

struct AccessCheckReport {
  int checked = 0;      // accounts the checker answered about
  int invalidated = 0;  // ready → invalid
  int restored = 0;     // invalid (by an earlier check) → ready
  // Set when the checker could not tell about an account: the check stopped there.
  std::optional<core::Error> stopped;
  // The run of request.run_started_at was stopped or replaced: nothing more was moved.
  bool cancelled = false;
};

// The actor recorded for moves made by the access check.
inline constexpr std::string_view kAccessCheckActor = "access-check";

struct PoolSettings {
  // An account whose order has not moved (take, note_progress) for this long is reported stuck.
  std::chrono::seconds stuck_after = std::chrono::hours(2);
  // Largest CSV import, in data rows.
  long long max_import_rows = 1'000'000;
};

inline constexpr int kMaxPageSize = 500;
inline constexpr int kMaxRowErrors = 1000;

class Pool {
 public:
  // `database` must have the pool migrations applied. Everything referenced must outlive the Pool.
  Pool(db::Database& database, const core::Clock& clock, const MarketplaceDirectory& marketplaces,
       identity::AuditLog& audit, PoolSettings settings = {});
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // --- reading ---
  core::Result<Account> get(const std::string& provider_org_id,
                            const std::string& account_id) const;
  core::Result<AccountPage> list(const std::string& provider_org_id, const AccountFilter& filter,
                                 const PageRequest& page) const;
  core::Result<StatusCounts> counts(const std::string& provider_org_id) const;
  // Oldest first, starting with the creation entry.
  core::Result<std::vector<StatusChange>> history(const std::string& provider_org_id,
                                                  const std::string& account_id) const;

  // --- adding ---
  core::Result<Account> add(const std::string& provider_org_id, const NewAccount& account,
                            const ChangedBy& actor);
  // Validates the whole file first; on any bad row imports nothing and answers invalid_csv with
  // every reason (capped at kMaxRowErrors, the message gives the total). Accepted: optional header
  // (account_id, marketplace_id, account_model in any order), `;` or `,` delimiters (mixed too),
  // UTF-8 BOM, CRLF / CR / LF, blank lines, surrounding spaces, model in any case, and RFC 4180
  // quoting: a field in double quotes may hold either delimiter, line breaks and quotes written
  // as "" ("SP;AM" is one value, an unknown model). An unclosed quote is an error on its line.
  // Imported accounts share one created time, so they are taken in account-id order. The check
  // against existing accounts and the inserts run in one write transaction: on SQLite other
  // writers wait meanwhile (about 0.5 s per 100,000 rows).
  core::Result<ImportResult> import_csv(const std::string& provider_org_id, std::string_view csv,
                                        const ChangedBy& actor, const ImportOptions& options = {});

  // --- editing ---
  // account_in_use while provisioning; invalid_transition for a status move the admin may not make.
  core::Result<Account> update(const std::string& provider_org_id, const std::string& account_id,
                               const AccountUpdate& update, const ChangedBy& actor);

  // --- deleting (an account's history goes with it) ---
  core::Status remove(const std::string& provider_org_id, const std::string& account_id,
                      const ChangedBy& actor);
  // All or nothing: not_found listing unknown ids, or account_in_use listing provisioning ones
  // (in `details`). Returns how many were deleted.
  core::Result<long long> remove_selected(const std::string& provider_org_id,
                                          const std::vector<std::string>& account_ids,
                                          const ChangedBy& actor);
  // Deletes every account of the provider except provisioning ones, which it reports.
  core::Result<DeleteAllResult> remove_all(const std::string& provider_org_id,
                                           const ChangedBy& actor);

  // --- allocation ---
  // The oldest ready account of (provider, marketplace), now provisioning for `order_ref`; the
  // account `order_ref` already took, whatever its status now, when called again.
  core::Result<Account> take(const std::string& provider_org_id, const std::string& marketplace_id,
                             const std::string& order_ref, const ChangedBy& actor);
  // provisioning → allocated. Repeating it on an allocated account returns it unchanged.
  core::Result<Account> complete(const std::string& provider_org_id, const AllocationRef& ref,
                                 const ChangedBy& actor);
  // provisioning → provisioning_failed with `reason`. Repeating it returns the account unchanged.
  core::Result<Account> fail(const std::string& provider_org_id, const AllocationRef& ref,
                             const std::string& reason, const ChangedBy& actor);
  // The order still works on its account: restarts its stuck timer. not_found unless provisioning.
  core::Status note_progress(const std::string& provider_org_id, const std::string& order_ref);

  // --- nothing stays provisioning forever ---
  // The provider's provisioning accounts whose order has not moved for settings.stuck_after,
  // longest-stuck first.
  core::Result<std::vector<Account>> stuck(const std::string& provider_org_id, int limit) const;
  // The same, counted over every provider (for /metrics).
  core::Result<long long> count_stuck() const;
  // An admin's way out: a stuck account becomes provisioning_failed, or ready again (released
  // from its order). `reason` is required and recorded.
  core::Result<Account> resolve_stuck(const std::string& provider_org_id,
                                      const std::string& account_id, StuckResolution resolution,
                                      const std::string& reason, const ChangedBy& actor);

  // --- access check ---
  // Asks `checker` about up to request.batch of the provider's accounts in the request's scope
  // (never-checked ready ones first, oldest first) and moves them: unreachable ready → invalid
  // with the checker's reason; reachable invalid-by-check → ready. An account whose status
  // changed meanwhile is left alone. Accounts an admin made invalid are never touched. Call it
  // again until `checked` is 0 (or `stopped` is set) to cover the whole scope.
  core::Result<AccessCheckReport> check_access(const std::string& provider_org_id,
                                               AccessChecker& checker,
                                               const AccessCheckRequest& request);
  // How many accounts check_access(request) has left to ask about.
  core::Result<long long> count_access_check_pending(const std::string& provider_org_id,
                                                     const AccessCheckRequest& request) const;

 private:
  core::TimePoint now() const;
  core::Status check_marketplace(const std::string& marketplace_id) const;
  core::Result<Account> finish(const std::string& provider_org_id, const AllocationRef& ref,
                               AccountStatus to, const std::string& reason, const ChangedBy& actor);

  const core::Clock& clock_;
  const MarketplaceDirectory& marketplaces_;
  identity::AuditLog& audit_;
  PoolSettings settings_;
  std::unique_ptr<AccountStore> store_;
};

// The row errors of an invalid_csv error (details back as numbers), for the API and the CLI.
std::vector<RowError> import_row_errors(const core::Error& error);

}  // namespace pool
