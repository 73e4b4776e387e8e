// Saving and loading the simulator's state as JSON (marketlink sim --state FILE). Calls,
// faults and pending deliveries are not kept; the SNS signing key is made anew at each start.
#include <fmt/format.h>

#include "sim/sim_state.h"
#include "sim/simulator.h"
#include "sim/sns_signer.h"

namespace sim {

namespace {

constexpr int kFormat = 1;

long long ms(core::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
core::TimePoint tp(const Json& j) {
  return core::TimePoint(std::chrono::milliseconds(j.get<long long>()));
}

}  // namespace

Json Simulator::save_json() const {
  std::lock_guard lock(mu_);
  const State& st = *state_;
  Json out = {{"format", kFormat},
              {"offset_seconds", st.offset.count()},
              {"settings", settings_to_json(st.settings)}};
  Json accounts = Json::array();
  for (const auto& [id, a] : st.accounts) {
    Json contacts = Json::object();
    for (const auto& [t, c] : a.contacts)
      contacts[t] = {{"name", c.name}, {"title", c.title}, {"email", c.email}, {"phone", c.phone}};
    Json users = Json::array();
    for (const auto& [n, u] : a.users) {
      users.push_back({{"name", u.name},
                       {"user_id", u.user_id},
                       {"path", u.path},
                       {"created", ms(u.created)},
                       {"login_profile", u.login_profile},
                       {"password_reset_required", u.password_reset_required},
                       {"login_profile_created", ms(u.login_profile_created)},
                       {"policy_arns", u.policy_arns}});
    }
    Json roles = Json::array();
    for (const auto& r : a.roles)
      roles.push_back({{"name", r.name}, {"trusted", r.trusted_account_id}});
    Json reports = Json::object();
    for (const auto& [n, d] : a.reports) reports[n] = d;
    accounts.push_back({{"id", a.id},
                        {"email", a.email},
                        {"name", a.name},
                        {"created", ms(a.created)},
                        {"organization_id", a.organization_id},
                        {"joined_method", a.joined_method},
                        {"roles", roles},
                        {"contacts", contacts},
                        {"users", users},
                        {"alias", a.alias},
                        {"reports", reports}});
  }
  out["accounts"] = accounts;
  Json keys = Json::array();
  for (const auto& [id, k] : st.keys) {
    keys.push_back({{"id", k.access_key_id},
                    {"secret", k.secret_access_key},
                    {"token", k.session_token},
                    {"account_id", k.account_id},
                    {"arn", k.arn},
                    {"user_id", k.user_id},
                    {"expires", k.expires ? Json(ms(*k.expires)) : Json(nullptr)}});
  }
  out["keys"] = keys;
  Json orgs = Json::array();
  for (const auto& [id, o] : st.organizations)
    orgs.push_back(
        {{"id", o.id}, {"management", o.management_account_id}, {"created", ms(o.created)}});
  out["organizations"] = orgs;
  Json requests = Json::array();
  for (const auto& id : st.create_request_order) {
    const auto& r = st.create_requests.at(id);
    requests.push_back({{"id", r.id},
                        {"requester", r.requester_account_id},
                        {"email", r.email},
                        {"name", r.name},
                        {"role_name", r.role_name},
                        {"requested", ms(r.requested)},
                        {"due", ms(r.due)},
                        {"state", r.state},
                        {"account_id", r.account_id},
                        {"failure_reason", r.failure_reason},
                        {"completed", r.completed ? Json(ms(*r.completed)) : Json(nullptr)}});
  }
  out["create_account_requests"] = requests;
  Json buckets = Json::array();
  for (const auto& [n, b] : st.buckets) {
    buckets.push_back({{"name", b.name},
                       {"owner", b.owner_account_id},
                       {"region", b.region},
                       {"created", ms(b.created)},
                       {"policy", b.policy}});
  }
  out["buckets"] = buckets;
  Json products = Json::array();
  for (const auto& [c, p] : st.products) {
    Json dims = Json::array();
    for (const auto& [n, d] : p.dimensions) dims.push_back({{"name", n}, {"description", d}});
    products.push_back({{"code", p.code},
                        {"id", p.id},
                        {"name", p.name},
                        {"pricing_model", p.pricing_model},
                        {"dimensions", dims},
                        {"fulfillment_url", p.fulfillment_url},
                        {"seller", p.seller_account_id},
                        {"free_trial", p.free_trial},
                        {"legacy_identity", p.legacy_identity}});
  }
  out["products"] = products;
  Json agreements = Json::array();
  for (const auto& id : st.agreement_order) {
    const auto& a = st.agreements.at(id);
    agreements.push_back({{"id", a.id},
                          {"buyer", a.buyer_account_id},
                          {"product", a.product_code},
                          {"customer_identifier", a.customer_identifier},
                          {"license_arn", a.license_arn},
                          {"offer_id", a.offer_id},
                          {"free_trial", a.free_trial},
                          {"entitlements", a.entitlements},
                          {"status", a.status},
                          {"created", ms(a.created)},
                          {"status_due", ms(a.status_due)},
                          {"ends", ms(a.ends)}});
  }
  out["agreements"] = agreements;
  Json tokens = Json::array();
  for (const auto& [t, r] : st.tokens)
    tokens.push_back({{"token", t}, {"agreement", r.agreement_id}, {"issued", ms(r.issued)}});
  out["tokens"] = tokens;
  Json metering = Json::array();
  for (const auto& r : st.metering) {
    metering.push_back({{"id", r.id},
                        {"product", r.product_code},
                        {"customer", r.customer},
                        {"dimension", r.dimension},
                        {"hour", r.hour},
                        {"quantity", r.quantity},
                        {"status", r.status},
                        {"timestamp", ms(r.timestamp)},
                        {"received", ms(r.received)},
                        {"operation", r.operation},
                        {"allocations", r.allocations}});
  }
  out["metering"] = metering;
  Json subs = Json::array();
  for (const auto& s : st.notification_subscriptions) {
    subs.push_back({{"arn", s.arn},
                    {"topic_arn", s.topic_arn},
                    {"topic", s.topic},
                    {"product", s.product_code},
                    {"endpoint", s.endpoint},
                    {"queue", s.queue_key},
                    {"signature_version", s.signature_version},
                    {"status", s.status},
                    {"token", s.token}});
  }
  out["notification_subscriptions"] = subs;
  Json dests = Json::array();
  for (const auto& d : st.event_destinations) {
    dests.push_back({{"id", d.id},
                     {"endpoint", d.endpoint},
                     {"header", d.header_name},
                     {"value", d.header_value},
                     {"seller", d.seller_account_id}});
  }
  out["event_destinations"] = dests;
  Json queues = Json::array();
  for (const auto& [k, q] : st.queues) {
    Json messages = Json::array();
    for (const auto& m : q.messages)
      messages.push_back({{"id", m.id}, {"body", m.body}, {"sent", ms(m.sent)}});
    queues.push_back({{"name", q.name}, {"account_id", q.account_id}, {"messages", messages}});
  }
  out["queues"] = queues;
  return out;
}

core::Status Simulator::load_json(const Json& in) {
  State next;
  try {
    if (in.at("format").get<int>() != kFormat) return core::invalid("Unknown state file format.");
    next.offset = std::chrono::seconds(in.at("offset_seconds").get<long long>());
    next.settings = state_->settings;
    if (auto s = apply_settings_json(in.at("settings"), next.settings); !s.ok()) return s;
    for (const auto& j : in.at("accounts")) {
      Account a;
      a.id = j.at("id");
      a.email = j.at("email");
      a.name = j.at("name");
      a.created = tp(j.at("created"));
      a.organization_id = j.at("organization_id");
      a.joined_method = j.at("joined_method");
      for (const auto& r : j.at("roles")) a.roles.push_back({r.at("name"), r.at("trusted")});
      for (const auto& [t, c] : j.at("contacts").items())
        a.contacts[t] = Contact{c.at("name"), c.at("title"), c.at("email"), c.at("phone")};
      for (const auto& u : j.at("users")) {
        IamUser user;
        user.name = u.at("name");
        user.user_id = u.at("user_id");
        user.path = u.at("path");
        user.created = tp(u.at("created"));
        user.login_profile = u.at("login_profile");
        user.password_reset_required = u.at("password_reset_required");
        user.login_profile_created = tp(u.at("login_profile_created"));
        user.policy_arns = u.at("policy_arns").get<std::vector<std::string>>();
        a.users[user.name] = user;
      }
      a.alias = j.at("alias");
      for (const auto& [n, d] : j.at("reports").items()) a.reports[n] = d;
      next.accounts[a.id] = a;
    }
    for (const auto& j : in.at("keys")) {
      AccessKey k{j.at("id"),  j.at("secret"),  j.at("token"), j.at("account_id"),
                  j.at("arn"), j.at("user_id"), std::nullopt};
      if (!j.at("expires").is_null()) k.expires = tp(j.at("expires"));
      next.keys[k.access_key_id] = k;
    }
    for (const auto& j : in.at("organizations"))
      next.organizations[j.at("id")] =
          Organization{j.at("id"), j.at("management"), tp(j.at("created"))};
    for (const auto& j : in.at("create_account_requests")) {
      CreateAccountRequest r;
      r.id = j.at("id");
      r.requester_account_id = j.at("requester");
      r.email = j.at("email");
      r.name = j.at("name");
      r.role_name = j.at("role_name");
      r.requested = tp(j.at("requested"));
      r.due = tp(j.at("due"));
      r.state = j.at("state");
      r.account_id = j.at("account_id");
      r.failure_reason = j.at("failure_reason");
      if (!j.at("completed").is_null()) r.completed = tp(j.at("completed"));
      next.create_request_order.push_back(r.id);
      next.create_requests[r.id] = r;
    }
    for (const auto& j : in.at("buckets"))
      next.buckets[j.at("name")] =
          Bucket{j.at("name"), j.at("owner"), j.at("region"), tp(j.at("created")), j.at("policy")};
    for (const auto& j : in.at("products")) {
      Product p;
      p.code = j.at("code");
      p.id = j.at("id");
      p.name = j.at("name");
      p.pricing_model = j.at("pricing_model");
      for (const auto& d : j.at("dimensions"))
        p.dimensions.emplace_back(d.at("name"), d.at("description"));
      p.fulfillment_url = j.at("fulfillment_url");
      p.seller_account_id = j.at("seller");
      p.free_trial = j.at("free_trial");
      p.legacy_identity = j.at("legacy_identity");
      next.products[p.code] = p;
    }
    for (const auto& j : in.at("agreements")) {
      Agreement a;
      a.id = j.at("id");
      a.buyer_account_id = j.at("buyer");
      a.product_code = j.at("product");
      a.customer_identifier = j.at("customer_identifier");
      a.license_arn = j.at("license_arn");
      a.offer_id = j.at("offer_id");
      a.free_trial = j.at("free_trial");
      a.entitlements = j.at("entitlements");
      a.status = j.at("status");
      a.created = tp(j.at("created"));
      a.status_due = tp(j.at("status_due"));
      a.ends = tp(j.at("ends"));
      next.agreement_order.push_back(a.id);
      next.agreements[a.id] = a;
    }
    for (const auto& j : in.at("tokens"))
      next.tokens[j.at("token")] = RegistrationToken{j.at("agreement"), tp(j.at("issued"))};
    for (const auto& j : in.at("metering")) {
      MeteringRecord r;
      r.id = j.at("id");
      r.product_code = j.at("product");
      r.customer = j.at("customer");
      r.dimension = j.at("dimension");
      r.hour = j.at("hour");
      r.quantity = j.at("quantity");
      r.status = j.at("status");
      r.timestamp = tp(j.at("timestamp"));
      r.received = tp(j.at("received"));
      r.operation = j.at("operation");
      r.allocations = j.at("allocations");
      if (r.status == "Success") {
        next.metering_index[fmt::format("{}\n{}\n{}\n{}", r.product_code, r.customer, r.dimension,
                                        r.hour)] = next.metering.size();
      }
      next.metering.push_back(r);
    }
    for (const auto& j : in.at("notification_subscriptions")) {
      NotificationSubscription s;
      s.arn = j.at("arn");
      s.topic_arn = j.at("topic_arn");
      s.topic = j.at("topic");
      s.product_code = j.at("product");
      s.endpoint = j.at("endpoint");
      s.queue_key = j.at("queue");
      s.signature_version = j.at("signature_version");
      s.status = j.at("status");
      s.token = j.at("token");
      next.notification_subscriptions.push_back(s);
    }
    for (const auto& j : in.at("event_destinations")) {
      next.event_destinations.push_back(EventDestination{
          j.at("id"), j.at("endpoint"), j.at("header"), j.at("value"), j.at("seller")});
    }
    for (const auto& j : in.at("queues")) {
      Queue q;
      q.name = j.at("name");
      q.account_id = j.at("account_id");
      for (const auto& m : j.at("messages")) {
        QueueMessage message;
        message.id = m.at("id");
        message.body = m.at("body");
        message.sent = tp(m.at("sent"));
        message.visible_at = message.sent;
        q.messages.push_back(message);
      }
      next.queues[q.account_id + "/" + q.name] = std::move(q);
    }
  } catch (const Json::exception& e) {
    return core::invalid(fmt::format("The state file is not a simulator state: {}", e.what()));
  }
  std::lock_guard lock(mu_);
  next.base_url = state_->base_url;
  next.signer = std::move(state_->signer);
  *state_ = std::move(next);
  return {};
}

}  // namespace sim
