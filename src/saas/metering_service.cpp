#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/log.h"
#include "core/text.h"
#include "identity/secrets.h"
#include "jobs/job_queue.h"
#include "saas/metering.h"
#include "saas/metering_store.h"
#include "saas/usage_csv.h"

namespace saas {

namespace {

constexpr std::chrono::hours kHour{1};

constexpr long long kMaxQuantity = 2147483647;
// How far ahead of our clock a record's timestamp may be (the seller's clock may run ahead).
constexpr auto kClockSkew = std::chrono::minutes(1);
constexpr int kMaxErrors = 1000;
constexpr size_t kMaxRecordsPerRequest = 1000;

core::TimePoint hour_floor(core::TimePoint t) {
  return core::TimePoint(std::chrono::floor<std::chrono::hours>(t.time_since_epoch()));
}
core::TimePoint hour_ceil(core::TimePoint t) {
  return core::TimePoint(std::chrono::ceil<std::chrono::hours>(t.time_since_epoch()));
}
core::TimePoint month_start(core::TimePoint t) {
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
  return core::TimePoint(std::chrono::sys_days{ymd.year() / ymd.month() / 1});
}

bool billable(LinkStatus s) {
  return s == LinkStatus::kActive || s == LinkStatus::kUnsubscribePending;
}
bool metered(PricingModel m) {
  return m == PricingModel::kSubscription || m == PricingModel::kContractWithConsumption;
}

std::string hour_text(core::TimePoint t) { return core::format_rfc3339(t); }

OutboxEntry failure_entry(const std::string& org_id, const std::string& product_code,
                          const std::string& link_id, const std::string& reason,
                          const std::string& dimension, core::TimePoint hour, long long quantity,
                          core::TimePoint at, const std::string& message) {
  nlohmann::json data = {{"reason", reason},
                         {"dimension", dimension},
                         {"hour", hour_text(hour)},
                         {"quantity", quantity},
                         {"message", message}};
  return {.event = OutboxEvent::kMeteringFailed,
          .org_id = org_id,
          .product_code = product_code,
          .link_id = link_id,
          .data = data.dump(),
          .at = at};
}

}  // namespace

const char* usage_state_name(UsageState state) {
  switch (state) {
    case UsageState::kPending: return "pending";
    case UsageState::kFixed: return "fixed";
    case UsageState::kLate: return "late";
    case UsageState::kNotBilled: return "not_billed";
    case UsageState::kExpired: return "expired";
  }
  return "pending";
}

std::optional<UsageState> parse_usage_state(std::string_view name) {
  for (UsageState s : {UsageState::kPending, UsageState::kFixed, UsageState::kLate,
                       UsageState::kNotBilled, UsageState::kExpired}) {
    if (name == usage_state_name(s)) return s;
  }
  return std::nullopt;
}

const char* hour_state_name(HourState state) {
  switch (state) {
    case HourState::kFixed: return "fixed";
    case HourState::kBilled: return "billed";
    case HourState::kNotSubscribed: return "not_subscribed";
    case HourState::kAlarm: return "alarm";
    case HourState::kExpired: return "expired";
  }
  return "fixed";
}

std::optional<HourState> parse_hour_state(std::string_view name) {
  for (HourState s : {HourState::kFixed, HourState::kBilled, HourState::kNotSubscribed,
                      HourState::kAlarm, HourState::kExpired}) {
    if (name == hour_state_name(s)) return s;
  }
  return std::nullopt;
}

// A record that passed every check, with what storing it needs.
struct MeteringService::Prepared {
  Link link;
  std::string dimension;
  long long quantity = 0;
  core::TimePoint at;
};

MeteringService::MeteringService(db::Database& database, const core::Clock& clock,
                                 core::IdGenerator& ids, identity::IdentityService& identity,
                                 UsageMeter& meter, Outbox* outbox, MeteringSettings settings)
    : clock_(clock),
      ids_(ids),
      identity_(identity),
      meter_(meter),
      outbox_(outbox),
      settings_(settings),
      store_(std::make_unique<MeteringStore>(database)) {}

MeteringService::~MeteringService() = default;

// --- Usage in ---------------------------------------------------------------------------------

namespace {

// Finds the organization's link for the product: the live one, else the newest ended one.
std::optional<Link> link_for(SaasTx& tx, const std::string& org_id, const std::string& code) {
  if (auto live = tx.live_link_of_org(org_id, code)) return live;
  for (const Link& l : tx.links_of_org(org_id)) {
    if (l.product_code == code && l.status != LinkStatus::kFailed) return l;
  }
  return std::nullopt;
}

}  // namespace

core::Result<UsageReceipt> MeteringService::record_usage(const std::string& caller_org_id,
                                                         const std::vector<UsageInput>& records,
                                                         const std::string& idempotency_key) {
  if (idempotency_key.empty()) {
    return core::invalid("An Idempotency-Key header is required.", "missing_idempotency_key");
  }
  if (idempotency_key.size() > 255) {
    return core::invalid("The Idempotency-Key is longer than 255 characters.",
                         "invalid_idempotency_key");
  }
  std::string canonical;
  for (const UsageInput& r : records) {
    canonical += fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}\x1e", r.org, r.product_code, r.dimension,
                             r.quantity ? std::to_string(*r.quantity) : "-", r.timestamp);
  }
  const std::string digest = identity::secret_hash(canonical);
  const std::string request_key = caller_org_id + "\n" + idempotency_key;
  const auto repeated = [&](MeteringTx& tx) -> std::optional<core::Result<UsageReceipt>> {
    auto seen = tx.request_digest(caller_org_id, idempotency_key);
    if (!seen) return std::nullopt;
    if (*seen != digest) {
      return core::Result<UsageReceipt>(core::conflict(
          "This Idempotency-Key was used before with other records: use a new key for new usage.",
          "idempotency_key_reused"));
    }
    return core::Result<UsageReceipt>(
        UsageReceipt{.records = tx.usage_of_request(request_key), .repeated = true});
  };
  auto first =
      store_->read([&](MeteringTx& tx) -> core::Result<std::optional<core::Result<UsageReceipt>>> {
        return repeated(tx);
      });
  if (!first.ok()) return first.error();
  if (*first) return std::move(**first);

  if (records.empty()) {
    return core::invalid("Send at least one usage record.", "invalid_usage");
  }
  if (records.size() > kMaxRecordsPerRequest) {
    return core::invalid(fmt::format("Send at most {} usage records per request (or import a CSV "
                                     "file).",
                                     kMaxRecordsPerRequest),
                         "invalid_usage");
  }
  const core::TimePoint now = this->now();
  std::vector<core::ErrorDetail> errors;
  std::vector<Prepared> prepared;
  // Organizations by what the caller named them, asked of identity once each.
  std::map<std::string, std::optional<identity::Organization>> orgs;
  for (size_t i = 0; i < records.size(); ++i) {
    const UsageInput& r = records[i];
    const std::string at = fmt::format("records[{}]", i);
    const size_t before = errors.size();
    if (!orgs.contains(r.org)) {
      auto found = r.org.empty() ? core::Result<identity::Organization>(core::not_found(""))
                                 : identity_.find_organization(r.org);
      if (!found.ok() && found.error().code != core::ErrorCode::kNotFound) return found.error();
      orgs[r.org] = found.ok() ? std::optional(*found) : std::nullopt;
    }
    const auto& org = orgs[r.org];
    if (!org) {
      errors.push_back({at + ".org", r.org.empty() ? "org is required."
                                                   : fmt::format("No organization {}.", r.org)});
    }
    if (!r.quantity || *r.quantity < 0 || *r.quantity > kMaxQuantity) {
      errors.push_back({at + ".quantity",
                        fmt::format("quantity must be an integer from 0 to {}.", kMaxQuantity)});
    }
    const auto t = core::parse_rfc3339(r.timestamp);
    if (!t) {
      errors.push_back({at + ".timestamp", "timestamp must be an RFC 3339 time."});
    } else if (*t > now + kClockSkew) {
      errors.push_back({at + ".timestamp", "timestamp is in the future."});
    } else if (*t < now - settings_.window) {
      errors.push_back(
          {at + ".timestamp", fmt::format("timestamp is older than AWS Marketplace accepts ({} h).",
                                          settings_.window.count())});
    }
    auto looked = store_->read([&](MeteringTx& tx) -> core::Result<bool> {
      auto product = tx.saas().product(r.product_code, Lock::kNone);
      if (!product) {
        errors.push_back({at + ".product_code", r.product_code.empty()
                                                    ? "product_code is required."
                                                    : "No product " + r.product_code + "."});
        return false;
      }
      if (!metered(product->pricing_model)) {
        errors.push_back({at + ".product_code",
                          fmt::format("The product {} is not metered (pricing model {}).",
                                      r.product_code, pricing_model_name(product->pricing_model))});
      }
      if (std::none_of(product->dimensions.begin(), product->dimensions.end(),
                       [&](const Dimension& d) { return d.name == r.dimension; })) {
        errors.push_back({at + ".dimension", fmt::format("The product {} has no dimension \"{}\".",
                                                         r.product_code, r.dimension)});
      }
      if (!org) return false;
      auto link = link_for(tx.saas(), org->id, r.product_code);
      if (!link) {
        errors.push_back({at + ".org", fmt::format("The organization {} has no link for {}.",
                                                   org->slug, r.product_code)});
        return false;
      }
      if (errors.size() == before) {
        prepared.push_back(
            {.link = *link, .dimension = r.dimension, .quantity = *r.quantity, .at = *t});
      }
      return true;
    });
    if (!looked.ok()) return looked.error();
  }
  if (!errors.empty()) {
    core::Error error = core::invalid(
        fmt::format("{} in the usage records: nothing was stored.",
                    core::count_of(static_cast<long long>(errors.size()), "problem", "problems")),
        "invalid_usage");
    error.details = std::move(errors);
    return error;
  }
  return store_->write([&](MeteringTx& tx) -> core::Result<UsageReceipt> {
    tx.lock_request(caller_org_id, idempotency_key);
    if (auto again = repeated(tx)) return std::move(*again);
    tx.insert_request(caller_org_id, idempotency_key, digest, now);
    UsageReceipt receipt;
    for (size_t i = 0; i < prepared.size(); ++i) {
      receipt.records.push_back(
          store_usage(tx, prepared[i], "api", request_key, static_cast<int>(i), now));
    }
    return receipt;
  });
}

