// The JSON form of the simulator's entities and of its saved state (see state_json.h), and the
// Simulator's save_json/load_json on top of it.
#include "sim/state_json.h"

#include <fmt/format.h>

#include <stdexcept>

#include "sim/simulator.h"
#include "sim/sns_signer.h"

namespace sim {

namespace {

Json time_json(core::TimePoint t) { return core::format_rfc3339(t); }

core::TimePoint time_of(const Json& j) {
  const auto t = core::parse_rfc3339(j.get<std::string>());
  if (!t) throw std::invalid_argument(fmt::format("{} is not an RFC 3339 time.", j.dump()));
  return *t;
}

// Times that may not have happened yet: null for never (the epoch, or no value).
Json time_or_null(core::TimePoint t) {
  return t == core::TimePoint{} ? Json(nullptr) : time_json(t);
}
core::TimePoint time_or_epoch(const Json& j) {
  return j.is_null() ? core::TimePoint{} : time_of(j);
}
Json optional_time(const std::optional<core::TimePoint>& t) {
  return t ? time_json(*t) : Json(nullptr);
}
std::optional<core::TimePoint> optional_time_of(const Json& j) {
  if (j.is_null()) return std::nullopt;
  return time_of(j);
}

// Strings where empty means "none": null in JSON.
Json nullable(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }
std::string string_or_empty(const Json& j) { return j.is_null() ? "" : j.get<std::string>(); }

}  // namespace

// ---- Entities -------------------------------------------------------------------------------

void to_json(Json& j, const AccessKey& k) {
  j = {{"access_key_id", k.access_key_id},
       {"secret_access_key", k.secret_access_key},
       {"session_token", nullable(k.session_token)},
       {"account_id", k.account_id},
       {"arn", k.arn},
       {"user_id", k.user_id},
       {"expires_at", optional_time(k.expires)}};
}

void from_json(const Json& j, AccessKey& k) {
  k.access_key_id = j.at("access_key_id");
  k.secret_access_key = j.at("secret_access_key");
  k.session_token = string_or_empty(j.at("session_token"));
  k.account_id = j.at("account_id");
  k.arn = j.at("arn");
  k.user_id = j.at("user_id");
  k.expires = optional_time_of(j.at("expires_at"));
}

void to_json(Json& j, const Role& r) {
  j = {{"name", r.name}, {"trusted_account_id", r.trusted_account_id}};
}

void from_json(const Json& j, Role& r) {
  r.name = j.at("name");
  r.trusted_account_id = j.at("trusted_account_id");
}

void to_json(Json& j, const IamUser& u) {
  j = {{"user_name", u.name},
       {"user_id", u.user_id},
       {"path", u.path},
       {"created_at", time_json(u.created)},
       {"login_profile", u.login_profile},
       {"password_reset_required", u.password_reset_required},
       {"login_profile_created_at", time_or_null(u.login_profile_created)},
       {"policies", u.policy_arns}};
}

void from_json(const Json& j, IamUser& u) {
  u.name = j.at("user_name");
  u.user_id = j.at("user_id");
  u.path = j.at("path");
  u.created = time_of(j.at("created_at"));
  u.login_profile = j.at("login_profile");
  u.password_reset_required = j.at("password_reset_required");
  u.login_profile_created = time_or_epoch(j.at("login_profile_created_at"));
  u.policy_arns = j.at("policies").get<std::vector<std::string>>();
}

void to_json(Json& j, const Contact& c) {
  j = {{"name", c.name}, {"title", c.title}, {"email", c.email}, {"phone", c.phone}};
}

void from_json(const Json& j, Contact& c) {
  c.name = j.at("name");
  c.title = j.at("title");
  c.email = j.at("email");
  c.phone = j.at("phone");
}

void to_json(Json& j, const Account& a) {
  Json users = Json::array();
  for (const auto& [name, u] : a.users) users.push_back(u);
  Json reports = Json::array();
  for (const auto& [name, definition] : a.reports) reports.push_back(definition);
  j = {{"account_id", a.id},
       {"email", a.email},
       {"name", a.name},
       {"created_at", time_json(a.created)},
       {"organization_id", nullable(a.organization_id)},
       {"joined_method", a.joined_method},
       {"alias", nullable(a.alias)},
       {"roles", a.roles},
       {"contacts", a.contacts},
       {"users", users},
       {"reports", reports}};
}

void from_json(const Json& j, Account& a) {
  a.id = j.at("account_id");
  a.email = j.at("email");
  a.name = j.at("name");
  a.created = time_of(j.at("created_at"));
  a.organization_id = string_or_empty(j.at("organization_id"));
  a.joined_method = j.at("joined_method");
  a.alias = string_or_empty(j.at("alias"));
  a.roles = j.at("roles").get<std::vector<Role>>();
  a.contacts = j.at("contacts").get<std::map<std::string, Contact>>();
  a.users.clear();
  for (const auto& u : j.at("users")) {
    IamUser user = u.get<IamUser>();
    a.users[user.name] = std::move(user);
  }
  a.reports.clear();
  for (const auto& definition : j.at("reports")) {
    a.reports[definition.at("ReportName").get<std::string>()] = definition;
  }
}

void to_json(Json& j, const Organization& o) {
  j = {{"id", o.id},
       {"management_account_id", o.management_account_id},
       {"created_at", time_json(o.created)}};
}

void from_json(const Json& j, Organization& o) {
  o.id = j.at("id");
  o.management_account_id = j.at("management_account_id");
  o.created = time_of(j.at("created_at"));
}

void to_json(Json& j, const CreateAccountRequest& r) {
  j = {{"id", r.id},
       {"requester_account_id", r.requester_account_id},
       {"email", r.email},
       {"name", r.name},
       {"role_name", r.role_name},
       {"requested_at", time_json(r.requested)},
       {"due_at", time_json(r.due)},
       {"state", r.state},
       {"account_id", nullable(r.account_id)},
       {"failure_reason", nullable(r.failure_reason)},
       {"completed_at", optional_time(r.completed)}};
}

void from_json(const Json& j, CreateAccountRequest& r) {
  r.id = j.at("id");
  r.requester_account_id = j.at("requester_account_id");
  r.email = j.at("email");
  r.name = j.at("name");
  r.role_name = j.at("role_name");
  r.requested = time_of(j.at("requested_at"));
  r.due = time_of(j.at("due_at"));
  r.state = j.at("state");
  r.account_id = string_or_empty(j.at("account_id"));
  r.failure_reason = string_or_empty(j.at("failure_reason"));
  r.completed = optional_time_of(j.at("completed_at"));
}

// The policy shows as the JSON document it is (PutBucketPolicy only accepts JSON objects); read
// back, it is kept as compact JSON text.
void to_json(Json& j, const Bucket& b) {
  Json policy = nullptr;
  if (!b.policy.empty()) {
    policy = Json::parse(b.policy, nullptr, false);
    if (policy.is_discarded()) policy = b.policy;
  }
  j = {{"name", b.name},
       {"owner_account_id", b.owner_account_id},
       {"region", b.region},
       {"created_at", time_json(b.created)},
       {"policy", policy}};
}

void from_json(const Json& j, Bucket& b) {
  b.name = j.at("name");
  b.owner_account_id = j.at("owner_account_id");
  b.region = j.at("region");
  b.created = time_of(j.at("created_at"));
  const Json& policy = j.at("policy");
  b.policy = policy.is_null() ? "" : policy.is_string() ? policy.get<std::string>() : policy.dump();
}

void to_json(Json& j, const Product& p) {
  Json dimensions = Json::array();
  for (const auto& [name, description] : p.dimensions)
    dimensions.push_back({{"name", name}, {"description", description}});
  j = {{"product_code", p.code},
       {"product_id", p.id},
       {"name", p.name},
       {"pricing_model", p.pricing_model},
       {"dimensions", dimensions},
       {"fulfillment_url", p.fulfillment_url},
       {"seller_account_id", p.seller_account_id},
       {"free_trial", p.free_trial},
       {"legacy_identity", p.legacy_identity}};
}

void from_json(const Json& j, Product& p) {
  p.code = j.at("product_code");
  p.id = j.at("product_id");
  p.name = j.at("name");
  p.pricing_model = j.at("pricing_model");
  p.dimensions.clear();
  for (const auto& d : j.at("dimensions"))
    p.dimensions.emplace_back(d.at("name"), d.at("description"));
  p.fulfillment_url = j.at("fulfillment_url");
  p.seller_account_id = j.at("seller_account_id");
  p.free_trial = j.at("free_trial");
  p.legacy_identity = j.at("legacy_identity");
}

void to_json(Json& j, const Agreement& a) {
  j = {{"agreement_id", a.id},
       {"buyer_account_id", a.buyer_account_id},
       {"product_code", a.product_code},
       {"customer_identifier", a.customer_identifier},
       {"license_arn", a.license_arn},
       {"offer_id", a.offer_id},
       {"free_trial", a.free_trial},
       {"entitlements", a.entitlements},
       {"status", a.status},
       {"created_at", time_json(a.created)},
       {"status_due_at", time_json(a.status_due)},
       {"ends_at", time_json(a.ends)},
       {"free_trial_days", a.free_trial_days},
       {"ended_at", optional_time(a.ended)},
       {"end_reason", a.end_reason}};
}

void from_json(const Json& j, Agreement& a) {
  a.id = j.at("agreement_id");
  a.buyer_account_id = j.at("buyer_account_id");
  a.product_code = j.at("product_code");
  a.customer_identifier = j.at("customer_identifier");
  a.license_arn = j.at("license_arn");
  a.offer_id = j.at("offer_id");
  a.free_trial = j.at("free_trial");
  a.entitlements = j.at("entitlements");
  a.status = j.at("status");
  a.created = time_of(j.at("created_at"));
  a.status_due = time_of(j.at("status_due_at"));
  a.ends = time_of(j.at("ends_at"));
  // Absent from states saved before the Agreement API.
  a.free_trial_days = j.value("free_trial_days", a.free_trial ? 30 : 0);
  a.ended = j.contains("ended_at") ? optional_time_of(j.at("ended_at")) : std::nullopt;
  a.end_reason = j.value("end_reason", "");
}

void to_json(Json& j, const MeteringRecord& r) {
  j = {{"metering_record_id", nullable(r.id)},
       {"operation", r.operation},
       {"product_code", r.product_code},
       {"customer", r.customer},
       {"dimension", r.dimension},
       {"hour", time_json(core::TimePoint(std::chrono::seconds(r.hour)))},
       {"quantity", r.quantity},
       {"status", r.status},
       {"timestamp", time_json(r.timestamp)},
       {"received_at", time_json(r.received)},
       {"allocations", r.allocations}};
}

void from_json(const Json& j, MeteringRecord& r) {
  r.id = string_or_empty(j.at("metering_record_id"));
  r.operation = j.at("operation");
  r.product_code = j.at("product_code");
  r.customer = j.at("customer");
  r.dimension = j.at("dimension");
  r.hour = core::unix_seconds(time_of(j.at("hour")));
  r.quantity = j.at("quantity");
  r.status = j.at("status");
  r.timestamp = time_of(j.at("timestamp"));
  r.received = time_of(j.at("received_at"));
  r.allocations = j.at("allocations");
}

// "endpoint" (HTTP) or "queue" ("account/name", SQS): only the one the subscription has.
void to_json(Json& j, const NotificationSubscription& s) {
  j = {{"subscription_arn", s.arn},
       {"topic_arn", s.topic_arn},
       {"topic", s.topic},
       {"product_code", s.product_code},
       {"status", s.status},
       {"signature_version", s.signature_version},
       {"confirmation_token", s.token}};
  if (!s.endpoint.empty()) j["endpoint"] = s.endpoint;
  if (!s.queue_key.empty()) j["queue"] = s.queue_key;
}

void from_json(const Json& j, NotificationSubscription& s) {
  s.arn = j.at("subscription_arn");
  s.topic_arn = j.at("topic_arn");
  s.topic = j.at("topic");
  s.product_code = j.at("product_code");
  s.status = j.at("status");
  s.signature_version = j.at("signature_version");
  s.token = j.at("confirmation_token");
  s.endpoint = j.value("endpoint", "");
  s.queue_key = j.value("queue", "");
  if (s.endpoint.empty() == s.queue_key.empty()) {
    throw std::invalid_argument(
        fmt::format("Notification subscription {} needs either endpoint or queue.", s.arn));
  }
}

void to_json(Json& j, const EventDestination& d) {
  j = {{"destination_id", d.id},
       {"endpoint", nullable(d.endpoint)},
       {"sqs_queue", nullable(d.queue_key)},
       {"secret_header", d.header_name},
       {"secret", d.header_value},
       {"seller_account_id", nullable(d.seller_account_id)}};
}

void from_json(const Json& j, EventDestination& d) {
  d.id = j.at("destination_id");
  d.endpoint = string_or_empty(j.at("endpoint"));
  d.queue_key = j.contains("sqs_queue") ? string_or_empty(j.at("sqs_queue")) : "";
  if (d.endpoint.empty() == d.queue_key.empty()) {
    throw std::invalid_argument(
        fmt::format("Event destination {} needs either endpoint or sqs_queue.", d.id));
  }
  d.header_name = j.at("secret_header");
  d.header_value = j.at("secret");
  d.seller_account_id = string_or_empty(j.at("seller_account_id"));
}

void to_json(Json& j, const QueueMessage& m) {
  j = {{"message_id", m.id},
       {"body", m.body},
       {"receipt_handle", nullable(m.receipt_handle)},
       {"sent_at", time_json(m.sent)},
       {"visible_at", time_json(m.visible_at)},
       {"first_received_at", time_or_null(m.first_received)},
       {"receive_count", m.receive_count}};
}

void from_json(const Json& j, QueueMessage& m) {
  m.id = j.at("message_id");
  m.body = j.at("body");
  m.receipt_handle = string_or_empty(j.at("receipt_handle"));
  m.sent = time_of(j.at("sent_at"));
  m.visible_at = time_of(j.at("visible_at"));
  m.first_received = time_or_epoch(j.at("first_received_at"));
  m.receive_count = j.at("receive_count");
}

void to_json(Json& j, const Queue& q) {
  j = {{"account_id", q.account_id}, {"name", q.name}, {"messages", q.messages}};
}

void from_json(const Json& j, Queue& q) {
  q.account_id = j.at("account_id");
  q.name = j.at("name");
  q.messages = j.at("messages").get<std::deque<QueueMessage>>();
}

void to_json(Json& j, const CallRecord& c) {
  j = {{"seq", c.seq},
       {"time", time_json(c.time)},
       {"service", c.service},
       {"operation", c.operation},
       {"account_id", c.account_id},
       {"access_key_id", c.access_key_id},
       {"status", c.status},
       {"error_code", nullable(c.error_code)},
       {"request_id", c.request_id}};
}

void to_json(Json& j, const DeliveryLog& d) {
  j = {{"id", d.id},
       {"kind", d.kind},
       {"target", d.url},
       {"message_id", d.message_id},
       {"summary", d.summary},
       {"attempts", d.attempts},
       {"last_status", d.last_status},
       {"state", d.state}};
}

Json registration_token_json(const std::string& token, const RegistrationToken& t) {
  return {{"registration_token", token},
          {"agreement_id", t.agreement_id},
          {"issued_at", time_json(t.issued)}};
}

// ---- The whole state ------------------------------------------------------------------------

Json state_to_json(const State& st) {
  Json out = {{"format", kStateFormat},
              {"offset_seconds", st.offset.count()},
              {"settings", settings_to_json(st.settings)}};
  Json& accounts = out["accounts"] = Json::array();
  for (const auto& [id, a] : st.accounts) accounts.push_back(a);
  Json& keys = out["access_keys"] = Json::array();
  for (const auto& [id, k] : st.keys) keys.push_back(k);
  Json& organizations = out["organizations"] = Json::array();
  for (const auto& [id, o] : st.organizations) organizations.push_back(o);
  Json& requests = out["create_account_requests"] = Json::array();
  for (const auto& id : st.create_request_order) requests.push_back(st.create_requests.at(id));
  Json& buckets = out["buckets"] = Json::array();
  for (const auto& [name, b] : st.buckets) buckets.push_back(b);
  Json& products = out["products"] = Json::array();
  for (const auto& [code, p] : st.products) products.push_back(p);
  Json& agreements = out["subscriptions"] = Json::array();
  for (const auto& id : st.agreement_order) agreements.push_back(st.agreements.at(id));
  Json& tokens = out["registration_tokens"] = Json::array();
  for (const auto& [token, t] : st.tokens) tokens.push_back(registration_token_json(token, t));
  out["metering_records"] = st.metering;
  out["notification_subscriptions"] = st.notification_subscriptions;
  out["event_destinations"] = st.event_destinations;
  Json& queues = out["queues"] = Json::array();
  for (const auto& [key, q] : st.queues) queues.push_back(q);
  return out;
}

namespace {

// References the simulator follows without checking: a broken one would stop it later.
void check_references(const State& st) {
  for (const auto& [id, a] : st.accounts) {
    if (!a.organization_id.empty() && !st.organizations.contains(a.organization_id)) {
      throw std::invalid_argument(
          fmt::format("Account {} is in organization {}, which the state does not have.", id,
                      a.organization_id));
    }
  }
  for (const auto& [id, a] : st.agreements) {
    if (!st.products.contains(a.product_code)) {
      throw std::invalid_argument(fmt::format(
          "Subscription {} is to product {}, which the state does not have.", id, a.product_code));
    }
  }
  for (const auto& [token, t] : st.tokens) {
    if (!st.agreements.contains(t.agreement_id)) {
      throw std::invalid_argument(
          fmt::format("A registration token names subscription {}, which the state does not have.",
                      t.agreement_id));
    }
  }
}

}  // namespace

core::Status state_from_json(const Json& in, State& st) {
  if (!in.is_object() || !in.contains("format") || !in["format"].is_number_integer())
    return core::invalid("The state is not a simulator state: it has no \"format\".");
  const long long format = in["format"].get<long long>();
  if (format == 1) {
    return core::invalid(
        "The state has format 1, which earlier versions of marketlink sim wrote; this version "
        "reads format 2 only and does not convert it. Start from an empty simulator instead (for "
        "a state file: remove it, and the simulator writes format 2 from then on).");
  }
  if (format != kStateFormat)
    return core::invalid(fmt::format("Unknown simulator state format {}.", format));
  State next;
  next.settings = st.settings;
  try {
    next.offset = std::chrono::seconds(in.at("offset_seconds").get<long long>());
    if (auto s = apply_settings_json(in.at("settings"), next.settings); !s.ok()) return s;
    for (const auto& j : in.at("accounts")) {
      Account a = j.get<Account>();
      next.accounts[a.id] = std::move(a);
    }
    for (const auto& j : in.at("access_keys")) {
      AccessKey k = j.get<AccessKey>();
      next.keys[k.access_key_id] = std::move(k);
    }
    for (const auto& j : in.at("organizations")) {
      Organization o = j.get<Organization>();
      next.organizations[o.id] = std::move(o);
    }
    for (const auto& j : in.at("create_account_requests")) {
      CreateAccountRequest r = j.get<CreateAccountRequest>();
      if (!next.create_requests.contains(r.id)) next.create_request_order.push_back(r.id);
      next.create_requests[r.id] = std::move(r);
    }
    for (const auto& j : in.at("buckets")) {
      Bucket b = j.get<Bucket>();
      next.buckets[b.name] = std::move(b);
    }
    for (const auto& j : in.at("products")) {
      Product p = j.get<Product>();
      next.products[p.code] = std::move(p);
    }
    for (const auto& j : in.at("subscriptions")) {
      Agreement a = j.get<Agreement>();
      if (!next.agreements.contains(a.id)) next.agreement_order.push_back(a.id);
      next.agreements[a.id] = std::move(a);
    }
    for (const auto& j : in.at("registration_tokens")) {
      next.tokens[j.at("registration_token").get<std::string>()] =
          RegistrationToken{j.at("agreement_id"), time_of(j.at("issued_at"))};
    }
    next.metering = in.at("metering_records").get<std::vector<MeteringRecord>>();
    for (size_t i = 0; i < next.metering.size(); ++i) {
      if (next.metering[i].status == "Success")
        next.metering_index[metering_dedup_key(next.metering[i])] = i;
    }
    next.notification_subscriptions =
        in.at("notification_subscriptions").get<std::vector<NotificationSubscription>>();
    next.event_destinations = in.at("event_destinations").get<std::vector<EventDestination>>();
    for (const auto& j : in.at("queues")) {
      Queue q = j.get<Queue>();
      next.queues[q.account_id + "/" + q.name] = std::move(q);
    }
    check_references(next);
  } catch (const Json::exception& e) {
    return core::invalid(fmt::format("The state is not a simulator state: {}", e.what()));
  } catch (const std::invalid_argument& e) {
    return core::invalid(fmt::format("The state is not a simulator state: {}", e.what()));
  }
  st.settings = std::move(next.settings);
  st.offset = next.offset;
  st.accounts = std::move(next.accounts);
  st.keys = std::move(next.keys);
  st.organizations = std::move(next.organizations);
  st.create_requests = std::move(next.create_requests);
  st.create_request_order = std::move(next.create_request_order);
  st.buckets = std::move(next.buckets);
  st.products = std::move(next.products);
  st.agreements = std::move(next.agreements);
  st.agreement_order = std::move(next.agreement_order);
  st.tokens = std::move(next.tokens);
  st.metering = std::move(next.metering);
  st.metering_index = std::move(next.metering_index);
  st.notification_subscriptions = std::move(next.notification_subscriptions);
  st.event_destinations = std::move(next.event_destinations);
  st.queues = std::move(next.queues);
  return {};
}

// ---- Simulator ------------------------------------------------------------------------------

Json Simulator::save_json() const {
  std::lock_guard lock(mu_);
  return state_to_json(*state_);
}

// Everything not saved (calls, faults, deliveries, the delivery log) starts afresh; the base URL
// and the SNS signing key stay.
core::Status Simulator::load_json(const Json& in) {
  State next;
  {
    std::lock_guard lock(mu_);
    next.settings = state_->settings;
  }
  if (auto s = state_from_json(in, next); !s.ok()) return s;
  std::lock_guard lock(mu_);
  next.base_url = state_->base_url;
  next.signer = std::move(state_->signer);
  *state_ = std::move(next);
  return {};
}

}  // namespace sim
