#include "saas/metering_store.h"

#include <fmt/format.h>
#include <soci/soci.h>

#include <map>
#include <stdexcept>

#include "saas/rows_store.h"

namespace saas {

namespace {

using namespace rows;  // the helpers every saas store shares

// Every statement of metering, as portable SQL. Parameters are bound in the order they appear.

constexpr const char* kRequestDigest =
    "SELECT body_digest FROM saas_usage_requests WHERE caller_org_id = :caller"
    " AND idempotency_key = :key";
constexpr const char* kInsertRequest =
    "INSERT INTO saas_usage_requests (caller_org_id, idempotency_key, body_digest, created_at)"
    " VALUES (:caller, :key, :digest, :at)";

constexpr const char* kUsageColumns =
    "SELECT id, link_id, org_id, product_code, dimension, hour, quantity, at, received_at,"
    " source, state, note FROM saas_usage";
constexpr const char* kInsertUsage =
    "INSERT INTO saas_usage (id, link_id, org_id, product_code, dimension, hour, quantity, at,"
    " received_at, source, request_key, position, state, note)"
    " VALUES (:id, :link_id, :org_id, :product_code, :dimension, :hour, :quantity, :at,"
    " :received_at, :source, :request_key, :position, :state, :note)";
constexpr const char* kUsageOfRequest = " WHERE request_key = :key ORDER BY position";
constexpr const char* kPendingUsage =
    " WHERE state = 'pending' AND link_id = :link_id ORDER BY hour, dimension, id";
constexpr const char* kSetUsageState =
    "UPDATE saas_usage SET state = :state, note = :note WHERE id = :id";
constexpr const char* kUsageOfLink =
    " WHERE link_id = :link_id ORDER BY hour DESC, received_at DESC, id LIMIT {}";
constexpr const char* kLateUsage = " WHERE state = 'late' ORDER BY received_at DESC, id LIMIT {}";
constexpr const char* kUsageInRange =
    "SELECT dimension, quantity FROM saas_usage WHERE link_id = :link_id AND hour >= :from"
    " AND hour < :to ORDER BY dimension";
constexpr const char* kLateCount =
    "SELECT id FROM saas_usage WHERE link_id = :link_id AND state = 'late' AND hour >= :from";

constexpr const char* kMeterLink =
    "SELECT link_id, active_from, fixed_until FROM saas_meter_links WHERE link_id = :link_id";
constexpr const char* kInsertMeterLink =
    "INSERT INTO saas_meter_links (link_id, active_from, fixed_until)"
    " VALUES (:link_id, :active_from, :fixed_until) ON CONFLICT (link_id) DO NOTHING";
constexpr const char* kStatusEventAt =
    "SELECT status_event_at FROM saas_link_lifecycle WHERE link_id = :link_id";
constexpr const char* kSetFixedUntil =
    "UPDATE saas_meter_links SET fixed_until = :until WHERE link_id = :link_id"
    " AND fixed_until < :until_again";
constexpr const char* kLinksToMeter =
    "SELECT id FROM saas_links WHERE status IN ('active', 'unsubscribe_pending')"
    " UNION SELECT DISTINCT link_id FROM saas_usage WHERE state = 'pending' ORDER BY 1";
constexpr const char* kLinkOfBuyer =
    "SELECT id FROM saas_links WHERE product_code = :code"
    " AND (customer_aws_account_id = :buyer OR (customer_identifier <> ''"
    " AND customer_identifier = :buyer_again))"
    " ORDER BY CASE WHEN status IN ('cancelled', 'failed') THEN 1 ELSE 0 END,"
    " created_at DESC, id DESC LIMIT 1";

constexpr const char* kHourColumns =
    "SELECT h.link_id, l.org_id, h.product_code, h.dimension, h.hour, h.quantity, h.state,"
    " h.submissions, h.aws_status, h.metering_record_id, h.last_error, h.fixed_at,"
    " h.submitted_at, h.answered_at";
constexpr const char* kHourExists =
    "SELECT link_id FROM saas_meter_hours WHERE link_id = :link_id AND dimension = :dimension"
    " AND hour = :hour";
constexpr const char* kInsertHour =
    "INSERT INTO saas_meter_hours (link_id, dimension, hour, product_code, quantity, state,"
    " fixed_at) VALUES (:link_id, :dimension, :hour, :product_code, :quantity, 'fixed', :at)"
    " ON CONFLICT (link_id, dimension, hour) DO NOTHING";
constexpr const char* kHoursToSend =
    ", l.customer_identifier, l.customer_aws_account_id, l.license_arn,"
    " p.concurrent_agreements FROM saas_meter_hours h JOIN saas_links l ON l.id = h.link_id"
    " JOIN saas_products p ON p.product_code = h.product_code WHERE h.state = 'fixed'";
constexpr const char* kHoursToSendOfLink = " AND h.link_id = :link_id";
constexpr const char* kHoursToSendOrder =
    " ORDER BY h.product_code, h.hour, h.link_id, h.dimension";
constexpr const char* kMarkSubmitted =
    "UPDATE saas_meter_hours SET submissions = submissions + 1, submitted_at = :at"
    " WHERE link_id = :link_id AND dimension = :dimension AND hour = :hour";
constexpr const char* kAnswerHour =
    "UPDATE saas_meter_hours SET state = :state, aws_status = :aws_status,"
    " metering_record_id = :record_id, last_error = '', answered_at = :at"
    " WHERE link_id = :link_id AND dimension = :dimension AND hour = :hour";
constexpr const char* kHourError =
    "UPDATE saas_meter_hours SET last_error = :error"
    " WHERE link_id = :link_id AND dimension = :dimension AND hour = :hour";
constexpr const char* kHourFrom = " FROM saas_meter_hours h JOIN saas_links l ON l.id = h.link_id";
constexpr const char* kOneHour =
    " WHERE h.link_id = :link_id AND h.dimension = :dimension AND h.hour = :hour";
constexpr const char* kHoursOfLink =
    " WHERE h.link_id = :link_id ORDER BY h.hour DESC, h.dimension LIMIT {}";
constexpr const char* kBilledInRange =
    "SELECT dimension, quantity FROM saas_meter_hours WHERE link_id = :link_id"
    " AND state = 'billed' AND hour >= :from ORDER BY dimension";

constexpr const char* kHourStates =
    "SELECT state, COUNT(*), MIN(hour), MAX(answered_at) FROM saas_meter_hours GROUP BY state";
constexpr const char* kUsageStates =
    "SELECT state, COUNT(*) FROM saas_usage WHERE state IN ('late', 'pending') GROUP BY state";

Usage usage_from(const soci::row& r) {
  Usage u;
  u.id = string_at(r, 0);
  u.link_id = string_at(r, 1);
  u.org_id = string_at(r, 2);
  u.product_code = string_at(r, 3);
  u.dimension = string_at(r, 4);
  u.hour = time_of(string_at(r, 5));
  u.quantity = integer_at(r, 6);
  u.at = time_of(string_at(r, 7));
  u.received_at = time_of(string_at(r, 8));
  u.source = string_at(r, 9);
  const auto state = parse_usage_state(string_at(r, 10));
  if (!state) throw std::runtime_error("saas: unknown usage state " + string_at(r, 10));
  u.state = *state;
  u.note = string_at(r, 11);
  return u;
}

MeteredHour hour_from(const soci::row& r) {
  MeteredHour h;
  h.link_id = string_at(r, 0);
  h.org_id = string_at(r, 1);
  h.product_code = string_at(r, 2);
  h.dimension = string_at(r, 3);
  h.hour = time_of(string_at(r, 4));
  h.quantity = integer_at(r, 5);
  const auto state = parse_hour_state(string_at(r, 6));
  if (!state) throw std::runtime_error("saas: unknown hour state " + string_at(r, 6));
  h.state = *state;
  h.submissions = static_cast<int>(integer_at(r, 7));
  h.aws_status = string_at(r, 8);
  h.metering_record_id = string_at(r, 9);
  h.last_error = string_at(r, 10);
  h.fixed_at = time_of(string_at(r, 11));
  h.submitted_at = optional_time(string_at(r, 12));
  h.answered_at = optional_time(string_at(r, 13));
  return h;
}

std::vector<UsageTotal> totals(soci::session& s, const std::string& sql,
                               std::vector<std::string> params) {
  std::map<std::string, long long> sums;
  query(s, sql, std::move(params),
        [&](const soci::row& r) { sums[string_at(r, 0)] += integer_at(r, 1); });
  std::vector<UsageTotal> out;
  for (const auto& [dimension, quantity] : sums) out.push_back({dimension, quantity});
  return out;
}

}  // namespace

void MeteringTx::lock_link(const std::string& link_id) {
  if (const char* sql = tx_.transaction_lock(); *sql != '\0')
    exec(s_, sql, {"saas.meter", link_id});
}

void MeteringTx::lock_request(const std::string& caller_org_id, const std::string& key) {
  if (const char* sql = tx_.transaction_lock(); *sql != '\0') {
    exec(s_, sql, {"saas.usage." + caller_org_id, key});
  }
}

std::optional<std::string> MeteringTx::request_digest(const std::string& caller_org_id,
                                                      const std::string& key) {
  std::optional<std::string> out;
  query(s_, kRequestDigest, {caller_org_id, key},
        [&](const soci::row& r) { out = string_at(r, 0); });
  return out;
}

void MeteringTx::insert_request(const std::string& caller_org_id, const std::string& key,
                                const std::string& digest, core::TimePoint at) {
  exec(s_, kInsertRequest, {caller_org_id, key, digest, text(at)});
}

std::vector<Usage> MeteringTx::usage_of_request(const std::string& request_key) {
  std::vector<Usage> out;
  query(s_, std::string(kUsageColumns) + kUsageOfRequest, {request_key},
        [&](const soci::row& r) { out.push_back(usage_from(r)); });
  return out;
}

void MeteringTx::insert_usage(const Usage& u, const std::string& request_key, int position) {
  exec(s_, kInsertUsage,
       {u.id, u.link_id, u.org_id, u.product_code, u.dimension, text(u.hour),
        std::to_string(u.quantity), text(u.at), text(u.received_at), u.source, request_key,
        std::to_string(position), usage_state_name(u.state), u.note});
}

std::vector<Usage> MeteringTx::pending_usage(const std::string& link_id) {
  std::vector<Usage> out;
  query(s_, std::string(kUsageColumns) + kPendingUsage, {link_id},
        [&](const soci::row& r) { out.push_back(usage_from(r)); });
  return out;
}

void MeteringTx::set_usage_state(const std::string& usage_id, UsageState state,
                                 const std::string& note) {
  exec(s_, kSetUsageState, {usage_state_name(state), note, usage_id});
}

std::vector<Usage> MeteringTx::usage_of_link(const std::string& link_id, int limit) {
  std::vector<Usage> out;
  query(s_, std::string(kUsageColumns) + fmt::format(kUsageOfLink, limit), {link_id},
        [&](const soci::row& r) { out.push_back(usage_from(r)); });
  return out;
}

std::vector<Usage> MeteringTx::late_usage(int limit) {
  std::vector<Usage> out;
  query(s_, std::string(kUsageColumns) + fmt::format(kLateUsage, limit), {},
        [&](const soci::row& r) { out.push_back(usage_from(r)); });
  return out;
}

std::vector<UsageTotal> MeteringTx::usage_totals(const std::string& link_id, core::TimePoint from,
                                                 core::TimePoint to) {
  return totals(s_, kUsageInRange, {link_id, text(from), text(to)});
}

long long MeteringTx::late_count(const std::string& link_id, core::TimePoint from) {
  long long n = 0;
  query(s_, kLateCount, {link_id, text(from)}, [&](const soci::row&) { ++n; });
  return n;
}

std::optional<MeterLinkRow> MeteringTx::meter_link(const std::string& link_id) {
  std::optional<MeterLinkRow> out;
  query(s_, kMeterLink, {link_id}, [&](const soci::row& r) {
    out = MeterLinkRow{.link_id = string_at(r, 0),
                       .active_from = time_of(string_at(r, 1)),
                       .fixed_until = time_of(string_at(r, 2))};
  });
  return out;
}

void MeteringTx::insert_meter_link(const MeterLinkRow& row) {
  exec(s_, kInsertMeterLink, {row.link_id, text(row.active_from), text(row.fixed_until)});
}

std::optional<core::TimePoint> MeteringTx::status_event_at(const std::string& link_id) {
  std::optional<core::TimePoint> out;
  query(s_, kStatusEventAt, {link_id},
        [&](const soci::row& r) { out = optional_time(string_at(r, 0)); });
  return out;
}

void MeteringTx::set_fixed_until(const std::string& link_id, core::TimePoint until) {
  exec(s_, kSetFixedUntil, {text(until), link_id, text(until)});
}

std::vector<std::string> MeteringTx::links_to_meter() {
  std::vector<std::string> out;
  query(s_, kLinksToMeter, {}, [&](const soci::row& r) { out.push_back(string_at(r, 0)); });
  return out;
}

std::optional<Link> MeteringTx::link_of_buyer(const std::string& product_code,
                                              const std::string& buyer) {
  std::optional<std::string> id;
  query(s_, kLinkOfBuyer, {product_code, buyer, buyer},
        [&](const soci::row& r) { id = string_at(r, 0); });
  if (!id) return std::nullopt;
  return saas_.link(*id);
}

bool MeteringTx::hour_exists(const std::string& link_id, const std::string& dimension,
                             core::TimePoint hour) {
  bool found = false;
  query(s_, kHourExists, {link_id, dimension, text(hour)}, [&](const soci::row&) { found = true; });
  return found;
}

bool MeteringTx::insert_hour(const MeteredHour& h) {
  return exec(s_, kInsertHour,
              {h.link_id, h.dimension, text(h.hour), h.product_code, std::to_string(h.quantity),
               text(h.fixed_at)}) > 0;
}

std::vector<HourToSend> MeteringTx::hours_to_send(const std::optional<std::string>& link_id) {
  std::string sql = std::string(kHourColumns) + kHoursToSend;
  std::vector<std::string> params;
  if (link_id) {
    sql += kHoursToSendOfLink;
    params.push_back(*link_id);
  }
  sql += kHoursToSendOrder;
  std::vector<HourToSend> out;
  query(s_, sql, std::move(params), [&](const soci::row& r) {
    out.push_back({.hour = hour_from(r),
                   .customer_identifier = string_at(r, 14),
                   .customer_aws_account_id = string_at(r, 15),
                   .license_arn = string_at(r, 16),
                   .concurrent_agreements = integer_at(r, 17) != 0});
  });
  return out;
}

void MeteringTx::mark_submitted(const MeteredHour& h, core::TimePoint at) {
  exec(s_, kMarkSubmitted, {text(at), h.link_id, h.dimension, text(h.hour)});
}

void MeteringTx::answer_hour(const MeteredHour& h, HourState state, const std::string& aws_status,
                             const std::string& metering_record_id, core::TimePoint at) {
  exec(s_, kAnswerHour,
       {hour_state_name(state), aws_status, metering_record_id, text(at), h.link_id, h.dimension,
        text(h.hour)});
}

void MeteringTx::set_hour_error(const MeteredHour& h, const std::string& error) {
  exec(s_, kHourError, {error, h.link_id, h.dimension, text(h.hour)});
}

std::optional<MeteredHour> MeteringTx::hour(const std::string& link_id,
                                            const std::string& dimension, core::TimePoint hour) {
  std::optional<MeteredHour> out;
  query(s_, std::string(kHourColumns) + kHourFrom + kOneHour, {link_id, dimension, text(hour)},
        [&](const soci::row& r) { out = hour_from(r); });
  return out;
}

std::vector<MeteredHour> MeteringTx::hours_of_link(const std::string& link_id, int limit) {
  std::vector<MeteredHour> out;
  query(s_, std::string(kHourColumns) + kHourFrom + fmt::format(kHoursOfLink, limit), {link_id},
        [&](const soci::row& r) { out.push_back(hour_from(r)); });
  return out;
}

std::vector<MeteredHour> MeteringTx::alarmed_hours(int limit) {
  std::vector<MeteredHour> out;
  query(s_,
        std::string(kHourColumns) + kHourFrom +
            fmt::format(" WHERE h.state = 'alarm' ORDER BY h.hour DESC, h.link_id, h.dimension"
                        " LIMIT {}",
                        limit),
        {}, [&](const soci::row& r) { out.push_back(hour_from(r)); });
  return out;
}

std::vector<UsageTotal> MeteringTx::billed_totals(const std::string& link_id,
                                                  core::TimePoint from) {
  return totals(s_, kBilledInRange, {link_id, text(from)});
}

MeteringHealth MeteringTx::health() {
  MeteringHealth h;
  query(s_, kHourStates, {}, [&](const soci::row& r) {
    const std::string state = string_at(r, 0);
    const long long n = integer_at(r, 1);
    if (state == "fixed") {
      h.hours_unanswered = n;
      h.oldest_unanswered = optional_time(string_at(r, 2));
    }
    if (state == "alarm") h.hours_alarm = n;
    if (state == "not_subscribed") h.hours_not_subscribed = n;
    if (state == "expired") h.hours_expired = n;
    const auto answered = optional_time(string_at(r, 3));
    if (answered && (!h.last_answer || *answered > *h.last_answer)) h.last_answer = answered;
  });
  query(s_, kUsageStates, {}, [&](const soci::row& r) {
    (string_at(r, 0) == "late" ? h.usage_late : h.usage_pending) = integer_at(r, 1);
  });
  return h;
}

}  // namespace saas