Usage MeteringService::store_usage(MeteringTx& tx, const Prepared& p, const std::string& source,
                                   const std::string& request_key, int position,
                                   core::TimePoint now) {
  tx.lock_link(p.link.id);
  const Link link = tx.saas().link(p.link.id).value_or(p.link);
  Usage u{.id = ids_.new_id(),
          .link_id = link.id,
          .org_id = link.org_id,
          .product_code = link.product_code,
          .dimension = p.dimension,
          .hour = hour_floor(p.at),
          .quantity = p.quantity,
          .at = p.at,
          .received_at = now,
          .source = source,
          .state = UsageState::kPending,
          .note = ""};
  if (!is_live(link.status)) {
    u.state = UsageState::kNotBilled;
    u.note =
        fmt::format("The link is {}: its usage is kept, not sent.", link_status_name(link.status));
  } else {
    auto progress = tx.meter_link(link.id);
    if (!progress && billable(link.status)) progress = start_link(tx, link, now);
    if (progress &&
        (u.hour < progress->fixed_until || tx.hour_exists(link.id, u.dimension, u.hour))) {
      u.state = UsageState::kLate;
      u.note =
          fmt::format("The hour {} was sent to AWS before this usage came.", hour_text(u.hour));
    } else if (progress && u.hour < progress->active_from) {
      u.state = UsageState::kNotBilled;
      u.note = "The hour is before the link became active.";
    }
  }
  tx.insert_usage(u, request_key, position);
  if (u.state == UsageState::kLate && outbox_) {
    outbox_->record(tx.transaction(),
                    failure_entry(u.org_id, u.product_code, u.link_id, "late_usage", u.dimension,
                                  u.hour, u.quantity, now, u.note));
  }
  return u;
}

