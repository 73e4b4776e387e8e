#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "core/log.h"
#include "core/text.h"
#include "identity/secrets.h"
#include "mail/html_email.h"
#include "saas/saas.h"
#include "saas/saas_store.h"

namespace saas {

namespace {

// Attempts of an operation that lost a race it can learn from (a reference drawn twice, a link
// refused by a unique index): the next attempt sees what won.
constexpr int kRaceAttempts = 3;

core::Error bad_argument(std::string message) {
  return core::invalid(std::move(message), "invalid_argument");
}

core::Error with_detail(core::Error e, std::string field, std::string message) {
  e.details.push_back({.field = std::move(field), .message = std::move(message)});
  return e;
}

// --- Product fields ---

bool is_loopback_host(std::string_view host) {
  return host == "localhost" || host == "127.0.0.1" || host == "[::1]" || host.starts_with("127.");
}

// https://host[:port][/…]; http:// only for loopback hosts (the sandbox's simulator console).
std::optional<std::string> url_problem(std::string_view url) {
  if (url.empty()) return "Enter the AWS Marketplace URL where buyers manage the product.";
  if (url.size() > kMaxUrlLength) {
    return fmt::format("Use at most {} characters.", kMaxUrlLength);
  }
  for (char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return "A URL has no spaces or control characters.";
  }
  std::string_view rest;
  bool https = false;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
    https = true;
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return "Use an https:// URL.";
  }
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return "The URL needs a host name.";
  }
  std::string_view host = authority;
  if (host.front() == '[') {
    const auto close = host.find(']');
    host = close == std::string_view::npos ? std::string_view() : host.substr(0, close + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (host.empty()) return "The URL needs a host name.";
  if (!https && !is_loopback_host(host)) return "Use an https:// URL.";
  return std::nullopt;
}

void check_text(std::string_view trimmed, std::string_view field, size_t max_chars, bool required,
                std::string_view empty_message, std::vector<core::ErrorDetail>& errors) {
  switch (identity::check_name(trimmed, max_chars)) {
    case identity::NameProblem::kNone: return;
    case identity::NameProblem::kEmpty:
      if (required) errors.push_back({std::string(field), std::string(empty_message)});
      return;
    case identity::NameProblem::kTooLong:
      errors.push_back({std::string(field), fmt::format("Use at most {} characters.", max_chars)});
      return;
    case identity::NameProblem::kNotUtf8:
      errors.push_back({std::string(field), "The text is not valid UTF-8."});
      return;
    case identity::NameProblem::kControlCharacter:
      errors.push_back({std::string(field), "Remove line breaks and control characters."});
      return;
  }
}

core::Error product_error(std::vector<core::ErrorDetail> details) {
  core::Error e =
      core::invalid("Some fields of the product need your attention.", "invalid_product");
  e.details = std::move(details);
  return e;
}

// `base` with the set fields of `f`, cleaned (trimmed) and checked.
core::Result<Product> merged_product(Product base, const ProductFields& f, bool creating) {
  std::vector<core::ErrorDetail> errors;
  if (creating) {
    const std::string code(core::trim(f.product_code.value_or("")));
    if (code.empty()) {
      errors.push_back({"product_code", "Enter the product code from AWS Marketplace."});
    } else if (!is_product_code(code)) {
      errors.push_back({"product_code", fmt::format("Use 1 to {} letters, digits, '-' or '_'.",
                                                    kMaxProductCodeLength)});
    }
    base.product_code = code;
  } else if (f.product_code && std::string(core::trim(*f.product_code)) != base.product_code) {
    errors.push_back({"product_code", "A product's code cannot change."});
  }
  if (f.name) base.name = std::string(identity::trim_name(*f.name));
  if (creating || f.name) {
    check_text(base.name, "name", kMaxProductNameLength, true, "Enter the product's name.", errors);
  }
  if (f.pricing_model) {
    base.pricing_model = *f.pricing_model;
  } else if (creating) {
    errors.push_back({"pricing_model", "Choose how AWS bills the product."});
  }
  if (f.dimensions) {
    base.dimensions.clear();
    for (const Dimension& d : *f.dimensions) {
      base.dimensions.push_back({.name = std::string(core::trim(d.name)),
                                 .description = std::string(identity::trim_name(d.description))});
    }
  }
  if (f.concurrent_agreements) base.concurrent_agreements = *f.concurrent_agreements;
  if (f.manage_url) base.manage_url = std::string(core::trim(*f.manage_url));
  if (creating || f.manage_url) {
    if (auto p = url_problem(base.manage_url)) errors.push_back({"manage_url", *p});
  }
  if (f.support_contact)
    base.support_contact = std::string(identity::trim_name(*f.support_contact));
  if (creating || f.support_contact) {
    check_text(base.support_contact, "support_contact", kMaxSupportContactLength, true,
               "Enter where buyers get support (an e-mail address or a URL).", errors);
  }
  if (f.new_org_subscription) {
    base.new_org_subscription = *f.new_org_subscription;
    if (base.new_org_subscription != identity::SubscriptionStatus::kTrial &&
        base.new_org_subscription != identity::SubscriptionStatus::kActive) {
      errors.push_back({"new_org_subscription", "Choose trial or active."});
    }
  }

  // The dimensions, checked against the pricing model they end up with.
  if (base.pricing_model == PricingModel::kFree && !base.dimensions.empty()) {
    errors.push_back({"dimensions", "A free product has no pricing dimensions."});
  } else if (base.pricing_model != PricingModel::kFree && base.dimensions.empty()) {
    errors.push_back({"dimensions", "Add the product's pricing dimensions from AWS Marketplace."});
  }
  if (base.dimensions.size() > kMaxDimensions) {
    errors.push_back({"dimensions", fmt::format("Use at most {} dimensions.", kMaxDimensions)});
  }
  std::set<std::string> names;
  for (size_t i = 0; i < base.dimensions.size(); ++i) {
    const Dimension& d = base.dimensions[i];
    const std::string field = fmt::format("dimensions[{}].name", i);
    if (d.name.empty()) {
      errors.push_back({field, "Enter the dimension's API name."});
    } else if (!is_dimension_name(d.name)) {
      errors.push_back({field, fmt::format("Use 1 to {} letters, digits, '-', '_' or '.'.",
                                           kMaxDimensionNameLength)});
    } else if (!names.insert(d.name).second) {
      errors.push_back({field, fmt::format("The dimension {} is listed twice.", d.name)});
    }
    check_text(d.description, fmt::format("dimensions[{}].description", i),
               kMaxDimensionDescriptionLength, false, "", errors);
  }
  if (!errors.empty()) return product_error(std::move(errors));
  return base;
}

std::string changed_fields(const Product& before, const Product& after) {
  std::vector<std::string> changed;
  if (before.name != after.name) changed.emplace_back("name");
  if (before.pricing_model != after.pricing_model) changed.emplace_back("pricing model");
  if (before.concurrent_agreements != after.concurrent_agreements) {
    changed.emplace_back("buyer identity");
  }
  bool dims_changed = before.dimensions.size() != after.dimensions.size();
  for (size_t i = 0; !dims_changed && i < before.dimensions.size(); ++i) {
    dims_changed = before.dimensions[i].name != after.dimensions[i].name ||
                   before.dimensions[i].description != after.dimensions[i].description;
  }
  if (dims_changed) changed.emplace_back("dimensions");
  if (before.manage_url != after.manage_url) changed.emplace_back("manage URL");
  if (before.support_contact != after.support_contact) changed.emplace_back("support contact");
  if (before.new_org_subscription != after.new_org_subscription) {
    changed.emplace_back("new organizations' subscription");
  }
  if (changed.empty()) return "nothing";
  return core::join_first(changed, changed.size());
}

identity::AuditEntry product_audit(const std::string& operator_org_id, const identity::Actor& actor,
                                   std::string action, const Product& p, std::string detail) {
  return {.org_id = operator_org_id,
          .subject_user_id = {},
          .actor = actor,
          .action = std::move(action),
          .target_type = "saas_product",
          .target_id = p.product_code,
          .detail = std::move(detail)};
}

// --- Landing ---

// What a resolution comes to, before the product check.
struct Answer {
  Outcome outcome = Outcome::kResolved;
  std::string slug;
  std::string message;  // for people
  std::string detail;   // for the timeline (support)
  ResolvedBuyer buyer;
};

// `text` with every occurrence of `secret` masked, so that nothing a resolver says can carry
// the token into the database.
std::string scrubbed(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos)) {
    text.replace(pos, secret.size(), "[token]");
  }
  return text;
}

