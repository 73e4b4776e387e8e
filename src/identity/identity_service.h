// Identity: sign-up with e-mail verification, sign-in with throttling, sessions, password reset,
// organizations, memberships and roles, invitations and API tokens.
//
// The service takes and returns plain structs (identity/types.h) and knows no HTTP or SQL. Every
// call on tenant data takes the organization id, and a resource of another organization answers
// not_found exactly like a missing one. Secrets (session ids, e-mail links, API tokens) are random
// and only their SHA-256 hashes are stored; a secret is returned once, when created. E-mails
// (verification, reset, invitation) are queued in the same transaction as the change that needs
// them, so a link goes out if and only if its token was stored.
//
// Errors: invalid (with one ErrorDetail per form field: "email", "password", "name",
// "organization_name", "role"), unauthenticated (wrong e-mail or password, the same message for
// both; expired or unknown session or token), conflict (e-mail taken, last admin), not_found,
// rate_limited (too many failed sign-ins; detail "retry_after" holds seconds), and the database's
// unavailable/internal. Slugs callers may branch on: "email_not_verified", "token_expired",
// "token_invalid", "last_admin", "email_taken", "slug_taken", "sign_in_throttled".
//
// Thread safety: safe for concurrent use; all state lives in the database, so several processes
// on one database agree (sessions, throttling).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "core/result.h"
#include "db/database.h"
#include "identity/audit_log.h"
#include "identity/types.h"
#include "mail/mail.h"

namespace identity {

class IdentityStore;
class IdentityTx;

// Argon2id cost. kInteractive follows libsodium's interactive limits (production); kMinimum is
// for tests only.
enum class PasswordCost { kInteractive, kMinimum };

struct IdentitySettings {
  // Base of links in e-mails, e.g. "https://marketlink.example.com" (no trailing slash).
  std::string public_url = "http://127.0.0.1:8080";
  std::chrono::seconds verification_ttl = std::chrono::hours(24);
  std::chrono::seconds reset_ttl = std::chrono::hours(1);
  std::chrono::seconds invitation_ttl = std::chrono::hours(24 * 7);
  // A session ends after this long without a request, and this long after sign-in regardless.
  std::chrono::seconds session_idle = std::chrono::hours(12);
  std::chrono::seconds session_absolute = std::chrono::hours(24 * 7);
  // More than `max_failed_sign_ins` failures for one e-mail within `throttle_window` blocks
  // further attempts until the oldest of them leaves the window.
  int max_failed_sign_ins = 5;
  std::chrono::seconds throttle_window = std::chrono::minutes(15);
  // A new customer organization (sign-up) starts a trial this long.
  std::chrono::seconds trial_length = std::chrono::hours(24 * 14);
  PasswordCost password_cost = PasswordCost::kInteractive;
};

struct SignUpForm {
  std::string email;
  std::string name;
  std::string password;
  std::string organization_name;
  // The new organization's own subscription: kTrial (for trial_length) or kActive.
  SubscriptionStatus subscription = SubscriptionStatus::kTrial;
  // A path on this site the verification link leads to after sign-in ("" for the default), e.g.
  // the AWS Marketplace setup the user signed up from.
  std::string next;
};

struct SignUpResult {
  User user;
  Organization organization;
};

struct NewUser {
  std::string email;
  std::string name;      // defaults to the part of the e-mail before '@'
  std::string password;  // checked like a sign-up password
  bool verified = false;
};

struct NewOrganization {
  std::string name;
  OrgKind kind = OrgKind::kCustomer;
  std::string marketplace_id;  // required for marketplaces ("MP-" and digits), empty otherwise
  SubscriptionStatus subscription = SubscriptionStatus::kNone;  // kNone, kTrial or kActive
  std::string admin_user_id;                                    // becomes its first admin
};

// A signed-in browser. `token` is the cookie value, present only when the session is created.
struct Session {
  std::string token;
  User user;
  std::string csrf_token;  // required on every state-changing request of this session
  core::TimePoint created_at;
  core::TimePoint expires_at;  // the earlier of idle and absolute expiry
};

struct ApiToken {
  std::string id;
  std::string org_id;
  std::string name;
  std::string hint;        // the first characters of the secret, to recognize it ("mlk_Ab3x…")
  std::string created_by;  // label of the creator
  core::TimePoint created_at;
  std::optional<core::TimePoint> last_used_at;
  bool revoked = false;
};

struct NewApiToken {
  ApiToken token;
  std::string secret;  // "mlk_…": shown once, never stored
};

// What a valid bearer token grants: its own organization, with the admin role.
struct TokenPrincipal {
  ApiToken token;
  Organization org;
};

struct Invitation {
  Member member;
  bool new_user = false;  // false: an existing user was added at once
};

class IdentityService {
 public:
  IdentityService(db::Database& database, const core::Clock& clock, core::IdGenerator& ids,
                  mail::MailQueue& mail, AuditLog& audit, IdentitySettings settings = {});
  ~IdentityService();
  IdentityService(const IdentityService&) = delete;
  IdentityService& operator=(const IdentityService&) = delete;

