#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "aws/sigv4.h"
#include "core/log.h"
#include "core/text.h"
#include "db/database.h"
#include "identity/secrets.h"
#include "jobs/job_queue.h"
#include "saas/webhook_store.h"
#include "saas/webhooks.h"

namespace saas {

namespace {

using nlohmann::ordered_json;

constexpr const char* kSecretPrefix = "whsec_";
constexpr int kMaxDeliveriesListed = 200;

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

// Keeps the valid UTF-8 of an endpoint's answer, and no control characters but tab and line
// breaks, so that any answer can be stored as text and shown.
std::string printable_excerpt(std::string_view body, size_t max_bytes) {
  std::string out;
  size_t i = 0;
  while (i < body.size() && out.size() < max_bytes) {
    const auto c = static_cast<unsigned char>(body[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xe  ? 3
                 : (c >> 3) == 0x1e ? 4
                                    : 0;
    bool valid = len > 0 && i + len <= body.size();
    for (size_t k = 1; valid && k < len; ++k) {
      valid = (static_cast<unsigned char>(body[i + k]) & 0xc0) == 0x80;
    }
    if (!valid) {
      out += '?';
      ++i;
      continue;
    }
    if (len == 1 && (c < 0x20 || c == 0x7f) && c != '\t' && c != '\n' && c != '\r') {
      out += '?';
    } else if (out.size() + len <= max_bytes) {
      out.append(body.substr(i, len));
    } else {
      break;
    }
    i += len;
  }
  return out;
}

std::string event_body(const std::string& event_id, const std::string& type, core::TimePoint at,
                       const std::string& org, const std::string& product_code,
                       const std::string& link_id, const std::string& data) {
  ordered_json parsed = ordered_json::parse(data.empty() ? "{}" : data, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) parsed = ordered_json::object();
  ordered_json body = {{"id", event_id},
                       {"type", type},
                       {"created_at", core::format_rfc3339(at)},
                       {"org", org},
                       {"product_code", product_code},
                       {"link_id", link_id},
                       {"data", parsed}};
  return body.dump();
}

std::string job_payload(const std::string& delivery_id) {
  return ordered_json{{"delivery_id", delivery_id}}.dump();
}

core::Error webhook_not_found() {
  return core::not_found("There is no webhook endpoint with this id.", "webhook_not_found");
}
core::Error delivery_not_found() {
  return core::not_found("There is no delivery with this id at this endpoint.",
                         "delivery_not_found");
}

std::string events_text(const std::vector<OutboxEvent>& events) {
  std::string out;
  for (OutboxEvent e : events) out += (out.empty() ? "" : ", ") + std::string(outbox_event_name(e));
  return out;
}

}  // namespace

const char* delivery_status_name(DeliveryStatus status) {
  switch (status) {
    case DeliveryStatus::kPending: return "pending";
    case DeliveryStatus::kRetrying: return "retrying";
    case DeliveryStatus::kSucceeded: return "succeeded";
    case DeliveryStatus::kDead: return "dead";
  }
  return "pending";
}

std::string webhook_signature(std::string_view secret, long long unix_time, std::string_view body) {
  const std::string t = std::to_string(unix_time);
  std::string signed_text = t;
  signed_text += '.';
  signed_text.append(body);
  return "t=" + t + ",v1=" + hex(aws::hmac_sha256(secret, signed_text));
}

bool verify_webhook_signature(std::string_view secret, std::string_view header,
                              std::string_view body, long long now_unix,
                              std::chrono::seconds tolerance) {
  std::string t, v1;
  size_t start = 0;
  while (start < header.size()) {
    size_t end = header.find(',', start);
    if (end == std::string_view::npos) end = header.size();
    const std::string_view part = core::trim(header.substr(start, end - start));
    if (part.starts_with("t=")) t = std::string(part.substr(2));
    if (part.starts_with("v1=")) v1 = std::string(part.substr(3));
    start = end + 1;
  }
  if (t.empty() || v1.empty() || t.size() > 18) return false;
  if (!std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  const long long at = std::stoll(t);
  if (std::llabs(now_unix - at) > tolerance.count()) return false;
  const std::string expected = webhook_signature(secret, at, body);
  return identity::constant_time_equal(expected, "t=" + t + ",v1=" + v1);
}

bool is_webhook_url(std::string_view url) {
  if (url.size() > kMaxWebhookUrlLength) return false;
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  std::string_view rest;
  bool https = false;
  if (url.starts_with("https://")) {
    https = true;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return false;
  }
  const size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (authority.find('@') != std::string_view::npos) return false;  // no user:password@
  std::string_view host = authority;
  if (host.starts_with("[")) {
    const size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    host = host.substr(0, close + 1);
  } else if (const size_t colon = host.find(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host.empty()) return false;
  if (https) return true;
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]";
}

WebhookService::WebhookService(db::Database& database, const core::Clock& clock,
                               core::IdGenerator& ids, jobs::JobQueue& jobs, WebhookSender& sender,
                               const identity::SecretBox* secrets, identity::AuditLog& audit,
                               WebhookSettings settings)
    : db_(database),
      clock_(clock),
      ids_(ids),
      jobs_(jobs),
      sender_(sender),
      secrets_(secrets),
      audit_(audit),
      settings_(settings) {}

void WebhookService::register_jobs() {
  jobs_.register_handler(kWebhookDeliverJob, [this](const jobs::Job& job) -> core::Status {
    const auto payload = nlohmann::json::parse(job.payload, nullptr, false);
    if (payload.is_discarded() || !payload.is_object() || !payload.contains("delivery_id") ||
        !payload["delivery_id"].is_string()) {
      return core::invalid("the payload names no delivery_id");
    }
    return deliver(payload["delivery_id"].get<std::string>(), job.attempts, job.max_attempts);
  });
}

void WebhookService::record(db::Tx& transaction, const OutboxEntry& entry) {
  const std::string type = outbox_event_name(entry.event);
  std::string event_id;
  std::string body;
  const core::TimePoint now = clock_.now();
  for (const EndpointRow& row : WebhookStore::endpoints(transaction)) {
    const auto& events = row.endpoint.events;
    if (std::find(events.begin(), events.end(), entry.event) == events.end()) continue;
    if (event_id.empty()) {
      event_id = ids_.new_id();
      body = event_body(event_id, type, entry.at == core::TimePoint{} ? now : entry.at,
                        entry.org_id, entry.product_code, entry.link_id, entry.data);
    }
    const WebhookDelivery d{.id = ids_.new_id(),
                            .endpoint_id = row.endpoint.id,
                            .event_id = event_id,
                            .event_type = type,
                            .body = body,
                            .created_at = now,
                            .updated_at = now};
    WebhookStore::insert_delivery(transaction, d);
    auto job = jobs_.enqueue(transaction, kWebhookDeliverJob, job_payload(d.id),
                             {.max_attempts = settings_.max_attempts});
    // Outbox::record has no error to return: the caller's transaction must not commit an event
    // whose delivery is not queued, so the failure rolls it back as a database failure would.
    if (!job.ok()) throw std::runtime_error("webhook delivery not queued: " + job.error().message);
  }
}

core::Result<CreatedEndpoint> WebhookService::create_endpoint(const std::string& operator_org_id,
                                                              const NewEndpoint& request,
                                                              const identity::Actor& actor) {
  core::Error e = core::invalid("The webhook endpoint needs your attention.", "invalid_webhook");
  const std::string url(core::trim(request.url));
  if (!is_webhook_url(url)) {
    e.details.push_back(
        {"url",
         "Give an https:// address (http:// only to 127.0.0.1, [::1] or localhost), at "
         "most 2000 characters."});
  }
  std::vector<OutboxEvent> events;
  for (OutboxEvent ev : request.events) {
    if (std::find(events.begin(), events.end(), ev) == events.end()) events.push_back(ev);
  }
  std::sort(events.begin(), events.end());
  if (events.empty()) e.details.push_back({"events", "Choose at least one event."});
  if (!e.details.empty()) return e;
  if (secrets_ == nullptr) {
    return core::unavailable(
        "No secret key is configured (MARKETLINK_SECRET_KEY), so signing secrets cannot be kept.",
        "secret_key_missing");
  }
  const std::string secret = identity::new_secret(kSecretPrefix);
  CreatedEndpoint created{.endpoint = {.id = ids_.new_id(),
                                       .url = url,
                                       .events = events,
                                       .secret_hint = std::string(kSecretPrefix) + "…" +
                                                      secret.substr(secret.size() - 4),
                                       .created_by = actor.label,
                                       .created_at = clock_.now()},
                          .secret = secret};
  const EndpointRow row{.endpoint = created.endpoint, .secret_sealed = secrets_->seal(secret)};
  auto done = db_.transact([&](db::Tx& tx) -> core::Status {
    WebhookStore::insert_endpoint(tx, row);
    audit_.record(tx, {.org_id = operator_org_id,
                       .actor = actor,
                       .action = "saas.webhook_created",
                       .target_type = "webhook_endpoint",
                       .target_id = row.endpoint.id,
                       .detail = fmt::format("Added the webhook endpoint {} for {}.",
                                             row.endpoint.url, events_text(events))});
    return {};
  });
  if (!done.ok()) return done.error();
  core::log::info("webhook endpoint created", {{"endpoint", created.endpoint.id}});
  return created;
}

core::Result<std::vector<WebhookEndpoint>> WebhookService::endpoints() const {
  return db_.transact(
      [&](db::Tx& tx) -> core::Result<std::vector<WebhookEndpoint>> {
        std::vector<WebhookEndpoint> out;
        for (EndpointRow& row : WebhookStore::endpoints(tx)) out.push_back(std::move(row.endpoint));
        return out;
      },
      db::TxMode::kRead);
}

core::Result<WebhookEndpoint> WebhookService::endpoint(const std::string& id) const {
  return db_.transact(
      [&](db::Tx& tx) -> core::Result<WebhookEndpoint> {
        auto row = WebhookStore::endpoint(tx, id);
        if (!row) return webhook_not_found();
        return std::move(row->endpoint);
      },
      db::TxMode::kRead);
}

core::Status WebhookService::delete_endpoint(const std::string& operator_org_id,
                                             const std::string& id, const identity::Actor& actor) {
  return db_.transact([&](db::Tx& tx) -> core::Status {
    auto row = WebhookStore::endpoint(tx, id);
    if (!row || !WebhookStore::delete_endpoint(tx, id)) return webhook_not_found();
    audit_.record(tx,
                  {.org_id = operator_org_id,
                   .actor = actor,
                   .action = "saas.webhook_deleted",
                   .target_type = "webhook_endpoint",
                   .target_id = id,
                   .detail = fmt::format("Deleted the webhook endpoint {}.", row->endpoint.url)});
    return {};
  });
}

core::Result<std::vector<WebhookDelivery>> WebhookService::deliveries(
    const std::string& endpoint_id, int limit) const {
  limit = std::clamp(limit, 1, kMaxDeliveriesListed);
  return db_.transact(
      [&](db::Tx& tx) -> core::Result<std::vector<WebhookDelivery>> {
        if (!WebhookStore::endpoint(tx, endpoint_id)) return webhook_not_found();
        auto out = WebhookStore::deliveries(tx, endpoint_id, limit);
        for (WebhookDelivery& d : out) d.attempt_log = WebhookStore::attempts(tx, d.id);
        return out;
      },
      db::TxMode::kRead);
}

core::Result<WebhookDelivery> WebhookService::delivery(const std::string& endpoint_id,
                                                       const std::string& delivery_id) const {
  return db_.transact(
      [&](db::Tx& tx) -> core::Result<WebhookDelivery> {
        if (!WebhookStore::endpoint(tx, endpoint_id)) return webhook_not_found();
        auto d = WebhookStore::delivery(tx, delivery_id);
        if (!d || d->endpoint_id != endpoint_id) return delivery_not_found();
        d->attempt_log = WebhookStore::attempts(tx, d->id);
        return *std::move(d);
      },
      db::TxMode::kRead);
}

core::Result<WebhookDelivery> WebhookService::enqueue_one(
    const std::string& endpoint_id, const std::string& event_id, const std::string& event_type,
    const std::string& body, const std::string& replay_of, std::chrono::seconds delay) {
  const core::TimePoint now = clock_.now();
  WebhookDelivery d{.id = ids_.new_id(),
                    .endpoint_id = endpoint_id,
                    .event_id = event_id,
                    .event_type = event_type,
                    .body = body,
                    .replay_of = replay_of,
                    .created_at = now,
                    .updated_at = now};
  return db_.transact([&](db::Tx& tx) -> core::Result<WebhookDelivery> {
    if (!WebhookStore::endpoint(tx, endpoint_id)) return webhook_not_found();
    WebhookStore::insert_delivery(tx, d);
    auto job = jobs_.enqueue(tx, kWebhookDeliverJob, job_payload(d.id),
                             {.delay = delay, .max_attempts = settings_.max_attempts});
    if (!job.ok()) return job.error();
    return d;
  });
}

core::Result<WebhookDelivery> WebhookService::replay(const std::string& endpoint_id,
                                                     const std::string& delivery_id) {
  auto original = delivery(endpoint_id, delivery_id);
  if (!original.ok()) return original.error();
  auto replayed = enqueue_one(endpoint_id, original->event_id, original->event_type, original->body,
                              original->id, std::chrono::seconds(0));
  if (replayed.ok()) {
    core::log::info("webhook delivery replayed",
                    {{"delivery", replayed->id}, {"replay_of", original->id}});
  }
  return replayed;
}

core::Result<WebhookDelivery> WebhookService::send_test(const std::string& endpoint_id,
                                                        std::chrono::seconds delay) {
  const std::string event_id = ids_.new_id();
  const std::string body =
      event_body(event_id, kTestEventType, clock_.now(), "", "", "",
                 R"({"message":"A test event from Marketlink: this endpoint is reachable."})");
  return enqueue_one(endpoint_id, event_id, kTestEventType, body, "", delay);
}

core::Status WebhookService::deliver(const std::string& delivery_id, int attempt,
                                     int max_attempts) {
  struct Target {
    WebhookDelivery delivery;
    EndpointRow endpoint;
  };
  auto target = db_.transact(
      [&](db::Tx& tx) -> core::Result<std::optional<Target>> {
        auto d = WebhookStore::delivery(tx, delivery_id);
        if (!d || d->status == DeliveryStatus::kSucceeded) return std::optional<Target>();
        auto e = WebhookStore::endpoint(tx, d->endpoint_id);
        if (!e) return std::optional<Target>();
        return std::optional<Target>(Target{*std::move(d), *std::move(e)});
      },
      db::TxMode::kRead);
  if (!target.ok()) return target.error();
  // Deleted with its endpoint, or delivered by an earlier run of this job: nothing to do.
  if (!target->has_value()) return {};
  WebhookDelivery d = std::move((*target)->delivery);
  const EndpointRow& endpoint = (*target)->endpoint;

  const core::TimePoint started = clock_.now();
  const auto steady_started = std::chrono::steady_clock::now();
  DeliveryAttempt a{.attempt = d.attempts + 1, .at = started};
  core::Result<std::string> secret =
      secrets_ != nullptr ? secrets_->open(endpoint.secret_sealed)
                          : core::Result<std::string>(core::unavailable("no secret key"));
  bool can_retry = true;
  if (!secret.ok()) {
    a.error = "The signing secret cannot be read with this deployment's secret key.";
    can_retry = false;
  } else {
    const WebhookPost post{
        .url = endpoint.endpoint.url,
        .headers = {{"Content-Type", "application/json"},
                    {"User-Agent", "Marketlink-Webhooks/1"},
                    {"Marketlink-Event-Id", d.event_id},
                    {"Marketlink-Delivery-Id", d.id},
                    {kWebhookSignatureHeader,
                     webhook_signature(*secret, core::unix_seconds(started), d.body)}},
        .body = d.body,
        .timeout = settings_.timeout};
    auto answer = sender_.post(post);
    if (answer.ok()) {
      a.status_code = answer->status;
      a.response_excerpt = printable_excerpt(answer->body, kResponseExcerptBytes);
      if (answer->status < 200 || answer->status > 299) {
        a.error = fmt::format("The endpoint answered HTTP {}.", answer->status);
      }
    } else {
      a.error = answer.error().message;
    }
  }
  a.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - steady_started)
                      .count();

  const bool succeeded = a.error.empty();
  d.attempts = a.attempt;
  d.last_status_code = a.status_code;
  d.last_error = a.error;
  d.updated_at = clock_.now();
  if (succeeded) {
    d.status = DeliveryStatus::kSucceeded;
    d.delivered_at = d.updated_at;
  } else {
    d.status =
        can_retry && attempt < max_attempts ? DeliveryStatus::kRetrying : DeliveryStatus::kDead;
  }
  auto stored = db_.transact([&](db::Tx& tx) -> core::Status {
    WebhookStore::record_attempt(tx, d, a);
    return {};
  });
  if (!stored.ok()) return stored.error();

  if (succeeded) {
    core::log::info("webhook delivered", {{"delivery", d.id},
                                          {"endpoint", d.endpoint_id},
                                          {"type", d.event_type},
                                          {"status", a.status_code},
                                          {"attempt", a.attempt}});
    return {};
  }
  core::log::warn("webhook attempt failed", {{"delivery", d.id},
                                             {"endpoint", d.endpoint_id},
                                             {"type", d.event_type},
                                             {"status", a.status_code},
                                             {"attempt", a.attempt},
                                             {"error", a.error}});
  if (!can_retry) return core::invalid(a.error);
  return core::unavailable(a.error);
}

core::Result<WebhookFigures> WebhookService::figures() const {
  return db_.transact(
      [&](db::Tx& tx) -> core::Result<WebhookFigures> { return WebhookStore::figures(tx); },
      db::TxMode::kRead);
}

}  // namespace saas