std::string limited(std::string text, size_t max) {
  if (text.size() > max) text.resize(max);
  return text;
}

constexpr const char* kStartAgain = "Start again from Set up product in AWS Marketplace.";

Answer interpret(const core::Result<ResolvedBuyer>& resolved, const std::string& token) {
  Answer a;
  if (resolved.ok()) {
    a.buyer = *resolved;
    if (a.buyer.product_code.empty() || a.buyer.customer_aws_account_id.empty()) {
      a.outcome = Outcome::kAwsUnavailable;
      a.slug = kAwsUnavailableSlug;
      a.message = "AWS Marketplace answered without naming the buyer. Try again.";
      a.detail = "ResolveCustomer answered without a product code or AWS account id.";
      return a;
    }
    a.detail = fmt::format("AWS account {}, product {}", a.buyer.customer_aws_account_id,
                           a.buyer.product_code);
    if (!a.buyer.customer_identifier.empty()) {
      a.detail += ", customer identifier " + a.buyer.customer_identifier;
    }
    if (!a.buyer.license_arn.empty()) a.detail += ", license " + a.buyer.license_arn;
    a.detail += ".";
    return a;
  }
  const core::Error& e = resolved.error();
  const std::string said = limited(scrubbed(e.message, token), 500);
  if (e.slug == kInvalidTokenSlug) {
    a.outcome = Outcome::kInvalidToken;
    a.slug = kInvalidTokenSlug;
    a.message = fmt::format("AWS Marketplace did not recognize this sign-up link. {}", kStartAgain);
  } else if (e.slug == kExpiredTokenSlug) {
    a.outcome = Outcome::kExpiredToken;
    a.slug = kExpiredTokenSlug;
    a.message = fmt::format("This sign-up link from AWS Marketplace has expired. {}", kStartAgain);
  } else {
    a.outcome = Outcome::kAwsUnavailable;
    a.slug = kAwsUnavailableSlug;
    a.message = "AWS did not answer when we checked your subscription. Try again in a moment.";
  }
  a.detail = said.empty() ? a.slug : said;
  return a;
}

std::string clean_offer_type(std::string_view offer_type) {
  const std::string_view t = core::trim(offer_type);
  if (t.size() > 64) return "";
  for (char c : t) {
    if (c < 0x21 || c > 0x7e) return "";
  }
  return std::string(t);
}

std::string hex_to_bytes(std::string_view hex) {
  std::string out;
  auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 0;
  };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(value(hex[i]) * 16 + value(hex[i + 1]));
  }
  return out;
}

// --- Linking ---

