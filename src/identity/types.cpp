#include "identity/types.h"

#include <cctype>

namespace identity {

const char* to_string(OrgKind kind) {
  switch (kind) {
    case OrgKind::kCustomer: return "customer";
    case OrgKind::kProvider: return "provider";
    case OrgKind::kMarketplace: return "marketplace";
    case OrgKind::kOperator: return "operator";
  }
  return "customer";
}

const char* to_string(Role role) { return role == Role::kAdmin ? "admin" : "member"; }

const char* to_string(SubscriptionStatus status) {
  switch (status) {
    case SubscriptionStatus::kNone: return "none";
    case SubscriptionStatus::kTrial: return "trial";
    case SubscriptionStatus::kActive: return "active";
    case SubscriptionStatus::kExpired: return "expired";
  }
  return "none";
}

std::optional<OrgKind> parse_org_kind(std::string_view t) {
  if (t == "customer") return OrgKind::kCustomer;
  if (t == "provider") return OrgKind::kProvider;
  if (t == "marketplace") return OrgKind::kMarketplace;
  if (t == "operator") return OrgKind::kOperator;
  return std::nullopt;
}

std::optional<Role> parse_role(std::string_view t) {
  if (t == "admin") return Role::kAdmin;
  if (t == "member") return Role::kMember;
  return std::nullopt;
}

std::optional<SubscriptionStatus> parse_subscription_status(std::string_view t) {
  if (t == "none") return SubscriptionStatus::kNone;
  if (t == "trial") return SubscriptionStatus::kTrial;
  if (t == "active") return SubscriptionStatus::kActive;
  if (t == "expired") return SubscriptionStatus::kExpired;
  return std::nullopt;
}

const char* display_name(OrgKind kind) {
  switch (kind) {
    case OrgKind::kCustomer: return "Customer";
    case OrgKind::kProvider: return "Provider";
    case OrgKind::kMarketplace: return "Marketplace";
    case OrgKind::kOperator: return "Operator";
  }
  return "Customer";
}

const char* display_name(Role role) { return role == Role::kAdmin ? "Admin" : "Member"; }

std::string slug_for(std::string_view name) {
  std::string out;
  bool pending_hyphen = false;
  for (const char raw : name) {
    const auto c = static_cast<unsigned char>(raw);
    if (std::isspace(c)) {
      pending_hyphen = !out.empty();
      continue;
    }
    const char lower = static_cast<char>(std::tolower(c));
    if (!(std::isalnum(static_cast<unsigned char>(lower)) || lower == '-' || lower == '_') ||
        c >= 0x80) {
      continue;
    }
    if (pending_hyphen && out.back() != '-') out += '-';
    pending_hyphen = false;
    out += lower;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string normalize_email(std::string_view email) {
  size_t begin = 0;
  size_t end = email.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(email[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(email[end - 1]))) --end;
  std::string out(email.substr(begin, end - begin));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace identity
