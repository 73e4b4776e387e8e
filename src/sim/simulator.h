// Simulator: a local, in-memory AWS for Marketlink's sandbox, demos and tests.
//
// It serves the AWS APIs Marketlink calls (Marketplace Metering, Entitlement and Agreement,
// Organizations, Account, IAM, STS, S3, CUR, SQS) on one endpoint, verifies every SigV4
// signature against its own accounts' keys, and keeps behaviour, not canned answers: accounts and
// organizations, products, buyers' agreements, registration tokens, metering with AWS's
// de-duplication, CUR definitions, buckets, queues. Subscription events go out as signed SNS
// messages (HTTP endpoints, through take_deliveries(), or simulated SQS queues) and EventBridge
// events (API destinations or SQS queues).
//
// Time: business time is the injected clock plus an offset that advance_clock() moves (tokens,
// metering windows, asynchronous account creation, unsubscribe delays, SQS visibility timeouts
// and long polls). Signatures are checked against the injected clock alone, so moving business
// time never makes clients' requests stale. A long poll (ReceiveMessage with WaitTimeSeconds)
// waits in business time: advance_clock() ends it at once when it passes the end of the wait;
// a clock that moves on its own (the system clock, or a ManualClock set directly) is looked at
// again when the rest of the wait has passed, or when something else wakes the poll.
//
// Thread safety: every public function may be called from any thread; one mutex guards the
// state. handle() may sleep (injected latency) without holding it.
//
// Errors: AWS calls answer in AWS's own error shapes (handle() never fails); control functions
// return core::Result with invalid, not_found or conflict.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aws/http_message.h"
#include "core/clock.h"
#include "core/result.h"

namespace sim {

using Json = nlohmann::json;

// The seller account and its documented sandbox-only key every simulator starts with.
inline constexpr std::string_view kSellerAccountId = "111122223333";
inline constexpr std::string_view kSellerAccessKeyId = "AKIAMARKETLINKSIM001";
inline constexpr std::string_view kSellerSecretAccessKey =
    "marketlink-sim-secret-0000000000000000000";
// The AWS account that owns AWS Marketplace's SNS topics.
inline constexpr std::string_view kMarketplaceSnsAccountId = "287250355862";

// Behaviour knobs; every one can also be changed at run time (set_settings, POST /_sim/settings).
// How far back `started_hours_ago` may date a new subscription (AWS meters no older hours).
inline constexpr long long kMaxStartedHoursAgo = 5;

struct SimulatorSettings {
  std::string region = "us-east-1";
  // CreateAccount stays IN_PROGRESS this long before SUCCEEDED or FAILED.
  std::chrono::seconds create_account_delay{5};
  // A new subscription is not yet subscribed (metering answers CustomerNotSubscribed, no
  // subscribe-success) for this long.
  std::chrono::seconds subscribe_delay{0};
  // unsubscribe-pending lasts this long before unsubscribe-success.
  std::chrono::seconds unsubscribe_delay{60};
  // BatchMeterUsage/MeterUsage accept timestamps this far in the past (AWS: 1 h, then 6 h,
  // now 24 h).
  std::chrono::seconds metering_window{6 * 3600};
  // Registration tokens resolve until this old.
  std::chrono::seconds token_lifetime{4 * 3600};
  // Requests signed further than this from the clock are refused.
  std::chrono::seconds max_signature_skew{15 * 60};
  // Temporary credentials from AssumeRole last this long by default.
  std::chrono::seconds session_duration{3600};
  // HTTP deliveries (SNS, EventBridge) are tried this many times, waiting
  // delivery_backoff * 2^n between tries.
  int delivery_attempts = 5;
  std::chrono::milliseconds delivery_backoff{500};
};

Json settings_to_json(const SimulatorSettings& settings);
// Applies the fields present in `json` (seconds as numbers); invalid on a bad value.
core::Status apply_settings_json(const Json& json, SimulatorSettings& settings);

// An HTTP POST the simulator wants delivered (SNS notification or confirmation, EventBridge
// event). The delivery worker sends it and reports back with delivery_done().
struct Delivery {
  std::string id;    // stable across retries
  std::string kind;  // "sns" or "eventbridge"
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct State;  // defined in sim/sim_state.h, private to the module

class Simulator {
 public:
  // `clock` and must outlive the simulator. Generates the SNS signing key and certificate.
  Simulator(SimulatorSettings settings, const core::Clock& clock);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // The URL clients reach the simulator at ("http://127.0.0.1:4566"): queue URLs, SNS
  // certificate, subscribe and unsubscribe URLs. Set once the server is bound.
  void set_base_url(std::string url);
  std::string base_url() const;