// The first billed hour: that of the event that made the link active (a buyer may have
// subscribed at AWS hours before linking), else of the link's last change; never older than the
// oldest hour AWS still accepts.
MeterLinkRow MeteringService::start_link(MeteringTx& tx, const Link& link,
                                         core::TimePoint now) const {
  const core::TimePoint activated = tx.status_event_at(link.id).value_or(link.updated_at);
  const core::TimePoint from = std::max(hour_floor(activated), hour_ceil(now - settings_.window));
  tx.insert_meter_link({.link_id = link.id, .active_from = from, .fixed_until = from});
  return *tx.meter_link(link.id);
}

core::Result<UsageImport> MeteringService::import_csv(const std::string& caller_org_id,
                                                      std::string_view csv) {
  (void)caller_org_id;
  CsvText text = read_usage_csv(csv);
  std::vector<core::ErrorDetail> errors = std::move(text.errors);
  const auto fail = [&]() -> core::Error {
    std::sort(errors.begin(), errors.end(),
              [](const auto& a, const auto& b) { return std::stoi(a.field) < std::stoi(b.field); });
    const long long total = static_cast<long long>(errors.size());
    if (errors.size() > static_cast<size_t>(kMaxErrors)) errors.resize(kMaxErrors);
    core::Error error = core::invalid(fmt::format("{} in the file: nothing was imported.",
                                                  core::count_of(total, "problem", "problems")),
                                      "invalid_csv");
    error.details = std::move(errors);
    return error;
  };
  if (text.rows.empty()) {
    if (errors.empty()) errors.push_back({"1", "The file is empty: a header row is expected."});
    return fail();
  }
  // The header names the columns.
  const CsvRow& header = text.rows.front();
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    std::string name = header.fields[i];
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    column[name] = i;
  }
  std::vector<std::string> missing;
  for (const char* name : {"product_code", "dimension", "quantity", "hour"}) {
    if (!column.contains(name)) missing.push_back(name);
  }
  if (!column.contains("org") && !column.contains("buyer")) missing.push_back("org or buyer");
  if (!missing.empty()) {
    errors.push_back({std::to_string(header.line),
                      "The header row must name the columns org (or buyer), product_code, "
                      "dimension, quantity and hour; missing: " +
                          core::join_first(missing, missing.size()) + "."});
    return fail();
  }
  const core::TimePoint now = this->now();
  std::map<std::string, std::optional<identity::Organization>> orgs;
  std::vector<Prepared> prepared;
  auto looked = store_->read([&](MeteringTx& tx) -> core::Result<bool> {
    std::map<std::string, std::optional<Product>> products;
    for (size_t n = 1; n < text.rows.size(); ++n) {
      const CsvRow& row = text.rows[n];
      const std::string line = std::to_string(row.line);
      if (row.fields.size() != header.fields.size()) {
        errors.push_back({line, fmt::format("Expected {} fields, found {}.", header.fields.size(),
                                            row.fields.size())});
        continue;
      }
      const auto field = [&](const char* name) -> std::string {
        auto it = column.find(name);
        return it == column.end() ? std::string() : row.fields[it->second];
      };
      std::vector<std::string> problems;
      const std::string code = field("product_code");
      if (!products.contains(code)) products[code] = tx.saas().product(code, Lock::kNone);
      const auto& product = products[code];
      if (!product) {
        problems.push_back(code.empty() ? "product_code is empty." : "No product " + code + ".");
      } else {
        if (!metered(product->pricing_model)) {
          problems.push_back(fmt::format("The product {} is not metered (pricing model {}).", code,
                                         pricing_model_name(product->pricing_model)));
        }
        const std::string dimension = field("dimension");
        if (std::none_of(product->dimensions.begin(), product->dimensions.end(),
                         [&](const Dimension& d) { return d.name == dimension; })) {
          problems.push_back(
              fmt::format("The product {} has no dimension \"{}\".", code, dimension));
        }
      }
      long long quantity = -1;
      {
        const std::string q = field("quantity");
        try {
          size_t used = 0;
          quantity = q.empty() ? -1 : std::stoll(q, &used);
          if (used != q.size()) quantity = -1;
        } catch (const std::exception&) {
          quantity = -1;
        }
        if (quantity < 0 || quantity > kMaxQuantity) {
          problems.push_back(
              fmt::format("quantity must be an integer from 0 to {}.", kMaxQuantity));
        }
      }
      const auto t = core::parse_rfc3339(field("hour"));
      if (!t) {
        problems.push_back("hour must be an RFC 3339 time, e.g. 2026-12-03T09:00:00Z.");
      } else if (*t > now + kClockSkew) {
        problems.push_back("hour is in the future.");
      } else if (*t < now - settings_.window) {
        problems.push_back(fmt::format("hour is older than AWS Marketplace accepts ({} h).",
                                       settings_.window.count()));
      }
      std::optional<Link> link;
      const std::string org_name = field("org");
      const std::string buyer = field("buyer");
      if (!org_name.empty()) {
        if (!orgs.contains(org_name)) {
          auto found = identity_.find_organization(org_name);
          if (!found.ok() && found.error().code != core::ErrorCode::kNotFound) {
            return found.error();
          }
          orgs[org_name] = found.ok() ? std::optional(*found) : std::nullopt;
        }
        const auto& org = orgs[org_name];
        if (!org) {
          problems.push_back("No organization " + org_name + ".");
        } else if (product) {
          link = link_for(tx.saas(), org->id, code);
          if (!link) problems.push_back(fmt::format("{} has no link for {}.", org->slug, code));
        }
      } else if (!buyer.empty()) {
        if (product) {
          link = tx.link_of_buyer(code, buyer);
          if (!link || link->status == LinkStatus::kFailed) {
            link.reset();
            problems.push_back(fmt::format("No buyer {} of {}.", buyer, code));
          }
        }
      } else {
        problems.push_back("Each row names an org or a buyer.");
      }
      for (const std::string& p : problems) errors.push_back({line, p});
      if (problems.empty() && link) {
        prepared.push_back(
            {.link = *link, .dimension = field("dimension"), .quantity = quantity, .at = *t});
      }
    }
    return true;
  });
  if (!looked.ok()) return looked.error();
  if (!errors.empty()) return fail();
  return store_->write([&](MeteringTx& tx) -> core::Result<UsageImport> {
    for (size_t i = 0; i < prepared.size(); ++i) {
      store_usage(tx, prepared[i], "import", "", static_cast<int>(i), now);
    }
    return UsageImport{.imported = static_cast<long long>(prepared.size())};
  });
}

