#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/log.h"
#include "core/text.h"
#include "identity/identity_service.h"
#include "identity/identity_store.h"
#include "identity/passwords.h"
#include "identity/secrets.h"
#include "mail/html_email.h"

namespace identity {

namespace {

constexpr const char* kPurposeVerify = "verify";
constexpr const char* kPurposeReset = "reset";
constexpr const char* kPurposeInvite = "invite";
constexpr const char* kApiTokenPrefix = "mlk_";
constexpr size_t kMaxNameLength = 200;  // characters, for users and organizations
constexpr size_t kMaxTokenNameLength = 100;
constexpr size_t kMaxEmailLength = 254;
// Touch a session or token at most this often: every request need not write.
constexpr auto kTouchInterval = std::chrono::seconds(60);

// Any domain is accepted: only the shape of the address is checked.
std::optional<std::string> email_problem(const std::string& normalized) {
  if (normalized.empty()) return "Enter your e-mail address.";
  if (normalized.size() > kMaxEmailLength) return "This e-mail address is too long.";
  const auto at = normalized.find('@');
  if (at == std::string::npos || at == 0 || normalized.find('@', at + 1) != std::string::npos) {
    return "Enter an e-mail address like name@example.com.";
  }
  const std::string domain = normalized.substr(at + 1);
  if (domain.size() < 3 || domain.find('.') == std::string::npos || domain.front() == '.' ||
      domain.back() == '.') {
    return "Enter an e-mail address like name@example.com.";
  }
  // An invited user's first name is the part before '@' (default_name): it must hold no more than
  // a name may.
  if (const NameProblem p = check_name(normalized, kMaxEmailLength);
      p == NameProblem::kNotUtf8 || p == NameProblem::kControlCharacter) {
    return "Enter an e-mail address like name@example.com.";
  }
  for (const char c : normalized) {
    if (std::isspace(static_cast<unsigned char>(c)) ||
        std::iscntrl(static_cast<unsigned char>(c)) || c == '<' || c == '>' || c == ',' ||
        c == ';' || c == '"') {
      return "Enter an e-mail address like name@example.com.";
    }
  }
  return std::nullopt;
}

// Checks a user's, organization's or API token's name (already trim_name'd) by the one rule of
// identity/types.h, adding what is wrong, if anything, to `errors` under `field`.
void check_name_field(std::string_view name, const char* field, const char* empty_message,
                      size_t max_chars, std::vector<core::ErrorDetail>& errors) {
  std::string message;
  switch (check_name(name, max_chars)) {
    case NameProblem::kNone: return;
    case NameProblem::kEmpty: message = empty_message; break;
    case NameProblem::kTooLong:
      message = fmt::format("Use at most {} characters.", max_chars);
      break;
    case NameProblem::kNotUtf8:
      message = "This name has bytes that are not text (it is not valid UTF-8).";
      break;
    case NameProblem::kControlCharacter:
      message = "Remove the line breaks, tabs and other control characters from the name.";
      break;
  }
  errors.push_back({.field = field, .message = std::move(message)});
}

core::Error form_error(std::vector<core::ErrorDetail> details) {
  core::Error e = core::invalid("Some fields need your attention.", "invalid_form");
  e.details = std::move(details);
  return e;
}

core::Error with_field(core::Error e, std::string field) {
  e.details.push_back(core::ErrorDetail{.field = std::move(field), .message = e.message});
  return e;
}

core::Error bad_credentials() {
  return core::unauthenticated("The e-mail address or password is not correct.",
                               "invalid_credentials");
}

core::Error session_ended() {
  return core::unauthenticated("Your session has ended. Sign in again.", "session_expired");
}

std::string default_name(const std::string& email) { return email.substr(0, email.find('@')); }

std::string minutes_text(std::chrono::seconds s) {
  const long long minutes = std::max<long long>(1, (s.count() + 59) / 60);
  return minutes == 1 ? "1 minute" : fmt::format("{} minutes", minutes);
}

// Checks a single-use token's record for `purpose`.
core::Status check_token(const std::optional<EmailTokenRecord>& rec, const char* purpose,
                         core::TimePoint now) {
  if (!rec || rec->purpose != purpose) {
    return core::invalid("This link is not valid. Check that you copied all of it.",
                         "token_invalid");
  }
  if (rec->used) return core::invalid("This link has already been used.", "token_invalid");
  if (rec->expires_at <= now) return core::invalid("This link has expired.", "token_expired");
  return {};
}

}  // namespace

IdentityService::IdentityService(db::Database& database, const core::Clock& clock,
                                 core::IdGenerator& ids, mail::MailQueue& mail, AuditLog& audit,
                                 IdentitySettings settings)
    : clock_(clock),
      ids_(ids),
      mail_(mail),
      audit_(audit),
      settings_(std::move(settings)),
      store_(std::make_unique<IdentityStore>(database, clock)) {
  while (!settings_.public_url.empty() && settings_.public_url.back() == '/') {
    settings_.public_url.pop_back();
  }
  auto dummy = hash_password(new_secret(), settings_.password_cost);
  dummy_hash_ = dummy.ok() ? *dummy : "";
}

IdentityService::~IdentityService() = default;

mail::Message IdentityService::message(const std::string& to, const std::string& subject,
                                       const std::string& heading, const std::string& text,
                                       const std::string& button, const std::string& link) const {
  mail::Message m;
  m.to = to;
  m.subject = subject;
  m.text_body = fmt::format(
      "{}\n\n{}: {}\n\nIf you did not expect this e-mail, you can ignore it.\n\nMarketlink\n", text,
      button, link);
  std::string body;
  size_t start = 0;
  while (start <= text.size()) {
    const auto end = text.find("\n\n", start);
    body += mail::email_paragraph(text.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 2;
  }
  body += mail::email_button(button, link);
  body += mail::email_paragraph("Or paste this link into your browser: " + link);
  m.html_body = mail::render_html_email(
      {.heading = heading,
       .body_html = body,
       .footer = "You get this e-mail because of an action on your Marketlink account. If you did "
                 "not expect it, you can ignore it."});
  return m;
}

core::Status IdentityService::send(IdentityTx& tx, const mail::Message& m) const {
  core::Status queued = tx.enqueue_mail(mail_, m);
  if (!queued.ok() && queued.error().code == core::ErrorCode::kInvalid) {
    return with_field(
        core::invalid("Marketlink cannot send e-mail to this address.", "email_undeliverable"),
        "email");
  }
  return queued;
}

core::Result<std::string> IdentityService::hash_new_password(
    const std::string& password, const std::string& email,
    std::vector<core::ErrorDetail>& errors) const {
  if (auto problem = password_problem(password, email)) {
    errors.push_back({.field = "password", .message = *problem});
  }
  if (!errors.empty()) return form_error(errors);
  return hash_password(password, settings_.password_cost);
}

// --- Accounts ---

core::Result<SignUpResult> IdentityService::sign_up(const SignUpForm& form, const std::string& ip) {
  const std::string normalized = normalize_email(form.email);
  const std::string email = std::string(core::trim(form.email));
  const std::string name = std::string(trim_name(form.name));
  const std::string org_name = std::string(trim_name(form.organization_name));
  std::vector<core::ErrorDetail> errors;
  if (auto p = email_problem(normalized)) errors.push_back({.field = "email", .message = *p});
  check_name_field(name, "name", "Enter your name.", kMaxNameLength, errors);
  check_name_field(org_name, "organization_name", "Enter your organization's name.", kMaxNameLength,
                   errors);
  if (form.subscription != SubscriptionStatus::kTrial &&
      form.subscription != SubscriptionStatus::kActive) {
    errors.push_back(
        {.field = "subscription", .message = "A new organization starts on trial or active."});
  }
  // A path on this site only: the link must not lead anywhere else.
  const bool local_path = form.next.starts_with('/') && !form.next.starts_with("//") &&
                          std::none_of(form.next.begin(), form.next.end(), [](char c) {
                            return c == '\\' || static_cast<unsigned char>(c) < 0x20;
                          });
  if (!form.next.empty() && !local_path) {
    errors.push_back({.field = "next", .message = "Not a path on this site."});
  }
  auto hash = hash_new_password(form.password, normalized, errors);
  if (!hash.ok()) return hash.error();

  const core::TimePoint now = clock_.now();
  SignUpResult result;
  result.user = User{.id = ids_.new_id(),
                     .email = email,
                     .name = name,
                     .verified = false,
                     .has_password = true,
                     .created_at = now};
  const std::string org_id = ids_.new_id();
  result.organization =
      Organization{.id = org_id,
                   .slug = organization_slug(org_name, org_id),
                   .name = org_name,
                   .kind = OrgKind::kCustomer,
                   .marketplace_id = "",
                   .subscription = form.subscription,
                   .trial_ends_at = form.subscription == SubscriptionStatus::kTrial
                                        ? std::optional(now + settings_.trial_length)
                                        : std::nullopt,
                   .created_at = now};
  const std::string token = new_secret();
  const Actor actor{.user_id = result.user.id, .label = normalized, .ip = ip};
  const AuditEvent signed_up =
      audit_.make_event({.org_id = result.organization.id,
                         .subject_user_id = "",
                         .actor = actor,
                         .action = "user.signed_up",
                         .target_type = "user",
                         .target_id = result.user.id,
                         .detail = "Signed up and created the organization"});
  const mail::Message verification = message(
      email, "Confirm your e-mail address for Marketlink", "Confirm your e-mail address",
      fmt::format("Hello {},\n\nConfirm your e-mail address to finish setting up {} on "
                  "Marketlink. The link works once and expires in 24 hours.",
                  name, org_name),
      "Confirm e-mail address",
      settings_.public_url + "/verify-email?token=" + token +
          (form.next.empty() ? ""
                             : "&next=" + core::percent_encode(form.next, /*keep_slash=*/true)));
  auto done = store_->transact([&](IdentityTx& tx) -> core::Status {
    if (tx.user_by_email(normalized)) {
      return with_field(
          core::conflict("An account with this e-mail address already exists. Sign in, or reset "
                         "your password.",
                         "email_taken"),
          "email");
    }
    // Another organization may already have this name: number the slug.
    const std::string base = organization_slug(org_name, org_id);
    std::string slug = base;
    for (int n = 2; tx.slug_exists(slug); ++n) slug = fmt::format("{}-{}", base, n);
    result.organization.slug = slug;
    if (!tx.insert_user(
            {.user = result.user, .email_normalized = normalized, .password_hash = *hash})) {
      return core::conflict("An account with this e-mail address already exists.", "email_taken");
    }
    if (!tx.insert_organization(result.organization)) {
      return core::conflict("That organization name was just taken. Try again.", "slug_taken");
    }
    tx.insert_membership(result.organization.id, result.user.id, Role::kAdmin);
    tx.insert_email_token(secret_hash(token), kPurposeVerify, result.user.id, "",
                          now + settings_.verification_ttl);
    tx.audit(signed_up);
    return send(tx, verification);
  });
  if (!done.ok()) return done.error();
  return result;
}

core::Status IdentityService::resend_verification(const std::string& email, const std::string& ip) {
  const std::string normalized = normalize_email(email);
  if (email_problem(normalized)) return {};
  const std::string token = new_secret();
  auto done = store_->transact([&](IdentityTx& tx) -> core::Status {
    auto user = tx.user_by_email(normalized);
    if (!user || user->user.verified || !user->user.has_password) return {};
    tx.insert_email_token(secret_hash(token), kPurposeVerify, user->user.id, "",
                          tx.now() + settings_.verification_ttl);
    tx.audit(audit_.make_event({.org_id = "",
                                .subject_user_id = user->user.id,
                                .actor = {.user_id = "", .label = normalized, .ip = ip},
                                .action = "user.verification_resent",
                                .target_type = "user",
                                .target_id = user->user.id,
                                .detail = "Asked for a new verification e-mail"}));
    return send(tx, message(user->user.email, "Confirm your e-mail address for Marketlink",
                            "Confirm your e-mail address",
                            fmt::format("Hello {},\n\nHere is a new link to confirm your e-mail "
                                        "address. It works once and expires in 24 hours.",
                                        user->user.name),
                            "Confirm e-mail address",
                            settings_.public_url + "/verify-email?token=" + token));
  });
  return done;
}

core::Result<User> IdentityService::verify_email(const std::string& token, const std::string& ip) {
  const std::string hash = secret_hash(token);
  return store_->transact([&](IdentityTx& tx) -> core::Result<User> {
    auto rec = tx.email_token(hash);
    if (auto s = check_token(rec, kPurposeVerify, tx.now()); !s.ok()) return s.error();
    auto user = tx.user_by_id(rec->user_id);
    if (!user) return core::invalid("This link is not valid.", "token_invalid");
    tx.mark_verified(user->user.id);
    tx.use_email_tokens(user->user.id, kPurposeVerify);
    tx.audit(audit_.make_event(
        {.org_id = "",
         .subject_user_id = user->user.id,
         .actor = {.user_id = user->user.id, .label = user->email_normalized, .ip = ip},
         .action = "user.email_verified",
         .target_type = "user",
         .target_id = user->user.id,
         .detail = "Confirmed the e-mail address"}));
    user->user.verified = true;
    return user->user;
  });
}

core::Result<User> IdentityService::create_user(const NewUser& input) {
  const std::string normalized = normalize_email(input.email);
  const std::string email = std::string(core::trim(input.email));
  std::vector<core::ErrorDetail> errors;
  if (auto p = email_problem(normalized)) errors.push_back({.field = "email", .message = *p});
  std::string name = std::string(trim_name(input.name));
  if (name.empty()) name = default_name(email);
  // Without a name or an address there is nothing to say about the name: "email" says it.
  if (!name.empty()) check_name_field(name, "name", "Enter a name.", kMaxNameLength, errors);
  auto hash = hash_new_password(input.password, normalized, errors);
  if (!hash.ok()) return hash.error();
  User user{.id = ids_.new_id(),
            .email = email,
            .name = name,
            .verified = input.verified,
            .has_password = true,
            .created_at = clock_.now()};
  auto done = store_->transact([&](IdentityTx& tx) -> core::Status {
    if (!tx.insert_user({.user = user, .email_normalized = normalized, .password_hash = *hash})) {
      return with_field(
          core::conflict("A user with this e-mail address already exists.", "email_taken"),
          "email");
    }
    tx.audit(audit_.make_event({.org_id = "",
                                .subject_user_id = user.id,
                                .actor = Actor::system(),
                                .action = "user.created",
                                .target_type = "user",
                                .target_id = user.id,
                                .detail = "Created by an operator"}));
    return {};
  });
  if (!done.ok()) return done.error();
  return user;
}

core::Result<User> IdentityService::find_user_by_email(const std::string& email) {
  const std::string normalized = normalize_email(email);
  return store_->transact(
      [&](IdentityTx& tx) -> core::Result<User> {
        auto user = tx.user_by_email(normalized);
        if (!user) return core::not_found("No user has this e-mail address.");
        return user->user;
      },
      db::TxMode::kRead);
}

// --- Sessions ---

core::Result<Session> IdentityService::sign_in(const std::string& email,
                                               const std::string& password, const std::string& ip,
                                               const std::string& user_agent,
                                               const std::string& previous_token) {
  const std::string normalized = normalize_email(email);
  const core::TimePoint now = clock_.now();
  const core::TimePoint since = now - settings_.throttle_window;
  struct Before {
    int failures = 0;
    std::optional<core::TimePoint> oldest;
    std::optional<UserRecord> user;
  };
  auto before = store_->transact(
      [&](IdentityTx& tx) -> core::Result<Before> {
        Before b;
        b.failures = tx.failures_since(normalized, since);
        if (b.failures >= settings_.max_failed_sign_ins) {
          b.oldest = tx.oldest_failure_since(normalized, since);
        }
        b.user = tx.user_by_email(normalized);
        return b;
      },
      db::TxMode::kRead);
  if (!before.ok()) return before.error();
  const std::optional<UserRecord>& user = before->user;
  const std::string subject = user ? user->user.id : "";
  const Actor actor{.user_id = "", .label = normalized, .ip = ip};

  if (before->failures >= settings_.max_failed_sign_ins) {
    const core::TimePoint until = before->oldest.value_or(now) + settings_.throttle_window;
    const auto wait = std::chrono::duration_cast<std::chrono::seconds>(until - now);
    if (!subject.empty()) {
      (void)audit_.record({.org_id = "",
                           .subject_user_id = subject,
                           .actor = actor,
                           .action = "user.sign_in_blocked",
                           .target_type = "user",
                           .target_id = subject,
                           .detail = "Sign-in refused: too many failed attempts"});
    }
    core::Error e = core::rate_limited(
        fmt::format("Too many failed sign-in attempts for this e-mail address. Try again in {}.",
                    minutes_text(wait)),
        "sign_in_throttled");
    e.details.push_back(
        {.field = "retry_after", .message = std::to_string(std::max<long long>(1, wait.count()))});
    return e;
  }

  // Verify outside any transaction: hashing is deliberately slow.
  const bool ok = user ? verify_password(user->password_hash, password)
                       : (verify_password(dummy_hash_, password), false);
  if (!ok) {
    auto recorded = store_->transact([&](IdentityTx& tx) -> core::Status {
      tx.insert_failure(ids_.new_id(), normalized, ip);
      if (!subject.empty()) {
        tx.audit(audit_.make_event({.org_id = "",
                                    .subject_user_id = subject,
                                    .actor = actor,
                                    .action = "user.sign_in_failed",
                                    .target_type = "user",
                                    .target_id = subject,
                                    .detail = "Wrong password"}));
        if (tx.failures_since(normalized, since) == settings_.max_failed_sign_ins) {
          tx.audit(audit_.make_event(
              {.org_id = "",
               .subject_user_id = subject,
               .actor = actor,
               .action = "user.sign_in_throttled",
               .target_type = "user",
               .target_id = subject,
               .detail = fmt::format("{} failed attempts: sign-in paused for {}",
                                     settings_.max_failed_sign_ins,
                                     minutes_text(std::chrono::duration_cast<std::chrono::seconds>(
                                         settings_.throttle_window)))}));
        }
      }
      return {};
    });
    if (!recorded.ok()) return recorded.error();
    return bad_credentials();
  }
  if (!user->user.verified) {
    return core::unauthenticated(
        "Confirm your e-mail address before signing in: open the link we sent you, or ask for a "
        "new one.",
        "email_not_verified");
  }

  Session session{.token = new_secret(),
                  .user = user->user,
                  .csrf_token = new_secret(),
                  .created_at = now,
                  .expires_at = now + std::min(settings_.session_idle, settings_.session_absolute)};
  auto started = store_->transact([&](IdentityTx& tx) -> core::Status {
    tx.clear_failures(normalized);
    if (!previous_token.empty()) tx.delete_session(secret_hash(previous_token));
    tx.insert_session(secret_hash(session.token), user->user.id, session.csrf_token, ip,
                      user_agent);
    tx.audit(audit_.make_event({.org_id = "",
                                .subject_user_id = subject,
                                .actor = {.user_id = subject, .label = normalized, .ip = ip},
                                .action = "user.signed_in",
                                .target_type = "user",
                                .target_id = subject,
                                .detail = "Signed in"}));
    return {};
  });
  if (!started.ok()) return started.error();
  return session;
}

core::Result<Session> IdentityService::resume_session(const std::string& token) {
  if (token.empty()) return session_ended();
  const std::string hash = secret_hash(token);
  struct Found {
    SessionRecord record;
    std::optional<UserRecord> user;
  };
  auto found = store_->transact(
      [&](IdentityTx& tx) -> core::Result<Found> {
        auto rec = tx.session(hash);
        if (!rec) return session_ended();
        return Found{*rec, tx.user_by_id(rec->user_id)};
      },
      db::TxMode::kRead);
  if (!found.ok()) return found.error();
  const core::TimePoint now = clock_.now();
  const SessionRecord& rec = found->record;
  const bool idle = now - rec.last_seen_at >= settings_.session_idle;
  const bool too_old = now - rec.created_at >= settings_.session_absolute;
  if (idle || too_old || !found->user) {
    (void)store_->transact([&](IdentityTx& tx) -> core::Status {
      tx.delete_session(hash);
      return {};
    });
    return session_ended();
  }
  if (now - rec.last_seen_at >= kTouchInterval) {
    auto touched = store_->transact([&](IdentityTx& tx) -> core::Status {
      tx.touch_session(hash);
      return {};
    });
    if (!touched.ok()) return touched.error();
  }
  return Session{.token = "",
                 .user = found->user->user,
                 .csrf_token = rec.csrf_token,
                 .created_at = rec.created_at,
                 .expires_at = std::min(now + settings_.session_idle,
                                        rec.created_at + settings_.session_absolute)};
}

core::Status IdentityService::sign_out(const std::string& token, const std::string& ip) {
  if (token.empty()) return {};
  const std::string hash = secret_hash(token);
  return store_->transact([&](IdentityTx& tx) -> core::Status {
    auto rec = tx.session(hash);
    if (!rec) return {};
    tx.delete_session(hash);
    auto user = tx.user_by_id(rec->user_id);
    tx.audit(audit_.make_event({.org_id = "",
                                .subject_user_id = rec->user_id,
                                .actor = {.user_id = rec->user_id,
                                          .label = user ? user->email_normalized : rec->user_id,
                                          .ip = ip},
                                .action = "user.signed_out",
                                .target_type = "user",
                                .target_id = rec->user_id,
                                .detail = "Signed out"}));
    return {};
  });
}

// --- Password reset ---

core::Status IdentityService::request_password_reset(const std::string& email,
                                                     const std::string& ip) {
  const std::string normalized = normalize_email(email);
  if (email_problem(normalized)) return {};
  const std::string token = new_secret();
  return store_->transact([&](IdentityTx& tx) -> core::Status {
    auto user = tx.user_by_email(normalized);
    if (!user) return {};
    tx.insert_email_token(secret_hash(token), kPurposeReset, user->user.id, "",
                          tx.now() + settings_.reset_ttl);
    tx.audit(audit_.make_event({.org_id = "",
                                .subject_user_id = user->user.id,
                                .actor = {.user_id = "", .label = normalized, .ip = ip},
                                .action = "user.password_reset_requested",
                                .target_type = "user",
                                .target_id = user->user.id,
                                .detail = "Asked for a password reset link"}));
    return send(tx,
                message(user->user.email, "Reset your Marketlink password", "Reset your password",
                        fmt::format("Hello {},\n\nSomeone asked to reset the password of your "
                                    "Marketlink account. Use this link to choose a new one; "
                                    "it works once and expires in 1 hour.",
                                    user->user.name),
                        "Choose a new password",
                        settings_.public_url + "/password-reset/new?token=" + token));
  });
}

core::Result<User> IdentityService::reset_password(const std::string& token,
                                                   const std::string& new_password,
                                                   const std::string& ip) {
  const std::string hash = secret_hash(token);
  auto rec = store_->transact(
      [&](IdentityTx& tx) -> core::Result<EmailTokenRecord> {
        auto r = tx.email_token(hash);
        if (auto s = check_token(r, kPurposeReset, tx.now()); !s.ok()) return s.error();
        return *r;
      },
      db::TxMode::kRead);
  if (!rec.ok()) return rec.error();
  std::vector<core::ErrorDetail> errors;
  auto password_hash = hash_new_password(new_password, "", errors);
  if (!password_hash.ok()) return password_hash.error();
  return store_->transact([&](IdentityTx& tx) -> core::Result<User> {
    auto r = tx.email_token(hash);
    if (auto s = check_token(r, kPurposeReset, tx.now()); !s.ok()) return s.error();
    auto user = tx.user_by_id(r->user_id);
    if (!user) return core::invalid("This link is not valid.", "token_invalid");
    tx.set_password(user->user.id, *password_hash);
    tx.mark_verified(user->user.id);
    tx.use_email_tokens(user->user.id, kPurposeReset);
    tx.delete_sessions_of(user->user.id);
    tx.clear_failures(user->email_normalized);
    tx.audit(audit_.make_event(
        {.org_id = "",
         .subject_user_id = user->user.id,
         .actor = {.user_id = user->user.id, .label = user->email_normalized, .ip = ip},
         .action = "user.password_reset",
         .target_type = "user",
         .target_id = user->user.id,
         .detail = "Set a new password; every session ended"}));
    user->user.verified = true;
    user->user.has_password = true;
    return user->user;
  });
}

core::Status IdentityService::check_email_token(const std::string& token, bool invitation) {
  const std::string hash = secret_hash(token);
  return store_->transact(
      [&](IdentityTx& tx) -> core::Status {
        return check_token(tx.email_token(hash), invitation ? kPurposeInvite : kPurposeReset,
                           tx.now());
      },
      db::TxMode::kRead);
}

// --- Organizations ---

core::Result<Organization> IdentityService::create_organization(const NewOrganization& input,
                                                                const Actor& actor) {
  const std::string name = std::string(trim_name(input.name));
  std::vector<core::ErrorDetail> errors;
  check_name_field(name, "name", "Enter the organization's name.", kMaxNameLength, errors);
  if (input.kind == OrgKind::kMarketplace) {
    const std::string& mp = input.marketplace_id;
    const bool shaped =
        mp.size() > 3 && mp.starts_with("MP-") && std::all_of(mp.begin() + 3, mp.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        });
    if (!shaped) {
      errors.push_back(
          {.field = "marketplace_id", .message = "A marketplace needs an id like MP-0000."});
    }
  } else if (!input.marketplace_id.empty()) {
    errors.push_back({.field = "marketplace_id",
                      .message = "Only marketplace organizations have a marketplace id."});
  }
  if (input.subscription == SubscriptionStatus::kExpired) {
    errors.push_back({.field = "subscription", .message = "Use none, trial or active."});
  } else if (input.kind != OrgKind::kCustomer && input.subscription != SubscriptionStatus::kNone) {
    errors.push_back(
        {.field = "subscription", .message = "Only customer organizations have a subscription."});
  }
  if (!errors.empty()) return form_error(errors);
  const core::TimePoint now = clock_.now();
  const std::string org_id = ids_.new_id();
  Organization org{.id = org_id,
                   .slug = organization_slug(name, org_id),
                   .name = name,
                   .kind = input.kind,
                   .marketplace_id = input.marketplace_id,
                   .subscription = input.subscription,
                   .trial_ends_at = std::nullopt,
                   .created_at = now};
  if (org.subscription == SubscriptionStatus::kTrial)
    org.trial_ends_at = now + settings_.trial_length;
  auto done = store_->transact([&](IdentityTx& tx) -> core::Status {
    auto admin = tx.user_by_id(input.admin_user_id);
    if (!admin) return core::not_found("The organization's admin does not exist.");
    if (!tx.insert_organization(org)) {
      return core::conflict(
          fmt::format("An organization with the slug \"{}\" or marketplace id \"{}\" exists.",
                      org.slug, org.marketplace_id),
          "slug_taken");
    }
    tx.insert_membership(org.id, admin->user.id, Role::kAdmin);
    tx.audit(
        audit_.make_event({.org_id = org.id,
                           .subject_user_id = "",
                           .actor = actor,
                           .action = "organization.created",
                           .target_type = "organization",
                           .target_id = org.id,
                           .detail = fmt::format("Created {} organization with admin {}",
                                                 to_string(org.kind), admin->email_normalized)}));
    return {};
  });
  if (!done.ok()) return done.error();
  return org;
}

core::Result<Organization> IdentityService::find_organization(const std::string& id_or_slug) {
  return store_->transact(
      [&](IdentityTx& tx) -> core::Result<Organization> {
        auto org = tx.organization(id_or_slug);
        if (!org) return core::not_found("There is no such organization.");
        return *org;
      },
      db::TxMode::kRead);
}

core::Result<Organization> IdentityService::find_marketplace(const std::string& marketplace_id) {
  if (marketplace_id.empty()) return core::not_found("There is no such marketplace.");
  return store_->transact(
      [&](IdentityTx& tx) -> core::Result<Organization> {
        auto org = tx.marketplace_organization(marketplace_id);
        if (!org) return core::not_found("There is no such marketplace.");
        return *org;
      },
      db::TxMode::kRead);
}

core::Result<std::vector<Membership>> IdentityService::memberships(const std::string& user_id) {
  return store_->transact(
      [&](IdentityTx& tx) -> core::Result<std::vector<Membership>> {
        return tx.memberships_of(user_id);
      },
      db::TxMode::kRead);
}

core::Result<Role> IdentityService::role_in(const std::string& org_id, const std::string& user_id) {
  return store_->transact(
      [&](IdentityTx& tx) -> core::Result<Role> {
        auto role = tx.role(org_id, user_id);
        if (!role) return core::not_found("There is no such organization.");
        return *role;
      },
      db::TxMode::kRead);
}

// --- Members ---

core::Result<std::vector<Member>> IdentityService::members(const std::string& org_id) {
  return store_->transact(
      [&](IdentityTx& tx) -> core::Result<std::vector<Member>> { return tx.members_of(org_id); },
      db::TxMode::kRead);
}

core::Result<Invitation> IdentityService::invite(const std::string& org_id,
                                                 const std::string& email, Role role,
                                                 const Actor& actor) {
  const std::string normalized = normalize_email(email);
  if (auto p = email_problem(normalized)) {
    return form_error({{.field = "email", .message = *p}});
  }
  const std::string token = new_secret();
  Invitation invitation;
  std::string org_name;
  auto done = store_->transact([&](IdentityTx& tx) -> core::Status {
    auto org = tx.organization(org_id);
    if (!org) return core::not_found("There is no such organization.");
    org_name = org->name;
    auto user = tx.user_by_email(normalized);
    invitation = Invitation{};
    if (user) {
      if (tx.role(org_id, user->user.id)) {
        return with_field(core::conflict("This person is already a member of the organization.",
                                         "already_member"),
                          "email");
      }
      invitation.member = Member{.user = user->user, .role = role, .joined_at = tx.now()};
    } else {
      const std::string trimmed = std::string(core::trim(email));
      User created{.id = ids_.new_id(),
                   .email = trimmed,
                   .name = default_name(trimmed),
                   .verified = false,
                   .has_password = false,
                   .created_at = tx.now()};
      if (!tx.insert_user({.user = created, .email_normalized = normalized, .password_hash = ""})) {
        return core::conflict("This e-mail address was just registered. Try again.", "email_taken");
      }
      tx.insert_email_token(secret_hash(token), kPurposeInvite, created.id, org_id,
                            tx.now() + settings_.invitation_ttl);
      invitation.member = Member{.user = created, .role = role, .joined_at = tx.now()};
      invitation.new_user = true;
    }
    tx.insert_membership(org_id, invitation.member.user.id, role);
    tx.audit(audit_.make_event(
        {.org_id = org_id,
         .subject_user_id = "",
         .actor = actor,
         .action = invitation.new_user ? "member.invited" : "member.added",
         .target_type = "user",
         .target_id = invitation.member.user.id,
         .detail = fmt::format("{} {} as {}", invitation.new_user ? "Invited" : "Added", normalized,
                               to_string(role))}));
    const User& u = invitation.member.user;
    if (invitation.new_user) {
      return send(tx, message(u.email, fmt::format("You are invited to {} on Marketlink", org_name),
                              fmt::format("Join {}", org_name),
                              fmt::format("Hello,\n\n{} invited you to join {} on Marketlink. "
                                          "Choose your name and password with this link; it works "
                                          "once and expires in 7 days.",
                                          actor.label, org_name),
                              "Accept the invitation",
                              settings_.public_url + "/invitations/accept?token=" + token));
    }
    return send(tx,
                message(u.email, fmt::format("You now have access to {} on Marketlink", org_name),
                        fmt::format("Welcome to {}", org_name),
                        fmt::format("Hello {},\n\n{} added you to {} on Marketlink as {}.", u.name,
                                    actor.label, org_name, display_name(role)),
                        "Sign in", settings_.public_url + "/login"));
  });
  if (!done.ok()) return done.error();
  return invitation;
}

core::Result<User> IdentityService::accept_invitation(const std::string& token,
                                                      const std::string& name,
                                                      const std::string& password,
                                                      const std::string& ip) {
  const std::string hash = secret_hash(token);
  auto rec = store_->transact(
      [&](IdentityTx& tx) -> core::Result<EmailTokenRecord> {
        auto r = tx.email_token(hash);
        if (auto s = check_token(r, kPurposeInvite, tx.now()); !s.ok()) return s.error();
        return *r;
      },
      db::TxMode::kRead);
  if (!rec.ok()) return rec.error();
  const std::string clean_name = std::string(trim_name(name));
  std::vector<core::ErrorDetail> errors;
  check_name_field(clean_name, "name", "Enter your name.", kMaxNameLength, errors);
  auto password_hash = hash_new_password(password, "", errors);
  if (!password_hash.ok()) return password_hash.error();
  return store_->transact([&](IdentityTx& tx) -> core::Result<User> {
    auto r = tx.email_token(hash);
    if (auto s = check_token(r, kPurposeInvite, tx.now()); !s.ok()) return s.error();
    auto user = tx.user_by_id(r->user_id);
    if (!user) return core::invalid("This link is not valid.", "token_invalid");
    if (user->user.has_password) {
      return core::invalid("This account is already set up. Sign in instead.", "token_invalid");
    }
    tx.set_name(user->user.id, clean_name);
    tx.set_password(user->user.id, *password_hash);
    tx.mark_verified(user->user.id);
    tx.use_email_tokens(user->user.id, kPurposeInvite);
    tx.audit(audit_.make_event(
        {.org_id = r->org_id,
         .subject_user_id = "",
         .actor = {.user_id = user->user.id, .label = user->email_normalized, .ip = ip},
         .action = "member.joined",
         .target_type = "user",
         .target_id = user->user.id,
         .detail = "Accepted the invitation"}));
    user->user.name = clean_name;
    user->user.verified = true;
    user->user.has_password = true;
    return user->user;
  });
}

core::Result<Member> IdentityService::change_role(const std::string& org_id,
                                                  const std::string& user_id, Role role,
                                                  const Actor& actor) {
  return store_->transact(
      [&](IdentityTx& tx) -> core::Result<Member> {
        auto current = tx.role(org_id, user_id);
        auto user = tx.user_by_id(user_id);
        if (!current || !user) return core::not_found("This person is not a member.");
        if (*current == Role::kAdmin && role != Role::kAdmin && tx.admin_count(org_id) <= 1) {
          return core::conflict(
              "An organization needs at least one admin. Make someone else an admin first.",
              "last_admin");
        }
        if (*current != role) {
          tx.set_role(org_id, user_id, role);
          tx.audit(
              audit_.make_event({.org_id = org_id,
                                 .subject_user_id = "",
                                 .actor = actor,
                                 .action = "member.role_changed",
                                 .target_type = "user",
                                 .target_id = user_id,
                                 .detail = fmt::format("{}: {} → {}", user->email_normalized,
                                                       to_string(*current), to_string(role))}));
        }
        return Member{.user = user->user, .role = role, .joined_at = tx.now()};
      },
      db::TxMode::kSerializable);
}

core::Status IdentityService::remove_member(const std::string& org_id, const std::string& user_id,
                                            const Actor& actor) {
  return store_->transact(
      [&](IdentityTx& tx) -> core::Status {
        auto current = tx.role(org_id, user_id);
        auto user = tx.user_by_id(user_id);
        if (!current || !user) return core::not_found("This person is not a member.");
        if (*current == Role::kAdmin && tx.admin_count(org_id) <= 1) {
          return core::conflict(
              "An organization needs at least one admin. Make someone else an admin first.",
              "last_admin");
        }
        tx.delete_membership(org_id, user_id);
        tx.audit(audit_.make_event({.org_id = org_id,
                                    .subject_user_id = "",
                                    .actor = actor,
                                    .action = "member.removed",
                                    .target_type = "user",
                                    .target_id = user_id,
                                    .detail = fmt::format("Removed {}", user->email_normalized)}));
        return {};
      },
      db::TxMode::kSerializable);
}

// --- API tokens ---

core::Result<NewApiToken> IdentityService::create_api_token(const std::string& org_id,
                                                            const std::string& name,
                                                            const Actor& actor) {
  const std::string clean = std::string(trim_name(name));
  std::vector<core::ErrorDetail> errors;
  check_name_field(clean, "name", "Give the token a name of 1 to 100 characters.",
                   kMaxTokenNameLength, errors);
  if (!errors.empty()) return form_error(errors);
  NewApiToken created;
  created.secret = new_secret(kApiTokenPrefix);
  created.token = ApiToken{.id = ids_.new_id(),
                           .org_id = org_id,
                           .name = clean,
                           .hint = created.secret.substr(0, 8),
                           .created_by = actor.label,
                           .created_at = clock_.now(),
                           .last_used_at = std::nullopt,
                           .revoked = false};
  auto done = store_->transact([&](IdentityTx& tx) -> core::Status {
    if (!tx.organization(org_id)) return core::not_found("There is no such organization.");
    tx.insert_api_token(created.token, secret_hash(created.secret));
    tx.audit(audit_.make_event({.org_id = org_id,
                                .subject_user_id = "",
                                .actor = actor,
                                .action = "api_token.created",
                                .target_type = "api_token",
                                .target_id = created.token.id,
                                .detail = fmt::format("Created API token \"{}\"", clean)}));
    return {};
  });
  if (!done.ok()) return done.error();
  return created;
}

core::Result<std::vector<ApiToken>> IdentityService::api_tokens(const std::string& org_id) {
  return store_->transact(
      [&](IdentityTx& tx) -> core::Result<std::vector<ApiToken>> { return tx.api_tokens(org_id); },
      db::TxMode::kRead);
}

core::Status IdentityService::revoke_api_token(const std::string& org_id,
                                               const std::string& token_id, const Actor& actor) {
  return store_->transact([&](IdentityTx& tx) -> core::Status {
    if (!tx.revoke_api_token(org_id, token_id)) {
      return core::not_found("There is no such active API token.");
    }
    tx.audit(audit_.make_event({.org_id = org_id,
                                .subject_user_id = "",
                                .actor = actor,
                                .action = "api_token.revoked",
                                .target_type = "api_token",
                                .target_id = token_id,
                                .detail = "Revoked an API token"}));
    return {};
  });
}

core::Result<TokenPrincipal> IdentityService::authenticate_token(const std::string& secret) {
  const core::Error refused =
      core::unauthenticated("The API token is not valid or was revoked.", "invalid_token");
  if (!secret.starts_with(kApiTokenPrefix)) return refused;
  const std::string hash = secret_hash(secret);
  auto found = store_->transact(
      [&](IdentityTx& tx) -> core::Result<TokenPrincipal> {
        auto token = tx.api_token_by_hash(hash);
        if (!token || token->revoked) return refused;
        auto org = tx.organization(token->org_id);
        if (!org) return refused;
        return TokenPrincipal{.token = *token, .org = *org};
      },
      db::TxMode::kRead);
  if (!found.ok()) return found;
  const core::TimePoint now = clock_.now();
  if (!found->token.last_used_at || now - *found->token.last_used_at >= kTouchInterval) {
    (void)store_->transact([&](IdentityTx& tx) -> core::Status {
      tx.touch_api_token(found->token.id);
      return {};
    });
    found->token.last_used_at = now;
  }
  return found;
}

}  // namespace identity
