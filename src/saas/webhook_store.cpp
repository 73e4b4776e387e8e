#include "saas/webhook_store.h"

#include <soci/soci.h>

#include "core/text.h"

namespace saas {

namespace {

constexpr const char* kInsertEndpoint =
    "INSERT INTO saas_webhook_endpoints (id, url, events, secret_sealed, secret_hint, created_by,"
    " created_at) VALUES (:id, :url, :events, :secret, :hint, :by, :at)";

constexpr const char* kEndpointColumns =
    "SELECT id, url, events, secret_sealed, secret_hint, created_by, created_at"
    " FROM saas_webhook_endpoints";

constexpr const char* kDeleteAttemptsOfEndpoint =
    "DELETE FROM saas_webhook_attempts WHERE delivery_id IN"
    " (SELECT id FROM saas_webhook_deliveries WHERE endpoint_id = :id)";
constexpr const char* kDeleteDeliveriesOfEndpoint =
    "DELETE FROM saas_webhook_deliveries WHERE endpoint_id = :id";
constexpr const char* kDeleteEndpoint = "DELETE FROM saas_webhook_endpoints WHERE id = :id";

constexpr const char* kInsertDelivery =
    "INSERT INTO saas_webhook_deliveries (id, endpoint_id, event_id, event_type, body, status,"
    " attempts, replay_of, last_status_code, last_error, created_at, updated_at, delivered_at)"
    " VALUES (:id, :endpoint, :event_id, :type, :body, :status, :attempts, :replay_of, :code,"
    " :error, :created, :updated, :delivered)";

constexpr const char* kDeliveryColumns =
    "SELECT id, endpoint_id, event_id, event_type, body, status, attempts, replay_of,"
    " last_status_code, last_error, created_at, updated_at, delivered_at"
    " FROM saas_webhook_deliveries";

constexpr const char* kUpdateDelivery =
    "UPDATE saas_webhook_deliveries SET status = :status, attempts = :attempts,"
    " last_status_code = :code, last_error = :error, updated_at = :updated,"
    " delivered_at = :delivered WHERE id = :id";

constexpr const char* kInsertAttempt =
    "INSERT INTO saas_webhook_attempts (delivery_id, attempt, at, status_code, response_excerpt,"
    " error, duration_ms) VALUES (:id, :attempt, :at, :code, :excerpt, :error, :ms)"
    " ON CONFLICT (delivery_id, attempt) DO NOTHING";

constexpr const char* kSelectAttempts =
    "SELECT attempt, at, status_code, response_excerpt, error, duration_ms"
    " FROM saas_webhook_attempts WHERE delivery_id = :id ORDER BY attempt";

constexpr const char* kCountEndpoints = "SELECT COUNT(*) FROM saas_webhook_endpoints";
constexpr const char* kCountByStatus =
    "SELECT COUNT(*) FROM saas_webhook_deliveries WHERE status = :status";

core::TimePoint parse_time(const std::string& text) {
  return core::parse_rfc3339(text).value_or(core::TimePoint{});
}

std::string join_events(const std::vector<OutboxEvent>& events) {
  std::string out;
  for (OutboxEvent e : events) {
    if (!out.empty()) out += ",";
    out += outbox_event_name(e);
  }
  return out;
}

std::vector<OutboxEvent> split_events(const std::string& text) {
  std::vector<OutboxEvent> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (auto e = parse_outbox_event(std::string_view(text).substr(start, end - start))) {
      out.push_back(*e);
    }
    start = end + 1;
  }
  return out;
}

DeliveryStatus status_from_name(const std::string& name) {
  if (name == "retrying") return DeliveryStatus::kRetrying;
  if (name == "succeeded") return DeliveryStatus::kSucceeded;
  if (name == "dead") return DeliveryStatus::kDead;
  return DeliveryStatus::kPending;
}

struct EndpointFields {
  std::string id, url, events, sealed, hint, by, at;

  EndpointRow row() const {
    return {.endpoint = {.id = id,
                         .url = url,
                         .events = split_events(events),
                         .secret_hint = hint,
                         .created_by = by,
                         .created_at = parse_time(at)},
            .secret_sealed = sealed};
  }
};

struct DeliveryFields {
  std::string id, endpoint, event_id, type, body, status, replay_of, error, created, updated,
      delivered;
  int attempts = 0, code = 0;

  WebhookDelivery delivery() const {
    WebhookDelivery d{.id = id,
                      .endpoint_id = endpoint,
                      .event_id = event_id,
                      .event_type = type,
                      .body = body,
                      .status = status_from_name(status),
                      .attempts = attempts,
                      .replay_of = replay_of,
                      .last_status_code = code,
                      .last_error = error,
                      .created_at = parse_time(created),
                      .updated_at = parse_time(updated),
                      .delivered_at = std::nullopt,
                      .attempt_log = {}};
    if (!delivered.empty()) d.delivered_at = parse_time(delivered);
    return d;
  }
};

std::vector<WebhookDelivery> select_deliveries(db::Tx& tx, const std::string& sql,
                                               const std::string& key, int limit) {
  soci::session& s = tx.sql();
  DeliveryFields f;
  soci::statement st =
      (s.prepare << sql, soci::use(key), soci::use(limit), soci::into(f.id), soci::into(f.endpoint),
       soci::into(f.event_id), soci::into(f.type), soci::into(f.body), soci::into(f.status),
       soci::into(f.attempts), soci::into(f.replay_of), soci::into(f.code), soci::into(f.error),
       soci::into(f.created), soci::into(f.updated), soci::into(f.delivered));
  st.execute();
  std::vector<WebhookDelivery> out;
  while (st.fetch()) out.push_back(f.delivery());
  return out;
}

}  // namespace

