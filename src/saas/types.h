// The plain data of selling on AWS Marketplace: products, registrations (a buyer's landing from
// AWS Marketplace and what became of it), their timelines, and links between a buyer's AWS
// subscription and an organization. These structs cross module boundaries (saas → web/saas,
// app); they hold no secret: a registration never carries the marketplace token.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "identity/types.h"

namespace saas {

// --- Products ---------------------------------------------------------------------------------

// How AWS bills the product (FACTS.md): subscription (metered hourly), contract (entitlements
// only), contract with consumption (both), free (resolve only).
enum class PricingModel { kSubscription, kContract, kContractWithConsumption, kFree };

// "subscription", "contract", "contract_with_consumption", "free" (the contract's names).
const char* pricing_model_name(PricingModel model);
// "Subscription", "Contract", "Contract with consumption", "Free": for people.
const char* display_name(PricingModel model);
// The inverse of pricing_model_name; nullopt for anything else.
std::optional<PricingModel> parse_pricing_model(std::string_view name);

// A pricing dimension, e.g. {"users", "Active users per hour"}. `name` is the dimension's API
// name in AWS Marketplace (what metering and entitlements carry).
struct Dimension {
  std::string name;
  std::string description;
};

struct Product {
  std::string product_code;  // AWS Marketplace's product code; the key, never changes
  std::string name;
  PricingModel pricing_model = PricingModel::kSubscription;
  std::vector<Dimension> dimensions;  // in the order the operator gave them
  // true: the listing uses concurrent agreements (buyers identified by AWS account id + license
  // ARN, one AWS account may hold several agreements); false: the legacy customer identifier.
  bool concurrent_agreements = true;
  std::string manage_url;       // AWS Marketplace page where buyers manage and cancel
  std::string support_contact;  // an e-mail address or URL, shown on error pages
  // The own subscription an organization created through this product starts with: kTrial or
  // kActive.
  identity::SubscriptionStatus new_org_subscription = identity::SubscriptionStatus::kTrial;
  core::TimePoint created_at;
  core::TimePoint updated_at;
};

// What the operator enters to create a product (every field) or change one (set fields only).
struct ProductFields {
  std::optional<std::string> product_code;  // create only; an update must leave it unset
  std::optional<std::string> name;
  std::optional<PricingModel> pricing_model;
  std::optional<std::vector<Dimension>> dimensions;
  std::optional<bool> concurrent_agreements;
  std::optional<std::string> manage_url;
  std::optional<std::string> support_contact;
  std::optional<identity::SubscriptionStatus> new_org_subscription;
};

// --- Registrations ----------------------------------------------------------------------------

// What became of a landing. A registration moves only along these lines:
//   (landing) ─▶ resolved | invalid_token | expired_token | product_unknown | aws_unavailable
//   aws_unavailable ──the same token posted again──▶ any of the five above
//   resolved | refused ──link refused──▶ refused ──link──▶ linked            (final)
//   resolved ──link──▶ linked
// invalid_token, expired_token and product_unknown are final: the buyer starts again from AWS
// Marketplace, which gives a new token.
enum class Outcome {
  kResolved,        // AWS named the buyer and the product is ours: onboarding can go on
  kInvalidToken,    // AWS did not know the token
  kExpiredToken,    // AWS said the token expired (tokens last 4 hours)
  kProductUnknown,  // the token is for a product that is not registered here
  kAwsUnavailable,  // AWS did not answer (after retries): posting the token again retries
  kRefused,         // the last link attempt was refused (outcome_slug says why); may link still
  kLinked,          // linked to an organization (linked_org_id)
};

// "resolved", "invalid_token", "expired_token", "product_unknown", "aws_unavailable",
// "refused", "linked".
const char* outcome_name(Outcome outcome);
// "Resolved", "Invalid token", "Expired token", "Product not registered", "AWS did not answer",
// "Link refused", "Linked": for people.
const char* display_name(Outcome outcome);
std::optional<Outcome> parse_outcome(std::string_view name);

// Whether the buyer said they have an account already or create one.
enum class Choice { kNone, kExisting, kNew };
// "", "existing", "new".
const char* choice_name(Choice choice);
std::optional<Choice> parse_choice(std::string_view name);

// The offer type AWS posts for free trials (x-amzn-marketplace-offer-type).
inline constexpr std::string_view kFreeTrialOfferType = "free-trial";

struct Registration {
  std::string id;         // random (128 bits), unguessable: the onboarding URL's key
  std::string reference;  // support reference, e.g. "ML-7KQ2-M9XD" (see support_reference.h)
  Outcome outcome = Outcome::kResolved;
  // What went wrong, when something did: the error slug (e.g. "invalid_token",
  // "buyer_linked_elsewhere") and a sentence for people. Empty for resolved and linked.
  std::string outcome_slug;
  std::string outcome_message;
  // As AWS answered; empty when the token did not resolve. product_code may not be ours
  // (product_unknown).
  std::string product_code;
  std::string customer_identifier;      // legacy listings; "" for concurrent agreements
  std::string customer_aws_account_id;  // 12 digits
  std::string license_arn;              // concurrent agreements; may be ""
  std::string offer_type;               // as posted: "" or "free-trial" (kFreeTrialOfferType)
  Choice choice = Choice::kNone;
  int landings = 1;  // how many times the token was posted
  std::string linked_org_id;
  std::string link_id;
  std::optional<core::TimePoint> linked_at;
  core::TimePoint landed_at;  // the first landing
  std::optional<core::TimePoint> resolved_at;
  core::TimePoint expires_at;  // landed_at + SaasSettings::registration_ttl (24 h)
  core::TimePoint updated_at;