  // ---- The AWS endpoint --------------------------------------------------------------------
  // Answers one AWS API call as AWS would: routing, SigV4, faults, behaviour, error shapes.
  aws::HttpResponse handle(const aws::HttpRequest& request);

  // ---- Control (the /_sim API) ---------------------------------------------------------------
  // {"account_id"?, "email"?, "name"?, "organization"?: "none"|"management"|"member-of-other",
  //  "management_account_id"?, "roles"?: [{"name", "trusted_account_id"}],
  //  "access_key_id"?, "secret_access_key"?: a fixed key instead of a random one}
  // → {"account_id", "access_key_id", "secret_access_key", "organization_id"?}.
  // Conflict when the id or e-mail exists; invalid on a malformed field.
  core::Result<Json> create_account(const Json& request);
  // Adds a key to an existing account. → {"access_key_id", "secret_access_key"}.
  core::Result<Json> create_access_key(const std::string& account_id);
  // {"product_code", "name", "pricing_model", "dimensions": [{"name", "description"?}],
  //  "fulfillment_url", "seller_account_id"?, "free_trial"?: bool, "legacy_identity"?: bool}.
  // Replaces a product with the same code.
  core::Result<Json> create_product(const Json& request);
  // {"buyer_account_id", "product_code", "free_trial"?, "free_trial_days"? (5..31, default 30),
  //  "duration_days"? (the agreement's length, default 365), "entitlements"?: {"dim": value},
  //  "started_hours_ago"? (0..5, default 0: a new agreement's start, created time and events are
  //  that many hours in the past)}
  // → {"registration_token", "customer_identifier", "license_arn", "agreement_id", ...}.
  // A buyer with an agreement in unsubscribe-pending gets it back (subscribe-success).
  core::Result<Json> subscribe(const Json& request);
  // Starts unsubscribe-pending → (unsubscribe_delay) → unsubscribe-success.
  core::Result<Json> cancel_subscription(const std::string& agreement_id);
  // A fresh registration token for an agreement (what "Set up product" issues).
  core::Result<std::string> new_registration_token(const std::string& agreement_id);
  // {"topic": "subscription"|"entitlement", "product_code", "endpoint"?: "http://…",
  //  "sqs_queue"?: "name", "signature_version"?: "1"|"2", "auto_confirm"?: bool}
  // → {"subscription_arn", "topic_arn", "queue_url"?}. Endpoints must be on loopback.
  core::Result<Json> subscribe_notifications(const Json& request);
  // An EventBridge target for the seller's agreement events: an API destination
  // {"endpoint", "secret_header"?, "secret"?, "seller_account_id"?} or an SQS queue
  // {"sqs_queue": "<queue URL or name>", "seller_account_id"?} (a name is in the seller's
  // account; the queue is made when missing; the event JSON is the message body)
  // → {"destination_id", "queue_url"?}.
  core::Result<Json> add_event_destination(const Json& request);
  // Replaces a live agreement's entitlements ({"dim": value}) as an amendment does: SNS
  // entitlement-updated, EventBridge Purchase Agreement Amended and License Updated.
  // → the subscription as subscriptions_json() shows it. not_found, conflict when it has ended.
  core::Result<Json> set_entitlements(const std::string& agreement_id, const Json& entitlements);
  // Moves business time forward; returns the new business time.
  core::TimePoint advance_clock(std::chrono::seconds seconds);
  core::TimePoint now() const;
  // {"operation", "error"?, "status"?, "message"?, "latency_ms"?, "rate"? (0..1, default 1),
  //  "count"? (only the next N matching calls), "seed"?}.
  core::Status add_fault(const Json& request);
  void clear_faults();
  SimulatorSettings settings() const;
  void set_settings(const SimulatorSettings& settings);

