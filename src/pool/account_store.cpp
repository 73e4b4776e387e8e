#include "pool/account_store.h"

#include <fmt/format.h>
#include <soci/soci.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "pool/csv_import.h"

namespace pool {

namespace {

// Every statement of the pool, as portable SQL. Parameters are bound in the order they appear.
// The differences between SQLite and PostgreSQL come from db::Database (for_update, skip_locked).

constexpr const char* kAccountColumns =
    "account_id, provider_org_id, marketplace_id, model, status, status_reason, "
    "status_changed_at, order_ref, progress_at, created_at, updated_at";

constexpr const char* kFindAccount =
    "SELECT {} FROM pool_accounts WHERE provider_org_id = :provider AND account_id = :account_id";

constexpr const char* kFindByOrder =
    "SELECT {} FROM pool_accounts WHERE provider_org_id = :provider AND order_ref = :order_ref";

// Served by the index pool_accounts_ready.
constexpr const char* kOldestReady =
    "SELECT {} FROM pool_accounts"
    " WHERE provider_org_id = :provider AND marketplace_id = :marketplace_id AND status = 'ready'"
    " ORDER BY created_at, account_id LIMIT 1";

constexpr const char* kMoveStatus =
    "UPDATE pool_accounts SET status = :status, status_reason = :reason, status_actor = :actor,"
    " status_changed_at = :changed_at, status_version = status_version + 1,"
    " order_ref = :order_ref, progress_at = :progress_at, updated_at = :updated_at"
    " WHERE account_id = :account_id";

// The history row takes its sequence number from the account row the move just updated.
constexpr const char* kInsertHistory =
    "INSERT INTO pool_account_history"
    " (account_id, seq, from_status, to_status, actor, reason, order_ref, at)"
    " SELECT account_id, status_version, CAST(:from_status AS TEXT), CAST(:to_status AS TEXT),"
    " CAST(:actor AS TEXT), CAST(:reason AS TEXT), CAST(:order_ref AS TEXT), CAST(:at AS TEXT)"
    " FROM pool_accounts WHERE account_id = :account_id";

constexpr const char* kUpdateDetails =
    "UPDATE pool_accounts SET marketplace_id = :marketplace_id, model = :model,"
    " updated_at = :updated_at WHERE account_id = :account_id";

constexpr const char* kInsertAccount =
    "INSERT INTO pool_accounts (account_id, provider_org_id, marketplace_id, model, status,"
    " status_reason, status_actor, status_changed_at, status_version, created_by, created_via,"
    " created_at, updated_at)"
    " VALUES (:account_id, :provider, :marketplace_id, :model, 'ready', '', :actor, :changed_at,"
    " 0, :created_by, 'add', :created_at, :updated_at)";

// Followed by `rows` tuples "(:a, :m, :d)" (account id, marketplace id, model): the values that
// differ per row are bound per row, the rest once per statement.
constexpr const char* kInsertImportedHead =
    "INSERT INTO pool_accounts (account_id, provider_org_id, marketplace_id, model, status,"
    " status_reason, status_actor, status_changed_at, status_version, created_by, created_via,"
    " created_at, updated_at)"
    " SELECT column1, CAST(:provider AS TEXT), column2, column3, 'ready', '',"
    " CAST(:actor AS TEXT), CAST(:changed_at AS TEXT), 0, CAST(:created_by AS TEXT), 'import',"
    " CAST(:created_at AS TEXT), CAST(:updated_at AS TEXT) FROM (VALUES ";

constexpr const char* kExistingHead =
    "SELECT account_id, provider_org_id FROM pool_accounts WHERE account_id IN (";

constexpr const char* kLockSelectedHead =
    "SELECT account_id, status FROM pool_accounts WHERE provider_org_id = :provider"
    " AND account_id IN (";

constexpr const char* kDeleteSelectedHead =
    "DELETE FROM pool_accounts WHERE provider_org_id = :provider AND account_id IN (";

constexpr const char* kDeleteAllButProvisioning =
    "DELETE FROM pool_accounts WHERE provider_org_id = :provider AND status <> 'provisioning'";

constexpr const char* kProvisioningIds =
    "SELECT account_id FROM pool_accounts WHERE provider_org_id = :provider"
    " AND status = 'provisioning' ORDER BY account_id";

constexpr const char* kTouchProgress =
    "UPDATE pool_accounts SET progress_at = :at WHERE provider_org_id = :provider"
    " AND order_ref = :order_ref AND status = 'provisioning'";

constexpr const char* kMarkAccessChecked =
    "UPDATE pool_accounts SET access_checked_at = :at WHERE account_id = :account_id";

constexpr const char* kPageHead = "SELECT {} FROM pool_accounts WHERE provider_org_id = :provider";
constexpr const char* kPageStatus = " AND status = :status";
constexpr const char* kPageMarketplace = " AND marketplace_id = :marketplace_id";
// Models are two values, so a model filter keeps to the provider's index and skips rows; no index
// of its own.
constexpr const char* kPageModel = " AND model = :model";
// An id prefix as a range of the primary key: ids are exactly 12 digits, so the prefix padded
// with 0s and 9s bounds them in any collation (LIKE would need a pattern index on PostgreSQL).
constexpr const char* kPageIdRange = " AND account_id BETWEEN :id_low AND :id_high";
// Keyset paging that keeps an index range on created_at.
constexpr const char* kPageAfter =
    " AND created_at >= :after_at AND (created_at > :after_at_again OR account_id > :after_id)";
constexpr const char* kPageOrder = " ORDER BY created_at, account_id LIMIT {}";

constexpr const char* kCounts =
    "SELECT status, COUNT(*) FROM pool_accounts WHERE provider_org_id = :provider GROUP BY status";

constexpr const char* kHistory =
    "SELECT from_status, to_status, actor, reason, order_ref, at FROM pool_account_history"
    " WHERE account_id = :account_id ORDER BY seq";

constexpr const char* kCreation =
    "SELECT created_by, created_via FROM pool_accounts WHERE account_id = :account_id";

// Served by the partial index pool_accounts_provisioning.
constexpr const char* kStuck =
    "SELECT {} FROM pool_accounts WHERE provider_org_id = :provider AND status = 'provisioning'"
    " AND progress_at < :cutoff ORDER BY progress_at, account_id LIMIT {}";

constexpr const char* kCountStuck =
    "SELECT COUNT(*) FROM pool_accounts WHERE status = 'provisioning' AND progress_at < :cutoff";

// The access check's candidates: ready accounts never checked (every scope) or not checked since
// the run started (scope all), never-checked first; then, in scope all, accounts an earlier check
// made invalid and not checked since the run started.
constexpr const char* kCheckNewReady =
    " FROM pool_accounts WHERE provider_org_id = :provider AND status = 'ready'"
    " AND access_checked_at IS NULL";
constexpr const char* kCheckAllReady =
    " FROM pool_accounts WHERE provider_org_id = :provider AND status = 'ready'"
    " AND (access_checked_at IS NULL OR access_checked_at < :since)";
constexpr const char* kCheckReadyOrder =
    " ORDER BY CASE WHEN access_checked_at IS NULL THEN 0 ELSE 1 END, created_at, account_id"
    " LIMIT {}";
constexpr const char* kCheckInvalid =
    " FROM pool_accounts WHERE provider_org_id = :provider AND status = 'invalid'"
    " AND status_actor = :actor AND access_checked_at < :since";
constexpr const char* kCheckInvalidOrder = " ORDER BY access_checked_at, account_id LIMIT {}";

// How long take() looks again for a ready row that other transactions hold locked.
constexpr auto kReadyWait = std::chrono::seconds(5);

// Rows per multi-row insert and ids per IN list. Statements with thousands of parameters cost
// SQLite (through SOCI) more per parameter than small ones, while PostgreSQL gains little beyond a
// few hundred per round trip: 250 measured best overall (bench/pool_bench import).
constexpr size_t kInsertChunk = 250;
constexpr size_t kInChunk = 250;

std::string with_columns(std::string_view sql) {
  return fmt::format(fmt::runtime(sql), kAccountColumns);
}

std::string with_columns(std::string_view sql, int limit) {
  return fmt::format(fmt::runtime(sql), kAccountColumns, limit);
}

// "(:p0, :p1, …)" for n parameters.
std::string placeholders(size_t n) {
  std::string out = "(";
  for (size_t i = 0; i < n; ++i) out += fmt::format("{}:p{}", i == 0 ? "" : ", ", i);
  return out + ")";
}

struct Param {
  Param(std::string v) : value(std::move(v)) {}  // NOLINT(google-explicit-constructor)
  Param(const char* v) : value(v) {}             // NOLINT(google-explicit-constructor)
  Param(std::optional<std::string> v)            // NOLINT(google-explicit-constructor)
      : value(v.value_or("")), ind(v ? soci::i_ok : soci::i_null) {}
  std::string value;
  soci::indicator ind = soci::i_ok;
};

std::string time_text(core::TimePoint t) { return core::format_rfc3339(t); }

core::TimePoint parse_time(const std::string& text) {
  const auto t = core::parse_rfc3339(text);
  if (!t) throw std::runtime_error("pool: malformed time in the database: " + text);
  return *t;
}

AccountStatus status_from_db(const std::string& text) {
  const auto s = parse_status(text);
  if (!s) throw std::runtime_error("pool: unknown status in the database: " + text);
  return *s;
}

// The columns of kAccountColumns, bound as a statement's outputs.
class AccountReader {
 public:
  explicit AccountReader(soci::statement& st) {
    st.exchange(soci::into(account_id_));
    st.exchange(soci::into(provider_));
    st.exchange(soci::into(marketplace_));
    st.exchange(soci::into(model_));
    st.exchange(soci::into(status_));
    st.exchange(soci::into(reason_));
    st.exchange(soci::into(changed_at_));
    st.exchange(soci::into(order_ref_, order_ref_ind_));
    st.exchange(soci::into(progress_at_, progress_at_ind_));
    st.exchange(soci::into(created_at_));
    st.exchange(soci::into(updated_at_));
  }

