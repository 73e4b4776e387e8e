// MeteringService: usage metering to AWS Marketplace, exactly once per customer, dimension and
// hour. Plain structs in and out; AWS is reached through saas::UsageMeter (usage_meter.h), the
// seller's application is told about failures through saas::Outbox. docs/metering.md tells the
// whole story.
//
// Usage in. The seller's application reports usage (record_usage, or import_csv for a file):
// each record names an organization, a product, one of its dimensions, a quantity (an integer
// from 0 to 2^31-1) and a timestamp that is neither in the future (a minute of clock skew is
// allowed) nor older than the window AWS accepts (settings.window, 6 h by default). The
// organization must have a link for the product (the live one, else its newest ended one), and
// the product must be metered (subscription or contract_with_consumption); at most 1000 records
// per call. Every bad record is
// named (detail field "records[i].<field>", or the CSV line); nothing is stored unless all are
// good. Each record lands in its hour (the timestamp truncated to the hour) in one of the
// states of UsageState.
//
// Hours out. run() (the hourly "saas.meter" job, POST /api/v1/metering/run, `marketlink saas
// meter`) first FIXES, in one transaction per link, the quantity of every closed hour of every
// billable link (active or unsubscribe_pending) not fixed yet: per dimension, the sum of the
// usage received for the hour; subscription products get a record for every dimension every
// hour (0 when idle), contract_with_consumption only for the dimensions and hours with usage,
// contract and free never. Hours before the link became active (the hour of the lifecycle event
// that made it active — status_event_at — or, without one, of its updated_at, when metering
// first saw it active) are not sent, nor hours older than the window.
// Then it SENDS every fixed hour not answered yet with BatchMeterUsage: at most 25 records and
// one product per call, the hour's start as the timestamp; legacy listings by customer
// identifier (and product code), concurrent-agreement listings by AWS account id + license ARN
// (and no product code). Each record's own status decides: Success is billed; DuplicateRecord
// echoing our quantity for an hour we had submitted before is billed (our own earlier call),
// otherwise an alarm; CustomerNotSubscribed is held (not sent again) and reported; unknown
// statuses are alarms; UnprocessedRecords are sent again (settings.unprocessed_rounds calls in
// all), then left for the next run; a throttled or failed call leaves its hours fixed and the
// run reports the error (the job then retries with backoff). A fixed hour not answered before
// it leaves the window becomes expired.
//
// Exactly once. An hour's quantity is written before any call carries it and never changes, so
// a crash between the call and the record of its answer resubmits the same quantity, which AWS
// de-duplicates. Usage that arrives for an hour already fixed is late: kept, never sent, and
// reported. Two runs at once (two instances, run-now during the schedule) fix each link under
// a transaction lock, and at worst both send the same fixed quantities, which is safe.
//
// An hour whose summed quantity exceeds what one record carries (2^31-1) is not sent: alarm.
//
// Events (Outbox, may be null): metering_failed with data {"reason": "customer_not_subscribed"
// | "duplicate_record" | "unknown_status" | "quantity_too_large" | "expired" | "late_usage",
// "dimension", "hour", "quantity", "message"} for held hours, alarms, expired hours and late
// usage.
//
// Thread safety: safe for concurrent use from many threads and processes sharing one database.
//
// Errors (core::Error code / slug):
//   invalid   / invalid_usage            bad records: one detail per problem
//   invalid   / invalid_csv              bad CSV rows: one detail per problem (field = line)
//   conflict  / idempotency_key_reused   the key came before with other records
//   invalid   / missing_idempotency_key  record_usage without a key
//   not_found / link_not_found           flush() of an unknown link
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "core/result.h"
#include "identity/identity_service.h"
#include "saas/flush_usage_job.h"
#include "saas/outbox.h"
#include "saas/types.h"
#include "saas/usage_meter.h"

namespace db {
class Database;
}
namespace jobs {
class JobQueue;
}