// Who the buyer is for the product (see saas_links.buyer_key). A legacy listing whose buyer
// came without a customer identifier is identified by the AWS account, as AWS does for
// concurrent agreements.
std::string buyer_key(const Product& product, const Registration& r) {
  if (!product.concurrent_agreements && !r.customer_identifier.empty()) {
    return "ci:" + r.customer_identifier;
  }
  return "aws:" + r.customer_aws_account_id;
}

core::Error not_resolved(const Registration& r) {
  std::string message = r.outcome_message;
  if (message.empty()) message = "AWS Marketplace did not confirm this subscription.";
  return core::conflict(std::move(message), "token_not_resolved");
}

core::Error registration_used(const Registration& r) {
  return with_detail(
      core::conflict("This AWS Marketplace subscription is already linked to another "
                     "organization.",
                     "registration_used"),
      "org_id", r.linked_org_id);
}

core::Error registration_expired(const SaasSettings& settings) {
  const long long hours =
      std::chrono::duration_cast<std::chrono::hours>(settings.registration_ttl).count();
  return core::conflict(fmt::format("This sign-up started more than {} hours ago and has "
                                    "expired. {}",
                                    hours, kStartAgain),
                        "registration_expired");
}

core::Error organization_not_found() {
  return core::not_found("There is no such organization among yours.", "organization_not_found");
}

core::Error not_admin(const identity::Organization& org, const std::vector<Contact>& admins) {
  core::Error e = core::forbidden(
      fmt::format("Only an admin of {} can link it to AWS Marketplace; ask one of its admins.",
                  org.name),
      "not_admin");
  for (const Contact& c : admins) e.details.push_back({.field = c.email, .message = c.name});
  return e;
}

core::Error no_subscription(const identity::Organization& org) {
  return core::conflict(
      fmt::format("{} has no active or trial subscription, so it cannot be linked to AWS "
                  "Marketplace.",
                  org.name),
      "no_subscription");
}

core::Error buyer_linked_elsewhere(const Registration& r, const Product& p, const Link& other) {
  return with_detail(
      core::conflict(fmt::format("The AWS account {} is already linked to another organization "
                                 "for {}.",
                                 r.customer_aws_account_id, p.name),
                     "buyer_linked_elsewhere"),
      "org_id", other.org_id);
}

core::Error org_already_linked(const identity::Organization& org, const Product& p,
                               const Link& existing) {
  return with_detail(
      core::conflict(fmt::format("{} is already linked to an AWS Marketplace subscription of {}.",
                                 org.name, p.name),
                     "org_already_linked"),
      "link_id", existing.id);
}

// The link errors that are recorded on the registration as a refusal.
bool is_refusal(const core::Error& e) {
  constexpr std::array<std::string_view, 8> kRefusals = {
      "token_not_resolved", "registration_used", "registration_expired",   "organization_not_found",
      "not_admin",          "no_subscription",   "buyer_linked_elsewhere", "org_already_linked"};
  return std::find(kRefusals.begin(), kRefusals.end(), e.slug) != kRefusals.end();
}

// What linking would do, decided from what was read. The order of the checks is the contract's.
enum class Plan {
  kCreate,        // a new link
  kBuyersLink,    // the buyer's live link to this organization takes this registration
  kAlreadyLinked  // the registration is linked to this organization
};

struct LinkFacts {
  const Registration& registration;
  const Product* product = nullptr;             // null when the registration did not resolve
  const identity::Organization* org = nullptr;  // null when unknown or the user is no member
  std::optional<identity::Role> role;
  const std::vector<Contact>* admins = nullptr;
  std::optional<Link> buyer_link;  // the buyer's live link for the product
  std::optional<Link> org_link;    // the organization's live link for the product
  core::TimePoint now;
};

// Conditions 1-3 of the header comment, which do not depend on the organization (but for a
// registration linked to the organization asked about: `org_id`).
std::optional<core::Error> registration_problem(const Registration& r, const std::string& org_id,
                                                core::TimePoint now, const SaasSettings& settings) {
  if (!r.resolved()) return not_resolved(r);
  if (r.linked()) {
    if (r.linked_org_id == org_id) return std::nullopt;
    return registration_used(r);
  }
  if (r.expired(now)) return registration_expired(settings);
  return std::nullopt;
}

core::Result<Plan> decide(const LinkFacts& f, const SaasSettings& settings) {
  const Registration& r = f.registration;
  const std::string org_id = f.org ? f.org->id : std::string();
  if (auto problem = registration_problem(r, org_id, f.now, settings)) return *problem;
  if (r.linked()) return Plan::kAlreadyLinked;
  if (f.org == nullptr || !f.role) return organization_not_found();
  if (*f.role != identity::Role::kAdmin) return not_admin(*f.org, *f.admins);
  if (f.org->subscription != identity::SubscriptionStatus::kActive &&
      f.org->subscription != identity::SubscriptionStatus::kTrial) {
    return no_subscription(*f.org);
  }
  if (f.product == nullptr) {
    return core::internal("A resolved registration names a product that is not registered.");
  }
  if (f.buyer_link) {
    if (f.buyer_link->org_id != f.org->id) {
      return buyer_linked_elsewhere(r, *f.product, *f.buyer_link);
    }
    return Plan::kBuyersLink;
  }
  if (f.org_link) return org_already_linked(*f.org, *f.product, *f.org_link);
  return Plan::kCreate;
}

identity::AuditEntry link_audit(const identity::Organization& org, const identity::Actor& actor,
                                std::string action, const Link& link, std::string detail) {
  return {.org_id = org.id,
          .subject_user_id = {},
          .actor = actor,
          .action = std::move(action),
          .target_type = "saas_link",
          .target_id = link.id,
          .detail = std::move(detail)};
}

