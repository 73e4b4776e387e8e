#include "identity/identity_store.h"

#include <soci/soci.h>

namespace identity {

namespace {

// --- Users ---
constexpr const char* kUserColumns =
    "SELECT id, email, email_normalized, name, password_hash, verified_at, created_at FROM users ";
constexpr const char* kUserByEmail = "WHERE email_normalized = :email";
constexpr const char* kUserById = "WHERE id = :id";
constexpr const char* kInsertUser =
    "INSERT INTO users (id, email, email_normalized, name, password_hash, verified_at, "
    "created_at) VALUES (:id, :email, :email_normalized, :name, :password_hash, :verified_at, "
    ":created_at)";
constexpr const char* kSetPassword = "UPDATE users SET password_hash = :hash WHERE id = :id";
constexpr const char* kSetName = "UPDATE users SET name = :name WHERE id = :id";
constexpr const char* kMarkVerified =
    "UPDATE users SET verified_at = :at WHERE id = :id AND verified_at = ''";

// --- Organizations ---
constexpr const char* kOrgColumns =
    "SELECT o.id, o.slug, o.name, o.kind, o.marketplace_id, o.subscription, o.trial_ends_at, "
    "o.created_at";
constexpr const char* kOrgByIdOrSlug =
    " FROM organizations o WHERE o.id = :id OR o.slug = :slug ORDER BY CASE WHEN o.id = :id2 "
    "THEN 0 ELSE 1 END LIMIT 1";
constexpr const char* kOrgByMarketplaceId =
    " FROM organizations o WHERE o.kind = 'marketplace' AND o.marketplace_id = :mp";
constexpr const char* kInsertOrg =
    "INSERT INTO organizations (id, slug, name, kind, marketplace_id, subscription, "
    "trial_ends_at, created_at) VALUES (:id, :slug, :name, :kind, :marketplace_id, "
    ":subscription, :trial_ends_at, :created_at)";
constexpr const char* kSlugExists = "SELECT COUNT(*) FROM organizations WHERE slug = :slug";

// --- Memberships ---
constexpr const char* kInsertMembership =
    "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (:org_id, :user_id, "
    ":role, :created_at)";
constexpr const char* kRole =
    "SELECT role FROM memberships WHERE org_id = :org_id AND user_id = :user_id";
constexpr const char* kMembershipsOf =
    ", m.role FROM memberships m JOIN organizations o ON o.id = m.org_id WHERE m.user_id = "
    ":user_id ORDER BY o.name, o.id";
constexpr const char* kMembersOf =
    "SELECT u.id, u.email, u.email_normalized, u.name, u.password_hash, u.verified_at, "
    "u.created_at, m.role, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id "
    "WHERE m.org_id = :org_id ORDER BY u.email_normalized";
constexpr const char* kAdminCount =
    "SELECT COUNT(*) FROM memberships WHERE org_id = :org_id AND role = 'admin'";
constexpr const char* kSetRole =
    "UPDATE memberships SET role = :role WHERE org_id = :org_id AND user_id = :user_id";
constexpr const char* kDeleteMembership =
    "DELETE FROM memberships WHERE org_id = :org_id AND user_id = :user_id";

// --- Sessions ---
constexpr const char* kInsertSession =
    "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, ip, "
    "user_agent) VALUES (:hash, :user_id, :csrf, :created_at, :last_seen_at, :ip, :user_agent)";
constexpr const char* kSession =
    "SELECT user_id, csrf_token, created_at, last_seen_at FROM sessions WHERE token_hash = :hash";
constexpr const char* kTouchSession =
    "UPDATE sessions SET last_seen_at = :at WHERE token_hash = :hash";
constexpr const char* kDeleteSession = "DELETE FROM sessions WHERE token_hash = :hash";
constexpr const char* kDeleteSessionsOf = "DELETE FROM sessions WHERE user_id = :user_id";

// --- E-mail tokens ---
constexpr const char* kInsertEmailToken =
    "INSERT INTO email_tokens (token_hash, purpose, user_id, org_id, expires_at, created_at) "
    "VALUES (:hash, :purpose, :user_id, :org_id, :expires_at, :created_at)";
constexpr const char* kEmailToken =
    "SELECT purpose, user_id, org_id, expires_at, used_at FROM email_tokens WHERE token_hash = "
    ":hash";
constexpr const char* kUseEmailTokens =
    "UPDATE email_tokens SET used_at = :at WHERE user_id = :user_id AND purpose = :purpose AND "
    "used_at = ''";

// --- API tokens ---
constexpr const char* kApiTokenColumns =
    "SELECT id, org_id, name, hint, created_by, created_at, last_used_at, revoked_at FROM "
    "api_tokens ";
constexpr const char* kApiTokensOf = "WHERE org_id = :org_id ORDER BY created_at DESC, id";
constexpr const char* kApiTokenByHash = "WHERE token_hash = :hash";
constexpr const char* kInsertApiToken =
    "INSERT INTO api_tokens (id, org_id, name, token_hash, hint, created_by, created_at) VALUES "
    "(:id, :org_id, :name, :hash, :hint, :created_by, :created_at)";
constexpr const char* kRevokeApiToken =
    "UPDATE api_tokens SET revoked_at = :at WHERE org_id = :org_id AND id = :id AND revoked_at = "
    "''";
constexpr const char* kTouchApiToken = "UPDATE api_tokens SET last_used_at = :at WHERE id = :id";

// --- Failed sign-ins ---
constexpr const char* kFailuresSince =
    "SELECT COUNT(*) FROM sign_in_failures WHERE email_normalized = :email AND attempted_at > "
    ":since";
constexpr const char* kOldestFailureSince =
    "SELECT MIN(attempted_at) FROM sign_in_failures WHERE email_normalized = :email AND "
    "attempted_at > :since";
constexpr const char* kInsertFailure =
    "INSERT INTO sign_in_failures (id, email_normalized, ip, attempted_at) VALUES (:id, :email, "
    ":ip, :at)";
constexpr const char* kClearFailures =
    "DELETE FROM sign_in_failures WHERE email_normalized = :email";

core::TimePoint time_of(const std::string& text) {
  return core::parse_rfc3339(text).value_or(core::TimePoint{});
}

std::optional<core::TimePoint> optional_time(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return core::parse_rfc3339(text);
}

UserRecord user_from(const soci::row& r, size_t i = 0) {
  UserRecord u;
  u.user.id = r.get<std::string>(i);
  u.user.email = r.get<std::string>(i + 1);
  u.email_normalized = r.get<std::string>(i + 2);
  u.user.name = r.get<std::string>(i + 3);
  u.password_hash = r.get<std::string>(i + 4);
  u.user.has_password = !u.password_hash.empty();
  u.user.verified = !r.get<std::string>(i + 5).empty();
  u.user.created_at = time_of(r.get<std::string>(i + 6));
  return u;
}

Organization org_from(const soci::row& r, core::TimePoint now) {
  Organization o;
  o.id = r.get<std::string>(0);
  o.slug = r.get<std::string>(1);
  o.name = r.get<std::string>(2);
  o.kind = parse_org_kind(r.get<std::string>(3)).value_or(OrgKind::kCustomer);
  o.marketplace_id = r.get<std::string>(4);
  o.subscription =
      parse_subscription_status(r.get<std::string>(5)).value_or(SubscriptionStatus::kNone);
  o.trial_ends_at = optional_time(r.get<std::string>(6));
  if (o.subscription == SubscriptionStatus::kTrial && o.trial_ends_at && *o.trial_ends_at <= now) {
    o.subscription = SubscriptionStatus::kExpired;
  }
  o.created_at = time_of(r.get<std::string>(7));
  return o;
}

ApiToken api_token_from(const soci::row& r) {
  ApiToken t;
  t.id = r.get<std::string>(0);
  t.org_id = r.get<std::string>(1);
  t.name = r.get<std::string>(2);
  t.hint = r.get<std::string>(3);
  t.created_by = r.get<std::string>(4);
  t.created_at = time_of(r.get<std::string>(5));
  t.last_used_at = optional_time(r.get<std::string>(6));
  t.revoked = !r.get<std::string>(7).empty();
  return t;
}

bool is_unique_violation(const std::exception& e) {
  return db::classify_sql_failure(e) == db::SqlFailure::kUniqueViolation;
}

}  // namespace

std::optional<UserRecord> IdentityTx::user_by_email(const std::string& normalized) {
  soci::row r;
  sql_ << std::string(kUserColumns) + kUserByEmail, soci::use(normalized), soci::into(r);
  if (!sql_.got_data()) return std::nullopt;
  return user_from(r);
}

std::optional<UserRecord> IdentityTx::user_by_id(const std::string& id) {
  soci::row r;
  sql_ << std::string(kUserColumns) + kUserById, soci::use(id), soci::into(r);
  if (!sql_.got_data()) return std::nullopt;
  return user_from(r);
}

bool IdentityTx::insert_user(const UserRecord& u) {
  const std::string verified_at = u.user.verified ? core::format_rfc3339(now_) : "";
  const std::string created_at = core::format_rfc3339(u.user.created_at);
  try {
    sql_ << kInsertUser, soci::use(u.user.id), soci::use(u.user.email),
        soci::use(u.email_normalized), soci::use(u.user.name), soci::use(u.password_hash),
        soci::use(verified_at), soci::use(created_at);
  } catch (const std::exception& e) {
    if (is_unique_violation(e)) return false;
    throw;
  }
  return true;
}

void IdentityTx::set_password(const std::string& user_id, const std::string& hash) {
  sql_ << kSetPassword, soci::use(hash), soci::use(user_id);
}

void IdentityTx::set_name(const std::string& user_id, const std::string& name) {
  sql_ << kSetName, soci::use(name), soci::use(user_id);
}

void IdentityTx::mark_verified(const std::string& user_id) {
  const std::string at = core::format_rfc3339(now_);
  sql_ << kMarkVerified, soci::use(at), soci::use(user_id);
}

bool IdentityTx::insert_organization(const Organization& o) {
  const std::string kind = to_string(o.kind);
  const std::string subscription = to_string(o.subscription);
  const std::string trial_ends_at = o.trial_ends_at ? core::format_rfc3339(*o.trial_ends_at) : "";
  const std::string created_at = core::format_rfc3339(o.created_at);
  try {
    sql_ << kInsertOrg, soci::use(o.id), soci::use(o.slug), soci::use(o.name), soci::use(kind),
        soci::use(o.marketplace_id), soci::use(subscription), soci::use(trial_ends_at),
        soci::use(created_at);
  } catch (const std::exception& e) {
    if (is_unique_violation(e)) return false;
    throw;
  }
  return true;
}

std::optional<Organization> IdentityTx::organization(const std::string& id_or_slug) {
  soci::row r;
  sql_ << std::string(kOrgColumns) + kOrgByIdOrSlug, soci::use(id_or_slug), soci::use(id_or_slug),
      soci::use(id_or_slug), soci::into(r);
  if (!sql_.got_data()) return std::nullopt;
  return org_from(r, now_);
}

std::optional<Organization> IdentityTx::marketplace_organization(
    const std::string& marketplace_id) {
  soci::row r;
  sql_ << std::string(kOrgColumns) + kOrgByMarketplaceId, soci::use(marketplace_id), soci::into(r);
  if (!sql_.got_data()) return std::nullopt;
  return org_from(r, now_);
}

bool IdentityTx::slug_exists(const std::string& slug) {
  int n = 0;
  sql_ << kSlugExists, soci::use(slug), soci::into(n);
  return n > 0;
}

void IdentityTx::insert_membership(const std::string& org_id, const std::string& user_id,
                                   Role role) {
  const std::string r = to_string(role);
  const std::string at = core::format_rfc3339(now_);
  sql_ << kInsertMembership, soci::use(org_id), soci::use(user_id), soci::use(r), soci::use(at);
}

std::optional<Role> IdentityTx::role(const std::string& org_id, const std::string& user_id) {
  std::string r;
  sql_ << kRole, soci::use(org_id), soci::use(user_id), soci::into(r);
  if (!sql_.got_data()) return std::nullopt;
  return parse_role(r);
}

std::vector<Membership> IdentityTx::memberships_of(const std::string& user_id) {
  std::vector<Membership> out;
  soci::rowset<soci::row> rows =
      (sql_.prepare << std::string(kOrgColumns) + kMembershipsOf, soci::use(user_id));
  for (const soci::row& r : rows) {
    out.push_back(Membership{.org = org_from(r, now_),
                             .role = parse_role(r.get<std::string>(8)).value_or(Role::kMember)});
  }
  return out;
}

std::vector<Member> IdentityTx::members_of(const std::string& org_id) {
  std::vector<Member> out;
  soci::rowset<soci::row> rows = (sql_.prepare << kMembersOf, soci::use(org_id));
  for (const soci::row& r : rows) {
    out.push_back(Member{.user = user_from(r).user,
                         .role = parse_role(r.get<std::string>(7)).value_or(Role::kMember),
                         .joined_at = time_of(r.get<std::string>(8))});
  }
  return out;
}

int IdentityTx::admin_count(const std::string& org_id) {
  int n = 0;
  sql_ << kAdminCount, soci::use(org_id), soci::into(n);
  return n;
}

void IdentityTx::set_role(const std::string& org_id, const std::string& user_id, Role role) {
  const std::string r = to_string(role);
  sql_ << kSetRole, soci::use(r), soci::use(org_id), soci::use(user_id);
}

void IdentityTx::delete_membership(const std::string& org_id, const std::string& user_id) {
  sql_ << kDeleteMembership, soci::use(org_id), soci::use(user_id);
}

void IdentityTx::insert_session(const std::string& hash, const std::string& user_id,
                                const std::string& csrf_token, const std::string& ip,
                                const std::string& user_agent) {
  const std::string at = core::format_rfc3339(now_);
  const std::string agent = user_agent.substr(0, 256);
  sql_ << kInsertSession, soci::use(hash), soci::use(user_id), soci::use(csrf_token), soci::use(at),
      soci::use(at), soci::use(ip), soci::use(agent);
}

std::optional<SessionRecord> IdentityTx::session(const std::string& hash) {
  soci::row r;
  sql_ << kSession, soci::use(hash), soci::into(r);
  if (!sql_.got_data()) return std::nullopt;
  return SessionRecord{.user_id = r.get<std::string>(0),
                       .csrf_token = r.get<std::string>(1),
                       .created_at = time_of(r.get<std::string>(2)),
                       .last_seen_at = time_of(r.get<std::string>(3))};
}

void IdentityTx::touch_session(const std::string& hash) {
  const std::string at = core::format_rfc3339(now_);
  sql_ << kTouchSession, soci::use(at), soci::use(hash);
}

void IdentityTx::delete_session(const std::string& hash) {
  sql_ << kDeleteSession, soci::use(hash);
}

void IdentityTx::delete_sessions_of(const std::string& user_id) {
  sql_ << kDeleteSessionsOf, soci::use(user_id);
}

void IdentityTx::insert_email_token(const std::string& hash, const std::string& purpose,
                                    const std::string& user_id, const std::string& org_id,
                                    core::TimePoint expires_at) {
  const std::string expires = core::format_rfc3339(expires_at);
  const std::string at = core::format_rfc3339(now_);
  sql_ << kInsertEmailToken, soci::use(hash), soci::use(purpose), soci::use(user_id),
      soci::use(org_id), soci::use(expires), soci::use(at);
}

std::optional<EmailTokenRecord> IdentityTx::email_token(const std::string& hash) {
  soci::row r;
  sql_ << kEmailToken, soci::use(hash), soci::into(r);
  if (!sql_.got_data()) return std::nullopt;
  return EmailTokenRecord{.purpose = r.get<std::string>(0),
                          .user_id = r.get<std::string>(1),
                          .org_id = r.get<std::string>(2),
                          .expires_at = time_of(r.get<std::string>(3)),
                          .used = !r.get<std::string>(4).empty()};
}

void IdentityTx::use_email_tokens(const std::string& user_id, const std::string& purpose) {
  const std::string at = core::format_rfc3339(now_);
  sql_ << kUseEmailTokens, soci::use(at), soci::use(user_id), soci::use(purpose);
}

void IdentityTx::insert_api_token(const ApiToken& t, const std::string& hash) {
  const std::string at = core::format_rfc3339(t.created_at);
  sql_ << kInsertApiToken, soci::use(t.id), soci::use(t.org_id), soci::use(t.name), soci::use(hash),
      soci::use(t.hint), soci::use(t.created_by), soci::use(at);
}

std::vector<ApiToken> IdentityTx::api_tokens(const std::string& org_id) {
  std::vector<ApiToken> out;
  soci::rowset<soci::row> rows =
      (sql_.prepare << std::string(kApiTokenColumns) + kApiTokensOf, soci::use(org_id));
  for (const soci::row& r : rows) out.push_back(api_token_from(r));
  return out;
}

std::optional<ApiToken> IdentityTx::api_token_by_hash(const std::string& hash) {
  soci::row r;
  sql_ << std::string(kApiTokenColumns) + kApiTokenByHash, soci::use(hash), soci::into(r);
  if (!sql_.got_data()) return std::nullopt;
  return api_token_from(r);
}

bool IdentityTx::revoke_api_token(const std::string& org_id, const std::string& token_id) {
  const std::string at = core::format_rfc3339(now_);
  soci::statement st =
      (sql_.prepare << kRevokeApiToken, soci::use(at), soci::use(org_id), soci::use(token_id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

void IdentityTx::touch_api_token(const std::string& token_id) {
  const std::string at = core::format_rfc3339(now_);
  sql_ << kTouchApiToken, soci::use(at), soci::use(token_id);
}

int IdentityTx::failures_since(const std::string& normalized, core::TimePoint since) {
  const std::string s = core::format_rfc3339(since);
  int n = 0;
  sql_ << kFailuresSince, soci::use(normalized), soci::use(s), soci::into(n);
  return n;
}

std::optional<core::TimePoint> IdentityTx::oldest_failure_since(const std::string& normalized,
                                                                core::TimePoint since) {
  const std::string s = core::format_rfc3339(since);
  std::string oldest;
  soci::indicator ind = soci::i_null;
  sql_ << kOldestFailureSince, soci::use(normalized), soci::use(s), soci::into(oldest, ind);
  if (ind != soci::i_ok) return std::nullopt;
  return core::parse_rfc3339(oldest);
}

void IdentityTx::insert_failure(const std::string& id, const std::string& normalized,
                                const std::string& ip) {
  const std::string at = core::format_rfc3339(now_);
  sql_ << kInsertFailure, soci::use(id), soci::use(normalized), soci::use(ip), soci::use(at);
}

void IdentityTx::clear_failures(const std::string& normalized) {
  sql_ << kClearFailures, soci::use(normalized);
}

void IdentityTx::audit(const AuditEvent& event) { AuditLog::write(tx_, event); }

core::Status IdentityTx::enqueue_mail(mail::MailQueue& queue, const mail::Message& message) {
  return queue.enqueue(tx_, message);
}

}  // namespace identity
