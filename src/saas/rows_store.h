// What the saas stores share to run portable SQL through SOCI: statements with text parameters
// bound in the order they appear, and columns read back whichever type the backend reports.
// Times are stored as fixed-width RFC 3339 UTC text (they sort), optional ones as ''. Private to
// the store files of src/saas.
#pragma once

#include <soci/soci.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/clock.h"
#include "saas/types.h"

namespace saas::rows {

inline std::string text(core::TimePoint t) { return core::format_rfc3339(t); }
inline std::string text(const std::optional<core::TimePoint>& t) {
  return t ? text(*t) : std::string();
}

inline core::TimePoint time_of(const std::string& value) {
  const auto t = core::parse_rfc3339(value);
  if (!t) throw std::runtime_error("saas: malformed time in the database: " + value);
  return *t;
}

inline std::optional<core::TimePoint> optional_time(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return time_of(value);
}

// An integer column, whichever integer type the backend reports it as.
inline long long integer_at(const soci::row& r, size_t i) {
  switch (r.get_properties(i).get_data_type()) {
    case soci::dt_integer: return r.get<int>(i);
    case soci::dt_long_long: return r.get<long long>(i);
    case soci::dt_unsigned_long_long: return static_cast<long long>(r.get<unsigned long long>(i));
    case soci::dt_double: return static_cast<long long>(r.get<double>(i));
    case soci::dt_string: return std::stoll(r.get<std::string>(i));
    default: throw std::runtime_error("saas: unexpected column type for an integer");
  }
}

inline std::string string_at(const soci::row& r, size_t i) { return r.get<std::string>(i, ""); }

// Runs `sql` with `params` bound in order and calls on_row for each row.
template <typename OnRow>
void query(soci::session& s, const std::string& sql, std::vector<std::string> params,
           OnRow&& on_row) {
  soci::row row;
  soci::statement st(s);
  st.exchange(soci::into(row));
  for (std::string& p : params) st.exchange(soci::use(p));
  st.alloc();
  st.prepare(sql);
  st.define_and_bind();
  if (!st.execute(true)) return;
  do {
    on_row(row);
  } while (st.fetch());
}

// Runs a statement without results; returns the rows it affected.
inline long long exec(soci::session& s, const std::string& sql, std::vector<std::string> params) {
  soci::statement st(s);
  for (std::string& p : params) st.exchange(soci::use(p));
  st.alloc();
  st.prepare(sql);
  st.define_and_bind();
  st.execute(true);
  return st.get_affected_rows();
}

// A link's columns (table alias `l`), in the order link_from reads them.
inline constexpr const char* kLinkColumns =
    "SELECT l.id, l.org_id, l.product_code, l.registration_id, l.customer_identifier,"
    " l.customer_aws_account_id, l.license_arn, l.offer_type, l.status, l.free_trial_ends_at,"
    " l.linked_by_user_id, l.created_at, l.updated_at FROM saas_links l";

inline Link link_from(const soci::row& r) {
  Link l;
  l.id = string_at(r, 0);
  l.org_id = string_at(r, 1);
  l.product_code = string_at(r, 2);
  l.registration_id = string_at(r, 3);
  l.customer_identifier = string_at(r, 4);
  l.customer_aws_account_id = string_at(r, 5);
  l.license_arn = string_at(r, 6);
  l.offer_type = string_at(r, 7);
  const auto status = parse_link_status(string_at(r, 8));
  if (!status)
    throw std::runtime_error("saas: unknown link status in the database: " + string_at(r, 8));
  l.status = *status;
  l.free_trial_ends_at = optional_time(string_at(r, 9));
  l.linked_by_user_id = string_at(r, 10);
  l.created_at = time_of(string_at(r, 11));
  l.updated_at = time_of(string_at(r, 12));
  return l;
}

}  // namespace saas::rows
