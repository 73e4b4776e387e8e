// The simulator's state and the helpers its services share. Private to src/sim.
//
// Every function taking a State& expects the simulator's mutex to be held by the caller.
// Entities compare equal field by field; their JSON form is in sim/state_json.h.
// Services report AWS errors by throwing AwsError; Simulator::handle turns it into the
// protocol's error shape. AwsError never leaves the module.
#pragma once

#include <nlohmann/json.hpp>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "aws/http_message.h"
#include "aws/service.h"
#include "core/clock.h"
#include "sim/simulator.h"

namespace sim {

class SnsSigner;

struct AwsError {
  int status = 400;
  std::string code;
  std::string message;
  Json extra = Json::object();  // more fields for JSON error bodies
};

[[noreturn]] void throw_error(int status, std::string code, std::string message);

struct AccessKey {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only
  std::string account_id;
  std::string arn;      // the principal: root, or assumed-role/ROLE/SESSION
  std::string user_id;  // GetCallerIdentity's UserId
  std::optional<core::TimePoint> expires;

  bool operator==(const AccessKey&) const = default;
};

struct Role {
  std::string name;
  std::string trusted_account_id;

  bool operator==(const Role&) const = default;
};

struct IamUser {
  std::string name;
  std::string user_id;
  std::string path = "/";
  core::TimePoint created;
  bool login_profile = false;
  bool password_reset_required = false;
  core::TimePoint login_profile_created;
  std::vector<std::string> policy_arns;

  bool operator==(const IamUser&) const = default;
};

struct Contact {
  std::string name, title, email, phone;

  bool operator==(const Contact&) const = default;
};

struct Account {
  std::string id;
  std::string email;
  std::string name;
  core::TimePoint created;
  std::string organization_id;  // empty: in no organization
  std::string joined_method = "CREATED";
  std::vector<Role> roles;
  std::map<std::string, Contact> contacts;  // by type: BILLING, OPERATIONS, SECURITY
  std::map<std::string, IamUser> users;
  std::string alias;
  std::map<std::string, Json> reports;  // CUR definitions by name

  bool operator==(const Account&) const = default;
};

struct Organization {
  std::string id;
  std::string management_account_id;
  core::TimePoint created;

  bool operator==(const Organization&) const = default;
};

struct CreateAccountRequest {
  std::string id;  // car-…
  std::string requester_account_id;
  std::string email, name, role_name;
  core::TimePoint requested;
  core::TimePoint due;
  std::string state = "IN_PROGRESS";
  std::string account_id;
  std::string failure_reason;
  std::optional<core::TimePoint> completed;

  bool operator==(const CreateAccountRequest&) const = default;
};

struct Bucket {
  std::string name;
  std::string owner_account_id;
  std::string region;
  core::TimePoint created;
  std::string policy;  // JSON text; empty when none

  bool operator==(const Bucket&) const = default;
};

struct Product {
  std::string code;
  std::string id;  // prod-…
  std::string name;
  std::string pricing_model;  // subscription, contract, contract_with_consumption, free
  std::vector<std::pair<std::string, std::string>> dimensions;  // name, description
  std::string fulfillment_url;
  std::string seller_account_id;
  bool free_trial = true;
  // Legacy listings identify buyers by CustomerIdentifier; newer ones leave it empty and use
  // CustomerAWSAccountId + LicenseArn.
  bool legacy_identity = true;

  bool operator==(const Product&) const = default;
};

// One buyer's agreement for one product. Status: "subscribe-pending" (not yet successful),
// "active", "unsubscribe-pending", "unsubscribed". The Agreement API's view: ACTIVE until it
// ends, then end_reason (CANCELLED by the buyer, EXPIRED at `ends`) from `ended` on.
struct Agreement {
  std::string id;  // agmt-…
  std::string buyer_account_id;
  std::string product_code;
  std::string customer_identifier;
  std::string license_arn;
  std::string offer_id;
  bool free_trial = false;
  Json entitlements = Json::object();
  std::string status;
  core::TimePoint created;
  core::TimePoint status_due;  // when the pending status moves on
  core::TimePoint ends;        // contract end (entitlement expiration)
  int free_trial_days = 0;     // the free trial's length (free_trial only)
  std::optional<core::TimePoint> ended;
  std::string end_reason;  // "", CANCELLED or EXPIRED

  bool operator==(const Agreement&) const = default;
};

struct RegistrationToken {
  std::string agreement_id;
  core::TimePoint issued;