std::string buyer_text(const Registration& r) {
  std::string out = "AWS account " + r.customer_aws_account_id;
  if (!r.license_arn.empty()) out += " (license " + r.license_arn + ")";
  return out;
}

// A cursor is "<landed_at in Unix milliseconds>.<id>" of the last row of a page ('.' is not in
// ids, which are URL-safe base64).
std::string make_cursor(const Registration& r) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(r.landed_at.time_since_epoch());
  return fmt::format("{}.{}", ms.count(), r.id);
}

std::optional<std::pair<std::string, std::string>> read_cursor(std::string_view cursor) {
  const auto dot = cursor.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= cursor.size()) return std::nullopt;
  long long ms = 0;
  for (char c : cursor.substr(0, dot)) {
    if (c < '0' || c > '9' || ms > 1'000'000'000'000'000LL) return std::nullopt;
    ms = ms * 10 + (c - '0');
  }
  const core::TimePoint at{std::chrono::milliseconds(ms)};
  return std::make_pair(core::format_rfc3339(at), std::string(cursor.substr(dot + 1)));
}

}  // namespace

bool is_product_code(std::string_view text) {
  return !text.empty() && text.size() <= kMaxProductCodeLength &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
         });
}

bool is_dimension_name(std::string_view text) {
  return !text.empty() && text.size() <= kMaxDimensionNameLength &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
         });
}

std::vector<Contact> admins_of(const core::Error& not_admin_error) {
  std::vector<Contact> out;
  if (not_admin_error.slug != "not_admin") return out;
  for (const core::ErrorDetail& d : not_admin_error.details) {
    out.push_back({.name = d.message, .email = d.field});
  }
  return out;
}

std::string other_org_of(const core::Error& error) {
  if (error.slug != "registration_used" && error.slug != "buyer_linked_elsewhere") return "";
  for (const core::ErrorDetail& d : error.details) {
    if (d.field == "org_id") return d.message;
  }
  return "";
}

SaasService::SaasService(db::Database& database, const core::Clock& clock, core::IdGenerator& ids,
                         CustomerResolver& resolver, identity::IdentityService& identity,
                         mail::MailQueue& mail, identity::AuditLog& audit, SaasSettings settings)
    : clock_(clock),
      ids_(ids),
      resolver_(resolver),
      identity_(identity),
      mail_(mail),
      audit_(audit),
      settings_(std::move(settings)),
      store_(std::make_unique<SaasStore>(database)) {}

SaasService::~SaasService() = default;

core::TimePoint SaasService::now() const {
  // The database keeps milliseconds; so do the answers, so that they compare equal to a re-read.
  return std::chrono::time_point_cast<std::chrono::milliseconds>(clock_.now());
}

// ---------------------------------------------------------------------------------------------
// Products

core::Result<Product> SaasService::create_product(const std::string& operator_org_id,
                                                  const ProductFields& fields,
                                                  const identity::Actor& actor) {
  auto product = merged_product(Product{}, fields, true);
  if (!product.ok()) return product.error();
  const core::TimePoint at = now();
  product->created_at = at;
  product->updated_at = at;
  return store_->write([&](SaasTx& tx) -> core::Result<Product> {
    if (auto inserted = tx.insert_product(*product); !inserted.ok()) return inserted.error();
    audit_.record(
        tx.transaction(),
        product_audit(operator_org_id, actor, "saas.product_created", *product,
                      fmt::format("Registered the product {} ({}): {}, {}.", product->name,
                                  product->product_code, pricing_model_name(product->pricing_model),
                                  product->concurrent_agreements ? "concurrent agreements"
                                                                 : "legacy customer identifier")));
    return *product;
  });
}

core::Result<Product> SaasService::update_product(const std::string& operator_org_id,
                                                  const std::string& product_code,
                                                  const ProductFields& fields,
                                                  const identity::Actor& actor) {
  const core::TimePoint at = now();
  return store_->write([&](SaasTx& tx) -> core::Result<Product> {
    auto before = tx.product(product_code, Lock::kForUpdate);
    if (!before) {
      return core::not_found(
          fmt::format("There is no product {}.", limited(product_code, kMaxProductCodeLength)),
          "product_not_found");
    }
    auto after = merged_product(*before, fields, false);
    if (!after.ok()) return after.error();
    after->updated_at = at;
    tx.update_product(*after);
    audit_.record(tx.transaction(),
                  product_audit(operator_org_id, actor, "saas.product_updated", *after,
                                fmt::format("Changed the product {} ({}): {}.", after->name,
                                            after->product_code, changed_fields(*before, *after))));
    return *after;
  });
}

core::Result<Product> SaasService::product(const std::string& product_code) const {
  return store_->read([&](SaasTx& tx) -> core::Result<Product> {
    auto p = tx.product(product_code, Lock::kNone);
    if (!p) {
      return core::not_found(
          fmt::format("There is no product {}.", limited(product_code, kMaxProductCodeLength)),
          "product_not_found");
    }
    return *p;
  });
}

core::Result<std::vector<Product>> SaasService::products() const {
  return store_->read(
      [&](SaasTx& tx) -> core::Result<std::vector<Product>> { return tx.products(); });
}

// ---------------------------------------------------------------------------------------------
// Landing