// --- Hours out --------------------------------------------------------------------------------

core::Result<MeterRun> MeteringService::run() { return meter(std::nullopt, false); }

core::Result<MeterRun> MeteringService::flush(const std::string& link_id) {
  auto link = store_->read(
      [&](MeteringTx& tx) -> core::Result<bool> { return tx.saas().link(link_id).has_value(); });
  if (!link.ok()) return link.error();
  if (!*link) return core::not_found("No link " + link_id + ".", "link_not_found");
  return meter(link_id, true);
}

void MeteringService::fix_link(MeteringTx& tx, const std::string& link_id, core::TimePoint until,
                               core::TimePoint now, bool final_flush, MeterRun& run) {
  tx.lock_link(link_id);
  const auto link = tx.saas().link(link_id);
  if (!link) return;
  const auto product = tx.saas().product(link->product_code, Lock::kNone);
  std::vector<Usage> pending = tx.pending_usage(link_id);
  const auto settle = [&](const Usage& u, UsageState state, const std::string& note,
                          const char* reason) {
    tx.set_usage_state(u.id, state, note);
    if (reason && outbox_) {
      outbox_->record(tx.transaction(), failure_entry(u.org_id, u.product_code, u.link_id, reason,
                                                      u.dimension, u.hour, u.quantity, now, note));
    }
  };
  // The flush queued when the subscription began to end may run after AWS's unsubscribe-success
  // was applied: the usage the link received while it was live is still its final usage.
  const bool ending = final_flush && link->status == LinkStatus::kCancelled;
  if (!product || (!is_live(link->status) && !ending) || !metered(product->pricing_model)) {
    const std::string note = !is_live(link->status)
                                 ? fmt::format("The link is {}: its usage is kept, not sent.",
                                               link_status_name(link->status))
                                 : "The product is not metered.";
    for (const Usage& u : pending) settle(u, UsageState::kNotBilled, note, nullptr);
    return;
  }
  if (!billable(link->status) && !ending) return;  // pending: wait for AWS to confirm
  // An ended link's hours stop with the hour it ended in (the event that cancelled it).
  if (ending) {
    until =
        std::min(until, hour_floor(tx.status_event_at(link_id).value_or(link->updated_at)) + kHour);
  }
  auto progress = tx.meter_link(link_id);
  if (!progress) progress = start_link(tx, *link, now);
  const core::TimePoint window_floor = hour_ceil(now - settings_.window);
  const core::TimePoint from =
      std::max({progress->fixed_until, progress->active_from, window_floor});
  std::map<std::pair<std::string, core::TimePoint>, std::vector<const Usage*>> by_hour;
  for (const Usage& u : pending) by_hour[{u.dimension, u.hour}].push_back(&u);
  std::set<std::string> handled;
  const bool every_hour = product->pricing_model == PricingModel::kSubscription;
  for (core::TimePoint h = from; h < until; h += kHour) {
    for (const Dimension& d : product->dimensions) {
      auto it = by_hour.find({d.name, h});
      if (it == by_hour.end() && !every_hour) continue;
      long long quantity = 0;
      if (it != by_hour.end()) {
        for (const Usage* u : it->second) quantity += u->quantity;
      }
      const bool inserted = tx.insert_hour({.link_id = link_id,
                                            .org_id = link->org_id,
                                            .product_code = link->product_code,
                                            .dimension = d.name,
                                            .hour = h,
                                            .quantity = quantity,
                                            .fixed_at = now});
      if (inserted) ++run.hours_fixed;
      if (it == by_hour.end()) continue;
      for (const Usage* u : it->second) {
        handled.insert(u->id);
        if (inserted) {
          tx.set_usage_state(u->id, UsageState::kFixed, "");
        } else {
          ++run.late_usage;
          settle(*u, UsageState::kLate,
                 fmt::format("The hour {} was sent to AWS before this usage came.", hour_text(h)),
                 "late_usage");
        }
      }
    }
  }
  const core::TimePoint done = std::max(progress->fixed_until, until);
  if (until > progress->fixed_until) tx.set_fixed_until(link_id, until);
  // What is left of the hours now done could not be sent.
  for (const Usage& u : pending) {
    if (handled.contains(u.id) || u.hour >= done) continue;
    if (u.hour < progress->active_from) {
      settle(u, UsageState::kNotBilled, "The hour is before the link became active.", nullptr);
    } else if (u.hour < window_floor) {
      settle(u, UsageState::kExpired,
             "The hour left the window AWS Marketplace accepts before it was sent.", "expired");
    } else if (std::none_of(product->dimensions.begin(), product->dimensions.end(),
                            [&](const Dimension& d) { return d.name == u.dimension; })) {
      settle(u, UsageState::kNotBilled, "The product no longer has this dimension.", nullptr);
    } else {
      ++run.late_usage;
      settle(u, UsageState::kLate,
             fmt::format("The hour {} was sent to AWS before this usage came.", hour_text(u.hour)),
             "late_usage");
    }
  }
}

