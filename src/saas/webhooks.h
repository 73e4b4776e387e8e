// Webhooks: how the seller's application hears about its buyers. The operator registers HTTPS
// endpoints (plain http only to a loopback address: tests and the sandbox) and the events each
// receives (saas/outbox.h). WebhookService is the saas::Outbox: record() writes, in the caller's
// transaction, one delivery per endpoint subscribed to the event and the job that sends it
// ("saas.webhook_deliver", one job per delivery). An event whose transaction rolls back is never
// delivered; one that commits is delivered at least once (receivers deduplicate by the event id).
//
// A delivery is a POST of the event as JSON:
//   {"id": event id, "type": "linked"|…|"test", "created_at": RFC 3339, "org": organization id,
//    "product_code", "link_id", "data": {…}}
// with the headers Content-Type: application/json, Marketlink-Event-Id, Marketlink-Delivery-Id and
//   Marketlink-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>
// (docs/webhooks.md shows a receiver's check). Any 2xx answer is a success; anything else, no
// answer or no answer within `timeout` is a failed attempt, retried by the job queue with
// exponential backoff until max_attempts, then the delivery is dead. Every attempt is logged with
// the answer's status, the first bytes of its body, its duration and its number. A replay sends
// a delivery's body again as a new delivery (same event id, new signature); a test event goes to
// one endpoint whatever it subscribed to.
//
// The signing secret ("whsec_" + 43 characters) is made by create_endpoint, returned once in
// CreatedEndpoint and stored only sealed with the deployment's SecretBox: the sender needs it
// back to sign. Without a SecretBox endpoints cannot be created (unavailable / secret_key_missing).
//
// Thread safety: a WebhookService is safe for concurrent use from many threads and processes
// sharing one database.
//
// Errors (core::Error code / slug):
//   invalid   / invalid_webhook       url or events break a rule: one detail per field ("url",
//                                     "events")
//   not_found / webhook_not_found     no endpoint with this id
//   not_found / delivery_not_found    no delivery with this id at this endpoint
//   unavailable / secret_key_missing       no SecretBox configured
//   unavailable / internal            from the database
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "core/result.h"
#include "identity/audit_log.h"
#include "identity/sealed_secrets.h"
#include "identity/secret_box.h"
#include "identity/types.h"
#include "saas/outbox.h"

namespace db {
class Database;
}
namespace jobs {
class JobQueue;
}

namespace saas {

inline constexpr const char* kWebhookDeliverJob = "saas.webhook_deliver";
inline constexpr const char* kWebhookSignatureHeader = "Marketlink-Signature";
inline constexpr const char* kTestEventType = "test";
inline constexpr size_t kMaxWebhookUrlLength = 2000;
inline constexpr size_t kResponseExcerptBytes = 512;

// --- Sending: what the domain needs from HTTP, implemented in app/ with libcurl ---

struct WebhookPost {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10'000};  // the whole exchange, connecting included
};

struct WebhookAnswer {
  int status = 0;
  std::string body;  // may be cut to the first bytes
};

class WebhookSender {
 public:
  virtual ~WebhookSender() = default;
  // POSTs once, following no redirect. unavailable (with the reason) when no answer came:
  // refused, reset, DNS, TLS, timeout. Safe for concurrent use.
  virtual core::Result<WebhookAnswer> post(const WebhookPost& request) = 0;
};

// --- Signatures ---

// "t=<unix>,v1=<hex>" for `body` signed with `secret` at `unix_time`.
std::string webhook_signature(std::string_view secret, long long unix_time, std::string_view body);
// Whether `header` (a Marketlink-Signature value) signs `body` with `secret`, made within
// `tolerance` of `now_unix`. What a receiver does; here for tests and docs.
bool verify_webhook_signature(std::string_view secret, std::string_view header,
                              std::string_view body, long long now_unix,
                              std::chrono::seconds tolerance = std::chrono::minutes(5));

// --- Endpoints and deliveries ---

// http(s) URL rules: https to any host, http only to 127.0.0.1, [::1] or localhost.
bool is_webhook_url(std::string_view url);

struct WebhookEndpoint {
  std::string id;
  std::string url;
  std::vector<OutboxEvent> events;
  std::string secret_hint;  // "whsec_…" + the secret's last four characters
  std::string created_by;   // the actor's label
  core::TimePoint created_at;
};

struct NewEndpoint {
  std::string url;
  std::vector<OutboxEvent> events;  // at least one; repeats are ignored
};

struct CreatedEndpoint {
  WebhookEndpoint endpoint;
  std::string secret;  // shown once
};

enum class DeliveryStatus { kPending, kRetrying, kSucceeded, kDead };
// "pending", "retrying", "succeeded", "dead".
const char* delivery_status_name(DeliveryStatus status);

struct DeliveryAttempt {
  int attempt = 0;  // 1 for the first
  core::TimePoint at;
  int status_code = 0;           // 0: no answer
  std::string response_excerpt;  // the answer's first bytes
  std::string error;             // "" when it succeeded
  long long duration_ms = 0;
};

struct WebhookDelivery {
  std::string id;
  std::string endpoint_id;
  std::string event_id;
  std::string event_type;  // an event name, or "test"
  std::string body;
  DeliveryStatus status = DeliveryStatus::kPending;
  int attempts = 0;
  std::string replay_of;  // the delivery this replays, or ""
  int last_status_code = 0;
  std::string last_error;
  core::TimePoint created_at;
  core::TimePoint updated_at;
  std::optional<core::TimePoint> delivered_at;
  std::vector<DeliveryAttempt> attempt_log;  // oldest first (filled by deliveries())
};

struct WebhookSettings {
  // How long one attempt may take.
  std::chrono::milliseconds timeout{10'000};
  // Attempts of a delivery before it is dead (the job queue's backoff between them: about 2 s,
  // 4 s, 8 s… up to an hour, with jitter).
  int max_attempts = 8;
};

struct WebhookFigures {
  long long endpoints = 0;
  long long failing = 0;  // deliveries whose last attempt failed and that will be tried again
  long long dead = 0;     // deliveries that gave up
  long long succeeded_total = 0;
};

class WebhookService final : public Outbox {
 public:
  // `secrets` may be null (endpoints then cannot be created). Everything referenced must outlive
  // the service.
  WebhookService(db::Database& database, const core::Clock& clock, core::IdGenerator& ids,
                 jobs::JobQueue& jobs, WebhookSender& sender, const identity::SecretBox* secrets,
                 identity::AuditLog& audit, WebhookSettings settings = {});

