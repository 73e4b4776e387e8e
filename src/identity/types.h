// Identity's plain data: organizations (tenants), users, memberships and roles, and who acts.
// These structs cross module boundaries; they hold no secrets (no password hashes, no tokens).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace identity {

// What an organization is. Pages and routes show or hide features by kind.
enum class OrgKind {
  kCustomer,     // a company that buys: a SaaS customer, or an end customer of a marketplace
  kProvider,     // owns a pool of preconfigured AWS accounts
  kMarketplace,  // a storefront (marketplace id "MP-0000"), its managers and resellers
  kOperator,     // the platform operator: manages products, sees every registration
};

// A user's role in one organization. Admins manage members, tokens and settings.
enum class Role { kAdmin, kMember };

// A customer organization's own (non-AWS) subscription with the SaaS seller.
enum class SubscriptionStatus { kNone, kTrial, kActive, kExpired };

const char* to_string(OrgKind kind);
const char* to_string(Role role);
const char* to_string(SubscriptionStatus status);
std::optional<OrgKind> parse_org_kind(std::string_view text);
std::optional<Role> parse_role(std::string_view text);
std::optional<SubscriptionStatus> parse_subscription_status(std::string_view text);
// "Customer", "Provider", "Marketplace", "Operator" / "Admin", "Member" for pages.
const char* display_name(OrgKind kind);
const char* display_name(Role role);

struct Organization {
  std::string id;    // random, stable
  std::string slug;  // unique; used in URLs alongside the id (see API.md: {org})
  std::string name;
  OrgKind kind = OrgKind::kCustomer;
  std::string marketplace_id;  // "MP-0000" for marketplaces; empty otherwise
  // Customers only. A trial whose end has passed reads as kExpired.
  SubscriptionStatus subscription = SubscriptionStatus::kNone;
  std::optional<core::TimePoint> trial_ends_at;
  core::TimePoint created_at;
};

struct User {
  std::string id;
  std::string email;  // as the user typed it; compared case-insensitively
  std::string name;
  bool verified = false;      // e-mail address confirmed
  bool has_password = false;  // false for an invited user who has not accepted yet
  core::TimePoint created_at;
};

struct Membership {
  Organization org;
  Role role = Role::kMember;
};

struct Member {
  User user;
  Role role = Role::kMember;
  core::TimePoint joined_at;
};

// Who performs an action: for the audit log. Built by the HTTP layer from the request context,
// or by the CLI ("system").
struct Actor {
  std::string user_id;  // empty for the system or an API token
  std::string label;    // an e-mail address, "API token NAME" or "system"
  std::string ip;       // empty outside HTTP

  static Actor system() { return Actor{.user_id = "", .label = "system", .ip = ""}; }
};

// Names people give users, organizations and API tokens all follow one rule. Any printable text
// in any script is a name: letters of every alphabet ("Иван", "日本語", "Ελληνικά"), digits,
// punctuation, symbols and spaces ("Acme, Inc.", "ci #2"). Refused: bytes that are not UTF-8;
// control characters (C0 U+0000-U+001F, among them NUL, tab, LF, CR and ESC; DEL U+007F; C1
// U+0080-U+009F); the line and paragraph separators U+2028 and U+2029; the bidirectional
// embedding, override and isolate controls U+202A-U+202E and U+2066-U+2069, which would reorder
// the text around the name on a page; and a name that is empty once trimmed. Lengths count
// characters (Unicode code points), not bytes.
enum class NameProblem { kNone, kEmpty, kTooLong, kNotUtf8, kControlCharacter };
// `name` without leading and trailing white space: ASCII white space, the Unicode space
// separators (U+00A0 no-break space, U+3000 ideographic space, ...) and the invisible U+200B and
// U+FEFF. Bytes that are not UTF-8 are kept, for check_name to report.
std::string_view trim_name(std::string_view name);
// What is wrong with `trimmed` (a trim_name result) as a name of at most `max_chars` characters.
NameProblem check_name(std::string_view trimmed, size_t max_chars);

// The slug an organization name gets: lower-cased, runs of spaces as one hyphen, characters other
// than a-z, 0-9, '-' and '_' dropped ("Acme Cloud Ltd" → "acme-cloud-ltd"). Letters outside ASCII
// are dropped too, so a name without an ASCII letter or digit ("日本語", "Ελληνικά", "!!!") gives
// "": see organization_slug.
std::string slug_for(std::string_view name);
// The slug a new organization gets: slug_for(name) when that is not empty, otherwise "org-" and
// the organization's id lower-cased ("日本語" → "org-k3x9…"). Either way it holds only a-z, 0-9,
// '-' and '_', so it is URL-safe as it is; the fallback keeps nearly all of the id's 128 random
// bits, so it does not collide in practice. Sign-up numbers a slug that is taken ("acme-cloud-2");
// IdentityService::create_organization refuses it (conflict).
std::string organization_slug(std::string_view name, std::string_view org_id);
// Lower-cased and trimmed: how e-mail addresses are compared.
std::string normalize_email(std::string_view email);

}  // namespace identity