core::Result<Registration> SaasService::land(const Landing& landing) {
  const std::string token(core::trim(landing.token));
  if (token.empty()) {
    return core::invalid("The request carries no AWS Marketplace token.", "missing_token");
  }
  const std::string digest = identity::secret_hash(token);
  const core::TimePoint at = now();

  // The token was posted before: its registration, unless AWS did not answer then.
  auto seen = store_->read([&](SaasTx& tx) -> core::Result<std::optional<Registration>> {
    return tx.registration_by_digest(digest, Lock::kNone);
  });
  if (!seen.ok()) return seen.error();
  if (*seen && (*seen)->outcome != Outcome::kAwsUnavailable) {
    return store_->write([&](SaasTx& tx) -> core::Result<Registration> {
      tx.count_landing((*seen)->id, at);
      tx.append_event((*seen)->id, {.kind = EventKind::kLandedAgain,
                                    .detail = "The same token was posted again.",
                                    .at = at});
      auto r = tx.registration((*seen)->id, Lock::kNone);
      if (!r) return core::internal("A registration vanished while landing.");
      return *r;
    });
  }
  return resolve_and_store(digest, landing, token);
}

core::Result<Registration> SaasService::resolve_and_store(const std::string& digest,
                                                          const Landing& landing,
                                                          const std::string& token) {
  const core::TimePoint landed_at = now();
  Answer answer;
  if (token.size() > kMaxTokenLength) {
    answer = interpret(core::invalid("The token is too long.", kInvalidTokenSlug), token);
  } else {
    answer = interpret(resolver_.resolve(token), token);
  }
  const core::TimePoint at = now();
  const std::string offer_type = clean_offer_type(landing.offer_type);

  for (int attempt = 1;; ++attempt) {
    Registration r;
    r.id = ids_.new_id();
    r.reference = make_support_reference(hex_to_bytes(identity::secret_hash(ids_.new_id())));
    auto stored = store_->write([&](SaasTx& tx) -> core::Result<Registration> {
      Answer a = answer;
      if (a.outcome == Outcome::kResolved && !tx.product(a.buyer.product_code, Lock::kNone)) {
        a.outcome = Outcome::kProductUnknown;
        a.slug = "product_unknown";
        a.message = "This AWS Marketplace product is not sold through this site.";
        a.detail = fmt::format("The product {} is not registered here ({}).",
                               limited(a.buyer.product_code, 100),
                               "AWS account " + limited(a.buyer.customer_aws_account_id, 20));
      }
      const bool named = a.outcome == Outcome::kResolved || a.outcome == Outcome::kProductUnknown;
      const RegistrationEvent outcome_event{.kind = a.outcome == Outcome::kResolved
                                                        ? EventKind::kResolved
                                                        : EventKind::kResolveFailed,
                                            .slug = a.outcome == Outcome::kResolved ? "" : a.slug,
                                            .detail = a.detail,
                                            .at = at};

      auto existing = tx.registration_by_digest(digest, Lock::kForUpdate);
      if (!existing && a.outcome == Outcome::kResolved) {
        // A new token (Set up product chosen again) continues the buyer's open or linked setup.
        ResolvedBuyer buyer{.product_code = limited(a.buyer.product_code, 200),
                            .customer_identifier = limited(a.buyer.customer_identifier, 500),
                            .customer_aws_account_id = limited(a.buyer.customer_aws_account_id, 20),
                            .license_arn = limited(a.buyer.license_arn, 2048)};
        if (auto setup = tx.setup_of_buyer(buyer, at)) {
          tx.count_landing(setup->id, at);
          tx.append_event(setup->id, {.kind = EventKind::kLandedAgain,
                                      .detail = "Set up product was chosen again (a new token): "
                                                "this setup continues.",
                                      .at = landed_at});
          auto continued = tx.registration(setup->id, Lock::kNone);
          if (!continued) return core::internal("A registration vanished while landing.");
          return *continued;
        }
      }
      if (!existing) {
        r.outcome = a.outcome;
        r.outcome_slug = a.outcome == Outcome::kResolved ? "" : a.slug;
        r.outcome_message = a.outcome == Outcome::kResolved ? "" : a.message;
        if (named) {
          r.product_code = limited(a.buyer.product_code, 200);
          r.customer_identifier = limited(a.buyer.customer_identifier, 500);
          r.customer_aws_account_id = limited(a.buyer.customer_aws_account_id, 20);
          r.license_arn = limited(a.buyer.license_arn, 2048);
          r.resolved_at = at;
        }
        r.offer_type = offer_type;
        r.landed_at = landed_at;
        r.expires_at = landed_at + settings_.registration_ttl;
        r.updated_at = at;
        auto inserted = tx.insert_registration({.registration = r, .token_digest = digest});
        if (!inserted.ok()) return inserted.error();
        if (*inserted) {
          tx.append_event(r.id, {.kind = EventKind::kLanded,
                                 .detail = offer_type.empty() ? "Landed from AWS Marketplace."
                                                              : "Landed from AWS Marketplace (" +
                                                                    offer_type + ").",
                                 .at = landed_at});
          tx.append_event(r.id, outcome_event);
          return r;
        }
        // An identical landing committed meanwhile: its row is the answer.
        existing = tx.registration_by_digest(digest, Lock::kForUpdate);
        if (!existing) return core::internal("A registration vanished while landing.");
      }
      if (existing->outcome == Outcome::kAwsUnavailable) {
        Resolution res{.outcome = a.outcome,
                       .outcome_slug = a.outcome == Outcome::kResolved ? "" : a.slug,
                       .outcome_message = a.outcome == Outcome::kResolved ? "" : a.message};
        if (named) {
          res.product_code = limited(a.buyer.product_code, 200);
          res.customer_identifier = limited(a.buyer.customer_identifier, 500);
          res.customer_aws_account_id = limited(a.buyer.customer_aws_account_id, 20);
          res.license_arn = limited(a.buyer.license_arn, 2048);
          res.resolved_at = at;
        }
        tx.resolve_again(existing->id, res, at);
        tx.append_event(existing->id, {.kind = EventKind::kLandedAgain,
                                       .detail = "Posted again after AWS did not answer.",
                                       .at = landed_at});
        tx.append_event(existing->id, outcome_event);
      } else {
        tx.count_landing(existing->id, at);
        tx.append_event(existing->id, {.kind = EventKind::kLandedAgain,
                                       .detail = "The same token was posted again.",
                                       .at = at});
      }
      auto now_stored = tx.registration(existing->id, Lock::kNone);
      if (!now_stored) return core::internal("A registration vanished while landing.");
      return *now_stored;
    });
    if (!stored.ok() && stored.error().slug == kReferenceTakenSlug && attempt < kRaceAttempts) {
      continue;
    }
    if (stored.ok() && stored->outcome != Outcome::kResolved) {
      core::log::info("saas landing not resolved", {{"registration", stored->id},
                                                    {"reference", stored->reference},
                                                    {"outcome", outcome_name(stored->outcome)}});
    }
    return stored;
  }
}

