// The simulator's control side: accounts, products, subscriptions, notification subscriptions,
// faults, clock, read-outs and deliveries (what the /_sim API and the console call).
#include <fmt/format.h>

#include <regex>

#include "core/log.h"
#include "sim/sim_state.h"
#include "sim/simulator.h"
#include "sim/sns_signer.h"
#include "sim/state_json.h"

namespace sim {

namespace {

constexpr std::string_view kKeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kSecretAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";

// Only loopback targets: the simulator never contacts the outside world.
bool loopback_http_url(const std::string& url) {
  static const std::regex kUrl(R"(https?://(127\.[0-9.]+|localhost|\[::1\])(:[0-9]+)?(/.*)?)");
  return std::regex_match(url, kUrl);
}

}  // namespace

// ---- Ctx ------------------------------------------------------------------------------------

Account& Ctx::account(const std::string& id) {
  auto it = st.accounts.find(id);
  if (it == st.accounts.end()) throw_error(500, "InternalFailure", "Unknown account " + id + ".");
  return it->second;
}

Account* Ctx::find_account(const std::string& id) {
  auto it = st.accounts.find(id);
  return it == st.accounts.end() ? nullptr : &it->second;
}

std::string Ctx::new_id(std::string_view prefix, size_t n, std::string_view alphabet) {
  return std::string(prefix) + random_chars(n, alphabet);
}

std::string Ctx::new_account_id() {
  for (;;) {
    std::string id = random_chars(1, "123456789") + random_chars(11, "0123456789");
    if (!st.accounts.contains(id)) return id;
  }
}

AccessKey& Ctx::new_access_key(const std::string& account_id, bool temporary) {
  AccessKey k;
  k.access_key_id = (temporary ? "ASIA" : "AKIA") + random_chars(16, kKeyAlphabet);
  k.secret_access_key = random_chars(40, kSecretAlphabet);
  if (temporary) k.session_token = "IQoJb3JpZ2luX2VjE" + random_chars(280, kSecretAlphabet);
  k.account_id = account_id;
  k.arn = fmt::format("arn:aws:iam::{}:root", account_id);
  k.user_id = account_id;
  return st.keys[k.access_key_id] = k;
}

// ---- Control ----------------------------------------------------------------------------------

core::Result<Json> Simulator::create_account(const Json& req) {
  if (!req.is_object()) return core::invalid("The body must be a JSON object.");
  std::lock_guard lock(mu_);
  Ctx ctx{*state_, clock_.now() + state_->offset};
  std::string id = req.value("account_id", "");
  static const std::regex kId("[0-9]{12}");
  if (!id.empty() && !std::regex_match(id, kId))
    return core::invalid("account_id must be 12 digits.");
  if (!id.empty() && ctx.find_account(id)) return core::conflict("Account " + id + " exists.");
  if (id.empty()) id = ctx.new_account_id();
  std::string email = req.value("email", "");
  if (email.empty()) email = fmt::format("aws+{}@example.com", id);
  for (const auto& [other, a] : state_->accounts) {
    if (aws::iequals(a.email, email)) return core::conflict("E-mail " + email + " is in use.");
  }
  const std::string organization = req.value("organization", "none");
  if (organization != "none" && organization != "management" && organization != "member-of-other")
    return core::invalid("organization must be none, management or member-of-other.");
  Account a;
  a.id = id;
  a.email = email;
  a.name = req.value("name", "Account " + id);
  a.created = ctx.now;
  if (req.contains("roles")) {
    if (!req["roles"].is_array()) return core::invalid("roles must be a list.");
    for (const auto& r : req["roles"]) {
      if (!r.is_object() || !r.contains("name") || !r.contains("trusted_account_id"))
        return core::invalid("Each role needs name and trusted_account_id.");
      a.roles.push_back({r["name"].get<std::string>(), r["trusted_account_id"].get<std::string>()});
    }
  }
  Json out = {{"account_id", id}, {"email", email}};
  if (organization == "management") {
    Organization org{ctx.new_id("o-", 10), id, ctx.now};
    state_->organizations[org.id] = org;
    a.organization_id = org.id;
    out["organization_id"] = org.id;
  } else if (organization == "member-of-other") {
    std::string mgmt_id = req.value("management_account_id", "");
    if (!mgmt_id.empty()) {
      Account* mgmt = ctx.find_account(mgmt_id);
      if (mgmt == nullptr || mgmt->organization_id.empty())
        return core::invalid("management_account_id must be an existing management account.");
      a.organization_id = mgmt->organization_id;
    } else {
      Account m;
      m.id = ctx.new_account_id();
      m.email = fmt::format("aws+{}@example.com", m.id);
      m.name = "Management " + m.id;
      m.created = ctx.now;
      Organization org{ctx.new_id("o-", 10), m.id, ctx.now};
      m.organization_id = org.id;
      state_->organizations[org.id] = org;
      mgmt_id = m.id;
      a.organization_id = org.id;
      state_->accounts[m.id] = m;
    }
    a.joined_method = "INVITED";
    out["organization_id"] = a.organization_id;
    out["management_account_id"] = mgmt_id;
  }
  // A fixed key (the sandbox's documented demo keys) instead of a random one.
  const std::string fixed_key = req.value("access_key_id", "");
  const std::string fixed_secret = req.value("secret_access_key", "");
  if (!fixed_key.empty() || !fixed_secret.empty()) {
    static const std::regex kKeyId("AKIA[A-Z0-9]{16}");
    if (!std::regex_match(fixed_key, kKeyId) || fixed_secret.size() < 16) {
      return core::invalid(
          "access_key_id must be AKIA and 16 capitals or digits, with a secret_access_key of at "
          "least 16 characters.");
    }
    if (state_->keys.contains(fixed_key)) return core::conflict("Key " + fixed_key + " exists.");
  }
  state_->accounts[id] = a;
  if (!fixed_key.empty()) {
    AccessKey fixed;
    fixed.access_key_id = fixed_key;
    fixed.secret_access_key = fixed_secret;
    fixed.account_id = id;
    fixed.arn = fmt::format("arn:aws:iam::{}:root", id);
    fixed.user_id = id;
    state_->keys[fixed_key] = fixed;
  }
  const AccessKey& key =
      fixed_key.empty() ? ctx.new_access_key(id, false) : state_->keys[fixed_key];
  out["access_key_id"] = key.access_key_id;
  out["secret_access_key"] = key.secret_access_key;
  state_->dirty = true;
  return out;
}

core::Result<Json> Simulator::create_access_key(const std::string& account_id) {
  std::lock_guard lock(mu_);
  Ctx ctx{*state_, clock_.now() + state_->offset};
  if (!ctx.find_account(account_id)) return core::not_found("No such account: " + account_id);
  const AccessKey& key = ctx.new_access_key(account_id, false);
  state_->dirty = true;
  return Json{{"access_key_id", key.access_key_id}, {"secret_access_key", key.secret_access_key}};
}

core::Result<Json> Simulator::create_product(const Json& req) {
  if (!req.is_object()) return core::invalid("The body must be a JSON object.");
  Product p;
  p.code = req.value("product_code", "");
  static const std::regex kCode("[A-Za-z0-9_-]{1,255}");
  if (!std::regex_match(p.code, kCode)) return core::invalid("product_code is required.");
  p.name = req.value("name", p.code);
  p.pricing_model = req.value("pricing_model", "subscription");
  if (p.pricing_model != "subscription" && p.pricing_model != "contract" &&
      p.pricing_model != "contract_with_consumption" && p.pricing_model != "free") {
    return core::invalid(
        "pricing_model must be subscription, contract, contract_with_consumption or free.");
  }
  if (req.contains("dimensions")) {
    if (!req["dimensions"].is_array()) return core::invalid("dimensions must be a list.");
    for (const auto& d : req["dimensions"]) {
      if (!d.is_object() || !d.contains("name") || !d["name"].is_string())
        return core::invalid("Each dimension needs a name.");
      p.dimensions.emplace_back(d["name"].get<std::string>(), d.value("description", ""));
    }
  }
  p.fulfillment_url = req.value("fulfillment_url", "");
  if (!p.fulfillment_url.empty() && !p.fulfillment_url.starts_with("http://") &&
      !p.fulfillment_url.starts_with("https://")) {
    return core::invalid("fulfillment_url must be an http(s) URL.");
  }
  p.free_trial = req.value("free_trial", true);
  p.legacy_identity = req.value("legacy_identity", true);
  std::lock_guard lock(mu_);
  p.seller_account_id = req.value("seller_account_id", std::string(kSellerAccountId));
  if (!state_->accounts.contains(p.seller_account_id))
    return core::not_found("No such seller account: " + p.seller_account_id);
  auto existing = state_->products.find(p.code);
  p.id = existing != state_->products.end()
             ? existing->second.id
             : "prod-" + random_chars(13, "abcdefghijklmnopqrstuvwxyz0123456789");
  state_->products[p.code] = p;
  state_->dirty = true;
  return Json{{"product_code", p.code}, {"product_id", p.id}};
}

core::Result<Json> Simulator::subscribe(const Json& request) {
  core::Result<Json> out = core::internal("unreachable");
  {
    std::lock_guard lock(mu_);
    Ctx ctx{*state_, clock_.now() + state_->offset};
    out = subscribe_buyer(ctx, request);
  }
  deliveries_cv_.notify_all();
  return out;
}

core::Result<Json> Simulator::cancel_subscription(const std::string& agreement_id) {
  core::Result<Json> out = core::internal("unreachable");
  {
    std::lock_guard lock(mu_);
    Ctx ctx{*state_, clock_.now() + state_->offset};
    out = cancel_agreement(ctx, agreement_id);
  }
  deliveries_cv_.notify_all();
  return out;
}

core::Result<std::string> Simulator::new_registration_token(const std::string& agreement_id) {
  std::lock_guard lock(mu_);
  Ctx ctx{*state_, clock_.now() + state_->offset};
  auto it = state_->agreements.find(agreement_id);
  if (it == state_->agreements.end()) return core::not_found("No such agreement.");
  if (it->second.status == "unsubscribed") return core::conflict("This subscription has ended.");
  state_->dirty = true;
  return issue_registration_token(ctx, it->second);
}

core::Result<Json> Simulator::subscribe_notifications(const Json& req) {
  if (!req.is_object()) return core::invalid("The body must be a JSON object.");
  const std::string topic = req.value("topic", "");
  if (topic != "subscription" && topic != "entitlement")
    return core::invalid("topic must be subscription or entitlement.");
  NotificationSubscription sub;
  sub.topic = topic;
  sub.product_code = req.value("product_code", "");
  sub.endpoint = req.value("endpoint", "");
  const std::string queue = req.value("sqs_queue", "");
  sub.signature_version = req.value("signature_version", "1");
  if (sub.signature_version != "1" && sub.signature_version != "2")
    return core::invalid("signature_version must be \"1\" or \"2\".");
  if (sub.endpoint.empty() == queue.empty())
    return core::invalid("Give either endpoint or sqs_queue.");
  if (!sub.endpoint.empty() && !loopback_http_url(sub.endpoint))
    return core::invalid("endpoint must be an http(s) URL on this machine (loopback).");
  std::lock_guard lock(mu_);
  Ctx ctx{*state_, clock_.now() + state_->offset};
  auto product = state_->products.find(sub.product_code);
  if (product == state_->products.end())
    return core::not_found("No such product: " + sub.product_code);
  sub.topic_arn = sns_topic_arn(topic, sub.product_code);
  sub.arn = sub.topic_arn + ":" + random_chars(8, "0123456789abcdef") + "-" +
            random_chars(4, "0123456789abcdef") + "-" + random_chars(4, "0123456789abcdef") + "-" +
            random_chars(12, "0123456789abcdef");
  sub.token = random_chars(128, "0123456789abcdef");
  Json out = {{"subscription_arn", sub.arn}, {"topic_arn", sub.topic_arn}};
  if (!queue.empty()) {
    static const std::regex kQueue("[A-Za-z0-9_-]{1,80}");
    if (!std::regex_match(queue, kQueue)) return core::invalid("sqs_queue is not a queue name.");
    const std::string owner = product->second.seller_account_id;
    sub.queue_key = owner + "/" + queue;
    auto& q = state_->queues[sub.queue_key];
    q.name = queue;
    q.account_id = owner;
    sub.status = "Confirmed";
    out["queue_url"] = fmt::format("{}/{}/{}", state_->base_url, owner, queue);
  } else if (req.value("auto_confirm", false)) {
    sub.status = "Confirmed";
  } else {
    queue_confirmation(ctx, sub);
  }
  out["status"] = sub.status;
  state_->notification_subscriptions.push_back(sub);
  state_->dirty = true;
  deliveries_cv_.notify_all();
  return out;
}

core::Result<Json> Simulator::add_event_destination(const Json& req) {
  if (!req.is_object()) return core::invalid("The body must be a JSON object.");
  EventDestination d;
  d.endpoint = req.value("endpoint", "");
  const std::string queue = req.value("sqs_queue", "");
  if (d.endpoint.empty() == queue.empty())
    return core::invalid("Give either endpoint or sqs_queue.");
  if (!d.endpoint.empty() && !loopback_http_url(d.endpoint))
    return core::invalid("endpoint must be an http(s) URL on this machine (loopback).");
  d.header_name = req.value("secret_header", "X-Marketlink-Events-Secret");
  d.header_value = req.value("secret", "");
  d.seller_account_id = req.value("seller_account_id", "");
  std::lock_guard lock(mu_);
  Json out = Json::object();
  if (!queue.empty()) {
    // A queue URL (…/<account>/<name>) or a name in the seller's account.
    static const std::regex kName("[A-Za-z0-9_-]{1,80}");
    static const std::regex kUrl("https?://[^/]+/([0-9]{12})/([A-Za-z0-9_-]{1,80})/?");
    std::smatch m;
    std::string owner, name;
    if (std::regex_match(queue, m, kUrl)) {
      owner = m[1];
      name = m[2];
    } else if (std::regex_match(queue, kName)) {
      owner = d.seller_account_id.empty() ? std::string(kSellerAccountId) : d.seller_account_id;
      name = queue;
    } else {
      return core::invalid("sqs_queue is neither a queue URL nor a queue name.");
    }
    if (!state_->accounts.contains(owner)) return core::not_found("No such account: " + owner);
    d.queue_key = owner + "/" + name;
    auto& q = state_->queues[d.queue_key];
    q.name = name;
    q.account_id = owner;
    out["queue_url"] = fmt::format("{}/{}/{}", state_->base_url, owner, name);
  }
  d.id = "dest-" + random_chars(12, "0123456789abcdef");
  state_->event_destinations.push_back(d);
  state_->dirty = true;
  out["destination_id"] = d.id;
  return out;
}

core::Result<Json> Simulator::set_entitlements(const std::string& agreement_id,
                                               const Json& entitlements) {
  core::Result<Json> out = core::internal("unreachable");
  {
    std::lock_guard lock(mu_);
    Ctx ctx{*state_, clock_.now() + state_->offset};
    out = amend_entitlements(ctx, agreement_id, entitlements);
  }
  deliveries_cv_.notify_all();
  return out;
}

core::Status Simulator::add_fault(const Json& req) {
  if (!req.is_object()) return core::invalid("The body must be a JSON object.");
  Fault f;
  f.operation = req.value("operation", "");
  if (f.operation.empty()) return core::invalid("operation is required (or \"*\").");
  f.error = req.value("error", "");
  f.message = req.value("message", "");
  f.latency_ms = req.value("latency_ms", 0LL);
  f.rate = req.value("rate", 1.0);
  f.remaining = req.value("count", -1LL);
  if (f.rate < 0.0 || f.rate > 1.0) return core::invalid("rate must be between 0 and 1.");
  if (f.latency_ms < 0 || f.latency_ms > 60000)
    return core::invalid("latency_ms must be between 0 and 60000.");
  if (f.error.empty() && f.latency_ms == 0) return core::invalid("Give error or latency_ms.");
  static const std::vector<std::string> kServerErrors = {"InternalServiceErrorException",
                                                         "InternalFailure",
                                                         "ServiceException",
                                                         "InternalError",
                                                         "ServiceFailure",
                                                         "InternalErrorException",
                                                         "InternalServerException",
                                                         "ServiceUnavailable"};
  f.status = std::find(kServerErrors.begin(), kServerErrors.end(), f.error) != kServerErrors.end()
                 ? 500
             : f.error == "TooManyRequestsException" ? 429
                                                     : 400;
  if (f.error == "ServiceUnavailable") f.status = 503;
  f.status = req.value("status", f.status);
  std::lock_guard lock(mu_);
  if (req.contains("seed")) state_->fault_rng.seed(req["seed"].get<unsigned long long>());
  state_->faults.push_back(f);
  return {};
}

void Simulator::clear_faults() {
  std::lock_guard lock(mu_);
  state_->faults.clear();
  state_->fault_rng.seed(42);
}

// ---- Read-outs -------------------------------------------------------------------------------
// Each entity in the form the state file keeps (state_json.h), plus what is derived from others.

namespace {

// An account with its organization ({"id", "management_account_id", "created_at", "role"} or
// null).
Json account_view(const State& st, const Account& a) {
  Json j = a;
  if (!a.organization_id.empty()) {
    const Organization& org = st.organizations.at(a.organization_id);
    j["organization"] = org;
    j["organization"]["role"] = org.management_account_id == a.id ? "management" : "member";
  } else {
    j["organization"] = nullptr;
  }
  return j;
}

}  // namespace

Json Simulator::accounts_json() const {
  std::lock_guard lock(mu_);
  Json list = Json::array();
  for (const auto& [id, a] : state_->accounts) list.push_back(account_view(*state_, a));
  return Json{{"accounts", list}};
}

// One account, with its buckets and, for a management account, its organization's members.
core::Result<Json> Simulator::account_json(const std::string& account_id) const {
  std::lock_guard lock(mu_);
  auto it = state_->accounts.find(account_id);
  if (it == state_->accounts.end()) return core::not_found("No such account: " + account_id);
  const Account& a = it->second;
  Json j = account_view(*state_, a);
  Json buckets = Json::array();
  for (const auto& [name, b] : state_->buckets) {
    if (b.owner_account_id == a.id) buckets.push_back(b);
  }
  j["buckets"] = buckets;
  if (!a.organization_id.empty() &&
      state_->organizations.at(a.organization_id).management_account_id == a.id) {
    Json members = Json::array();
    for (const auto& [id, other] : state_->accounts) {
      if (other.organization_id == a.organization_id && id != a.id) members.push_back(id);
    }
    j["organization"]["members"] = members;
  }
  return j;
}

Json Simulator::products_json() const {
  std::lock_guard lock(mu_);
  Json list = Json::array();
  for (const auto& [code, p] : state_->products) list.push_back(p);
  return Json{{"products", list}};
}

Json Simulator::subscriptions_json() const {
  std::lock_guard lock(mu_);
  Json list = Json::array();
  for (const auto& id : state_->agreement_order) list.push_back(state_->agreements.at(id));
  return Json{{"subscriptions", list}};
}

Json Simulator::metering_records_json() const {
  std::lock_guard lock(mu_);
  return Json{{"records", state_->metering}};
}

Json Simulator::calls_json(const std::string& operation_filter) const {
  std::lock_guard lock(mu_);
  Json list = Json::array();
  for (const auto& c : state_->calls) {
    if (operation_filter.empty() || c.operation == operation_filter) list.push_back(c);
  }
  return Json{{"calls", list}};
}

Json Simulator::deliveries_json() const {
  std::lock_guard lock(mu_);
  return Json{{"deliveries", state_->delivery_log}};
}

// SQS subscriptions show their queue's URL on this simulator's host.
Json Simulator::notification_subscriptions_json() const {
  std::lock_guard lock(mu_);
  Json list = Json::array();
  for (const auto& s : state_->notification_subscriptions) {
    Json j = s;
    if (!s.queue_key.empty()) j["queue_url"] = state_->base_url + "/" + s.queue_key;
    list.push_back(j);
  }
  return Json{{"subscriptions", list}};
}

// ---- Console data ----------------------------------------------------------------------------

std::vector<Simulator::ConsoleProduct> Simulator::console_products() const {
  std::lock_guard lock(mu_);
  std::vector<ConsoleProduct> out;
  for (const auto& [code, p] : state_->products) {
    ConsoleProduct c{p.code, p.name, p.pricing_model, p.seller_account_id, {}, p.free_trial};
    for (const auto& d : p.dimensions) c.dimensions.push_back(d.first);
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<Simulator::ConsoleProduct> Simulator::console_product(const std::string& code) const {
  for (auto& p : console_products()) {
    if (p.code == code) return p;
  }
  return std::nullopt;
}

std::vector<Simulator::ConsoleAgreement> Simulator::console_agreements(
    const std::string& buyer_account_id) const {
  std::lock_guard lock(mu_);
  std::vector<ConsoleAgreement> out;
  for (auto it = state_->agreement_order.rbegin(); it != state_->agreement_order.rend(); ++it) {
    const Agreement& a = state_->agreements.at(*it);
    if (a.buyer_account_id != buyer_account_id) continue;
    const auto p = state_->products.find(a.product_code);
    out.push_back({a.id, a.product_code,
                   p != state_->products.end() ? p->second.name : a.product_code, a.status,
                   p != state_->products.end() ? p->second.fulfillment_url : "", a.free_trial,
                   a.created});
  }
  return out;
}

std::optional<Simulator::ConsoleAgreement> Simulator::console_agreement(
    const std::string& agreement_id) const {
  std::string buyer;
  {
    std::lock_guard lock(mu_);
    auto it = state_->agreements.find(agreement_id);
    if (it == state_->agreements.end()) return std::nullopt;
    buyer = it->second.buyer_account_id;
  }
  for (auto& a : console_agreements(buyer)) {
    if (a.agreement_id == agreement_id) return a;
  }
  return std::nullopt;
}

std::vector<std::string> Simulator::account_ids() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [id, a] : state_->accounts) out.push_back(id);
  return out;
}

bool Simulator::account_exists(const std::string& account_id) const {
  std::lock_guard lock(mu_);
  return state_->accounts.contains(account_id);
}

// ---- SNS and deliveries ----------------------------------------------------------------------

std::string Simulator::sns_certificate_pem() const { return state_->signer->certificate_pem(); }

aws::HttpResponse Simulator::handle_sns_link(const aws::HttpRequest& req) {
  std::string action, topic_arn, token, subscription_arn;
  for (const auto& [k, v] : req.query) {
    if (k == "Action") action = v;
    if (k == "TopicArn") topic_arn = v;
    if (k == "Token") token = v;
    if (k == "SubscriptionArn") subscription_arn = v;
  }
  const std::string request_id =
      random_chars(8, "0123456789abcdef") + "-" + random_chars(4, "0123456789abcdef") + "-" +
      random_chars(4, "0123456789abcdef") + "-" + random_chars(4, "0123456789abcdef") + "-" +
      random_chars(12, "0123456789abcdef");
  constexpr std::string_view kXmlns = "http://sns.amazonaws.com/doc/2010-03-31/";
  std::lock_guard lock(mu_);
  for (auto& s : state_->notification_subscriptions) {
    const bool match = action == "ConfirmSubscription"
                           ? (s.topic_arn == topic_arn && s.token == token && !token.empty())
                           : s.arn == subscription_arn;
    if (!match) continue;
    s.status = action == "ConfirmSubscription" ? "Confirmed" : "Deleted";
    state_->dirty = true;
    aws::HttpResponse r;
    r.set_header("Content-Type", "text/xml");
    r.set_header("x-amzn-RequestId", request_id);
    std::string result;
    if (action == "ConfirmSubscription") xml_element(result, "SubscriptionArn", s.arn);
    r.body = fmt::format(
        "<?xml version=\"1.0\"?>\n<{0}Response xmlns=\"{1}\">{2}<ResponseMetadata><RequestId>{3}"
        "</RequestId></ResponseMetadata></{0}Response>",
        action, kXmlns,
        action == "ConfirmSubscription" ? fmt::format("<{0}Result>{1}</{0}Result>", action, result)
                                        : "",
        request_id);
    return r;
  }
  return error_reply(aws::Protocol::kQuery,
                     {action == "ConfirmSubscription" ? 400 : 404,
                      action == "ConfirmSubscription" ? "InvalidParameter" : "NotFound",
                      action == "ConfirmSubscription" ? "Invalid token" : "Subscription not found",
                      Json::object()},
                     request_id, false);
}

std::vector<Delivery> Simulator::take_deliveries() {
  std::lock_guard lock(mu_);
  std::vector<Delivery> out(state_->outbox.begin(), state_->outbox.end());
  state_->outbox.clear();
  return out;
}

void Simulator::delivery_attempted(const std::string& id, int status, bool final_attempt) {
  std::lock_guard lock(mu_);
  for (auto& d : state_->delivery_log) {
    if (d.id != id) continue;
    ++d.attempts;
    d.last_status = status;
    if (status >= 200 && status < 300) {
      d.state = "delivered";
    } else if (final_attempt) {
      d.state = "failed";
    }
  }
}

void Simulator::wait_for_deliveries(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  deliveries_cv_.wait_for(lock, timeout, [this] { return !state_->outbox.empty(); });
}

bool Simulator::take_dirty() {
  std::lock_guard lock(mu_);
  const bool d = state_->dirty;
  state_->dirty = false;
  return d;
}

}  // namespace sim