core::Result<MeterRun> MeteringService::meter(const std::optional<std::string>& link_id,
                                              bool include_current) {
  MeterRun run;
  const core::TimePoint now = this->now();
  const core::TimePoint until = hour_floor(now) + (include_current ? kHour : std::chrono::hours(0));

  // 1. Fix the quantities, one transaction per link.
  std::vector<std::string> links;
  if (link_id) {
    links.push_back(*link_id);
  } else {
    auto listed = store_->read([&](MeteringTx& tx) -> core::Result<std::vector<std::string>> {
      return tx.links_to_meter();
    });
    if (!listed.ok()) return listed.error();
    links = std::move(listed).value();
  }
  for (const std::string& id : links) {
    MeterRun part;
    auto fixed = store_->write([&](MeteringTx& tx) -> core::Status {
      part = MeterRun{};
      fix_link(tx, id, until, now, link_id.has_value() && include_current, part);
      return {};
    });
    if (!fixed.ok()) return fixed.error();
    run.hours_fixed += part.hours_fixed;
    run.late_usage += part.late_usage;
  }

  // 2. Send what is fixed and unanswered; what left the window expires.
  auto due = store_->read([&](MeteringTx& tx) -> core::Result<std::vector<HourToSend>> {
    return tx.hours_to_send(link_id);
  });
  if (!due.ok()) return due.error();
  const core::TimePoint oldest = now - settings_.window;
  std::vector<HourToSend> sendable;
  std::vector<HourToSend> too_old;
  std::vector<HourToSend> too_large;  // more than one BatchMeterUsage record can carry
  for (HourToSend& h : *due) {
    if (h.hour.hour < oldest) {
      too_old.push_back(std::move(h));
    } else if (h.hour.quantity > kMaxQuantity) {
      too_large.push_back(std::move(h));
    } else {
      sendable.push_back(std::move(h));
    }
  }
  if (!too_large.empty()) {
    auto alarmed = store_->write([&](MeteringTx& tx) -> core::Status {
      for (const HourToSend& h : too_large) {
        tx.answer_hour(h.hour, HourState::kAlarm, "", "", now);
        if (outbox_) {
          outbox_->record(
              tx.transaction(),
              failure_entry(h.hour.org_id, h.hour.product_code, h.hour.link_id,
                            "quantity_too_large", h.hour.dimension, h.hour.hour, h.hour.quantity,
                            now,
                            fmt::format("The hour's quantity exceeds {}, the most one record "
                                        "carries: it was not sent.",
                                        kMaxQuantity)));
        }
      }
      return {};
    });
    if (!alarmed.ok()) return alarmed.error();
    run.alarms += static_cast<int>(too_large.size());
  }
  if (!too_old.empty()) {
    auto expired = store_->write([&](MeteringTx& tx) -> core::Status {
      for (const HourToSend& h : too_old) {
        tx.answer_hour(h.hour, HourState::kExpired, h.hour.aws_status, "", now);
        if (outbox_) {
          outbox_->record(tx.transaction(),
                          failure_entry(h.hour.org_id, h.hour.product_code, h.hour.link_id,
                                        "expired", h.hour.dimension, h.hour.hour, h.hour.quantity,
                                        now, "The hour was never answered by AWS Marketplace."));
        }
      }
      return {};
    });
    if (!expired.ok()) return expired.error();
    run.expired = static_cast<int>(too_old.size());
  }
  for (int round = 0; round < settings_.unprocessed_rounds && !sendable.empty(); ++round) {
    std::vector<HourToSend> again;
    size_t start = 0;
    while (start < sendable.size()) {
      // One product per call, at most kMaxMeterBatch records.
      size_t end = start;
      while (end < sendable.size() && end - start < kMaxMeterBatch &&
             sendable[end].hour.product_code == sendable[start].hour.product_code) {
        ++end;
      }
      std::vector<HourToSend> part(sendable.begin() + static_cast<long>(start),
                                   sendable.begin() + static_cast<long>(end));
      start = end;
      auto sent = send_batch(part, run, again);
      if (!sent.ok()) {
        run.error = sent.error().message;
        if (sent.error().code == core::ErrorCode::kUnavailable) {
          // Throttled or down: the rest waits for the next attempt.
          return run;
        }
      }
    }
    sendable = std::move(again);
  }
  run.unprocessed_left = static_cast<int>(sendable.size());
  return run;
}