namespace saas {

inline constexpr const char* kMeterJob = "saas.meter";

struct MeteringSettings {
  // How old a record's timestamp may be: AWS refuses older ones (1 h, later 6 h, now 24 h).
  std::chrono::hours window{6};
  // The hourly "saas.meter" schedule fires at this minute of every hour (0-59).
  int schedule_minute = 10;
  // BatchMeterUsage calls a record left unprocessed gets within one run.
  int unprocessed_rounds = 3;
};

// Where a usage record stands.
enum class UsageState {
  kPending,    // its hour is not fixed yet
  kFixed,      // counted in its hour's fixed quantity
  kLate,       // came after its hour was fixed: kept, reported, never sent
  kNotBilled,  // the link was not billable then (before active, ended, or not metered)
  kExpired,    // its hour left the window before it could be fixed
};
// "pending", "fixed", "late", "not_billed", "expired".
const char* usage_state_name(UsageState state);
std::optional<UsageState> parse_usage_state(std::string_view name);

// Where a fixed hour stands.
enum class HourState {
  kFixed,          // quantity fixed, AWS's answer not recorded yet
  kBilled,         // AWS answered Success (or a duplicate of our own record)
  kNotSubscribed,  // AWS answered CustomerNotSubscribed: held, reported
  kAlarm,          // DuplicateRecord for another quantity, or an unknown status
  kExpired,        // not answered before the hour left the window
};
// "fixed", "billed", "not_subscribed", "alarm", "expired".
const char* hour_state_name(HourState state);
std::optional<HourState> parse_hour_state(std::string_view name);

// One usage record as the seller's application sends it. `quantity` is nullopt when the
// request carried no integer (reported as such).
struct UsageInput {
  std::string org;  // the organization's id or slug
  std::string product_code;
  std::string dimension;
  std::optional<long long> quantity;
  std::string timestamp;  // RFC 3339
};

struct Usage {
  std::string id;
  std::string link_id;
  std::string org_id;
  std::string product_code;
  std::string dimension;
  core::TimePoint hour;
  long long quantity = 0;
  core::TimePoint at;  // the record's timestamp
  core::TimePoint received_at;
  std::string source;  // "api" or "import"
  UsageState state = UsageState::kPending;
  std::string note;  // why, for late, not_billed and expired
};

struct UsageReceipt {
  std::vector<Usage> records;  // in request order
  bool repeated = false;       // the key came before: these are the first request's records
};

struct MeteredHour {
  std::string link_id;
  std::string org_id;
  std::string product_code;
  std::string dimension;
  core::TimePoint hour;
  long long quantity = 0;
  HourState state = HourState::kFixed;
  int submissions = 0;     // calls that carried it
  std::string aws_status;  // the last status AWS gave it, as written
  std::string metering_record_id;
  std::string last_error;  // the last failed call's error
  core::TimePoint fixed_at;
  std::optional<core::TimePoint> submitted_at;
  std::optional<core::TimePoint> answered_at;
};

// What one run did.
struct MeterRun {
  int hours_fixed = 0;   // (link, dimension, hour) quantities fixed by this run
  int calls = 0;         // BatchMeterUsage calls made
  int records_sent = 0;  // records carried by those calls (a resend counts again)
  int billed = 0;
  int not_subscribed = 0;
  int alarms = 0;
  int expired = 0;                    // hours that left the window unanswered
  int unprocessed_left = 0;           // still unprocessed after the last round: next run
  int late_usage = 0;                 // usage found late by this run
  std::vector<MeteredHour> answered;  // the hours AWS answered in this run, in call order
  std::string error;                  // why sending stopped early ("" when it did not)
  bool nothing_due() const { return hours_fixed == 0 && calls == 0 && expired == 0; }
};

struct UsageTotal {
  std::string dimension;
  long long quantity = 0;
};
// An organization's usage of one product, for its subscription page and API.
struct UsageSummary {
  std::string link_id;
  std::vector<UsageTotal> this_hour;          // received in the current hour, by dimension
  std::vector<UsageTotal> this_month;         // received this calendar month (UTC), by dimension
  std::vector<UsageTotal> billed_this_month;  // hours AWS billed this month
  long long late_records = 0;                 // late usage records this month
};

// Where metering stands, for the integration health page and /metrics.
struct MeteringHealth {
  long long hours_unanswered = 0;  // fixed, AWS's answer not recorded yet
  long long hours_alarm = 0;
  long long hours_not_subscribed = 0;
  long long hours_expired = 0;
  long long usage_late = 0;
  long long usage_pending = 0;
  std::optional<core::TimePoint> oldest_unanswered;  // the hour
  std::optional<core::TimePoint> last_answer;        // when AWS last answered a record
};

struct UsageImport {
  long long imported = 0;
};

class MeteringStore;
class MeteringTx;
struct HourToSend;
struct MeterLinkRow;

class MeteringService {
 public:
  // `database` must have the saas migrations applied. `outbox` may be null. Everything
  // referenced must outlive the service.
  MeteringService(db::Database& database, const core::Clock& clock, core::IdGenerator& ids,
                  identity::IdentityService& identity, UsageMeter& meter, Outbox* outbox,
                  MeteringSettings settings = {});
  ~MeteringService();
  MeteringService(const MeteringService&) = delete;
  MeteringService& operator=(const MeteringService&) = delete;