  bool operator==(const RegistrationToken&) const = default;
};

struct MeteringRecord {
  std::string id;
  std::string product_code;
  std::string customer;  // CustomerIdentifier, or "account-id|license-arn"
  std::string dimension;
  long long hour = 0;  // unix seconds of the hour's start
  long long quantity = 0;
  std::string status;  // Success, CustomerNotSubscribed, DuplicateRecord
  core::TimePoint timestamp;
  core::TimePoint received;
  std::string operation;  // BatchMeterUsage or MeterUsage
  Json allocations = Json::array();

  bool operator==(const MeteringRecord&) const = default;
};

// What AWS de-duplicates usage on (product, customer, dimension, hour): State::metering_index's
// key for a record.
std::string metering_dedup_key(const MeteringRecord& r);

struct NotificationSubscription {
  std::string arn;
  std::string topic_arn;
  std::string topic;  // subscription or entitlement
  std::string product_code;
  std::string endpoint;   // http(s) URL, or empty for SQS
  std::string queue_key;  // "account/name" for SQS
  std::string signature_version = "1";
  std::string status = "PendingConfirmation";
  std::string token;

  bool operator==(const NotificationSubscription&) const = default;
};

// An EventBridge rule's target: an API destination (endpoint) or an SQS queue (queue_key).
struct EventDestination {
  std::string id;
  std::string endpoint;
  std::string header_name;
  std::string header_value;
  std::string seller_account_id;
  std::string queue_key;  // "account/name"; empty for API destinations

  bool operator==(const EventDestination&) const = default;
};

struct QueueMessage {
  std::string id;
  std::string body;
  std::string receipt_handle;
  core::TimePoint sent;
  core::TimePoint visible_at;
  core::TimePoint first_received;
  int receive_count = 0;

  bool operator==(const QueueMessage&) const = default;
};

struct Queue {
  std::string name;
  std::string account_id;
  std::deque<QueueMessage> messages;

  bool operator==(const Queue&) const = default;
};

struct CallRecord {
  long long seq = 0;
  core::TimePoint time;
  std::string service;
  std::string operation;
  std::string account_id;
  std::string access_key_id;
  int status = 200;
  std::string error_code;
  std::string request_id;
};

struct Fault {
  std::string operation;
  std::string error;
  int status = 400;
  std::string message;
  long long latency_ms = 0;
  double rate = 1.0;
  long long remaining = -1;  // -1: unlimited
};

struct DeliveryLog {
  std::string id;
  std::string kind;
  std::string url;
  std::string message_id;
  std::string summary;  // e.g. "subscribe-success"
  int attempts = 0;
  int last_status = 0;
  std::string state = "pending";  // pending, delivered, failed
};

struct State {
  SimulatorSettings settings;
  std::chrono::seconds offset{0};
  std::string base_url = "http://127.0.0.1:4566";
  std::map<std::string, Account> accounts;
  std::map<std::string, AccessKey> keys;
  std::map<std::string, Organization> organizations;
  std::map<std::string, CreateAccountRequest> create_requests;
  std::vector<std::string> create_request_order;
  std::map<std::string, Bucket> buckets;
  std::map<std::string, Product> products;
  std::map<std::string, Agreement> agreements;
  std::vector<std::string> agreement_order;
  std::map<std::string, RegistrationToken> tokens;
  std::vector<MeteringRecord> metering;
  std::map<std::string, size_t> metering_index;  // dedup key → position in `metering`
  std::vector<NotificationSubscription> notification_subscriptions;
  std::vector<EventDestination> event_destinations;
  std::map<std::string, Queue> queues;  // "account/name"
  std::vector<CallRecord> calls;
  std::vector<Fault> faults;
  std::mt19937_64 fault_rng{42};
  std::deque<Delivery> outbox;
  std::vector<DeliveryLog> delivery_log;
  std::unique_ptr<SnsSigner> signer;
  bool dirty = false;
  long long next_seq = 1;
  long long queue_version = 0;  // bumped whenever a message enters a queue
};

// What one AWS call carries once routed and authenticated.
struct Call {
  aws::Service service;
  std::string operation;
  const aws::HttpRequest& http;
  Json input;                                               // json protocols: the body
  std::vector<std::pair<std::string, std::string>> params;  // query: form and query parameters
  const AccessKey& caller;
  std::string request_id;

  // Query parameter or "".
  std::string param(std::string_view name) const;
  bool has_param(std::string_view name) const;
  // "Name.member.1", "Name.member.2", … (or "Name.1" when `flattened`).
  std::vector<std::string> list_param(std::string_view name, bool flattened = false) const;
};

// The context a service call runs in: the locked state and business time.
struct Ctx {
  State& st;
  core::TimePoint now;
  // When set, the events published carry this time instead of `now` (a subscription started in
  // the past announces itself at its start).
  std::optional<core::TimePoint> events_at;