  Account get() const {
    Account a;
    a.account_id = account_id_;
    a.provider_org_id = provider_;
    a.marketplace_id = marketplace_;
    const auto model = parse_model(model_);
    if (!model) throw std::runtime_error("pool: unknown model in the database: " + model_);
    a.model = *model;
    a.status = status_from_db(status_);
    a.status_reason = reason_;
    a.status_changed_at = parse_time(changed_at_);
    a.order_ref = order_ref_ind_ == soci::i_ok ? order_ref_ : std::string();
    if (progress_at_ind_ == soci::i_ok) a.progress_at = parse_time(progress_at_);
    a.created_at = parse_time(created_at_);
    a.updated_at = parse_time(updated_at_);
    return a;
  }

 private:
  std::string account_id_, provider_, marketplace_, model_, status_, reason_, changed_at_,
      order_ref_, progress_at_, created_at_, updated_at_;
  soci::indicator order_ref_ind_ = soci::i_ok;
  soci::indicator progress_at_ind_ = soci::i_ok;
};

void bind_params(soci::statement& st, std::vector<Param>& params) {
  for (Param& p : params) st.exchange(soci::use(p.value, p.ind));
}

void prepare(soci::statement& st, const std::string& sql) {
  st.alloc();
  st.prepare(sql, soci::details::st_one_time_query);
  st.define_and_bind();
}

std::vector<Account> select_accounts(soci::session& s, const std::string& sql,
                                     std::vector<Param> params) {
  soci::statement st(s);
  AccountReader reader(st);
  bind_params(st, params);
  prepare(st, sql);
  st.execute(false);
  std::vector<Account> out;
  while (st.fetch()) out.push_back(reader.get());
  return out;
}

std::optional<Account> select_account(soci::session& s, const std::string& sql,
                                      std::vector<Param> params) {
  auto rows = select_accounts(s, sql, std::move(params));
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

// Runs a statement without results; returns the rows it affected.
long long exec(soci::session& s, const std::string& sql, std::vector<Param> params) {
  soci::statement st(s);
  bind_params(st, params);
  prepare(st, sql);
  st.execute(true);
  return st.get_affected_rows();
}

}  // namespace

// A statement prepared once on one connection, with the storage its parameters (and, for a
// SELECT of accounts, its columns) are bound to.
struct CachedStatement {
  CachedStatement(soci::session& s, const std::string& sql, size_t params_count, bool accounts)
      : st(s) {
    if (accounts) reader = std::make_unique<AccountReader>(st);
    params.reserve(params_count);  // bound by address below: never reallocated
    for (size_t i = 0; i < params_count; ++i) params.emplace_back(std::string());
    bind_params(st, params);
    st.alloc();
    st.prepare(sql, soci::details::st_repeatable_query);
    st.define_and_bind();
  }
  soci::statement st;
  std::vector<Param> params;
  std::unique_ptr<AccountReader> reader;
};

// Keyed by connection and SQL text; only the take's four statements go through it, so it holds at
// most four per connection. A connection is leased by one thread at a time, so only the map needs
// the lock, not the statements. SQLite connections are never reopened, so the keys stay valid for
// the database's life.
class StatementCache {
 public:
  // Runs `use(statement)` on the connection's cached statement for `sql`, with `params` bound;
  // a statement that threw is dropped (prepared afresh next time) and the exception passed on.
  template <typename Use>
  auto run(soci::session& s, const std::string& sql, const std::vector<Param>& params,
           bool accounts, Use&& use) {
    CachedStatement* c = nullptr;
    {
      std::lock_guard lock(mutex_);
      auto& slot = statements_[{&s, sql}];
      if (!slot) slot = std::make_unique<CachedStatement>(s, sql, params.size(), accounts);
      c = slot.get();
    }
    for (size_t i = 0; i < params.size(); ++i) {
      c->params[i].value = params[i].value;
      c->params[i].ind = params[i].ind;
    }
    try {
      return use(*c);
    } catch (...) {
      std::lock_guard lock(mutex_);
      statements_.erase({&s, sql});
      throw;
    }
  }