  const MeteringSettings& settings() const { return settings_; }

  // Validates and stores `records` for the caller (the operator organization's id). A repeat of
  // `idempotency_key` by the same caller with the same records returns the first receipt
  // (repeated = true) and changes nothing; with other records: idempotency_key_reused.
  core::Result<UsageReceipt> record_usage(const std::string& caller_org_id,
                                          const std::vector<UsageInput>& records,
                                          const std::string& idempotency_key);
  // A CSV file of usage (header row naming the columns, in any order: org or buyer (an AWS
  // account id or customer identifier), product_code, dimension, quantity, hour (RFC 3339);
  // `,` or `;`, quotes, CRLF, a BOM). All rows or none: invalid_csv lists every bad row.
  core::Result<UsageImport> import_csv(const std::string& caller_org_id, std::string_view csv);

  // Fixes and sends every closed hour due (see the header comment). A run with nothing due
  // changes nothing.
  core::Result<MeterRun> run();
  // The same for one link, now, its current hour included (what has been received so far):
  // the link is unsubscribe_pending and AWS accepts its final records only for a short while.
  // Usage arriving later for that hour is late. A link already cancelled when the flush runs
  // (AWS's unsubscribe-success applied first) still has the usage it received while it was live
  // sent: that is the final usage; AWS's answer to it is recorded like any other.
  core::Result<MeterRun> flush(const std::string& link_id);

  // Registers the "saas.meter" (hourly schedule) and "saas.flush_usage" handlers.
  core::Status register_jobs(jobs::JobQueue& queue);

  // The organization's usage of its live link for `product_code` (its newest link when none is
  // live); "" for any product (the first such link). not_found / link_not_found without one.
  core::Result<UsageSummary> usage_summary(const std::string& org_id,
                                           const std::string& product_code = "") const;
  // The same for one link (any status). not_found / link_not_found for an unknown link.
  core::Result<UsageSummary> link_usage(const std::string& link_id) const;
  // Fixed hours of a link, newest first.
  core::Result<std::vector<MeteredHour>> hours(const std::string& link_id, int limit = 200) const;
  // Usage of a link, newest hour first.
  core::Result<std::vector<Usage>> usage(const std::string& link_id, int limit = 200) const;
  // Late usage of every link, newest first (the operator's report).
  core::Result<std::vector<Usage>> late_usage(int limit = 200) const;
  // Hours of every link AWS answered with an alarm (e.g. DuplicateRecord for another quantity),
  // newest first: aws_status is AWS's answer.
  core::Result<std::vector<MeteredHour>> alarmed_hours(int limit = 50) const;
  // Counts of hours and usage by state.
  core::Result<MeteringHealth> health() const;

 private:
  struct Prepared;
  core::TimePoint now() const { return clock_.now(); }
  core::Result<MeterRun> meter(const std::optional<std::string>& link_id, bool include_current);
  Usage store_usage(MeteringTx& tx, const Prepared& p, const std::string& source,
                    const std::string& request_key, int position, core::TimePoint now);
  MeterLinkRow start_link(MeteringTx& tx, const Link& link, core::TimePoint now) const;
  // `final_flush`: flush() — a cancelled link's pending usage is fixed and sent, not dropped.
  void fix_link(MeteringTx& tx, const std::string& link_id, core::TimePoint until,
                core::TimePoint now, bool final_flush, MeterRun& run);
  core::Status send_batch(const std::vector<HourToSend>& part, MeterRun& run,
                          std::vector<HourToSend>& unprocessed);

  const core::Clock& clock_;
  core::IdGenerator& ids_;
  identity::IdentityService& identity_;
  UsageMeter& meter_;
  Outbox* outbox_;
  MeteringSettings settings_;
  std::unique_ptr<MeteringStore> store_;
};

}  // namespace saas
