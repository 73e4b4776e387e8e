// Private to web/saas: what the operator's pages, the subscription pages and the JSON API share —
// the status colours of outcomes and links, the words for timeline entries, and the registration
// list's filters as a query string carries them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "http/message.h"
#include "saas/saas.h"
#include "saas/types.h"

namespace web {

// The chip class of a status (UI.md: ok green, wait amber, fail red, neutral grey).
const char* outcome_chip(saas::Outcome outcome);
const char* link_status_chip(saas::LinkStatus status);
// "Landed", "Chose an existing account", … for a registration's timeline.
const char* event_label(saas::EventKind kind);

// A day "YYYY-MM-DD" as its first instant (UTC); nullopt when it is not a calendar day.
std::optional<core::TimePoint> parse_day(std::string_view text);

// The registration list's filters in a query string, the same on the page and in the API:
// product_code, outcome (outcome_name), status (link_status_name), buyer (a 12-digit AWS account
// id; spaces and dashes ignored), from and to (YYYY-MM-DD, both days included, or RFC 3339 times:
// from inclusive, to exclusive). Empty values mean no filter. An invalid / invalid_argument error
// names the bad parameter in its details.
core::Result<saas::RegistrationFilter> registration_filter(const http::Request& request);

}  // namespace web
