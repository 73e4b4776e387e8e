#include "sim/simulator.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "aws/sigv4.h"
#include "core/log.h"
#include "sim/sim_state.h"
#include "sim/sns_signer.h"

namespace sim {

namespace {

using std::chrono::seconds;

constexpr size_t kMaxCallsKept = 100000;

struct Route {
  aws::Service service = aws::Service::kS3;
  aws::Protocol protocol = aws::Protocol::kRestXml;
  std::string signing_name;
  std::string operation;
  std::string json_content_type = "application/x-amz-json-1.1";
  bool sns = false;  // SNS query actions (not a Service of the client)
};

std::optional<aws::Service> service_for_target_prefix(std::string_view prefix) {
  if (prefix == "AWSMPMeteringService") return aws::Service::kMetering;
  if (prefix == "AWSMPEntitlementService") return aws::Service::kEntitlement;
  if (prefix == "AWSOrganizationsV20161128") return aws::Service::kOrganizations;
  if (prefix == "AWSOrigamiServiceGatewayService") return aws::Service::kCur;
  if (prefix == "AmazonSQS") return aws::Service::kSqs;
  return std::nullopt;
}

std::optional<aws::Service> service_for_query_version(std::string_view version) {
  if (version == "2010-05-08") return aws::Service::kIam;
  if (version == "2011-06-15") return aws::Service::kSts;
  if (version == "2012-11-05") return aws::Service::kSqs;
  return std::nullopt;
}

std::optional<aws::Service> service_for_signing_name(std::string_view name) {
  if (name == "iam") return aws::Service::kIam;
  if (name == "sts") return aws::Service::kSts;
  if (name == "sqs") return aws::Service::kSqs;
  return std::nullopt;
}

bool is_form(const aws::HttpRequest& req) {
  const auto ct = req.header("Content-Type");
  return ct && aws::to_lower(*ct).starts_with("application/x-www-form-urlencoded");
}

std::string new_request_id() {
  const std::string hex = random_chars(32, "0123456789abcdef");
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                     hex.substr(16, 4), hex.substr(20, 12));
}

std::string service_label(aws::Service s) { return std::string(aws::service_info(s).name); }

// How long a ReceiveMessage may wait for messages (0 unless it asks for a long poll).
std::chrono::seconds long_poll_seconds(const Call& call) {
  if (call.service != aws::Service::kSqs || call.operation != "ReceiveMessage") return {};
  long long wait = 0;
  if (call.input.is_object() && call.input.contains("WaitTimeSeconds") &&
      call.input["WaitTimeSeconds"].is_number_integer()) {
    wait = call.input["WaitTimeSeconds"].get<long long>();
  } else if (call.has_param("WaitTimeSeconds")) {
    wait = std::atoll(call.param("WaitTimeSeconds").c_str());
  }
  return std::chrono::seconds(std::clamp(wait, 0LL, 20LL));
}

bool has_messages(const aws::HttpResponse& response) {
  return response.status != 200 || response.body.find("<Message>") != std::string::npos ||
         response.body.find("\"Messages\"") != std::string::npos;
}

}  // namespace

Json settings_to_json(const SimulatorSettings& s) {
  return Json{{"region", s.region},
              {"create_account_delay_seconds", s.create_account_delay.count()},
              {"subscribe_delay_seconds", s.subscribe_delay.count()},
              {"unsubscribe_delay_seconds", s.unsubscribe_delay.count()},
              {"metering_window_seconds", s.metering_window.count()},
              {"token_lifetime_seconds", s.token_lifetime.count()},
              {"max_signature_skew_seconds", s.max_signature_skew.count()},
              {"session_duration_seconds", s.session_duration.count()},
              {"delivery_attempts", s.delivery_attempts},
              {"delivery_backoff_ms", s.delivery_backoff.count()}};
}

