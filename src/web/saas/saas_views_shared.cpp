#include "web/saas/saas_views_shared.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "core/text.h"
#include "web/json_support.h"

namespace web {

const char* outcome_chip(saas::Outcome outcome) {
  switch (outcome) {
    case saas::Outcome::kLinked: return "ok";
    case saas::Outcome::kResolved: return "wait";
    case saas::Outcome::kAwsUnavailable: return "wait";
    case saas::Outcome::kRefused: return "fail";
    case saas::Outcome::kInvalidToken: return "fail";
    case saas::Outcome::kExpiredToken: return "fail";
    case saas::Outcome::kProductUnknown: return "fail";
  }
  return "neutral";
}

const char* link_status_chip(saas::LinkStatus status) {
  switch (status) {
    case saas::LinkStatus::kActive: return "ok";
    case saas::LinkStatus::kPending: return "wait";
    case saas::LinkStatus::kUnsubscribePending: return "wait";
    case saas::LinkStatus::kCancelled: return "neutral";
    case saas::LinkStatus::kFailed: return "fail";
  }
  return "neutral";
}

const char* event_label(saas::EventKind kind) {
  switch (kind) {
    case saas::EventKind::kLanded: return "Landed from AWS Marketplace";
    case saas::EventKind::kLandedAgain: return "Landed again with the same token";
    case saas::EventKind::kResolved: return "AWS named the buyer";
    case saas::EventKind::kResolveFailed: return "The token did not resolve";
    case saas::EventKind::kChoseExisting: return "Chose an existing account";
    case saas::EventKind::kChoseNew: return "Chose to create an account";
    case saas::EventKind::kLinkRefused: return "Link refused";
    case saas::EventKind::kLinked: return "Linked";
    case saas::EventKind::kLinkUpdated: return "Existing link took this agreement";
  }
  return "";
}

std::optional<core::TimePoint> parse_day(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto number = [&](size_t at, size_t length, int& out) {
    const char* first = text.data() + at;
    const char* last = first + length;
    if (!std::all_of(first, last, [](char c) { return c >= '0' && c <= '9'; })) return false;
    return std::from_chars(first, last, out).ec == std::errc();
  };
  int y = 0, m = 0, d = 0;
  if (!number(0, 4, y) || !number(5, 2, m) || !number(8, 2, d)) return std::nullopt;
  const std::chrono::year_month_day day{std::chrono::year(y),
                                        std::chrono::month(static_cast<unsigned>(m)),
                                        std::chrono::day(static_cast<unsigned>(d))};
  if (!day.ok()) return std::nullopt;
  return core::TimePoint(std::chrono::sys_days(day));
}

namespace {

// A from/to bound: a day (the start of it; the end of it for `to`) or an RFC 3339 time.
core::Result<std::optional<core::TimePoint>> bound(const http::Request& r, const char* name,
                                                   bool upper) {
  const std::string value(core::trim(r.query(name).value_or("")));
  if (value.empty()) return std::optional<core::TimePoint>();
  if (auto day = parse_day(value)) {
    return std::optional<core::TimePoint>(upper ? *day + std::chrono::hours(24) : *day);
  }
  if (auto t = core::parse_rfc3339(value)) return std::optional<core::TimePoint>(*t);
  return invalid_field(name,
                       std::string(name) + " must be a day (YYYY-MM-DD) or an RFC 3339 time.");
}

}  // namespace

core::Result<saas::RegistrationFilter> registration_filter(const http::Request& r) {
  saas::RegistrationFilter filter;
  filter.product_code = std::string(core::trim(r.query("product_code").value_or("")));
  if (!filter.product_code.empty() && !saas::is_product_code(filter.product_code)) {
    return invalid_field("product_code", "product_code is not a product code.");
  }
  if (auto o = r.query("outcome"); o && !o->empty()) {
    filter.outcome = saas::parse_outcome(*o);
    if (!filter.outcome) {
      return invalid_field("outcome",
                           "outcome must be one of resolved, invalid_token, expired_token, "
                           "product_unknown, aws_unavailable, refused, linked.");
    }
  }
  if (auto s = r.query("status"); s && !s->empty()) {
    filter.link_status = saas::parse_link_status(*s);
    if (!filter.link_status) {
      return invalid_field("status",
                           "status must be one of pending, active, unsubscribe_pending, "
                           "cancelled, failed.");
    }
  }
  if (auto b = r.query("buyer"); b && !b->empty()) {
    std::string digits = *b;
    std::erase_if(digits, [](char c) { return c == ' ' || c == '-'; });
    if (digits.size() != 12 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return invalid_field("buyer", "buyer must be a 12-digit AWS account id.");
    }
    filter.customer_aws_account_id = digits;
  }
  auto from = bound(r, "from", false);
  if (!from.ok()) return from.error();
  filter.landed_from = *from;
  auto to = bound(r, "to", true);
  if (!to.ok()) return to.error();
  filter.landed_before = *to;
  if (filter.landed_from && filter.landed_before && *filter.landed_before <= *filter.landed_from) {
    return invalid_field("to", "to must come after from.");
  }
  return filter;
}

}  // namespace web