 private:
  std::mutex mutex_;
  std::map<std::pair<soci::session*, std::string>, std::unique_ptr<CachedStatement>> statements_;
};

namespace {

// select_accounts / exec through `cache` when there is one.
std::vector<Account> select_accounts(StatementCache* cache, soci::session& s,
                                     const std::string& sql, std::vector<Param> params) {
  if (cache == nullptr) return select_accounts(s, sql, std::move(params));
  return cache->run(s, sql, params, true, [](CachedStatement& c) {
    c.st.execute(false);
    std::vector<Account> out;
    while (c.st.fetch()) out.push_back(c.reader->get());
    return out;
  });
}

std::optional<Account> select_account(StatementCache* cache, soci::session& s,
                                      const std::string& sql, std::vector<Param> params) {
  auto rows = select_accounts(cache, s, sql, std::move(params));
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

long long exec(StatementCache* cache, soci::session& s, const std::string& sql,
               std::vector<Param> params) {
  if (cache == nullptr) return exec(s, sql, std::move(params));
  return cache->run(s, sql, params, false, [](CachedStatement& c) {
    c.st.execute(true);
    return static_cast<long long>(c.st.get_affected_rows());
  });
}

std::vector<std::string> select_strings(soci::session& s, const std::string& sql,
                                        std::vector<Param> params) {
  soci::statement st(s);
  std::string value;
  st.exchange(soci::into(value));
  bind_params(st, params);
  prepare(st, sql);
  st.execute(false);
  std::vector<std::string> out;
  while (st.fetch()) out.push_back(value);
  return out;
}

}  // namespace

std::optional<Account> AccountTx::find(const std::string& provider, const std::string& account_id,
                                       Lock lock) {
  std::string sql = with_columns(kFindAccount);
  if (lock == Lock::kForUpdate) sql += tx_.for_update();
  return select_account(s_, sql, {provider, account_id});
}

std::optional<Account> AccountTx::find_by_order(const std::string& provider,
                                                const std::string& order_ref, Lock lock) {
  std::string sql = with_columns(kFindByOrder);
  if (lock == Lock::kForUpdate) sql += tx_.for_update();
  return select_account(cache_, s_, sql, {provider, order_ref});
}

// Takers with one order_ref queue here (db::Database::transaction_lock) before either locks a
// ready row. Without it, on PostgreSQL both would lock one; the loser, refused by the unique
// order_ref index once the winner commits, would hand its row back only after other takers had
// skipped it for younger ones.
void AccountTx::lock_order_ref(const std::string& provider, const std::string& order_ref) {
  if (const char* sql = tx_.transaction_lock(); *sql != '\0') exec(s_, sql, {provider, order_ref});
}

core::Result<std::optional<Account>> AccountTx::lock_oldest_ready(
    const std::string& provider, const std::string& marketplace_id) {
  const std::string plain = with_columns(kOldestReady);
  if (*tx_.skip_locked() == '\0') {
    // SQLite: this write transaction holds the database; the oldest ready row is ours.
    return select_account(cache_, s_, plain, {provider, marketplace_id});
  }
  const std::string skipping = plain + tx_.skip_locked();
  const auto deadline = std::chrono::steady_clock::now() + kReadyWait;
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    if (auto found = select_account(s_, skipping, {provider, marketplace_id})) return found;
    // Every ready row is locked by another transaction, or none is left. Waiting on the locks
    // (plain FOR UPDATE) would deadlock between waiters, since PostgreSQL keeps the locks of
    // rows that fail its re-check; look again instead, holding no lock, until the lockers end.
    if (!select_account(s_, plain, {provider, marketplace_id})) return std::optional<Account>();
    if (std::chrono::steady_clock::now() > deadline) {
      return core::unavailable("Every ready account is locked by other work; try again shortly.");
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
}

void AccountTx::move_status(const Account& before, const StatusMove& move) {
  const std::string at = time_text(move.at);
  const std::optional<std::string> progress =
      move.starts_progress ? std::optional<std::string>(at) : std::nullopt;
  exec(cache_, s_, kMoveStatus,
       {status_name(move.to), move.reason, move.actor, at, move.order_ref, progress, at,
        before.account_id});
  const std::string history_order = move.order_ref.value_or(before.order_ref);
  exec(cache_, s_, kInsertHistory,
       {status_name(before.status), status_name(move.to), move.actor, move.reason, history_order,
        at, before.account_id});
}

void AccountTx::update_details(const std::string& account_id, const std::string& marketplace_id,
                               Model model, core::TimePoint at) {
  exec(s_, kUpdateDetails, {marketplace_id, model_name(model), time_text(at), account_id});
}

core::Status AccountTx::insert(const Account& a, const std::string& created_by) {
  const std::string at = time_text(a.created_at);
  try {
    exec(s_, kInsertAccount,
         {a.account_id, a.provider_org_id, a.marketplace_id, model_name(a.model), created_by, at,
          created_by, at, at});
  } catch (const std::exception& e) {
    if (db::classify_sql_failure(e) != db::SqlFailure::kUniqueViolation) throw;
    return core::conflict(fmt::format("The AWS account {} is already in a pool.", a.account_id),
                          "account_exists");
  }
  return {};
}

void AccountTx::insert_imported(const std::string& provider,
                                const std::vector<std::string>& marketplaces,
                                const std::vector<ImportRow>& rows, const std::string& actor,
                                core::TimePoint at,
                                const std::function<void(long long)>& on_progress) {
  const std::string at_text = time_text(at);
  // One prepared statement per chunk size (all full chunks share one), its bound values
  // refilled per chunk.
  auto run = [&](size_t begin, size_t n, std::optional<soci::statement>& st,
                 std::vector<Param>& params) {
    if (!st) {
      std::string sql = kInsertImportedHead;
      for (size_t i = 0; i < n; ++i) {
        sql += fmt::format("{}(:a{}, :m{}, :d{})", i == 0 ? "" : ", ", i, i, i);
      }
      sql += ") AS v";
      params = {provider, actor, at_text, actor, at_text, at_text};
      params.reserve(params.size() + 3 * n);
      for (size_t i = 0; i < 3 * n; ++i) params.emplace_back(std::string());
      st.emplace(s_);
      bind_params(*st, params);
      st->alloc();
      st->prepare(sql, soci::details::st_repeatable_query);
      st->define_and_bind();
    }
    for (size_t i = 0; i < n; ++i) {
      const ImportRow& r = rows[begin + i];
      params[6 + 3 * i].value = format_account_id(r.account_id);
      params[6 + 3 * i + 1].value = marketplaces[r.marketplace];
      params[6 + 3 * i + 2].value = model_name(r.model);
    }
    st->execute(true);
  };
  std::optional<soci::statement> full, tail;
  std::vector<Param> full_params, tail_params;
  for (size_t begin = 0; begin < rows.size(); begin += kInsertChunk) {
    const size_t n = std::min(kInsertChunk, rows.size() - begin);
    if (n == kInsertChunk) {
      run(begin, n, full, full_params);
    } else {
      run(begin, n, tail, tail_params);
    }
    const size_t done = begin + n;
    if (on_progress) on_progress(static_cast<long long>(done));
  }
}

std::vector<ExistingAccount> AccountTx::existing(
    const std::vector<std::uint64_t>& account_ids,
    const std::function<void(long long)>& on_progress) {
  std::vector<ExistingAccount> out;
  for (size_t begin = 0; begin < account_ids.size(); begin += kInChunk) {
    const size_t n = std::min(kInChunk, account_ids.size() - begin);
    std::vector<Param> params;
    params.reserve(n);
    for (size_t i = 0; i < n; ++i) params.emplace_back(format_account_id(account_ids[begin + i]));
    soci::statement st(s_);
    ExistingAccount row;
    st.exchange(soci::into(row.account_id));
    st.exchange(soci::into(row.provider_org_id));
    bind_params(st, params);
    prepare(st, std::string(kExistingHead) + placeholders(n).substr(1));
    st.execute(false);
    while (st.fetch()) out.push_back(row);
    const size_t done = begin + n;
    if (on_progress) on_progress(static_cast<long long>(done));
  }
  return out;
}

std::vector<AccountIdStatus> AccountTx::lock_selected(const std::string& provider,
                                                      const std::vector<std::string>& account_ids) {
  std::vector<AccountIdStatus> out;
  for (size_t begin = 0; begin < account_ids.size(); begin += kInChunk) {
    const size_t n = std::min(kInChunk, account_ids.size() - begin);
    std::vector<Param> params = {provider};
    for (size_t i = 0; i < n; ++i) params.emplace_back(account_ids[begin + i]);
    soci::statement st(s_);
    std::string id, status;
    st.exchange(soci::into(id));
    st.exchange(soci::into(status));
    bind_params(st, params);
    prepare(st, std::string(kLockSelectedHead) + placeholders(n).substr(1) + tx_.for_update());
    st.execute(false);
    while (st.fetch()) out.push_back({id, status_from_db(status)});
  }
  return out;
}

long long AccountTx::remove(const std::string& provider,
                            const std::vector<std::string>& account_ids) {
  long long removed = 0;
  for (size_t begin = 0; begin < account_ids.size(); begin += kInChunk) {
    const size_t n = std::min(kInChunk, account_ids.size() - begin);
    std::vector<Param> params = {provider};
    for (size_t i = 0; i < n; ++i) params.emplace_back(account_ids[begin + i]);
    removed += exec(s_, std::string(kDeleteSelectedHead) + placeholders(n).substr(1), params);
  }
  return removed;
}

long long AccountTx::remove_all_but_provisioning(const std::string& provider) {
  return exec(s_, kDeleteAllButProvisioning, {provider});
}

std::vector<std::string> AccountTx::provisioning_ids(const std::string& provider) {
  return select_strings(s_, kProvisioningIds, {provider});
}

bool AccountTx::touch_progress(const std::string& provider, const std::string& order_ref,
                               core::TimePoint at) {
  return exec(s_, kTouchProgress, {time_text(at), provider, order_ref}) > 0;
}

void AccountTx::mark_access_checked(const std::string& account_id, core::TimePoint at) {
  exec(s_, kMarkAccessChecked, {time_text(at), account_id});
}

std::vector<Account> AccountTx::page(
    const std::string& provider, const AccountFilter& filter,
    const std::optional<std::pair<std::string, std::string>>& after, int limit) {
  std::string sql = with_columns(kPageHead);
  std::vector<Param> params = {provider};
  if (filter.status) {
    sql += kPageStatus;
    params.emplace_back(status_name(*filter.status));
  }
  if (filter.marketplace_id) {
    sql += kPageMarketplace;
    params.emplace_back(*filter.marketplace_id);
  }
  if (filter.model) {
    sql += kPageModel;
    params.emplace_back(model_name(*filter.model));
  }
  if (!filter.account_id_prefix.empty()) {
    const size_t pad = 12 - std::min<size_t>(12, filter.account_id_prefix.size());
    sql += kPageIdRange;
    params.emplace_back(filter.account_id_prefix + std::string(pad, '0'));
    params.emplace_back(filter.account_id_prefix + std::string(pad, '9'));
  }
  if (after) {
    sql += kPageAfter;
    params.emplace_back(after->first);
    params.emplace_back(after->first);
    params.emplace_back(after->second);
  }
  sql += fmt::format(fmt::runtime(kPageOrder), limit);
  return select_accounts(s_, sql, std::move(params));
}

StatusCounts AccountTx::counts(const std::string& provider) {
  soci::statement st(s_);
  std::string status;
  long long n = 0;
  st.exchange(soci::into(status));
  st.exchange(soci::into(n));
  std::vector<Param> params = {provider};
  bind_params(st, params);
  prepare(st, kCounts);
  st.execute(false);
  StatusCounts c;
  while (st.fetch()) {
    switch (status_from_db(status)) {
      case AccountStatus::kReady: c.ready = n; break;
      case AccountStatus::kProvisioning: c.provisioning = n; break;
      case AccountStatus::kInvalid: c.invalid = n; break;
      case AccountStatus::kAllocated: c.allocated = n; break;
      case AccountStatus::kProvisioningFailed: c.provisioning_failed = n; break;
    }
  }
  return c;
}

std::vector<StatusChange> AccountTx::history(const std::string& account_id) {
  soci::statement st(s_);
  std::string from, to, actor, reason, order_ref, at;
  st.exchange(soci::into(from));
  st.exchange(soci::into(to));
  st.exchange(soci::into(actor));
  st.exchange(soci::into(reason));
  st.exchange(soci::into(order_ref));
  st.exchange(soci::into(at));
  std::vector<Param> params = {account_id};
  bind_params(st, params);
  prepare(st, kHistory);
  st.execute(false);
  std::vector<StatusChange> out;
  while (st.fetch()) {
    out.push_back({.from = status_from_db(from),
                   .to = status_from_db(to),
                   .actor = actor,
                   .reason = reason,
                   .order_ref = order_ref,
                   .at = parse_time(at)});
  }
  return out;
}

std::pair<std::string, std::string> AccountTx::creation(const std::string& account_id) {
  std::pair<std::string, std::string> out;
  s_ << kCreation, soci::into(out.first), soci::into(out.second), soci::use(account_id);
  return out;
}

std::vector<Account> AccountTx::stuck(const std::string& provider, core::TimePoint cutoff,
                                      int limit) {
  return select_accounts(s_, with_columns(kStuck, limit), {provider, time_text(cutoff)});
}

long long AccountTx::count_stuck(core::TimePoint cutoff) {
  long long n = 0;
  const std::string cutoff_text = time_text(cutoff);
  s_ << kCountStuck, soci::into(n), soci::use(cutoff_text);
  return n;
}

std::vector<Account> AccountTx::access_check_candidates(const std::string& provider, bool all,
                                                        core::TimePoint since, int limit) {
  const std::string since_text = time_text(since);
  std::vector<Account> out;
  if (all) {
    out = select_accounts(
        s_, with_columns(std::string("SELECT {}") + kCheckAllReady + kCheckReadyOrder, limit),
        {provider, since_text});
  } else {
    out = select_accounts(
        s_, with_columns(std::string("SELECT {}") + kCheckNewReady + kCheckReadyOrder, limit),
        {provider});
  }
  const int rest = limit - static_cast<int>(out.size());
  if (all && rest > 0) {
    auto more = select_accounts(
        s_, with_columns(std::string("SELECT {}") + kCheckInvalid + kCheckInvalidOrder, rest),
        {provider, std::string(kAccessCheckActor), since_text});
    out.insert(out.end(), std::make_move_iterator(more.begin()),
               std::make_move_iterator(more.end()));
  }
  return out;
}

long long AccountTx::count_access_check_candidates(const std::string& provider, bool all,
                                                   core::TimePoint since) {
  const std::string since_text = time_text(since);
  const std::string actor(kAccessCheckActor);
  long long ready = 0;
  long long invalid = 0;
  if (all) {
    s_ << std::string("SELECT COUNT(*)") + kCheckAllReady, soci::into(ready), soci::use(provider),
        soci::use(since_text);
    s_ << std::string("SELECT COUNT(*)") + kCheckInvalid, soci::into(invalid), soci::use(provider),
        soci::use(actor), soci::use(since_text);
  } else {
    s_ << std::string("SELECT COUNT(*)") + kCheckNewReady, soci::into(ready), soci::use(provider);
  }
  return ready + invalid;
}

bool AccountTx::access_check_run_is_current(const std::string& provider, core::TimePoint started) {
  const std::string started_text = time_text(started);
  std::string found;
  s_ << std::string(
            "SELECT provider_org_id FROM pool_aws_access WHERE provider_org_id = :provider"
            " AND run_started_at = :started AND run_finished_at IS NULL") +
            tx_.for_update(),
      soci::into(found), soci::use(provider), soci::use(started_text);
  return s_.got_data();
}

AccountStore::AccountStore(db::Database& database)
    : db_(database),
      cache_(database.backend() == db::Backend::kSqlite ? std::make_unique<StatementCache>()
                                                        : nullptr) {}

AccountStore::~AccountStore() = default;

AllocationSql allocation_sql(db::Backend backend) {
  return {.lock_order_ref = db::transaction_lock_sql(backend),
          .find_by_order = with_columns(kFindByOrder),
          .oldest_ready = with_columns(kOldestReady),
          .move_status = kMoveStatus,
          .insert_history = kInsertHistory};
}

}  // namespace pool