  core::TimePoint event_time() const { return events_at.value_or(now); }

  Account& account(const std::string& id);
  Account* find_account(const std::string& id);
  std::string new_id(std::string_view prefix, size_t random_chars,
                     std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789");
  std::string new_account_id();
  AccessKey& new_access_key(const std::string& account_id, bool temporary);
  // Queues the SNS message for every subscription of the product's topic.
  void publish_subscription_event(const Agreement& agreement, std::string_view action);
  void publish_entitlement_event(const Agreement& agreement);
  // EventBridge: the event to every destination (API destinations and SQS queues).
  // `intent`: NEW, AMEND or CANCEL (empty: from the agreement's state).
  void publish_agreement_event(const Agreement& agreement, std::string_view detail_type,
                               std::string_view intent = {});
};

// Random characters from the OS's source, from `alphabet`.
std::string random_chars(size_t n, std::string_view alphabet);

// ---- Services: each answers one call of its service, or throws AwsError ----------------------
aws::HttpResponse metering_call(Ctx& ctx, const Call& call);
aws::HttpResponse entitlement_call(Ctx& ctx, const Call& call);
aws::HttpResponse organizations_call(Ctx& ctx, const Call& call);
aws::HttpResponse account_call(Ctx& ctx, const Call& call);
aws::HttpResponse iam_call(Ctx& ctx, const Call& call);
aws::HttpResponse sts_call(Ctx& ctx, const Call& call);
aws::HttpResponse s3_call(Ctx& ctx, const Call& call);
aws::HttpResponse cur_call(Ctx& ctx, const Call& call);
aws::HttpResponse sqs_call(Ctx& ctx, const Call& call);
aws::HttpResponse agreement_call(Ctx& ctx, const Call& call);

// Organizations: moves due CreateAccount requests to SUCCEEDED or FAILED.
void settle_create_accounts(Ctx& ctx);
// Marketplace: moves due agreements on (subscribe-success, unsubscribe-success).
void settle_agreements(Ctx& ctx);
// The ARN of AWS Marketplace's topic `topic` ("subscription" or "entitlement") for a product.
std::string sns_topic_arn(std::string_view topic, std::string_view product_code);
// Queues the SubscriptionConfirmation a new HTTP subscription receives.
void queue_confirmation(Ctx& ctx, const NotificationSubscription& sub);
// Marketplace lifecycle (marketplace.cpp), for the control API and the console.
core::Result<Json> subscribe_buyer(Ctx& ctx, const Json& request);
core::Result<Json> cancel_agreement(Ctx& ctx, const std::string& agreement_id);
// Replaces an agreement's entitlements ({"dim": value}) as an amendment does: SNS
// entitlement-updated, EventBridge Purchase Agreement Amended and License Updated.
core::Result<Json> amend_entitlements(Ctx& ctx, const std::string& agreement_id,
                                      const Json& entitlements);
// The Agreement API's status of an agreement (ACTIVE, CANCELLED, EXPIRED).
std::string agreement_api_status(const Agreement& agreement);
std::string issue_registration_token(Ctx& ctx, const Agreement& agreement);
// S3: the operation a request asks for, from its method, path and sub-resources.
std::string s3_operation_name(const aws::HttpRequest& request);
// Puts `body` into a simulated queue as an SNS notification would arrive.
void enqueue_message(Ctx& ctx, const std::string& queue_key, const std::string& body);

// ---- Wire helpers -------------------------------------------------------------------------
std::string iso8601(core::TimePoint t);         // 2026-01-01T00:00:00Z
std::string iso8601_millis(core::TimePoint t);  // 2026-01-01T00:00:00.000Z
double epoch_seconds(core::TimePoint t);

aws::HttpResponse json_reply(const Json& body, const std::string& request_id,
                             std::string_view content_type = "application/x-amz-json-1.1");
// <OpResponse xmlns><OpResult>result_xml</OpResult><ResponseMetadata>…
aws::HttpResponse query_reply(const Call& call, std::string_view xmlns,
                              const std::string& result_xml, bool with_result = true);
aws::HttpResponse xml_reply(int status, const std::string& xml, const std::string& request_id);
// The error in the shape of `protocol`.
aws::HttpResponse error_reply(aws::Protocol protocol, const AwsError& error,
                              const std::string& request_id, bool head_request);

// Small XML builder: appends <name>escaped text</name>.
void xml_element(std::string& out, std::string_view name, std::string_view text);

// JSON input helpers: throw a ValidationException-style AwsError with `code` on a wrong type.
std::string json_string(const Json& input, std::string_view field, bool required,
                        std::string_view code = "ValidationException");
}  // namespace sim