core::Status apply_settings_json(const Json& json, SimulatorSettings& s) {
  if (!json.is_object()) return core::invalid("Settings must be a JSON object.");
  SimulatorSettings next = s;
  auto number = [&](const char* key, auto& target) -> core::Status {
    if (!json.contains(key)) return {};
    if (!json[key].is_number_integer() || json[key].get<long long>() < 0)
      return core::invalid(fmt::format("{} must be a non-negative integer.", key));
    using T = std::decay_t<decltype(target)>;
    if constexpr (std::is_same_v<T, int>) {
      target = static_cast<int>(json[key].get<long long>());
    } else {
      target = T(json[key].get<long long>());
    }
    return {};
  };
  for (auto st : {number("create_account_delay_seconds", next.create_account_delay),
                  number("subscribe_delay_seconds", next.subscribe_delay),
                  number("unsubscribe_delay_seconds", next.unsubscribe_delay),
                  number("metering_window_seconds", next.metering_window),
                  number("token_lifetime_seconds", next.token_lifetime),
                  number("max_signature_skew_seconds", next.max_signature_skew),
                  number("session_duration_seconds", next.session_duration),
                  number("delivery_attempts", next.delivery_attempts),
                  number("delivery_backoff_ms", next.delivery_backoff)}) {
    if (!st.ok()) return st;
  }
  if (json.contains("region")) {
    if (!json["region"].is_string()) return core::invalid("region must be a string.");
    next.region = json["region"].get<std::string>();
  }
  s = next;
  return {};
}

Simulator::Simulator(SimulatorSettings settings, const core::Clock& clock)
    : state_(std::make_unique<State>()), clock_(clock) {
  state_->settings = std::move(settings);
  state_->signer = std::make_unique<SnsSigner>();
  Account seller;
  seller.id = std::string(kSellerAccountId);
  seller.email = "seller@example.com";
  seller.name = "Marketlink sandbox seller";
  seller.created = clock_.now();
  state_->accounts[seller.id] = seller;
  AccessKey key;
  key.access_key_id = std::string(kSellerAccessKeyId);
  key.secret_access_key = std::string(kSellerSecretAccessKey);
  key.account_id = seller.id;
  key.arn = fmt::format("arn:aws:iam::{}:root", seller.id);
  key.user_id = seller.id;
  state_->keys[key.access_key_id] = key;
}

Simulator::~Simulator() = default;

void Simulator::set_base_url(std::string url) {
  std::lock_guard lock(mu_);
  state_->base_url = std::move(url);
}

std::string Simulator::base_url() const {
  std::lock_guard lock(mu_);
  return state_->base_url;
}

core::TimePoint Simulator::now() const {
  std::lock_guard lock(mu_);
  return clock_.now() + state_->offset;
}

core::TimePoint Simulator::advance_clock(std::chrono::seconds s) {
  core::TimePoint t;
  {
    std::lock_guard lock(mu_);
    state_->offset += s;
    state_->dirty = true;
    t = clock_.now() + state_->offset;
  }
  settle();
  deliveries_cv_.notify_all();  // long polls whose wait has now passed answer
  return t;
}

Simulator::LongPolls Simulator::long_polls_for_test() const {
  std::lock_guard lock(mu_);
  return long_polls_;
}

Simulator::LongPolls Simulator::long_polls_after_for_test(LongPolls seen) const {
  std::unique_lock lock(mu_);
  long_poll_cv_.wait(lock, [&] { return long_polls_ != seen; });
  return long_polls_;
}

SimulatorSettings Simulator::settings() const {
  std::lock_guard lock(mu_);
  return state_->settings;
}

void Simulator::set_settings(const SimulatorSettings& settings) {
  std::lock_guard lock(mu_);
  state_->settings = settings;
  state_->dirty = true;
}

void Simulator::settle() {
  bool queued = false;
  {
    std::lock_guard lock(mu_);
    Ctx ctx{*state_, clock_.now() + state_->offset};
    const size_t before = state_->outbox.size();
    const long long queue_version = state_->queue_version;
    settle_create_accounts(ctx);
    settle_agreements(ctx);
    queued = state_->outbox.size() != before || state_->queue_version != queue_version;
  }
  if (queued) deliveries_cv_.notify_all();
}

