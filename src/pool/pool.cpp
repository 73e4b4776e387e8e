#include "pool/pool.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <unordered_map>
#include <unordered_set>

#include "core/log.h"
#include "core/text.h"
#include "pool/account_store.h"
#include "pool/csv_import.h"

namespace pool {

namespace {

constexpr size_t kMaxOrderRefLength = 200;
constexpr size_t kMaxReasonLength = 1000;
// The answer take() gives itself when two takers with one order_ref raced; take() retries it.
constexpr const char* kOrderRefRace = "order_ref_race";

core::Error no_account(const std::string& account_id) {
  return core::not_found(fmt::format("There is no account {} in this pool.", account_id));
}

core::Error bad_argument(std::string message) {
  return core::invalid(std::move(message), "invalid_argument");
}

core::Error in_use(const std::string& account_id, std::string_view what) {
  return core::conflict(
      fmt::format("The account {} is being provisioned for an order; it cannot be {}.", account_id,
                  what),
      "account_in_use");
}

core::Error bad_move(const Account& a, AccountStatus to) {
  return core::conflict(fmt::format("The account {} is {}; it cannot become {}.", a.account_id,
                                    status_name(a.status), status_name(to)),
                        "invalid_transition");
}

std::string plural(long long n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// Account ids an audit entry names before "and N more".
constexpr size_t kIdsNamed = 10;

// An audit entry of a pool change: about one account when `account_id` is set, else the pool.
identity::AuditEntry audit_entry(const std::string& provider_org_id, const ChangedBy& actor,
                                 const std::string& action, const std::string& account_id,
                                 std::string detail) {
  return {.org_id = provider_org_id,
          .subject_user_id = {},
          .actor = actor.audit,
          .action = action,
          .target_type = account_id.empty() ? "pool" : "account",
          .target_id = account_id,
          .detail = std::move(detail)};
}

}  // namespace

const char* display_name(AccountStatus status) {
  switch (status) {
    case AccountStatus::kReady: return "Ready";
    case AccountStatus::kProvisioning: return "Provisioning in progress";
    case AccountStatus::kInvalid: return "Invalid";
    case AccountStatus::kAllocated: return "Allocated";
    case AccountStatus::kProvisioningFailed: return "Provisioning failed";
  }
  return "";
}

const char* status_name(AccountStatus status) {
  switch (status) {
    case AccountStatus::kReady: return "ready";
    case AccountStatus::kProvisioning: return "provisioning";
    case AccountStatus::kInvalid: return "invalid";
    case AccountStatus::kAllocated: return "allocated";
    case AccountStatus::kProvisioningFailed: return "provisioning_failed";
  }
  return "ready";
}

std::optional<AccountStatus> parse_status(std::string_view name) {
  for (AccountStatus s :
       {AccountStatus::kReady, AccountStatus::kProvisioning, AccountStatus::kInvalid,
        AccountStatus::kAllocated, AccountStatus::kProvisioningFailed}) {
    if (name == status_name(s)) return s;
  }
  return std::nullopt;
}

bool is_allowed_move(AccountStatus from, AccountStatus to) {
  using S = AccountStatus;
  switch (from) {
    case S::kReady: return to == S::kProvisioning || to == S::kInvalid;
    case S::kProvisioning:
      return to == S::kAllocated || to == S::kProvisioningFailed || to == S::kReady;
    case S::kInvalid: return to == S::kReady;
    case S::kAllocated: return false;
    case S::kProvisioningFailed: return to == S::kReady;
  }
  return false;
}

const char* model_name(Model model) { return model == Model::kSpam ? "SPAM" : "ECAM"; }

std::optional<Model> parse_model(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.size() != 4) return std::nullopt;
  std::string upper(text);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "SPAM") return Model::kSpam;
  if (upper == "ECAM") return Model::kEcam;
  return std::nullopt;
}

bool is_account_id(std::string_view text) {
  return text.size() == 12 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_marketplace_id_syntax(std::string_view text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == ':' ||
           c == '-';
  });
}