  // Read-outs as JSON.
  Json accounts_json() const;
  core::Result<Json> account_json(const std::string& account_id) const;
  Json products_json() const;
  Json subscriptions_json() const;
  Json metering_records_json() const;
  Json calls_json(const std::string& operation_filter) const;
  Json deliveries_json() const;
  Json notification_subscriptions_json() const;

  // Products, agreements and accounts as the buyer console shows them.
  struct ConsoleProduct {
    std::string code, name, pricing_model, seller_account_id;
    std::vector<std::string> dimensions;
    bool free_trial = false;
  };
  struct ConsoleAgreement {
    std::string agreement_id, product_code, product_name, status, fulfillment_url;
    bool free_trial = false;
    core::TimePoint created;
  };
  std::vector<ConsoleProduct> console_products() const;
  std::optional<ConsoleProduct> console_product(const std::string& code) const;
  std::vector<ConsoleAgreement> console_agreements(const std::string& buyer_account_id) const;
  std::optional<ConsoleAgreement> console_agreement(const std::string& agreement_id) const;
  std::vector<std::string> account_ids() const;
  bool account_exists(const std::string& account_id) const;

  // ---- SNS and deliveries --------------------------------------------------------------------
  // PEM of the certificate SNS messages are signed with.
  std::string sns_certificate_pem() const;
  // SNS's unauthenticated GET actions (ConfirmSubscription, Unsubscribe) from SubscribeURL and
  // UnsubscribeURL.
  aws::HttpResponse handle_sns_link(const aws::HttpRequest& request);
  // Removes and returns what is waiting to go out.
  std::vector<Delivery> take_deliveries();
  // Records one attempt's outcome (status 0 = no HTTP answer).
  void delivery_attempted(const std::string& id, int status, bool final_attempt);
  // Blocks until a delivery is waiting or `timeout` passes (or something else changes).
  void wait_for_deliveries(std::chrono::milliseconds timeout);

  // Applies what time has made due (accounts created, unsubscribes completed, events queued).
  void settle();

  // Test hooks for SQS long polls, so a test can move the clock while a poll is known to wait:
  // how often a ReceiveMessage went to wait (once per wait, again after each wake-up that did
  // not end it), the business time the latest wait began at, and how many long polls
  // (WaitTimeSeconds above 0) have answered.
  struct LongPolls {
    long long waits = 0;
    core::TimePoint last_wait_at;
    long long answered = 0;
    bool operator==(const LongPolls&) const = default;
  };
  LongPolls long_polls_for_test() const;
  // Blocks until the counts differ from `seen`; returns them.
  LongPolls long_polls_after_for_test(LongPolls seen) const;

  // ---- Persistence ---------------------------------------------------------------------------
  Json save_json() const;
  // Replaces the state with a saved one; invalid when it does not parse.
  core::Status load_json(const Json& saved);
  // True (once) when the state changed since the last call.
  bool take_dirty();

 private:
  mutable std::mutex mu_;
  std::condition_variable deliveries_cv_;
  mutable std::condition_variable long_poll_cv_;
  LongPolls long_polls_;  // guarded by mu_
  std::unique_ptr<State> state_;
  const core::Clock& clock_;
};

}  // namespace sim