  const IdentitySettings& settings() const { return settings_; }

  // --- Accounts ---
  // Creates an unverified user, a customer organization (on trial, or active as the form says)
  // with the user as admin, and queues the verification e-mail. invalid "subscription" for
  // anything but kTrial or kActive.
  core::Result<SignUpResult> sign_up(const SignUpForm& form, const std::string& ip);
  // Queues a new verification e-mail when the address belongs to an unverified user; succeeds
  // silently otherwise (the answer never tells whether an address is registered).
  core::Status resend_verification(const std::string& email, const std::string& ip);
  // Marks the user verified. token_expired / token_invalid (used, unknown) otherwise.
  core::Result<User> verify_email(const std::string& token, const std::string& ip);
  // Operators and the CLI: a user without organization.
  core::Result<User> create_user(const NewUser& user);
  core::Result<User> find_user_by_email(const std::string& email);

  // --- Sessions ---
  // Checks the password and starts a new session (ending `previous_token`'s session, if any:
  // the session id rotates at sign-in).
  core::Result<Session> sign_in(const std::string& email, const std::string& password,
                                const std::string& ip, const std::string& user_agent,
                                const std::string& previous_token = {});
  // The session of a cookie value, touched (idle expiry moves on). unauthenticated when
  // unknown or expired; an expired session is deleted.
  core::Result<Session> resume_session(const std::string& token);
  core::Status sign_out(const std::string& token, const std::string& ip);

  // --- Password reset ---
  // Queues a reset e-mail (valid reset_ttl) when the address is registered; succeeds silently
  // otherwise.
  core::Status request_password_reset(const std::string& email, const std::string& ip);
  // Sets the password, ends every session of the user and marks the address verified.
  core::Result<User> reset_password(const std::string& token, const std::string& new_password,
                                    const std::string& ip);
  // Whether a reset or invitation link is still usable (for showing its form).
  core::Status check_email_token(const std::string& token, bool invitation);

  // --- Organizations ---
  core::Result<Organization> create_organization(const NewOrganization& org, const Actor& actor);
  // By id or slug.
  core::Result<Organization> find_organization(const std::string& id_or_slug);
  // The organization of kind marketplace with this marketplace id; not_found when there is none.
  core::Result<Organization> find_marketplace(const std::string& marketplace_id);
  // The user's organizations, ordered by name.
  core::Result<std::vector<Membership>> memberships(const std::string& user_id);
  // The user's role in the organization; not_found when not a member.
  core::Result<Role> role_in(const std::string& org_id, const std::string& user_id);

  // --- Members (every call scoped by org_id) ---
  core::Result<std::vector<Member>> members(const std::string& org_id);
  // Adds an existing user at once, or creates an invited user who sets a name and password
  // through the e-mailed link (valid invitation_ttl). conflict when already a member.
  core::Result<Invitation> invite(const std::string& org_id, const std::string& email, Role role,
                                  const Actor& actor);
  core::Result<User> accept_invitation(const std::string& token, const std::string& name,
                                       const std::string& password, const std::string& ip);
  // conflict "last_admin" when the change would leave the organization without an admin.
  core::Result<Member> change_role(const std::string& org_id, const std::string& user_id, Role role,
                                   const Actor& actor);
  core::Status remove_member(const std::string& org_id, const std::string& user_id,
                             const Actor& actor);

  // --- API tokens (scoped by org_id) ---
  core::Result<NewApiToken> create_api_token(const std::string& org_id, const std::string& name,
                                             const Actor& actor);
  core::Result<std::vector<ApiToken>> api_tokens(const std::string& org_id);
  core::Status revoke_api_token(const std::string& org_id, const std::string& token_id,
                                const Actor& actor);
  // unauthenticated for an unknown or revoked token.
  core::Result<TokenPrincipal> authenticate_token(const std::string& secret);

 private:
  // An e-mail in the product's look: `text` (paragraphs separated by blank lines) and a button.
  mail::Message message(const std::string& to, const std::string& subject,
                        const std::string& heading, const std::string& text,
                        const std::string& button, const std::string& link) const;
  // Queues `m` inside the transaction of `tx`: it goes out if and only if the transaction
  // commits. An undeliverable address becomes invalid on the "email" field.
  core::Status send(IdentityTx& tx, const mail::Message& m) const;
  core::Result<std::string> hash_new_password(const std::string& password, const std::string& email,
                                              std::vector<core::ErrorDetail>& errors) const;

  const core::Clock& clock_;
  core::IdGenerator& ids_;
  mail::MailQueue& mail_;
  AuditLog& audit_;
  IdentitySettings settings_;
  std::unique_ptr<IdentityStore> store_;
  std::string dummy_hash_;  // verified against for unknown e-mails, so timing tells nothing
};

}  // namespace identity