core::Status MeteringService::send_batch(const std::vector<HourToSend>& part, MeterRun& run,
                                         std::vector<HourToSend>& unprocessed) {
  MeterBatch batch{.product_code = part.front().hour.product_code,
                   .concurrent_agreements = part.front().concurrent_agreements,
                   .records = {}};
  for (const HourToSend& h : part) {
    MeterRecord r{.customer_identifier = "",
                  .customer_aws_account_id = "",
                  .license_arn = "",
                  .dimension = h.hour.dimension,
                  .hour = h.hour.hour,
                  .quantity = h.hour.quantity};
    if (h.concurrent_agreements) {
      r.customer_aws_account_id = h.customer_aws_account_id;
      r.license_arn = h.license_arn;
    } else {
      r.customer_identifier = h.customer_identifier;
    }
    batch.records.push_back(std::move(r));
  }
  // The call is recorded before it is made: a record's later DuplicateRecord can then be told
  // from a first submission.
  const core::TimePoint submitted = now();
  auto marked = store_->write([&](MeteringTx& tx) -> core::Status {
    for (const HourToSend& h : part) tx.mark_submitted(h.hour, submitted);
    return {};
  });
  if (!marked.ok()) return marked.error();
  ++run.calls;
  run.records_sent += static_cast<int>(part.size());
  auto answer = meter_.meter(batch);
  const core::TimePoint at = now();
  if (!answer.ok()) {
    const std::string error = answer.error().message;
    core::log::warn("BatchMeterUsage failed", {{"product", batch.product_code}, {"error", error}});
    auto noted = store_->write([&](MeteringTx& tx) -> core::Status {
      for (const HourToSend& h : part) tx.set_hour_error(h.hour, error);
      return {};
    });
    if (!noted.ok()) return noted.error();
    return answer.error();
  }
  return store_->write([&](MeteringTx& tx) -> core::Status {
    for (const MeterResult& result : answer->results) {
      if (result.index >= part.size()) continue;
      const HourToSend& h = part[result.index];
      const int earlier = h.hour.submissions;  // calls before this one
      HourState state = HourState::kAlarm;
      std::string reason;
      switch (result.status) {
        case MeterStatus::kSuccess: state = HourState::kBilled; break;
        case MeterStatus::kDuplicateRecord:
          if (result.quantity == h.hour.quantity && earlier > 0) {
            state = HourState::kBilled;
          } else {
            reason = "duplicate_record";
          }
          break;
        case MeterStatus::kCustomerNotSubscribed:
          state = HourState::kNotSubscribed;
          reason = "customer_not_subscribed";
          break;
        case MeterStatus::kUnknown: reason = "unknown_status"; break;
      }
      tx.answer_hour(h.hour, state, result.status_text, result.metering_record_id, at);
      MeteredHour answered = h.hour;
      answered.state = state;
      answered.submissions = earlier + 1;
      answered.aws_status = result.status_text;
      answered.metering_record_id = result.metering_record_id;
      answered.submitted_at = submitted;
      answered.answered_at = at;
      run.answered.push_back(answered);
      if (state == HourState::kBilled) ++run.billed;
      if (state == HourState::kNotSubscribed) ++run.not_subscribed;
      if (state == HourState::kAlarm) ++run.alarms;
      if (!reason.empty() && outbox_) {
        outbox_->record(tx.transaction(),
                        failure_entry(h.hour.org_id, h.hour.product_code, h.hour.link_id, reason,
                                      h.hour.dimension, h.hour.hour, h.hour.quantity, at,
                                      fmt::format("AWS Marketplace answered {} for this hour.",
                                                  result.status_text)));
      }
    }
    for (size_t index : answer->unprocessed) {
      if (index >= part.size()) continue;
      HourToSend h = part[index];
      h.hour.submissions += 1;
      tx.set_hour_error(h.hour, "AWS returned the record as unprocessed.");
      unprocessed.push_back(std::move(h));
    }
    return {};
  });
}