  // Registers the saas.webhook_deliver handler. Call before the queue starts.
  void register_jobs();

  // Outbox: one delivery and one job per endpoint subscribed to entry.event, in `transaction`.
  void record(db::Tx& transaction, const OutboxEntry& entry) override;

  // The operator's endpoints (audited in `operator_org_id`'s log).
  core::Result<CreatedEndpoint> create_endpoint(const std::string& operator_org_id,
                                                const NewEndpoint& endpoint,
                                                const identity::Actor& actor);
  core::Result<std::vector<WebhookEndpoint>> endpoints() const;
  core::Result<WebhookEndpoint> endpoint(const std::string& id) const;
  // Deletes the endpoint with its deliveries; queued deliveries are dropped.
  core::Status delete_endpoint(const std::string& operator_org_id, const std::string& id,
                               const identity::Actor& actor);

  // The endpoint's deliveries, newest first (at most `limit`, 1..200), each with its attempts.
  core::Result<std::vector<WebhookDelivery>> deliveries(const std::string& endpoint_id,
                                                        int limit = 50) const;
  core::Result<WebhookDelivery> delivery(const std::string& endpoint_id,
                                         const std::string& delivery_id) const;
  // A new delivery of the same body (and event id) to the same endpoint, queued now.
  core::Result<WebhookDelivery> replay(const std::string& endpoint_id,
                                       const std::string& delivery_id);
  // A "test" event to this endpoint only, queued now (or due after `delay`).
  core::Result<WebhookDelivery> send_test(const std::string& endpoint_id,
                                          std::chrono::seconds delay = std::chrono::seconds(0));

  // One attempt of a delivery (the job's work): ok when delivered or nothing is left to do;
  // unavailable when the attempt failed. `attempt`/`max_attempts` are the job's.
  core::Status deliver(const std::string& delivery_id, int attempt, int max_attempts);

  core::Result<WebhookFigures> figures() const;

 private:
  core::Result<WebhookDelivery> enqueue_one(const std::string& endpoint_id,
                                            const std::string& event_id,
                                            const std::string& event_type, const std::string& body,
                                            const std::string& replay_of,
                                            std::chrono::seconds delay);

  db::Database& db_;
  const core::Clock& clock_;
  core::IdGenerator& ids_;
  jobs::JobQueue& jobs_;
  WebhookSender& sender_;
  const identity::SecretBox* secrets_;
  identity::AuditLog& audit_;
  WebhookSettings settings_;
};

// Where endpoints' signing secrets are stored sealed, for `marketlink secrets rotate`.
identity::SealedColumn sealed_webhook_secrets();

}  // namespace saas