std::vector<RowError> import_row_errors(const core::Error& error) {
  std::vector<RowError> out;
  for (const core::ErrorDetail& d : error.details) {
    int line = 0;
    std::from_chars(d.field.data(), d.field.data() + d.field.size(), line);
    out.push_back({line, d.message});
  }
  return out;
}

Pool::Pool(db::Database& database, const core::Clock& clock,
           const MarketplaceDirectory& marketplaces, identity::AuditLog& audit,
           PoolSettings settings)
    : clock_(clock),
      marketplaces_(marketplaces),
      audit_(audit),
      settings_(settings),
      store_(std::make_unique<AccountStore>(database)) {}

Pool::~Pool() = default;

core::TimePoint Pool::now() const {
  // The database keeps milliseconds; so do the answers, so that they compare equal to a re-read.
  return std::chrono::time_point_cast<std::chrono::milliseconds>(clock_.now());
}

core::Status Pool::check_marketplace(const std::string& marketplace_id) const {
  if (!is_marketplace_id_syntax(marketplace_id)) {
    return core::invalid(
        fmt::format("\"{}\" is not a marketplace id (e.g. MP-0000).", marketplace_id.substr(0, 64)),
        "invalid_marketplace");
  }
  if (!marketplaces_.exists(marketplace_id)) {
    return core::invalid(fmt::format("There is no marketplace {}.", marketplace_id),
                         "invalid_marketplace");
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Reading

core::Result<Account> Pool::get(const std::string& provider_org_id,
                                const std::string& account_id) const {
  if (!is_account_id(account_id)) return no_account(account_id.substr(0, 64));
  return store_->read([&](AccountTx& tx) -> core::Result<Account> {
    auto a = tx.find(provider_org_id, account_id, Lock::kNone);
    if (!a) return no_account(account_id);
    return *a;
  });
}

namespace {

// A cursor is "<created_at in Unix milliseconds>-<account_id>" of the last account of a page.
std::string make_cursor(const Account& a) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(a.created_at.time_since_epoch());
  return fmt::format("{}-{}", ms.count(), a.account_id);
}

std::optional<std::pair<std::string, std::string>> read_cursor(std::string_view cursor) {
  const auto dash = cursor.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  long long ms = 0;
  const auto r = std::from_chars(cursor.data(), cursor.data() + dash, ms);
  if (r.ec != std::errc() || r.ptr != cursor.data() + dash || ms < 0) return std::nullopt;
  const std::string_view id = cursor.substr(dash + 1);
  if (!is_account_id(id)) return std::nullopt;
  const core::TimePoint at{std::chrono::milliseconds(ms)};
  return std::make_pair(core::format_rfc3339(at), std::string(id));
}

}  // namespace

core::Result<AccountPage> Pool::list(const std::string& provider_org_id,
                                     const AccountFilter& filter, const PageRequest& page) const {
  const int limit = std::clamp(page.limit, 1, kMaxPageSize);
  const std::string& prefix = filter.account_id_prefix;
  if (prefix.size() > 12 ||
      !std::all_of(prefix.begin(), prefix.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return bad_argument("Search by the digits an account id starts with (up to 12).");
  }
  std::optional<std::pair<std::string, std::string>> after;
  if (!page.cursor.empty()) {
    after = read_cursor(page.cursor);
    if (!after) return core::invalid("The cursor is not one this list gave.", "invalid_cursor");
  }
  return store_->read([&](AccountTx& tx) -> core::Result<AccountPage> {
    AccountPage out;
    out.accounts = tx.page(provider_org_id, filter, after, limit + 1);
    if (out.accounts.size() > static_cast<size_t>(limit)) {
      out.accounts.resize(static_cast<size_t>(limit));
      out.next_cursor = make_cursor(out.accounts.back());
    }
    return out;
  });
}

core::Result<StatusCounts> Pool::counts(const std::string& provider_org_id) const {
  return store_->read(
      [&](AccountTx& tx) -> core::Result<StatusCounts> { return tx.counts(provider_org_id); });
}

core::Result<std::vector<StatusChange>> Pool::history(const std::string& provider_org_id,
                                                      const std::string& account_id) const {
  if (!is_account_id(account_id)) return no_account(account_id.substr(0, 64));
  return store_->read([&](AccountTx& tx) -> core::Result<std::vector<StatusChange>> {
    auto a = tx.find(provider_org_id, account_id, Lock::kNone);
    if (!a) return no_account(account_id);
    const auto [created_by, created_via] = tx.creation(account_id);
    std::vector<StatusChange> out;
    out.push_back({.from = std::nullopt,
                   .to = AccountStatus::kReady,
                   .actor = created_by,
                   .reason = created_via == "import" ? "imported from CSV" : "added",
                   .order_ref = {},
                   .at = a->created_at});
    auto moves = tx.history(account_id);
    out.insert(out.end(), std::make_move_iterator(moves.begin()),
               std::make_move_iterator(moves.end()));
    return out;
  });
}

// ---------------------------------------------------------------------------------------------
// Adding

core::Result<Account> Pool::add(const std::string& provider_org_id, const NewAccount& account,
                                const ChangedBy& actor) {
  if (provider_org_id.empty() || actor.ref.empty()) {
    return bad_argument("A provider and an actor are required.");
  }
  if (!is_account_id(account.account_id)) {
    return core::invalid(fmt::format("An AWS account id is 12 digits; \"{}\" is not.",
                                     account.account_id.substr(0, 64)),
                         "invalid_account_id");
  }
  if (auto ok = check_marketplace(account.marketplace_id); !ok.ok()) return ok.error();
  const core::TimePoint at = now();
  Account a{.account_id = account.account_id,
            .provider_org_id = provider_org_id,
            .marketplace_id = account.marketplace_id,
            .model = account.model,
            .status = AccountStatus::kReady,
            .status_reason = {},
            .order_ref = {},
            .created_at = at,
            .updated_at = at,
            .status_changed_at = at,
            .progress_at = std::nullopt};
  auto inserted = store_->write([&](AccountTx& tx) { return tx.insert(a, actor.ref); });
  if (!inserted.ok()) return inserted.error();
  return a;
}

core::Result<ImportResult> Pool::import_csv(const std::string& provider_org_id,
                                            std::string_view csv, const ChangedBy& actor,
                                            const ImportOptions& options) {
  const ImportProgress& progress = options.progress;
  if (provider_org_id.empty() || actor.ref.empty()) {
    return bad_argument("A provider and an actor are required.");
  }
  ParsedCsv parsed = parse_accounts_csv(csv, kMaxRowErrors);
  if (parsed.error_count == 0 && parsed.rows.empty()) {
    return core::invalid("The file has no accounts.", "invalid_csv");
  }
  if (static_cast<long long>(parsed.rows.size()) > settings_.max_import_rows) {
    return core::invalid(fmt::format("The file has {} rows; at most {} can be imported at once.",
                                     parsed.rows.size(), settings_.max_import_rows),
                         "invalid_csv");
  }

  // Marketplaces: a handful of distinct ids, each asked once.
  std::vector<bool> known(parsed.marketplaces.size());
  for (size_t i = 0; i < known.size(); ++i) known[i] = marketplaces_.exists(parsed.marketplaces[i]);
  std::vector<RowError> marketplace_errors;
  long long marketplace_error_count = 0;
  for (CsvAccountRow& row : parsed.rows) {
    if (row.marketplace == kNoMarketplace || known[row.marketplace]) continue;
    row.ok = false;
    ++marketplace_error_count;
    if (marketplace_errors.size() < static_cast<size_t>(kMaxRowErrors)) {
      marketplace_errors.push_back(
          {static_cast<int>(row.line),
           fmt::format("unknown marketplace {}", parsed.marketplaces[row.marketplace])});
    }
  }

  // Each distinct well-formed account id, with the line of its first occurrence, is checked
  // against every pool.
  std::unordered_map<std::uint64_t, std::uint32_t> first_line;
  first_line.reserve(parsed.rows.size());
  std::vector<std::uint64_t> ids;
  ids.reserve(parsed.rows.size());
  for (const CsvAccountRow& row : parsed.rows) {
    if (row.account_id == kNoAccount) continue;
    if (first_line.try_emplace(row.account_id, row.line).second) ids.push_back(row.account_id);
  }
  const long long total_rows = static_cast<long long>(parsed.rows.size());
  const long long total_ids = static_cast<long long>(ids.size());

  const core::TimePoint at = now();
  auto imported = store_->write([&](AccountTx& tx) -> core::Result<ImportResult> {
    if (progress) progress(ImportPhase::kValidating, 0, total_ids);
    const auto existing = tx.existing(ids, [&](long long done) {
      if (progress) progress(ImportPhase::kValidating, done, total_ids);
    });
    std::vector<RowError> existing_errors;
    for (const ExistingAccount& e : existing) {
      std::uint64_t id = 0;
      std::from_chars(e.account_id.data(), e.account_id.data() + e.account_id.size(), id);
      existing_errors.push_back(
          {static_cast<int>(first_line[id]),
           e.provider_org_id == provider_org_id
               ? fmt::format("account {} is already in this pool", e.account_id)
               : fmt::format("account {} is already in another pool", e.account_id)});
    }
    std::sort(existing_errors.begin(), existing_errors.end(),
              [](const RowError& x, const RowError& y) { return x.line < y.line; });
    const long long error_count = parsed.error_count + marketplace_error_count +
                                  static_cast<long long>(existing_errors.size());
    if (error_count > 0) {
      auto rows = merge_row_errors(
          parsed.errors,
          merge_row_errors(marketplace_errors, std::move(existing_errors), kMaxRowErrors),
          kMaxRowErrors);
      core::Error error =
          core::invalid(fmt::format("Nothing was imported: the file has {}.{}",
                                    plural(error_count, "problem", "problems"),
                                    error_count > kMaxRowErrors
                                        ? fmt::format(" The first {} are listed.", kMaxRowErrors)
                                        : std::string()),
                        "invalid_csv");
      for (RowError& r : rows) error.details.push_back({std::to_string(r.line), r.message});
      return error;
    }
    std::vector<ImportRow> rows;
    rows.reserve(parsed.rows.size());
    for (const CsvAccountRow& r : parsed.rows)
      rows.push_back({r.account_id, r.marketplace, r.model});
    if (progress) progress(ImportPhase::kInserting, 0, total_rows);
    tx.insert_imported(provider_org_id, parsed.marketplaces, rows, actor.ref, at,
                       [&](long long done) {
                         if (progress) progress(ImportPhase::kInserting, done, total_rows);
                       });
    audit_.record(tx.transaction(),
                  audit_entry(provider_org_id, actor, "pool.imported", "",
                              fmt::format("Imported {} from {}",
                                          core::count_of(total_rows, "account", "accounts"),
                                          options.source.empty() ? "a CSV file" : options.source)));
    return ImportResult{.imported = total_rows};
  });
  if (imported.ok()) {
    core::log::info(
        "pool import",
        {{"provider", provider_org_id}, {"actor", actor.ref}, {"imported", imported->imported}});
  }
  return imported;
}

// ---------------------------------------------------------------------------------------------
// Editing

core::Result<Account> Pool::update(const std::string& provider_org_id,
                                   const std::string& account_id, const AccountUpdate& update,
                                   const ChangedBy& actor) {
  if (!is_account_id(account_id)) return no_account(account_id.substr(0, 64));
  if (actor.ref.empty()) return bad_argument("An actor is required.");
  if (update.reason.size() > kMaxReasonLength) return bad_argument("The reason is too long.");
  if (update.marketplace_id) {
    if (auto ok = check_marketplace(*update.marketplace_id); !ok.ok()) return ok.error();
  }
  const core::TimePoint at = now();
  return store_->write([&](AccountTx& tx) -> core::Result<Account> {
    auto a = tx.find(provider_org_id, account_id, Lock::kForUpdate);
    if (!a) return no_account(account_id);
    if (a->status == AccountStatus::kProvisioning) return in_use(account_id, "changed");
    if (update.status && *update.status != a->status) {
      const AccountStatus to = *update.status;
      const bool admin_move =
          (a->status == AccountStatus::kReady && to == AccountStatus::kInvalid) ||
          (a->status == AccountStatus::kInvalid && to == AccountStatus::kReady) ||
          (a->status == AccountStatus::kProvisioningFailed && to == AccountStatus::kReady);
      if (!admin_move) return bad_move(*a, to);
      tx.move_status(*a, {.to = to,
                          .reason = update.reason,
                          .actor = actor.ref,
                          .order_ref = std::nullopt,
                          .starts_progress = false,
                          .at = at});
      audit_.record(tx.transaction(),
                    audit_entry(provider_org_id, actor, "pool.account_status_changed", account_id,
                                fmt::format("{} → {}{}", display_name(a->status), display_name(to),
                                            update.reason.empty() ? "" : ": " + update.reason)));
    }
    const std::string marketplace = update.marketplace_id.value_or(a->marketplace_id);
    const Model model = update.model.value_or(a->model);
    if (marketplace != a->marketplace_id || model != a->model) {
      tx.update_details(account_id, marketplace, model, at);
    }
    return *tx.find(provider_org_id, account_id, Lock::kNone);
  });
}

// ---------------------------------------------------------------------------------------------
// Deleting

core::Status Pool::remove(const std::string& provider_org_id, const std::string& account_id,
                          const ChangedBy& actor) {
  if (!is_account_id(account_id)) return no_account(account_id.substr(0, 64));
  auto removed = store_->write([&](AccountTx& tx) -> core::Status {
    auto a = tx.find(provider_org_id, account_id, Lock::kForUpdate);
    if (!a) return no_account(account_id);
    if (a->status == AccountStatus::kProvisioning) return in_use(account_id, "deleted");
    tx.remove(provider_org_id, {account_id});
    audit_.record(tx.transaction(), audit_entry(provider_org_id, actor, "pool.account_deleted",
                                                account_id, "Deleted account " + account_id));
    return {};
  });
  if (removed.ok()) {
    core::log::info("pool account deleted",
                    {{"provider", provider_org_id}, {"actor", actor.ref}, {"account", account_id}});
  }
  return removed;
}

core::Result<long long> Pool::remove_selected(const std::string& provider_org_id,
                                              const std::vector<std::string>& account_ids,
                                              const ChangedBy& actor) {
  if (account_ids.empty()) return bad_argument("Select at least one account to delete.");
  std::vector<std::string> ids = account_ids;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  auto removed = store_->write([&](AccountTx& tx) -> core::Result<long long> {
    const auto found = tx.lock_selected(provider_org_id, ids);
    std::unordered_set<std::string> present;
    std::vector<std::string> busy;
    for (const AccountIdStatus& f : found) {
      present.insert(f.account_id);
      if (f.status == AccountStatus::kProvisioning) busy.push_back(f.account_id);
    }
    if (present.size() != ids.size()) {
      core::Error e = core::not_found("Some of the selected accounts are not in this pool.");
      for (const std::string& id : ids) {
        if (!present.contains(id)) e.details.push_back({id, "not in this pool"});
        if (e.details.size() >= static_cast<size_t>(kMaxRowErrors)) break;
      }
      return e;
    }
    if (!busy.empty()) {
      std::sort(busy.begin(), busy.end());
      core::Error e = core::conflict(
          fmt::format("Nothing was deleted: {} being provisioned for an order.",
                      plural(static_cast<long long>(busy.size()), "account is", "accounts are")),
          "account_in_use");
      for (const std::string& id : busy) {
        e.details.push_back({id, "provisioning"});
        if (e.details.size() >= static_cast<size_t>(kMaxRowErrors)) break;
      }
      return e;
    }
    const long long deleted = tx.remove(provider_org_id, ids);
    audit_.record(
        tx.transaction(),
        audit_entry(provider_org_id, actor, "pool.accounts_deleted", "",
                    fmt::format("Deleted {}: {}", core::count_of(deleted, "account", "accounts"),
                                core::join_first(ids, kIdsNamed))));
    return deleted;
  });
  if (removed.ok()) {
    core::log::info("pool accounts deleted",
                    {{"provider", provider_org_id}, {"actor", actor.ref}, {"deleted", *removed}});
  }
  return removed;
}

core::Result<DeleteAllResult> Pool::remove_all(const std::string& provider_org_id,
                                               const ChangedBy& actor) {
  auto removed = store_->write([&](AccountTx& tx) -> core::Result<DeleteAllResult> {
    DeleteAllResult out;
    out.deleted = tx.remove_all_but_provisioning(provider_org_id);
    out.skipped_in_use = tx.provisioning_ids(provider_org_id);
    audit_.record(tx.transaction(),
                  audit_entry(provider_org_id, actor, "pool.accounts_deleted", "",
                              fmt::format("Deleted all accounts: {}, {} skipped in provisioning",
                                          core::count_of(out.deleted, "account", "accounts"),
                                          out.skipped_in_use.size())));
    return out;
  });
  if (removed.ok()) {
    core::log::info("pool accounts deleted", {{"provider", provider_org_id},
                                              {"actor", actor.ref},
                                              {"deleted", removed->deleted},
                                              {"skipped", removed->skipped_in_use.size()}});
  }
  return removed;
}

// ---------------------------------------------------------------------------------------------
// Allocation

core::Result<Account> Pool::take(const std::string& provider_org_id,
                                 const std::string& marketplace_id, const std::string& order_ref,
                                 const ChangedBy& actor) {
  if (order_ref.empty() || order_ref.size() > kMaxOrderRefLength) {
    return bad_argument("An order reference of 1 to 200 characters is required.");
  }
  if (actor.ref.empty()) return bad_argument("An actor is required.");
  if (!is_marketplace_id_syntax(marketplace_id)) {
    return core::invalid(
        fmt::format("\"{}\" is not a marketplace id (e.g. MP-0000).", marketplace_id.substr(0, 64)),
        "invalid_marketplace");
  }
  for (int attempt = 1;; ++attempt) {
    const core::TimePoint at = now();
    auto taken = store_->write([&](AccountTx& tx) -> core::Result<Account> {
      tx.lock_order_ref(provider_org_id, order_ref);
      if (auto mine = tx.find_by_order(provider_org_id, order_ref, Lock::kNone)) {
        if (mine->marketplace_id != marketplace_id) {
          return core::conflict(
              fmt::format("The order {} already took an account in marketplace {}.", order_ref,
                          mine->marketplace_id),
              "order_ref_conflict");
        }
        return *mine;
      }
      auto oldest = tx.lock_oldest_ready(provider_org_id, marketplace_id);
      if (!oldest.ok()) return oldest.error();
      std::optional<Account>& a = *oldest;
      if (!a) {
        return core::conflict(
            fmt::format("No ready account is left in this pool for marketplace {}.",
                        marketplace_id),
            "no_ready_account");
      }
      try {
        tx.move_status(*a, {.to = AccountStatus::kProvisioning,
                            .reason = {},
                            .actor = actor.ref,
                            .order_ref = order_ref,
                            .starts_progress = true,
                            .at = at});
      } catch (const std::exception& e) {
        // Another taker with the same order_ref committed first: its account is the answer.
        if (db::classify_sql_failure(e) != db::SqlFailure::kUniqueViolation) throw;
        return core::internal("Two takers used one order reference at once.", kOrderRefRace);
      }
      a->status = AccountStatus::kProvisioning;
      a->status_reason.clear();
      a->order_ref = order_ref;
      a->status_changed_at = at;
      a->updated_at = at;
      a->progress_at = at;
      return *a;
    });
    if (!taken.ok() && taken.error().slug == kOrderRefRace && attempt < 3) continue;
    return taken;
  }
}

core::Result<Account> Pool::finish(const std::string& provider_org_id, const AllocationRef& ref,
                                   AccountStatus to, const std::string& reason,
                                   const ChangedBy& actor) {
  if (ref.order_ref.empty() == ref.account_id.empty()) {
    return bad_argument("Name the allocation by its order or by its account, not both.");
  }
  if (actor.ref.empty()) return bad_argument("An actor is required.");
  if (reason.size() > kMaxReasonLength) return bad_argument("The reason is too long.");
  const core::TimePoint at = now();
  return store_->write([&](AccountTx& tx) -> core::Result<Account> {
    auto a = ref.order_ref.empty()
                 ? tx.find(provider_org_id, ref.account_id, Lock::kForUpdate)
                 : tx.find_by_order(provider_org_id, ref.order_ref, Lock::kForUpdate);
    if (!a) {
      if (!ref.account_id.empty()) return no_account(ref.account_id.substr(0, 64));
      return core::not_found(
          fmt::format("The order {} holds no account in this pool.", ref.order_ref));
    }
    if (a->status == to) return *a;
    if (a->status != AccountStatus::kProvisioning) return bad_move(*a, to);
    tx.move_status(*a, {.to = to,
                        .reason = reason,
                        .actor = actor.ref,
                        .order_ref = a->order_ref,
                        .starts_progress = false,
                        .at = at});
    return *tx.find(provider_org_id, a->account_id, Lock::kNone);
  });
}

core::Result<Account> Pool::complete(const std::string& provider_org_id, const AllocationRef& ref,
                                     const ChangedBy& actor) {
  return finish(provider_org_id, ref, AccountStatus::kAllocated, {}, actor);
}

core::Result<Account> Pool::fail(const std::string& provider_org_id, const AllocationRef& ref,
                                 const std::string& reason, const ChangedBy& actor) {
  return finish(provider_org_id, ref, AccountStatus::kProvisioningFailed,
                reason.empty() ? "provisioning failed" : reason, actor);
}

core::Status Pool::note_progress(const std::string& provider_org_id, const std::string& order_ref) {
  const core::TimePoint at = now();
  return store_->write([&](AccountTx& tx) -> core::Status {
    if (!tx.touch_progress(provider_org_id, order_ref, at)) {
      return core::not_found(
          fmt::format("The order {} holds no provisioning account in this pool.", order_ref));
    }
    return {};
  });
}

// ---------------------------------------------------------------------------------------------
// Stuck provisioning

core::Result<std::vector<Account>> Pool::stuck(const std::string& provider_org_id,
                                               int limit) const {
  const core::TimePoint cutoff = now() - settings_.stuck_after;
  return store_->read([&](AccountTx& tx) -> core::Result<std::vector<Account>> {
    return tx.stuck(provider_org_id, cutoff, std::clamp(limit, 1, kMaxPageSize));
  });
}

core::Result<long long> Pool::count_stuck() const {
  const core::TimePoint cutoff = now() - settings_.stuck_after;
  return store_->read(
      [&](AccountTx& tx) -> core::Result<long long> { return tx.count_stuck(cutoff); });
}

core::Result<Account> Pool::resolve_stuck(const std::string& provider_org_id,
                                          const std::string& account_id, StuckResolution resolution,
                                          const std::string& reason, const ChangedBy& actor) {
  if (!is_account_id(account_id)) return no_account(account_id.substr(0, 64));
  if (reason.empty() || reason.size() > kMaxReasonLength) {
    return bad_argument("Say why (a reason of at most 1,000 characters is required).");
  }
  if (actor.ref.empty()) return bad_argument("An actor is required.");
  const core::TimePoint at = now();
  const core::TimePoint cutoff = at - settings_.stuck_after;
  const AccountStatus to = resolution == StuckResolution::kMarkFailed
                               ? AccountStatus::kProvisioningFailed
                               : AccountStatus::kReady;
  auto resolved = store_->write([&](AccountTx& tx) -> core::Result<Account> {
    auto a = tx.find(provider_org_id, account_id, Lock::kForUpdate);
    if (!a) return no_account(account_id);
    if (a->status != AccountStatus::kProvisioning) return bad_move(*a, to);
    if (a->progress_at && *a->progress_at >= cutoff) {
      return core::conflict(
          fmt::format(
              "The order {} moved less than {} minutes ago; the account is not stuck.",
              a->order_ref,
              std::chrono::duration_cast<std::chrono::minutes>(settings_.stuck_after).count()),
          "account_not_stuck");
    }
    tx.move_status(
        *a, {.to = to,
             .reason = reason,
             .actor = actor.ref,
             .order_ref = to == AccountStatus::kReady ? std::nullopt
                                                      : std::optional<std::string>(a->order_ref),
             .starts_progress = false,
             .at = at});
    audit_.record(
        tx.transaction(),
        audit_entry(provider_org_id, actor, "pool.stuck_resolved", account_id,
                    fmt::format("{} (order {}): {}",
                                to == AccountStatus::kReady ? "Returned to ready" : "Marked failed",
                                a->order_ref.empty() ? "—" : a->order_ref, reason)));
    return *tx.find(provider_org_id, account_id, Lock::kNone);
  });
  if (resolved.ok()) {
    core::log::info("pool stuck account resolved", {{"provider", provider_org_id},
                                                    {"actor", actor.ref},
                                                    {"account", account_id},
                                                    {"status", status_name(to)}});
  }
  return resolved;
}

// ---------------------------------------------------------------------------------------------
// Access check

const char* scope_name(AccessCheckScope scope) {
  return scope == AccessCheckScope::kAll ? "all" : "new";
}

std::optional<AccessCheckScope> parse_scope(std::string_view name) {
  if (name == "new") return AccessCheckScope::kNew;
  if (name == "all") return AccessCheckScope::kAll;
  return std::nullopt;
}

core::Result<AccessCheckReport> Pool::check_access(const std::string& provider_org_id,
                                                   AccessChecker& checker,
                                                   const AccessCheckRequest& request) {
  auto candidates = store_->read([&](AccountTx& tx) -> core::Result<std::vector<Account>> {
    return tx.access_check_candidates(provider_org_id, request.scope == AccessCheckScope::kAll,
                                      request.since, std::clamp(request.batch, 1, kMaxPageSize));
  });
  if (!candidates.ok()) return candidates.error();
  AccessCheckReport report;
  const std::string check_actor(kAccessCheckActor);
  for (const Account& seen : *candidates) {
    // AWS is asked outside any transaction; the answer is applied only if nothing moved since.
    auto outcome = checker.check(seen.account_id);
    if (!outcome.ok()) {
      report.stopped = outcome.error();
      break;
    }
    ++report.checked;
    const core::TimePoint at = now();
    enum class Moved { kNone, kInvalidated, kRestored, kCancelled };
    auto applied = store_->write([&](AccountTx& tx) -> core::Result<Moved> {
      if (request.run_started_at &&
          !tx.access_check_run_is_current(provider_org_id, *request.run_started_at)) {
        return Moved::kCancelled;
      }
      auto a = tx.find(provider_org_id, seen.account_id, Lock::kForUpdate);
      if (!a || a->status != seen.status || a->status_changed_at != seen.status_changed_at) {
        return Moved::kNone;
      }
      Moved moved = Moved::kNone;
      if (a->status == AccountStatus::kReady && !outcome->reachable) {
        tx.move_status(*a, {.to = AccountStatus::kInvalid,
                            .reason = "access check: " + outcome->reason,
                            .actor = check_actor,
                            .order_ref = std::nullopt,
                            .starts_progress = false,
                            .at = at});
        moved = Moved::kInvalidated;
      } else if (a->status == AccountStatus::kInvalid && outcome->reachable) {
        tx.move_status(*a, {.to = AccountStatus::kReady,
                            .reason = "access check: reachable again",
                            .actor = check_actor,
                            .order_ref = std::nullopt,
                            .starts_progress = false,
                            .at = at});
        moved = Moved::kRestored;
      }
      tx.mark_access_checked(a->account_id, at);
      return moved;
    });
    if (!applied.ok()) return applied.error();
    if (*applied == Moved::kCancelled) {
      // The provider stopped or replaced the run while AWS was asked: its answer is not applied.
      --report.checked;
      report.cancelled = true;
      break;
    }
    if (*applied == Moved::kInvalidated) ++report.invalidated;
    if (*applied == Moved::kRestored) ++report.restored;
  }
  return report;
}

core::Result<long long> Pool::count_access_check_pending(const std::string& provider_org_id,
                                                         const AccessCheckRequest& request) const {
  return store_->read([&](AccountTx& tx) -> core::Result<long long> {
    return tx.count_access_check_candidates(provider_org_id,
                                            request.scope == AccessCheckScope::kAll, request.since);
  });
}

}  // namespace pool