// --- Jobs -------------------------------------------------------------------------------------

core::Status MeteringService::register_jobs(jobs::JobQueue& queue) {
  queue.register_handler(kMeterJob, [this](const jobs::Job&) -> core::Status {
    auto ran = run();
    if (!ran.ok()) return ran.error();
    if (!ran->error.empty()) return core::unavailable(ran->error);
    return {};
  });
  queue.register_handler(kFlushUsageJob, [this](const jobs::Job& job) -> core::Status {
    const auto link_id = flush_usage_link(job.payload);
    if (!link_id) return core::invalid("saas.flush_usage needs {\"link_id\": \"…\"}.");
    auto ran = flush(*link_id);
    if (!ran.ok()) {
      if (ran.error().code == core::ErrorCode::kNotFound) return core::invalid(ran.error().message);
      return ran.error();
    }
    if (!ran->error.empty()) return core::unavailable(ran->error);
    return {};
  });
  return queue.add_schedule({.name = kMeterJob,
                             .kind = kMeterJob,
                             .payload = "{}",
                             .when = jobs::hourly_at(settings_.schedule_minute),
                             .max_attempts = 3});
}

// --- Queries ----------------------------------------------------------------------------------

core::Result<UsageSummary> MeteringService::usage_summary(const std::string& org_id,
                                                          const std::string& product_code) const {
  auto link = store_->read([&](MeteringTx& tx) -> core::Result<std::optional<Link>> {
    if (!product_code.empty()) return link_for(tx.saas(), org_id, product_code);
    const auto links = tx.saas().links_of_org(org_id);
    return links.empty() ? std::nullopt : std::optional(links.front());
  });
  if (!link.ok()) return link.error();
  if (!*link) return core::not_found("The organization has no such link.", "link_not_found");
  return link_usage((*link)->id);
}

