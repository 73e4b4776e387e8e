#include "pool/aws_access_store.h"

#include <soci/soci.h>

#include <stdexcept>

namespace pool {

namespace {

constexpr const char* kColumns =
    "access_key_id, secret_sealed, aws_account_id, role_name, access_check_enabled, updated_by,"
    " updated_at, run_scope, run_started_at, run_finished_at, run_total, run_checked,"
    " run_invalidated, run_restored, run_error, run_progress_at";

core::TimePoint parse_time(const std::string& text) {
  const auto t = core::parse_rfc3339(text);
  if (!t) throw std::runtime_error("pool: malformed time in the database: " + text);
  return *t;
}

}  // namespace

std::optional<AwsAccessRow> AwsAccessTx::find(const std::string& provider) {
  return select(provider, "");
}

std::optional<AwsAccessRow> AwsAccessTx::find_for_update(const std::string& provider) {
  return select(provider, tx_.for_update());
}

std::optional<AwsAccessRow> AwsAccessTx::select(const std::string& provider,
                                                const char* lock_clause) {
  soci::session& s = tx_.sql();
  AwsAccessRow row;
  AwsAccessView& v = row.view;
  int enabled = 0;
  std::string updated_at, scope, started, finished;
  soci::indicator started_ind = soci::i_null, finished_ind = soci::i_null;
  long long total = 0, checked = 0, invalidated = 0, restored = 0;
  std::string error, progress;
  soci::indicator progress_ind = soci::i_null;
  std::string sql =
      std::string("SELECT ") + kColumns + " FROM pool_aws_access WHERE provider_org_id = :provider";
  sql += lock_clause;
  s << sql, soci::into(v.access_key_id), soci::into(row.secret_sealed),
      soci::into(v.aws_account_id), soci::into(v.role_name), soci::into(enabled),
      soci::into(v.updated_by), soci::into(updated_at), soci::into(scope),
      soci::into(started, started_ind), soci::into(finished, finished_ind), soci::into(total),
      soci::into(checked), soci::into(invalidated), soci::into(restored), soci::into(error),
      soci::into(progress, progress_ind), soci::use(provider);
  if (!s.got_data()) return std::nullopt;
  v.access_check_enabled = enabled != 0;
  v.updated_at = parse_time(updated_at);
  if (started_ind == soci::i_ok && !started.empty()) {
    AccessCheckRun run;
    run.scope = parse_scope(scope).value_or(AccessCheckScope::kAll);
    run.started_at = parse_time(started);
    if (finished_ind == soci::i_ok && !finished.empty()) run.finished_at = parse_time(finished);
    run.total = total;
    run.checked = checked;
    run.invalidated = invalidated;
    run.restored = restored;
    run.error = error;
    run.progress_at =
        progress_ind == soci::i_ok && !progress.empty() ? parse_time(progress) : run.started_at;
    v.last_run = run;
  }
  return row;
}

void AwsAccessTx::save(const std::string& provider, const AwsAccessView& v,
                       const std::string& secret_sealed) {
  soci::session& s = tx_.sql();
  const int enabled = v.access_check_enabled ? 1 : 0;
  const std::string updated_at = core::format_rfc3339(v.updated_at);
  s << "UPDATE pool_aws_access SET access_key_id = :key, secret_sealed = :secret,"
       " aws_account_id = :account, role_name = :role, access_check_enabled = :enabled,"
       " updated_by = :by, updated_at = :at WHERE provider_org_id = :provider",
      soci::use(v.access_key_id), soci::use(secret_sealed), soci::use(v.aws_account_id),
      soci::use(v.role_name), soci::use(enabled), soci::use(v.updated_by), soci::use(updated_at),
      soci::use(provider);
  long long exists = 0;
  s << "SELECT COUNT(*) FROM pool_aws_access WHERE provider_org_id = :provider", soci::into(exists),
      soci::use(provider);
  if (exists > 0) return;
  s << "INSERT INTO pool_aws_access (provider_org_id, access_key_id, secret_sealed, aws_account_id,"
       " role_name, access_check_enabled, updated_by, updated_at)"
       " VALUES (:provider, :key, :secret, :account, :role, :enabled, :by, :at)",
      soci::use(provider), soci::use(v.access_key_id), soci::use(secret_sealed),
      soci::use(v.aws_account_id), soci::use(v.role_name), soci::use(enabled),
      soci::use(v.updated_by), soci::use(updated_at);
}

bool AwsAccessTx::remove(const std::string& provider) {
  soci::session& s = tx_.sql();
  soci::statement st =
      (s.prepare << "DELETE FROM pool_aws_access WHERE provider_org_id = :p", soci::use(provider));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

void AwsAccessTx::start_run(const std::string& provider, const AccessCheckRun& run) {
  soci::session& s = tx_.sql();
  const std::string scope = scope_name(run.scope);
  const std::string started = core::format_rfc3339(run.started_at);
  s << "UPDATE pool_aws_access SET run_scope = :scope, run_started_at = :started,"
       " run_finished_at = NULL, run_progress_at = :progress, run_total = :total, run_checked = 0, "
       "run_invalidated = 0,"
       " run_restored = 0, run_error = '' WHERE provider_org_id = :provider",
      soci::use(scope), soci::use(started), soci::use(started), soci::use(run.total),
      soci::use(provider);
}

bool AwsAccessTx::add_progress(const std::string& provider, core::TimePoint started,
                               const AccessCheckReport& report, core::TimePoint at) {
  soci::session& s = tx_.sql();
  const std::string started_text = core::format_rfc3339(started);
  const std::string at_text = core::format_rfc3339(at);
  const long long checked = report.checked, invalidated = report.invalidated,
                  restored = report.restored;
  soci::statement st =
      (s.prepare << "UPDATE pool_aws_access SET run_checked = run_checked + :checked,"
                    " run_invalidated = run_invalidated + :invalidated,"
                    " run_restored = run_restored + :restored, run_progress_at = :at"
                    " WHERE provider_org_id = :provider AND run_started_at = :started",
       soci::use(checked), soci::use(invalidated), soci::use(restored), soci::use(at_text),
       soci::use(provider), soci::use(started_text));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

void AwsAccessTx::finish_run(const std::string& provider, core::TimePoint started,
                             core::TimePoint finished, const std::string& error) {
  soci::session& s = tx_.sql();
  const std::string started_text = core::format_rfc3339(started);
  const std::string finished_text = core::format_rfc3339(finished);
  s << "UPDATE pool_aws_access SET run_finished_at = :finished, run_error = :error"
       " WHERE provider_org_id = :provider AND run_started_at = :started"
       " AND run_finished_at IS NULL",
      soci::use(finished_text), soci::use(error), soci::use(provider), soci::use(started_text);
}

std::vector<std::string> AwsAccessTx::providers_checking() {
  soci::session& s = tx_.sql();
  std::vector<std::string> out;
  std::string provider;
  soci::statement st = (s.prepare << "SELECT provider_org_id FROM pool_aws_access"
                                     " WHERE access_check_enabled = 1 ORDER BY provider_org_id",
                        soci::into(provider));
  st.execute();
  while (st.fetch()) out.push_back(provider);
  return out;
}

identity::SealedColumn sealed_aws_secrets() {
  return {.what = "providers' AWS secret keys",
          .table = "pool_aws_access",
          .key_column = "provider_org_id",
          .column = "secret_sealed"};
}

}  // namespace pool