core::Result<Registration> SaasService::record_choice(const std::string& registration_id,
                                                      Choice choice) {
  if (registration_id.empty()) return bad_argument("A registration id is required.");
  if (choice == Choice::kNone) return bad_argument("Choose an existing or a new account.");
  const core::TimePoint at = now();
  return store_->write([&](SaasTx& tx) -> core::Result<Registration> {
    auto r = tx.registration(registration_id, Lock::kForUpdate);
    if (!r) return core::not_found("There is no such registration.", "registration_not_found");
    if (r->choice == choice) return *r;
    tx.set_choice(r->id, choice, at);
    tx.append_event(
        r->id, {.kind = choice == Choice::kNew ? EventKind::kChoseNew : EventKind::kChoseExisting,
                .detail = choice == Choice::kNew ? "Chose to create a new account."
                                                 : "Chose to link an existing account.",
                .at = at});
    r->choice = choice;
    r->updated_at = at;
    return *r;
  });
}

// ---------------------------------------------------------------------------------------------
// Linking

core::Result<LinkResult> SaasService::link(const std::string& registration_id,
                                           const std::string& org_id,
                                           const identity::Actor& actor) {
  if (registration_id.empty() || org_id.empty() || actor.user_id.empty()) {
    return bad_argument("A registration, an organization and a user are required.");
  }
  // Identity's facts (see the header comment).
  std::optional<identity::Organization> org;
  std::optional<identity::Role> role;
  std::vector<Contact> admins;
  if (auto found = identity_.find_organization(org_id); found.ok()) {
    org = *found;
  } else if (found.error().code != core::ErrorCode::kNotFound) {
    return found.error();
  }
  if (org) {
    if (auto r = identity_.role_in(org->id, actor.user_id); r.ok()) {
      role = *r;
    } else if (r.error().code != core::ErrorCode::kNotFound) {
      return r.error();
    }
  }
  if (org && role) {
    auto members = identity_.members(org->id);
    if (!members.ok()) return members.error();
    for (const identity::Member& m : *members) {
      if (m.role == identity::Role::kAdmin) {
        admins.push_back({.name = m.user.name, .email = m.user.email});
      }
    }
  }

  const core::TimePoint at = now();
  core::Result<LinkResult> result = core::internal("not attempted");
  for (int attempt = 1; attempt <= kRaceAttempts; ++attempt) {
    result = store_->write([&](SaasTx& tx) -> core::Result<LinkResult> {
      auto r = tx.registration(registration_id, Lock::kForUpdate);
      if (!r) return core::not_found("There is no such registration.", "registration_not_found");
      std::optional<Product> product;
      if (r->resolved()) product = tx.product(r->product_code, Lock::kNone);
      LinkFacts facts{.registration = *r,
                      .product = product ? &*product : nullptr,
                      .org = org ? &*org : nullptr,
                      .role = role,
                      .admins = &admins,
                      .buyer_link = std::nullopt,
                      .org_link = std::nullopt,
                      .now = at};
      if (product && org && !r->linked()) {
        facts.buyer_link = tx.live_link_of_buyer(product->product_code, buyer_key(*product, *r));
        facts.org_link = tx.live_link_of_org(org->id, product->product_code);
      }
      auto plan = decide(facts, settings_);
      if (!plan.ok()) return plan.error();

      if (*plan == Plan::kAlreadyLinked) {
        auto existing = tx.link(r->link_id);
        if (!existing) return core::internal("A linked registration names no link.");
        return LinkResult{.link = *existing, .change = LinkChange::kUnchanged};
      }

      LinkResult out;
      if (*plan == Plan::kBuyersLink) {
        out.link = *facts.buyer_link;
        out.change = LinkChange::kUnchanged;
        if (product->concurrent_agreements && !r->license_arn.empty() &&
            r->license_arn != out.link.license_arn) {
          tx.update_link_agreement(out.link.id, r->license_arn, r->id, r->offer_type, at);
          out.link.license_arn = r->license_arn;
          out.link.registration_id = r->id;
          out.link.offer_type = r->offer_type;
          out.link.updated_at = at;
          out.change = LinkChange::kAgreementAdded;
          tx.append_event(r->id, {.kind = EventKind::kLinkUpdated,
                                  .detail = fmt::format("The link of {} to {} now carries the "
                                                        "license {}.",
                                                        buyer_text(*r), org->name, r->license_arn),
                                  .org_id = org->id,
                                  .user_id = actor.user_id,
                                  .at = at});
          audit_.record(tx.transaction(),
                        link_audit(*org, actor, "saas.link_updated", out.link,
                                   fmt::format("New AWS Marketplace agreement for {}: {}.",
                                               product->name, buyer_text(*r))));
        } else {
          tx.append_event(r->id, {.kind = EventKind::kLinked,
                                  .detail = fmt::format("{} was linked to {} already.",
                                                        buyer_text(*r), org->name),
                                  .org_id = org->id,
                                  .user_id = actor.user_id,
                                  .at = at});
        }
      } else {
        Link l;
        l.id = ids_.new_id();
        l.org_id = org->id;
        l.product_code = product->product_code;
        l.registration_id = r->id;
        l.customer_identifier = r->customer_identifier;
        l.customer_aws_account_id = r->customer_aws_account_id;
        l.license_arn = r->license_arn;
        l.offer_type = r->offer_type;
        l.status = LinkStatus::kPending;
        l.linked_by_user_id = actor.user_id;
        l.created_at = at;
        l.updated_at = at;
        if (auto inserted = tx.insert_link(l, buyer_key(*product, *r)); !inserted.ok()) {
          return inserted.error();
        }
        out.link = l;
        out.change = LinkChange::kCreated;
        tx.append_event(r->id,
                        {.kind = EventKind::kLinked,
                         .detail = fmt::format("Linked {} to {}.", buyer_text(*r), org->name),
                         .org_id = org->id,
                         .user_id = actor.user_id,
                         .at = at});
        audit_.record(tx.transaction(), link_audit(*org, actor, "saas.linked", l,
                                                   fmt::format("Linked to AWS Marketplace: {}, {}.",
                                                               product->name, buyer_text(*r))));
        for (const Contact& admin : admins) {
          auto queued = mail_.enqueue(tx.transaction(), linked_message(admin, *org, *product, l));
          // An address mail cannot go to does not undo the link; a failing queue does.
          if (!queued.ok() && queued.error().code != core::ErrorCode::kInvalid) {
            return queued.error();
          }
        }
      }
      tx.mark(r->id,
              {.outcome = Outcome::kLinked,
               .outcome_slug = "",
               .outcome_message = "",
               .linked_org_id = org->id,
               .link_id = out.link.id,
               .linked_at = at},
              at);
      if (link_observer_ && out.change != LinkChange::kUnchanged) {
        if (auto told = link_observer_->linked(tx.transaction(), out.link, out.change);
            !told.ok()) {
          return told.error();
        }
      }
      return out;
    });
    if (result.ok() || result.error().slug != kLinkRaceSlug) break;
    core::log::info("saas link lost a race to another link; checking again",
                    {{"registration", registration_id}, {"attempt", attempt}});
  }
  if (!result.ok() && result.error().slug == kLinkRaceSlug) {
    return core::unavailable("Other links of this product keep changing; try again.");
  }
  if (!result.ok() && is_refusal(result.error())) {
    record_refusal(registration_id, org ? org->id : std::string(), actor, result.error());
  }
  return result;
}

