// Private to identity: the SQL behind IdentityService. IdentityStore::transact runs a function
// with an IdentityTx, whose typed methods are the only statements identity issues; the function
// composes them and everything commits together (or nothing does). Like db::Database::transact,
// the function may run more than once, so it must have no effect outside the database.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "db/database.h"
#include "identity/audit_log.h"
#include "identity/identity_service.h"
#include "identity/types.h"
#include "mail/mail.h"

namespace identity {

struct UserRecord {
  User user;
  std::string email_normalized;
  std::string password_hash;  // empty: no password yet (invited)
};

struct SessionRecord {
  std::string user_id;
  std::string csrf_token;
  core::TimePoint created_at;
  core::TimePoint last_seen_at;
};

struct EmailTokenRecord {
  std::string purpose;  // "verify", "reset", "invite"
  std::string user_id;
  std::string org_id;  // invitations
  core::TimePoint expires_at;
  bool used = false;
};

class IdentityTx {
 public:
  IdentityTx(db::Tx& tx, core::TimePoint now) : tx_(tx), sql_(tx.sql()), now_(now) {}

  // Users
  std::optional<UserRecord> user_by_email(const std::string& normalized);
  std::optional<UserRecord> user_by_id(const std::string& id);
  // False when the e-mail address is taken (the transaction must then end).
  bool insert_user(const UserRecord& user);
  void set_password(const std::string& user_id, const std::string& hash);
  void set_name(const std::string& user_id, const std::string& name);
  void mark_verified(const std::string& user_id);

  // Organizations
  // False when the slug or marketplace id is taken (the transaction must then end).
  bool insert_organization(const Organization& org);
  std::optional<Organization> organization(const std::string& id_or_slug);
  // The marketplace organization with this marketplace id.
  std::optional<Organization> marketplace_organization(const std::string& marketplace_id);
  bool slug_exists(const std::string& slug);

  // Memberships
  void insert_membership(const std::string& org_id, const std::string& user_id, Role role);
  std::optional<Role> role(const std::string& org_id, const std::string& user_id);
  std::vector<Membership> memberships_of(const std::string& user_id);
  std::vector<Member> members_of(const std::string& org_id);
  int admin_count(const std::string& org_id);
  void set_role(const std::string& org_id, const std::string& user_id, Role role);
  void delete_membership(const std::string& org_id, const std::string& user_id);

  // Sessions (keyed by the hash of the cookie value)
  void insert_session(const std::string& hash, const std::string& user_id,
                      const std::string& csrf_token, const std::string& ip,
                      const std::string& user_agent);
  std::optional<SessionRecord> session(const std::string& hash);
  void touch_session(const std::string& hash);
  void delete_session(const std::string& hash);
  void delete_sessions_of(const std::string& user_id);

  // Single-use e-mail tokens (keyed by hash)
  void insert_email_token(const std::string& hash, const std::string& purpose,
                          const std::string& user_id, const std::string& org_id,
                          core::TimePoint expires_at);
  std::optional<EmailTokenRecord> email_token(const std::string& hash);
  // Marks every unused token of that purpose of the user as used.
  void use_email_tokens(const std::string& user_id, const std::string& purpose);

  // API tokens
  void insert_api_token(const ApiToken& token, const std::string& hash);
  std::vector<ApiToken> api_tokens(const std::string& org_id);
  std::optional<ApiToken> api_token_by_hash(const std::string& hash);
  // False when no unrevoked token of that id belongs to the organization.
  bool revoke_api_token(const std::string& org_id, const std::string& token_id);
  void touch_api_token(const std::string& token_id);

  // Failed sign-ins (throttling)
  int failures_since(const std::string& normalized, core::TimePoint since);
  std::optional<core::TimePoint> oldest_failure_since(const std::string& normalized,
                                                      core::TimePoint since);
  void insert_failure(const std::string& id, const std::string& normalized, const std::string& ip);
  void clear_failures(const std::string& normalized);

  void audit(const AuditEvent& event);
  // Queues mail in this transaction (see mail::MailQueue).
  core::Status enqueue_mail(mail::MailQueue& queue, const mail::Message& message);

  core::TimePoint now() const { return now_; }

 private:
  db::Tx& tx_;
  soci::session& sql_;
  core::TimePoint now_;
};

class IdentityStore {
 public:
  IdentityStore(db::Database& database, const core::Clock& clock)
      : database_(database), clock_(clock) {}

  template <typename Fn>
  auto transact(Fn&& fn, db::TxMode mode = db::TxMode::kWrite) {
    return database_.transact(
        [&](db::Tx& transaction) {
          IdentityTx tx(transaction, clock_.now());
          return fn(tx);
        },
        mode);
  }

 private:
  db::Database& database_;
  const core::Clock& clock_;
};

}  // namespace identity
