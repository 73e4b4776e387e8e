// AWS Marketplace's side of SaaS: products, buyers' agreements, registration tokens and the
// subscription lifecycle (subscribe-success, unsubscribe-pending → unsubscribe-success).
#include <fmt/format.h>

#include "sim/sim_state.h"
#include "sim/state_json.h"

namespace sim {

namespace {

constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool has_entitlements(const Agreement& a) { return !a.entitlements.empty(); }

// The events of a successful subscription, dated `at` (default: now).
void announce_subscribed(Ctx& ctx, const Agreement& a,
                         std::optional<core::TimePoint> at = std::nullopt) {
  const std::optional<core::TimePoint> before = ctx.events_at;
  if (at) ctx.events_at = *at;
  ctx.publish_subscription_event(a, "subscribe-success");
  if (has_entitlements(a)) ctx.publish_entitlement_event(a);
  ctx.publish_agreement_event(a, "Purchase Agreement Created - Manufacturer", "NEW");
  ctx.publish_agreement_event(a, "License Updated - Manufacturer", "NEW");
  ctx.events_at = before;
}

core::Status check_entitlements(const Json& entitlements) {
  if (!entitlements.is_object()) return core::invalid("entitlements must be an object.");
  for (const auto& [dim, value] : entitlements.items()) {
    if (!(value.is_number() || value.is_boolean() || value.is_string()))
      return core::invalid("Entitlement " + dim + " must be a number, boolean or string.");
  }
  return {};
}

// The agreement ends (the Agreement API's view): from now on it is CANCELLED or EXPIRED.
void end_agreement(Ctx& ctx, Agreement& a, std::string_view reason) {
  if (a.ended) return;
  a.ended = ctx.now;
  a.end_reason = std::string(reason);
}

}  // namespace

std::string issue_registration_token(Ctx& ctx, const Agreement& agreement) {
  std::string token = random_chars(108, kBase64) + "==";
  ctx.st.tokens[token] = RegistrationToken{agreement.id, ctx.now};
  return token;
}

core::Result<Json> subscribe_buyer(Ctx& ctx, const Json& req) {
  if (!req.is_object()) return core::invalid("The body must be a JSON object.");
  const std::string buyer = req.value("buyer_account_id", "");
  const std::string code = req.value("product_code", "");
  if (!ctx.find_account(buyer)) return core::not_found("No such buyer account: " + buyer);
  auto product_it = ctx.st.products.find(code);
  if (product_it == ctx.st.products.end()) return core::not_found("No such product: " + code);
  const Product& product = product_it->second;
  const bool free_trial = req.value("free_trial", false);
  if (free_trial && !product.free_trial)
    return core::invalid("Product " + code + " has no free trial.");
  Json entitlements = req.contains("entitlements") ? req["entitlements"] : Json::object();
  if (auto st = check_entitlements(entitlements); !st.ok()) return st.error();
  const Json trial_days = req.value("free_trial_days", Json(30));
  if (!trial_days.is_number_integer() || trial_days.get<long long>() < 5 ||
      trial_days.get<long long>() > 31) {
    return core::invalid("free_trial_days must be an integer from 5 to 31.");
  }
  const Json duration_days = req.value("duration_days", Json(365));
  if (!duration_days.is_number_integer() || duration_days.get<long long>() < 1 ||
      duration_days.get<long long>() > 3660) {
    return core::invalid("duration_days must be an integer from 1 to 3660.");
  }
  const Json started_ago = req.value("started_hours_ago", Json(0));
  if (!started_ago.is_number_integer() || started_ago.get<long long>() < 0 ||
      started_ago.get<long long>() > kMaxStartedHoursAgo) {
    return core::invalid(
        fmt::format("started_hours_ago must be an integer from 0 to {}.", kMaxStartedHoursAgo));
  }
  const core::TimePoint started = ctx.now - std::chrono::hours(started_ago.get<long long>());

  Agreement* agreement = nullptr;
  std::string previous_identifier;
  for (const auto& id : ctx.st.agreement_order) {
    Agreement& a = ctx.st.agreements.at(id);
    if (a.buyer_account_id != buyer || a.product_code != code) continue;
    if (!a.customer_identifier.empty()) previous_identifier = a.customer_identifier;
    if (a.status == "unsubscribe-pending") {
      // A resubscription before unsubscribe-success keeps the agreement.
      a.status = "active";
      a.ended.reset();
      a.end_reason.clear();
      // An expired contract taken up again runs for a new term.
      if (a.ends <= ctx.now)
        a.ends = ctx.now + std::chrono::hours(24 * duration_days.get<long long>());
      if (!entitlements.empty()) a.entitlements = entitlements;
      announce_subscribed(ctx, a);
      agreement = &a;
      break;
    }
    if ((a.status == "active" || a.status == "subscribe-pending") && product.legacy_identity) {
      agreement = &a;  // one subscription per account for legacy listings
      break;
    }
  }
  if (agreement == nullptr) {
    Agreement a;
    a.id = "agmt-" + random_chars(25, kAlnum);
    a.buyer_account_id = buyer;
    a.product_code = code;
    a.customer_identifier =
        product.legacy_identity
            ? (previous_identifier.empty() ? random_chars(11, kAlnum) : previous_identifier)
            : "";
    a.license_arn = fmt::format("arn:aws:license-manager::{}:license:l-{}", buyer,
                                random_chars(32, "0123456789abcdef"));
    a.offer_id = "offer-" + random_chars(13, "abcdefghijklmnopqrstuvwxyz0123456789");
    a.free_trial = free_trial;
    a.free_trial_days = free_trial ? static_cast<int>(trial_days.get<long long>()) : 0;
    a.entitlements = entitlements;
    a.created = started;
    a.ends = started + std::chrono::hours(24 * duration_days.get<long long>());
    const auto delay = ctx.st.settings.subscribe_delay;
    a.status_due = started + delay;
    a.status = a.status_due > ctx.now ? "subscribe-pending" : "active";
    ctx.st.agreement_order.push_back(a.id);
    agreement = &(ctx.st.agreements[a.id] = a);
    // Subscribed in the past: its events carry the time it became subscribed.
    if (agreement->status == "active") announce_subscribed(ctx, *agreement, a.status_due);
  }
  const std::string token = issue_registration_token(ctx, *agreement);
  ctx.st.dirty = true;
  return Json{{"registration_token", token},
              {"customer_identifier", agreement->customer_identifier},
              {"customer_aws_account_id", agreement->buyer_account_id},
              {"license_arn", agreement->license_arn},
              {"agreement_id", agreement->id},
              {"offer_id", agreement->offer_id},
              {"status", agreement->status},
              {"fulfillment_url", product.fulfillment_url}};
}

core::Result<Json> cancel_agreement(Ctx& ctx, const std::string& agreement_id) {
  auto it = ctx.st.agreements.find(agreement_id);
  if (it == ctx.st.agreements.end()) return core::not_found("No such agreement: " + agreement_id);
  Agreement& a = it->second;
  if (a.status == "unsubscribed")
    return core::conflict("Agreement " + agreement_id + " has already ended.");
  if (a.status == "subscribe-pending") {
    a.status = "unsubscribed";
  } else if (a.status == "active") {
    a.status = "unsubscribe-pending";
    a.status_due = ctx.now + ctx.st.settings.unsubscribe_delay;
    ctx.publish_subscription_event(a, "unsubscribe-pending");
    // The agreement ends now; the license is deprovisioned at unsubscribe-success.
    end_agreement(ctx, a, "CANCELLED");
    ctx.publish_agreement_event(a, "Purchase Agreement Ended - Manufacturer", "CANCEL");
  }
  end_agreement(ctx, a, "CANCELLED");
  ctx.st.dirty = true;
  return Json{{"agreement_id", a.id}, {"status", a.status}};
}

core::Result<Json> amend_entitlements(Ctx& ctx, const std::string& agreement_id,
                                      const Json& entitlements) {
  auto it = ctx.st.agreements.find(agreement_id);
  if (it == ctx.st.agreements.end()) return core::not_found("No such agreement: " + agreement_id);
  if (auto st = check_entitlements(entitlements); !st.ok()) return st.error();
  Agreement& a = it->second;
  if (a.status != "active" && a.status != "subscribe-pending")
    return core::conflict("Agreement " + agreement_id + " has ended.");
  a.entitlements = entitlements;
  ctx.st.dirty = true;
  if (a.status == "active") {
    ctx.publish_entitlement_event(a);
    ctx.publish_agreement_event(a, "Purchase Agreement Amended - Manufacturer", "AMEND");
    ctx.publish_agreement_event(a, "License Updated - Manufacturer", "AMEND");
  }
  return Json(a);
}

std::string agreement_api_status(const Agreement& a) {
  return a.end_reason.empty() ? "ACTIVE" : a.end_reason;
}

void settle_agreements(Ctx& ctx) {
  for (const auto& id : ctx.st.agreement_order) {
    Agreement& a = ctx.st.agreements.at(id);
    if (a.status == "active" && a.ends <= ctx.now) {
      // The contract ran out: the agreement expires and the subscription winds down.
      end_agreement(ctx, a, "EXPIRED");
      a.ended = a.ends;
      a.status = "unsubscribe-pending";
      a.status_due = ctx.now + ctx.st.settings.unsubscribe_delay;
      ctx.publish_subscription_event(a, "unsubscribe-pending");
      ctx.publish_agreement_event(a, "Purchase Agreement Ended - Manufacturer", "CANCEL");
      ctx.st.dirty = true;
    }
    if (a.status_due > ctx.now) continue;
    if (a.status == "subscribe-pending") {
      a.status = "active";
      announce_subscribed(ctx, a);
      ctx.st.dirty = true;
    } else if (a.status == "unsubscribe-pending") {
      a.status = "unsubscribed";
      ctx.publish_subscription_event(a, "unsubscribe-success");
      if (has_entitlements(a)) ctx.publish_entitlement_event(a);
      end_agreement(ctx, a, "CANCELLED");
      ctx.publish_agreement_event(a, "License Deprovisioned - Manufacturer", "CANCEL");
      ctx.st.dirty = true;
    }
  }
}

}  // namespace sim