void WebhookStore::insert_endpoint(db::Tx& tx, const EndpointRow& row) {
  const WebhookEndpoint& e = row.endpoint;
  const std::string events = join_events(e.events);
  const std::string at = core::format_rfc3339(e.created_at);
  tx.sql() << kInsertEndpoint, soci::use(e.id), soci::use(e.url), soci::use(events),
      soci::use(row.secret_sealed), soci::use(e.secret_hint), soci::use(e.created_by),
      soci::use(at);
}

std::vector<EndpointRow> WebhookStore::endpoints(db::Tx& tx) {
  soci::session& s = tx.sql();
  EndpointFields f;
  soci::statement st =
      (s.prepare << std::string(kEndpointColumns) + " ORDER BY created_at, id", soci::into(f.id),
       soci::into(f.url), soci::into(f.events), soci::into(f.sealed), soci::into(f.hint),
       soci::into(f.by), soci::into(f.at));
  st.execute();
  std::vector<EndpointRow> out;
  while (st.fetch()) out.push_back(f.row());
  return out;
}

std::optional<EndpointRow> WebhookStore::endpoint(db::Tx& tx, const std::string& id) {
  soci::session& s = tx.sql();
  EndpointFields f;
  s << std::string(kEndpointColumns) + " WHERE id = :id", soci::use(id), soci::into(f.id),
      soci::into(f.url), soci::into(f.events), soci::into(f.sealed), soci::into(f.hint),
      soci::into(f.by), soci::into(f.at);
  if (!s.got_data()) return std::nullopt;
  return f.row();
}

bool WebhookStore::delete_endpoint(db::Tx& tx, const std::string& id) {
  soci::session& s = tx.sql();
  s << kDeleteAttemptsOfEndpoint, soci::use(id);
  s << kDeleteDeliveriesOfEndpoint, soci::use(id);
  soci::statement st = (s.prepare << kDeleteEndpoint, soci::use(id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

void WebhookStore::insert_delivery(db::Tx& tx, const WebhookDelivery& d) {
  const std::string status = delivery_status_name(d.status);
  const std::string created = core::format_rfc3339(d.created_at);
  const std::string updated = core::format_rfc3339(d.updated_at);
  const std::string delivered = d.delivered_at ? core::format_rfc3339(*d.delivered_at) : "";
  tx.sql() << kInsertDelivery, soci::use(d.id), soci::use(d.endpoint_id), soci::use(d.event_id),
      soci::use(d.event_type), soci::use(d.body), soci::use(status), soci::use(d.attempts),
      soci::use(d.replay_of), soci::use(d.last_status_code), soci::use(d.last_error),
      soci::use(created), soci::use(updated), soci::use(delivered);
}

std::optional<WebhookDelivery> WebhookStore::delivery(db::Tx& tx, const std::string& id) {
  auto rows =
      select_deliveries(tx, std::string(kDeliveryColumns) + " WHERE id = :id LIMIT :limit", id, 1);
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::vector<WebhookDelivery> WebhookStore::deliveries(db::Tx& tx, const std::string& endpoint_id,
                                                      int limit) {
  return select_deliveries(tx,
                           std::string(kDeliveryColumns) +
                               " WHERE endpoint_id = :endpoint ORDER BY created_at DESC, id DESC"
                               " LIMIT :limit",
                           endpoint_id, limit);
}

std::vector<DeliveryAttempt> WebhookStore::attempts(db::Tx& tx, const std::string& delivery_id) {
  soci::session& s = tx.sql();
  DeliveryAttempt a;
  std::string at;
  soci::statement st = (s.prepare << kSelectAttempts, soci::use(delivery_id), soci::into(a.attempt),
                        soci::into(at), soci::into(a.status_code), soci::into(a.response_excerpt),
                        soci::into(a.error), soci::into(a.duration_ms));
  st.execute();
  std::vector<DeliveryAttempt> out;
  while (st.fetch()) {
    a.at = parse_time(at);
    out.push_back(a);
  }
  return out;
}

void WebhookStore::record_attempt(db::Tx& tx, const WebhookDelivery& after,
                                  const DeliveryAttempt& attempt) {
  soci::session& s = tx.sql();
  const std::string at = core::format_rfc3339(attempt.at);
  s << kInsertAttempt, soci::use(after.id), soci::use(attempt.attempt), soci::use(at),
      soci::use(attempt.status_code), soci::use(attempt.response_excerpt), soci::use(attempt.error),
      soci::use(attempt.duration_ms);
  const std::string status = delivery_status_name(after.status);
  const std::string updated = core::format_rfc3339(after.updated_at);
  const std::string delivered = after.delivered_at ? core::format_rfc3339(*after.delivered_at) : "";
  s << kUpdateDelivery, soci::use(status), soci::use(after.attempts),
      soci::use(after.last_status_code), soci::use(after.last_error), soci::use(updated),
      soci::use(delivered), soci::use(after.id);
}

WebhookFigures WebhookStore::figures(db::Tx& tx) {
  soci::session& s = tx.sql();
  WebhookFigures f;
  s << kCountEndpoints, soci::into(f.endpoints);
  const std::pair<const char*, long long*> counts[] = {
      {"retrying", &f.failing}, {"dead", &f.dead}, {"succeeded", &f.succeeded_total}};
  for (const auto& [status, out] : counts) {
    const std::string name = status;
    s << kCountByStatus, soci::use(name), soci::into(*out);
  }
  return f;
}

identity::SealedColumn sealed_webhook_secrets() {
  return {.what = "webhook signing secrets",
          .table = "saas_webhook_endpoints",
          .key_column = "id",
          .column = "secret_sealed"};
}

}  // namespace saas
