#include "orgs/aws_organization_store.h"

#include <soci/soci.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace orgs {

namespace {

constexpr const char* kColumns =
    "id, marketplace_id, account_id, region, access_key_id, secret_sealed, email_pattern,"
    " is_default, aws_organization_id, created_organization, billing_bucket, report_name,"
    " last_checks, last_check_ok, last_check_at, created_by, created_at, updated_at";

core::TimePoint parse_time(const std::string& text) {
  const auto t = core::parse_rfc3339(text);
  if (!t) throw std::runtime_error("orgs: malformed time in the database: " + text);
  return *t;
}

std::string checks_text(const std::vector<Check>& checks) {
  nlohmann::json out = nlohmann::json::array();
  for (const Check& c : checks) {
    out.push_back(
        {{"name", c.name}, {"status", check_status_name(c.status)}, {"message", c.message}});
  }
  return out.dump();
}

std::vector<Check> parse_checks(const std::string& text) {
  const auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_array()) {
    throw std::runtime_error("orgs: malformed checks in the database");
  }
  std::vector<Check> out;
  for (const auto& c : parsed) {
    out.push_back(
        Check{.name = c.value("name", ""),
              .status = parse_check_status(c.value("status", "")).value_or(CheckStatus::kSkipped),
              .message = c.value("message", "")});
  }
  return out;
}

}  // namespace

std::vector<AwsOrganizationRow> AwsOrganizationTx::select(const std::string& marketplace_id,
                                                          const std::string& id,
                                                          const char* lock_clause) {
  soci::session& s = tx_.sql();
  std::vector<AwsOrganizationRow> out;
  AwsOrganizationRow row;
  AwsOrganization& o = row.org;
  int is_default = 0, created_org = 0, check_ok = 0;
  std::string checks, check_at, created_at, updated_at;
  const int all = id.empty() ? 1 : 0;
  const std::string sql = std::string("SELECT ") + kColumns +
                          " FROM orgs_aws_organizations WHERE marketplace_id = :mp"
                          " AND (:all = 1 OR id = :id)" +
                          " ORDER BY is_default DESC, account_id" + lock_clause;
  soci::statement st =
      (s.prepare << sql, soci::into(o.id), soci::into(o.marketplace_id), soci::into(o.account_id),
       soci::into(o.region), soci::into(o.access_key_id), soci::into(row.secret_sealed),
       soci::into(o.email_pattern), soci::into(is_default), soci::into(o.aws_organization_id),
       soci::into(created_org), soci::into(o.billing_bucket), soci::into(o.report_name),
       soci::into(checks), soci::into(check_ok), soci::into(check_at), soci::into(o.created_by),
       soci::into(created_at), soci::into(updated_at), soci::use(marketplace_id), soci::use(all),
       soci::use(id));
  st.execute();
  while (st.fetch()) {
    o.is_default = is_default != 0;
    o.created_organization = created_org != 0;
    o.checks = parse_checks(checks);
    o.last_check_ok = check_ok != 0;
    o.last_check_at = parse_time(check_at);
    o.created_at = parse_time(created_at);
    o.updated_at = parse_time(updated_at);
    out.push_back(row);
  }
  return out;
}

std::vector<AwsOrganizationRow> AwsOrganizationTx::list(const std::string& marketplace_id) {
  return select(marketplace_id, "", "");
}

std::vector<AwsOrganizationRow> AwsOrganizationTx::list_for_update(
    const std::string& marketplace_id) {
  return select(marketplace_id, "", tx_.for_update());
}

std::optional<AwsOrganizationRow> AwsOrganizationTx::find(const std::string& marketplace_id,
                                                          const std::string& id) {
  auto rows = select(marketplace_id, id, "");
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

bool AwsOrganizationTx::account_linked(const std::string& marketplace_id,
                                       const std::string& account_id) {
  long long n = 0;
  tx_.sql() << "SELECT COUNT(*) FROM orgs_aws_organizations WHERE marketplace_id = :mp"
               " AND account_id = :account",
      soci::into(n), soci::use(marketplace_id), soci::use(account_id);
  return n > 0;
}

void AwsOrganizationTx::insert(const AwsOrganizationRow& row) {
  const AwsOrganization& o = row.org;
  const int is_default = o.is_default ? 1 : 0, created_org = o.created_organization ? 1 : 0,
            check_ok = o.last_check_ok ? 1 : 0;
  const std::string checks = checks_text(o.checks),
                    check_at = core::format_rfc3339(o.last_check_at),
                    created_at = core::format_rfc3339(o.created_at),
                    updated_at = core::format_rfc3339(o.updated_at);
  tx_.sql() << "INSERT INTO orgs_aws_organizations (" << kColumns
            << ") VALUES (:id, :mp, :account, :region, :key, :secret, :pattern, :dflt, :awsorg,"
               " :created_org, :bucket, :report, :checks, :ok, :check_at, :by, :created, :updated)",
      soci::use(o.id), soci::use(o.marketplace_id), soci::use(o.account_id), soci::use(o.region),
      soci::use(o.access_key_id), soci::use(row.secret_sealed), soci::use(o.email_pattern),
      soci::use(is_default), soci::use(o.aws_organization_id), soci::use(created_org),
      soci::use(o.billing_bucket), soci::use(o.report_name), soci::use(checks), soci::use(check_ok),
      soci::use(check_at), soci::use(o.created_by), soci::use(created_at), soci::use(updated_at);
}

void AwsOrganizationTx::update(const AwsOrganizationRow& row) {
  const AwsOrganization& o = row.org;
  const int is_default = o.is_default ? 1 : 0, created_org = o.created_organization ? 1 : 0,
            check_ok = o.last_check_ok ? 1 : 0;
  const std::string checks = checks_text(o.checks),
                    check_at = core::format_rfc3339(o.last_check_at),
                    updated_at = core::format_rfc3339(o.updated_at);
  tx_.sql() << "UPDATE orgs_aws_organizations SET region = :region, access_key_id = :key,"
               " secret_sealed = :secret, email_pattern = :pattern, is_default = :dflt,"
               " aws_organization_id = :awsorg, created_organization = :created_org,"
               " billing_bucket = :bucket, report_name = :report, last_checks = :checks,"
               " last_check_ok = :ok, last_check_at = :check_at, updated_at = :updated"
               " WHERE marketplace_id = :mp AND id = :id",
      soci::use(o.region), soci::use(o.access_key_id), soci::use(row.secret_sealed),
      soci::use(o.email_pattern), soci::use(is_default), soci::use(o.aws_organization_id),
      soci::use(created_org), soci::use(o.billing_bucket), soci::use(o.report_name),
      soci::use(checks), soci::use(check_ok), soci::use(check_at), soci::use(updated_at),
      soci::use(o.marketplace_id), soci::use(o.id);
}

void AwsOrganizationTx::clear_default(const std::string& marketplace_id) {
  tx_.sql() << "UPDATE orgs_aws_organizations SET is_default = 0"
               " WHERE marketplace_id = :mp AND is_default = 1",
      soci::use(marketplace_id);
}

bool AwsOrganizationTx::remove(const std::string& marketplace_id, const std::string& id) {
  soci::session& s = tx_.sql();
  soci::statement st = (s.prepare << "DELETE FROM orgs_aws_organizations"
                                     " WHERE marketplace_id = :mp AND id = :id",
                        soci::use(marketplace_id), soci::use(id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

identity::SealedColumn sealed_organization_secrets() {
  return {.what = "marketplaces' AWS organization secret keys",
          .table = "orgs_aws_organizations",
          .key_column = "id",
          .column = "secret_sealed"};
}

}  // namespace orgs