void SaasService::record_refusal(const std::string& registration_id, const std::string& org_id,
                                 const identity::Actor& actor, const core::Error& error) {
  const core::TimePoint at = now();
  auto recorded = store_->write([&](SaasTx& tx) -> core::Status {
    auto r = tx.registration(registration_id, Lock::kForUpdate);
    if (!r) return {};
    if (r->outcome == Outcome::kResolved || r->outcome == Outcome::kRefused) {
      tx.mark(r->id,
              {.outcome = Outcome::kRefused,
               .outcome_slug = error.slug,
               .outcome_message = error.message,
               .linked_org_id = r->linked_org_id,
               .link_id = r->link_id,
               .linked_at = r->linked_at},
              at);
    }
    tx.append_event(r->id, {.kind = EventKind::kLinkRefused,
                            .slug = error.slug,
                            .detail = error.message,
                            .org_id = org_id,
                            .user_id = actor.user_id,
                            .at = at});
    return {};
  });
  if (!recorded.ok()) {
    // The refusal itself was answered; only its trace is missing.
    core::log::warn("saas link refusal not recorded",
                    {{"registration", registration_id}, {"error", recorded.error().message}});
  }
}

mail::Message SaasService::linked_message(const Contact& to, const identity::Organization& org,
                                          const Product& product, const Link& link) const {
  const std::string url = fmt::format("{}/orgs/{}/subscription", settings_.public_url, org.slug);
  const std::string account = "AWS account " + link.customer_aws_account_id;
  mail::Message m;
  m.to = to.email;
  m.subject = "Linked to AWS Marketplace";
  const std::string first =
      fmt::format("{} is now linked to the AWS Marketplace subscription of {} ({}).", org.name,
                  product.name, account);
  const std::string second =
      "Billing for it goes through AWS Marketplace. To change or cancel the subscription, use "
      "AWS Marketplace: " +
      product.manage_url;
  m.text_body = fmt::format("Hello {},\n\n{}\n\n{}\n\nSee the subscription: {}\n\nMarketlink\n",
                            to.name, first, second, url);
  std::string body = mail::email_paragraph(fmt::format("Hello {},", to.name));
  body += mail::email_paragraph(first);
  body += mail::email_paragraph(second);
  body += mail::email_button("See the subscription", url);
  m.html_body = mail::render_html_email(
      {.heading = "Linked to AWS Marketplace",
       .body_html = body,
       .footer = fmt::format("You get this e-mail because you are an admin of {}.", org.name)});
  return m;
}