aws::HttpResponse Simulator::handle(const aws::HttpRequest& req) {
  const std::string request_id = new_request_id();
  Route route;
  std::vector<std::pair<std::string, std::string>> params = req.query;
  Json input;

  // ---- Routing: X-Amz-Target, rest paths, query actions, else S3 ----
  const auto target = req.header("X-Amz-Target");
  const auto auth_header = req.header("Authorization");
  std::string scope_service;
  if (auth_header) {
    if (auto parsed = aws::parse_authorization(*auth_header)) scope_service = parsed->service;
  }
  if (target) {
    const auto dot = target->find('.');
    const auto service = dot == std::string_view::npos
                             ? std::nullopt
                             : service_for_target_prefix(target->substr(0, dot));
    if (!service) {
      return error_reply(aws::Protocol::kJson,
                         {400, "UnknownOperationException", "Unknown operation.", Json::object()},
                         request_id, false);
    }
    route.service = *service;
    route.protocol = aws::Protocol::kJson;
    route.operation = std::string(target->substr(dot + 1));
    if (route.service == aws::Service::kSqs) route.json_content_type = "application/x-amz-json-1.0";
  } else if (req.method == "POST" &&
             (req.path == "/putAlternateContact" || req.path == "/getAlternateContact" ||
              req.path == "/deleteAlternateContact")) {
    route.service = aws::Service::kAccount;
    route.protocol = aws::Protocol::kRestJson;
    route.operation = req.path.substr(1);
    route.operation[0] = static_cast<char>(std::toupper(route.operation[0]));
  } else {
    if (req.method == "POST" && is_form(req)) {
      for (auto& p : aws::parse_query_string(req.body)) params.push_back(std::move(p));
    }
    std::string action, version;
    for (const auto& [k, v] : params) {
      if (k == "Action" && action.empty()) action = v;
      if (k == "Version" && version.empty()) version = v;
    }
    if (!action.empty()) {
      route.protocol = aws::Protocol::kQuery;
      route.operation = action;
      if ((action == "ConfirmSubscription" || action == "Unsubscribe") && !auth_header) {
        return handle_sns_link(req);
      }
      auto service = service_for_query_version(version);
      if (!service) service = service_for_signing_name(scope_service);
      if (!service) {
        return error_reply(
            aws::Protocol::kQuery,
            {400, "InvalidAction",
             fmt::format("The action {} is not valid for this endpoint.", action), Json::object()},
            request_id, false);
      }
      route.service = *service;
    } else {
      route.service = aws::Service::kS3;
      route.protocol = aws::Protocol::kRestXml;
      route.operation = s3_operation_name(req);
    }
  }
  route.signing_name = std::string(aws::service_info(route.service).signing_name);
  const bool head = req.method == "HEAD";

  auto record = [&](const AccessKey* caller, const aws::HttpResponse& response,
                    const std::string& error_code) {
    std::lock_guard lock(mu_);
    State& st = *state_;
    if (st.calls.size() >= kMaxCallsKept) st.calls.erase(st.calls.begin());
    CallRecord c;
    c.seq = st.next_seq++;
    c.time = clock_.now() + st.offset;
    c.service = service_label(route.service);
    c.operation = route.operation;
    if (caller) {
      c.account_id = caller->account_id;
      c.access_key_id = caller->access_key_id;
    }
    c.status = response.status;
    c.error_code = error_code;
    c.request_id = request_id;
    st.calls.push_back(std::move(c));
  };
  auto fail = [&](const AccessKey* caller, const AwsError& e) {
    auto r = error_reply(route.protocol, e, request_id, head);
    if (route.protocol == aws::Protocol::kJson)
      r.set_header("Content-Type", route.json_content_type);
    record(caller, r, e.code);
    return r;
  };

  // ---- Authentication ----
  AccessKey caller;
  {
    std::unique_lock lock(mu_);
    const core::TimePoint real_now = clock_.now();
    std::string key_id;
    if (auth_header) {
      if (auto parsed = aws::parse_authorization(*auth_header)) key_id = parsed->access_key_id;
    }
    auto it = state_->keys.find(key_id);
    if (it != state_->keys.end() && it->second.expires &&
        *it->second.expires < real_now + state_->offset) {
      lock.unlock();
      const bool query = route.protocol == aws::Protocol::kQuery;
      return fail(nullptr,
                  {route.protocol == aws::Protocol::kRestXml ? 400 : 403,
                   query || route.protocol == aws::Protocol::kRestXml ? "ExpiredToken"
                                                                      : "ExpiredTokenException",
                   "The security token included in the request is expired", Json::object()});
    }
    aws::VerifyParams vp{.service = route.signing_name,
                         .region = "",
                         .now = real_now,
                         .max_skew = state_->settings.max_signature_skew,
                         .s3_rules = route.service == aws::Service::kS3};
    const auto verdict = aws::verify_request(
        req, vp, [&](std::string_view id) -> std::optional<aws::VerificationKey> {
          auto k = state_->keys.find(std::string(id));
          if (k == state_->keys.end()) return std::nullopt;
          return aws::VerificationKey{k->second.secret_access_key, k->second.session_token};
        });
    if (!verdict.ok()) {
      lock.unlock();
      const auto reply = aws::sigv4_error_reply(verdict.failure, route.protocol);
      core::log::debug("sim signature refused",
                       {{"operation", route.operation}, {"code", std::string(reply.code)}});
      return fail(nullptr,
                  {reply.http_status, std::string(reply.code), verdict.message, Json::object()});
    }
    caller = state_->keys.at(verdict.authorization.access_key_id);
  }

  // ---- Input ----
  if (route.protocol == aws::Protocol::kJson || route.protocol == aws::Protocol::kRestJson) {
    const std::string_view body = req.body;
    if (body.empty()) {
      input = Json::object();
    } else {
      input = Json::parse(body, nullptr, false);
      if (input.is_discarded() || !input.is_object()) {
        return fail(&caller, {400, "SerializationException", "The request body is not valid JSON.",
                              Json::object()});
      }
    }
  }

  // ---- Faults ----
  long long latency_ms = 0;
  std::optional<AwsError> injected;
  {
    std::lock_guard lock(mu_);
    for (auto& f : state_->faults) {
      if (f.operation != route.operation && f.operation != "*") continue;
      if (f.remaining == 0) continue;
      if (f.rate < 1.0) {
        std::uniform_real_distribution<double> dist(0.0, 1.0);
        if (dist(state_->fault_rng) >= f.rate) continue;
      }
      if (f.remaining > 0) --f.remaining;
      latency_ms = std::max(latency_ms, f.latency_ms);
      if (!f.error.empty() && !injected) {
        injected =
            AwsError{f.status, f.error,
                     f.message.empty() ? fmt::format("Injected fault: {}", f.error) : f.message,
                     Json::object()};
      }
    }
  }
  if (latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(latency_ms));
  if (injected) return fail(&caller, *injected);

  // ---- Behaviour ----
  Call call{route.service,     route.operation, req,       std::move(input),
            std::move(params), caller,          request_id};
  aws::HttpResponse response;
  std::string error_code;
  bool queued = false;
  // SQS long polling: an empty ReceiveMessage waits for a message to arrive for up to
  // WaitTimeSeconds of business time (the clock plus the offset advance_clock() moves), so
  // advancing the simulator's clock ends the wait as it would end on AWS.
  const std::chrono::seconds long_poll = long_poll_seconds(call);
  std::optional<core::TimePoint> poll_until;
  try {
    std::unique_lock lock(mu_);
    for (;;) {
      Ctx ctx{*state_, clock_.now() + state_->offset};
      if (!poll_until) poll_until = ctx.now + long_poll;
      const size_t before = state_->outbox.size();
      const long long queue_version = state_->queue_version;
      settle_create_accounts(ctx);
      settle_agreements(ctx);
      switch (route.service) {
        case aws::Service::kMetering: response = metering_call(ctx, call); break;
        case aws::Service::kEntitlement: response = entitlement_call(ctx, call); break;
        case aws::Service::kOrganizations: response = organizations_call(ctx, call); break;
        case aws::Service::kAccount: response = account_call(ctx, call); break;
        case aws::Service::kIam: response = iam_call(ctx, call); break;
        case aws::Service::kSts: response = sts_call(ctx, call); break;
        case aws::Service::kS3: response = s3_call(ctx, call); break;
        case aws::Service::kCur: response = cur_call(ctx, call); break;
        case aws::Service::kSqs: response = sqs_call(ctx, call); break;
        case aws::Service::kAgreement:
          throw_error(400, "UnknownOperationException", "Unknown operation.");
      }
      state_->dirty = true;
      queued = queued || state_->outbox.size() != before || state_->queue_version != queue_version;
      if (route.service != aws::Service::kSqs || call.operation != "ReceiveMessage" ||
          has_messages(response) || ctx.now >= *poll_until) {
        break;
      }
      ++long_polls_.waits;
      long_polls_.last_wait_at = ctx.now;
      long_poll_cv_.notify_all();
      // Woken by a message, by advance_clock(), or once the clock may have reached the end.
      deliveries_cv_.wait_for(lock, *poll_until - ctx.now);
    }
    if (long_poll > std::chrono::seconds(0)) {
      ++long_polls_.answered;
      long_poll_cv_.notify_all();
    }
    if (route.protocol == aws::Protocol::kJson)
      response.set_header("Content-Type", route.json_content_type);
  } catch (const AwsError& e) {
    if (long_poll > std::chrono::seconds(0)) {
      std::lock_guard lock(mu_);
      ++long_polls_.answered;
      long_poll_cv_.notify_all();
    }
    return fail(&caller, e);
  }
  if (queued) deliveries_cv_.notify_all();
  record(&caller, response, error_code);
  if (head) response.body.clear();
  return response;
}

}  // namespace sim
