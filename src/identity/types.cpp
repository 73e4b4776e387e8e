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

namespace {

// The code point of the UTF-8 sequence at text[i], moving i past it; nullopt (i unchanged) for a
// sequence that is not UTF-8: a stray continuation byte, a truncated sequence, an overlong form,
// a surrogate or a value above U+10FFFF.
std::optional<char32_t> next_code_point(std::string_view text, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return text[i++];
  // 110xxxxx, 1110xxxx and 11110xxx lead 2-, 3- and 4-byte sequences; C0, C1 and F5-FF never
  // start one.
  const size_t length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
  if (lead < 0xc2 || lead > 0xf4) return std::nullopt;
  constexpr char32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  char32_t cp = lead & (0x7f >> length);
  if (text.size() - i < length) return std::nullopt;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (byte(i + k) & 0x3f);
  }
  if (cp < kSmallest[length] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return std::nullopt;
  i += length;
  return cp;
}

bool is_name_space(char32_t c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200b) || c == 0x202f || c == 0x205f || c == 0x3000 || c == 0xfeff;
}

bool is_refused_in_name(char32_t c) {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029 ||
         (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

}  // namespace

std::string_view trim_name(std::string_view name) {
  size_t begin = std::string_view::npos;
  size_t end = 0;
  for (size_t i = 0; i < name.size();) {
    const size_t start = i;
    const auto c = next_code_point(name, i);
    if (!c) ++i;  // not UTF-8: content, for check_name to refuse
    if (c && is_name_space(*c)) continue;
    if (begin == std::string_view::npos) begin = start;
    end = i;
  }
  return begin == std::string_view::npos ? std::string_view() : name.substr(begin, end - begin);
}

NameProblem check_name(std::string_view trimmed, size_t max_chars) {
  if (trimmed.empty()) return NameProblem::kEmpty;
  size_t chars = 0;
  for (size_t i = 0; i < trimmed.size(); ++chars) {
    const auto c = next_code_point(trimmed, i);
    if (!c) return NameProblem::kNotUtf8;
    if (is_refused_in_name(*c)) return NameProblem::kControlCharacter;
  }
  return chars > max_chars ? NameProblem::kTooLong : NameProblem::kNone;
}

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

std::string organization_slug(std::string_view name, std::string_view org_id) {
  std::string slug = slug_for(name);
  if (!slug.empty()) return slug;
  slug = "org-";
  for (const char c : org_id)
    slug += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return slug;
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