  bool free_trial() const { return offer_type == kFreeTrialOfferType; }
  // AWS named the buyer and the product is ours (resolved, refused or linked).
  bool resolved() const {
    return outcome == Outcome::kResolved || outcome == Outcome::kRefused ||
           outcome == Outcome::kLinked;
  }
  bool linked() const { return outcome == Outcome::kLinked; }
  bool expired(core::TimePoint now) const { return now >= expires_at; }
};

// One entry of a registration's timeline.
enum class EventKind {
  kLanded,         // the token was posted (first time)
  kLandedAgain,    // the same token was posted again (refresh, a second click)
  kResolved,       // AWS named the buyer (detail: account, product)
  kResolveFailed,  // slug: invalid_token, expired_token, product_unknown or aws_unavailable
  kChoseExisting,  // the buyer said they have an account
  kChoseNew,       // the buyer chose to create one
  kLinkRefused,    // slug: why (a link error slug, see saas.h); org_id, user_id
  kLinked,         // a new link (org_id, user_id)
  kLinkUpdated,    // an existing link of the buyer got this registration's agreement
};

// "landed", "landed_again", "resolved", "resolve_failed", "chose_existing", "chose_new",
// "link_refused", "linked", "link_updated".
const char* event_kind_name(EventKind kind);
std::optional<EventKind> parse_event_kind(std::string_view name);

struct RegistrationEvent {
  int seq = 0;  // 1, 2, … in the order they happened
  EventKind kind = EventKind::kLanded;
  std::string slug;    // see EventKind
  std::string detail;  // a short sentence for support
  std::string org_id;  // the organization concerned, if any
  std::string user_id;
  core::TimePoint at;
};

// --- Links ------------------------------------------------------------------------------------

// A link's lifecycle (API.md). Linking creates it pending; AWS's notifications move it on:
//   pending ──subscribe-success──▶ active ──unsubscribe-pending──▶ unsubscribe_pending
//   unsubscribe_pending ──unsubscribe-success──▶ cancelled          (final)
//   pending ──subscribe-fail──▶ failed                               (final)
// A cancelled or failed link has ended: it no longer counts as the organization's or the
// buyer's link for the product.
enum class LinkStatus { kPending, kActive, kUnsubscribePending, kCancelled, kFailed };

// "pending", "active", "unsubscribe_pending", "cancelled", "failed".
const char* link_status_name(LinkStatus status);
// "Pending", "Active", "Unsubscribe pending", "Cancelled", "Failed": for people.
const char* display_name(LinkStatus status);
std::optional<LinkStatus> parse_link_status(std::string_view name);
// Not cancelled or failed.
bool is_live(LinkStatus status);

struct Link {
  std::string id;  // random
  std::string org_id;
  std::string product_code;
  std::string registration_id;      // the registration that made it, or last updated its agreement
  std::string customer_identifier;  // legacy listings
  std::string customer_aws_account_id;
  std::string license_arn;  // concurrent agreements
  std::string offer_type;   // "" or "free-trial"
  LinkStatus status = LinkStatus::kPending;
  std::optional<core::TimePoint> free_trial_ends_at;  // set once AWS tells (lifecycle events)
  std::string linked_by_user_id;
  core::TimePoint created_at;
  core::TimePoint updated_at;

  bool free_trial() const { return offer_type == kFreeTrialOfferType; }
};

// --- Entitlements -----------------------------------------------------------------------------

// What AWS says a link's buyer may use (GetEntitlements), as last read (lifecycle.h).
enum class EntitlementValueKind { kInteger, kDouble, kBoolean, kString };

struct Entitlement {
  std::string dimension;
  EntitlementValueKind kind = EntitlementValueKind::kInteger;
  std::string value;  // as text: "10", "2.5", "true", "basic"
  std::optional<core::TimePoint> expires_at;

  bool operator==(const Entitlement&) const = default;
};

}  // namespace saas