core::Result<UsageSummary> MeteringService::link_usage(const std::string& link_id) const {
  const core::TimePoint now = this->now();
  return store_->read([&](MeteringTx& tx) -> core::Result<UsageSummary> {
    if (!tx.saas().link(link_id)) return core::not_found("No such link.", "link_not_found");
    const core::TimePoint hour = hour_floor(now);
    const core::TimePoint month = month_start(now);
    return UsageSummary{.link_id = link_id,
                        .this_hour = tx.usage_totals(link_id, hour, hour + kHour),
                        .this_month = tx.usage_totals(link_id, month, hour + kHour),
                        .billed_this_month = tx.billed_totals(link_id, month),
                        .late_records = tx.late_count(link_id, month)};
  });
}

core::Result<std::vector<MeteredHour>> MeteringService::hours(const std::string& link_id,
                                                              int limit) const {
  return store_->read([&](MeteringTx& tx) -> core::Result<std::vector<MeteredHour>> {
    return tx.hours_of_link(link_id, std::clamp(limit, 1, 1000));
  });
}

core::Result<std::vector<Usage>> MeteringService::usage(const std::string& link_id,
                                                        int limit) const {
  return store_->read([&](MeteringTx& tx) -> core::Result<std::vector<Usage>> {
    return tx.usage_of_link(link_id, std::clamp(limit, 1, 1000));
  });
}

core::Result<std::vector<Usage>> MeteringService::late_usage(int limit) const {
  return store_->read([&](MeteringTx& tx) -> core::Result<std::vector<Usage>> {
    return tx.late_usage(std::clamp(limit, 1, 1000));
  });
}

core::Result<std::vector<MeteredHour>> MeteringService::alarmed_hours(int limit) const {
  return store_->read([&](MeteringTx& tx) -> core::Result<std::vector<MeteredHour>> {
    return tx.alarmed_hours(std::clamp(limit, 1, 1000));
  });
}

core::Result<MeteringHealth> MeteringService::health() const {
  return store_->read([&](MeteringTx& tx) -> core::Result<MeteringHealth> { return tx.health(); });
}

}  // namespace saas