core::Result<AuthorizeView> SaasService::authorize_view(const std::string& registration_id,
                                                        const std::string& user_id) {
  if (registration_id.empty() || user_id.empty()) {
    return bad_argument("A registration and a user are required.");
  }
  auto memberships = identity_.memberships(user_id);
  if (!memberships.ok()) return memberships.error();
  // The admins of each organization where the user is not one, for "ask an admin".
  std::vector<std::vector<Contact>> admins(memberships->size());
  for (size_t i = 0; i < memberships->size(); ++i) {
    const identity::Membership& m = (*memberships)[i];
    if (m.role == identity::Role::kAdmin) continue;
    auto members = identity_.members(m.org.id);
    if (!members.ok()) return members.error();
    for (const identity::Member& member : *members) {
      if (member.role == identity::Role::kAdmin) {
        admins[i].push_back({.name = member.user.name, .email = member.user.email});
      }
    }
  }
  const core::TimePoint at = now();
  return store_->read([&](SaasTx& tx) -> core::Result<AuthorizeView> {
    auto r = tx.registration(registration_id, Lock::kNone);
    if (!r) return core::not_found("There is no such registration.", "registration_not_found");
    AuthorizeView view;
    view.registration = *r;
    if (r->resolved()) view.product = tx.product(r->product_code, Lock::kNone);
    if (!r->resolved()) {
      view.problem = not_resolved(*r);
    } else if (r->linked()) {
      view.problem = registration_used(*r);
    } else if (r->expired(at)) {
      view.problem = registration_expired(settings_);
    }
    std::optional<Link> buyer_link;
    if (view.product && !r->linked()) {
      buyer_link = tx.live_link_of_buyer(view.product->product_code, buyer_key(*view.product, *r));
    }
    for (size_t i = 0; i < memberships->size(); ++i) {
      const identity::Membership& m = (*memberships)[i];
      LinkFacts facts{.registration = *r,
                      .product = view.product ? &*view.product : nullptr,
                      .org = &m.org,
                      .role = m.role,
                      .admins = &admins[i],
                      .buyer_link = buyer_link,
                      .org_link = std::nullopt,
                      .now = at};
      if (view.product && !r->linked()) {
        facts.org_link = tx.live_link_of_org(m.org.id, view.product->product_code);
      }
      OrgOption option{.org = m.org, .role = m.role};
      auto plan = decide(facts, settings_);
      if (plan.ok()) {
        option.linked = *plan == Plan::kAlreadyLinked;
        option.can_link = !option.linked;
      } else {
        option.problem = plan.error();
      }
      view.organizations.push_back(std::move(option));
    }
    return view;
  });
}

// ---------------------------------------------------------------------------------------------
// Queries

core::Result<Registration> SaasService::registration(const std::string& registration_id) const {
  return store_->read([&](SaasTx& tx) -> core::Result<Registration> {
    auto r = tx.registration(registration_id, Lock::kNone);
    if (!r) return core::not_found("There is no such registration.", "registration_not_found");
    return *r;
  });
}

core::Result<RegistrationDetails> SaasService::registration_details(
    const std::string& registration_id) const {
  return store_->read([&](SaasTx& tx) -> core::Result<RegistrationDetails> {
    auto r = tx.registration(registration_id, Lock::kNone);
    if (!r) return core::not_found("There is no such registration.", "registration_not_found");
    RegistrationDetails d;
    d.registration = *r;
    if (!r->product_code.empty()) d.product = tx.product(r->product_code, Lock::kNone);
    d.timeline = tx.events(r->id);
    if (!r->link_id.empty()) d.link = tx.link(r->link_id);
    d.expired = r->expired(now());
    return d;
  });
}

core::Result<Registration> SaasService::find_by_reference(const std::string& reference) const {
  const auto canonical = normalize_support_reference(reference);
  if (!canonical) {
    return core::not_found("No registration has this support reference.", "registration_not_found");
  }
  return store_->read([&](SaasTx& tx) -> core::Result<Registration> {
    auto r = tx.registration_by_reference(*canonical);
    if (!r) {
      return core::not_found("No registration has this support reference.",
                             "registration_not_found");
    }
    return *r;
  });
}

core::Result<RegistrationPage> SaasService::list_registrations(const RegistrationFilter& filter,
                                                               const PageRequest& page) const {
  std::optional<std::pair<std::string, std::string>> after;
  if (!page.cursor.empty()) {
    after = read_cursor(page.cursor);
    if (!after) return bad_argument("The paging cursor is not one this list made.");
  }
  const int limit = std::clamp(page.limit, 1, kMaxPageSize);
  return store_->read([&](SaasTx& tx) -> core::Result<RegistrationPage> {
    RegistrationPage out;
    out.rows = tx.registrations(filter, after, limit + 1);
    if (static_cast<int>(out.rows.size()) > limit) {
      out.rows.resize(static_cast<size_t>(limit));
      out.next_cursor = make_cursor(out.rows.back().registration);
    }
    return out;
  });
}

core::Result<long long> SaasService::count_registrations(const RegistrationFilter& filter) const {
  return store_->read(
      [&](SaasTx& tx) -> core::Result<long long> { return tx.count_registrations(filter); });
}

core::Result<std::vector<Subscription>> SaasService::subscriptions(
    const std::string& org_id) const {
  return store_->read([&](SaasTx& tx) -> core::Result<std::vector<Subscription>> {
    std::vector<Subscription> out;
    for (Link& l : tx.links_of_org(org_id)) {
      auto p = tx.product(l.product_code, Lock::kNone);
      if (!p) return core::internal("A link names a product that is not registered.");
      std::vector<Entitlement> entitlements = tx.entitlements_of(l.id);
      out.push_back({.link = std::move(l),
                     .product = std::move(*p),
                     .entitlements = std::move(entitlements)});
    }
    return out;
  });
}

}  // namespace saas
