// Saas: selling on AWS Marketplace — the operator's products, the buyer's landing from AWS
// Marketplace (a registration), and the link that ties the buyer's AWS subscription to an
// organization. Plain structs in and out (saas/types.h); no HTTP, SQL or AWS wire types.
//
// Products. The platform operator registers each product it sells (its AWS product code, pricing
// model, dimensions, whether the listing uses concurrent agreements, where buyers manage it, a
// support contact, what a new organization signed up through it gets). Who may call is the
// caller's business (operator admins); every change and its entry in the operator organization's
// audit log commit in one transaction.
//
// Landing (land). AWS Marketplace posts a token; the token is resolved at once through the
// CustomerResolver and never stored: a registration keeps its SHA-256 digest, so that the same
// token posted again (refresh, a second click) returns the same registration without asking AWS
// again. Every landing gets a registration and a support reference, failures too (see Outcome in
// types.h); a registration whose resolution found AWS unavailable is resolved again when the
// token comes again. Two identical landings at once end in one registration (a unique digest):
// the later one reads the earlier's row. A registration expires registration_ttl (24 h) after
// its first landing. A new token of a buyer (Set up product chosen again: AWS gives a new token
// each time) continues that buyer's setup when one is open (resolved or refused, not expired)
// or linked with a live link, for exactly the same product, customer identifier, AWS account
// and license ARN; its digest is not kept (posted again, it is resolved again and lands there
// again). A new agreement (another license ARN) gets a registration of its own.
//
// Linking (link). The link of a registration to an organization is checked and written in one
// transaction, and every condition that two racing links could both pass is also held by a
// unique index, so at most one of them wins; the other is answered as if it came second. The
// conditions, in the order they are checked, with the error when one fails:
//   1. the registration exists and is resolved                 registration_not_found,
//                                                              token_not_resolved
//   2. it is not linked to another organization (linking it to registration_used
//      the same one again is a no-op success)
//   3. it has not expired (core::Clock)                        registration_expired
//   4. the user is a member of the organization, and an admin  organization_not_found,
//      (the error lists the admins to ask)                      not_admin
//   5. the organization's own subscription is trial or active  no_subscription
//   6. the buyer has no live link to another organization for  buyer_linked_elsewhere
//      the product (legacy listings: the customer identifier;
//      concurrent agreements: the AWS account id). A new
//      agreement of a buyer already linked to this
//      organization updates that link instead (license ARN).
//   7. the organization has no other live link for the product org_already_linked
// Identity's facts (membership, role, admins, the organization's own subscription) are read from
// identity::IdentityService just before that transaction: identity owns them and offers no read
// inside another module's transaction. A new link starts pending; the link, the registration's
// outcome and timeline, the audit entry "saas.linked" and the e-mail to the organization's admins
// ("Linked to AWS Marketplace") commit together. A refused link is recorded on the registration
// (outcome refused unless already linked, and a timeline entry) in a transaction of its own.
//
// Thread safety: a SaasService is safe for concurrent use from many threads and many processes
// sharing one database. It holds no state of its own between calls.
//
// Errors (core::Error code / slug):
//   invalid   / invalid_product        product fields break a rule: one detail per field
//                                      (field = "product_code", "name", "pricing_model",
//                                      "dimensions", "manage_url", "support_contact",
//                                      "new_org_subscription"; message = what to fix)
//   conflict  / product_exists         create_product with a product code already registered
//                                      (detail field "product_code")
//   not_found / product_not_found
//   invalid   / missing_token          land() without a token (nothing is stored)
//   not_found / registration_not_found unknown registration id or support reference
//   conflict  / token_not_resolved     link() on a registration whose outcome is not resolved
//   conflict  / registration_used      linked to another organization (detail field "org_id")
//   conflict  / registration_expired
//   not_found / organization_not_found no such organization, or the user is not its member
//   forbidden / not_admin              the user is a member, not an admin: one detail per admin,
//                                      field = e-mail, message = name (admins_of())
//   conflict  / no_subscription        the organization's own subscription is none or expired
//   conflict  / buyer_linked_elsewhere the buyer is linked to another organization for the
//                                      product (detail field "org_id": other_org_of())
//   conflict  / org_already_linked     the organization has another live link for the product
//                                      (detail field "link_id")
//   invalid   / invalid_argument       an empty id, an unknown cursor
//   unavailable / internal             from the database (see db::Database::transact)
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "core/result.h"
#include "identity/audit_log.h"
#include "identity/identity_service.h"
#include "identity/types.h"
#include "mail/mail.h"
#include "saas/customer_resolver.h"
#include "saas/support_reference.h"
#include "saas/types.h"

namespace db {
class Database;
class Tx;
}  // namespace db

namespace saas {

class SaasStore;
class SaasTx;

struct SaasSettings {
  // Base of links in e-mails, e.g. "https://marketlink.example.com" (no trailing slash).
  std::string public_url = "http://127.0.0.1:8080";
  // A registration can be linked until this long after its first landing.
  std::chrono::seconds registration_ttl = std::chrono::hours(24);
};

// Limits of product fields (characters).
inline constexpr size_t kMaxProductCodeLength = 64;
inline constexpr size_t kMaxProductNameLength = 200;
inline constexpr size_t kMaxDimensions = 24;
inline constexpr size_t kMaxDimensionNameLength = 100;
inline constexpr size_t kMaxDimensionDescriptionLength = 500;
inline constexpr size_t kMaxUrlLength = 2000;
inline constexpr size_t kMaxSupportContactLength = 200;
// A posted token longer than this is not resolved (AWS's are a few hundred characters): the
// registration is invalid_token at once.
inline constexpr size_t kMaxTokenLength = 8192;

// Product codes: 1..64 ASCII letters, digits, '-' and '_'.
bool is_product_code(std::string_view text);
// Dimension API names: 1..100 ASCII letters, digits, '-', '_' and '.'.
bool is_dimension_name(std::string_view text);

// What a page needs from a not_admin error: the admins to ask.
struct Contact {
  std::string name;
  std::string email;
};
std::vector<Contact> admins_of(const core::Error& not_admin);
// The organization a registration_used or buyer_linked_elsewhere error names; "" otherwise.
// Pages show its name only to its members.
std::string other_org_of(const core::Error& error);

struct Landing {
  std::string token;       // x-amzn-marketplace-token, as posted
  std::string offer_type;  // x-amzn-marketplace-offer-type ("free-trial"), or ""
};

// What link() did.
enum class LinkChange {
  kCreated,         // a new pending link
  kAgreementAdded,  // the buyer's link to this organization now carries this agreement
  kUnchanged,       // already linked to this organization: nothing to do (a refresh)
};

struct LinkResult {
  Link link;
  LinkChange change = LinkChange::kCreated;
};

// Told inside link()'s transaction of a new link or an added agreement (lifecycle: the buyer's
// waiting events, the "linked" webhook event). An error rolls the link back.
class LinkObserver {
 public:
  virtual ~LinkObserver() = default;
  virtual core::Status linked(db::Tx& transaction, const Link& link, LinkChange change) = 0;
};

// One of the user's organizations on the authorize page.
struct OrgOption {
  identity::Organization org;
  identity::Role role = identity::Role::kMember;
  bool can_link = false;
  // The registration is already linked to this organization: confirming again is a no-op.
  bool linked = false;
  // Why not, when !can_link && !linked: the error link() would answer (slug, message, details).
  std::optional<core::Error> problem;
};

struct AuthorizeView {
  Registration registration;
  std::optional<Product> product;  // nullopt only when the registration did not resolve
  // What keeps this registration from being linked anywhere (token_not_resolved,
  // registration_expired, registration_used); nullopt when that depends on the organization.
  std::optional<core::Error> problem;
  std::vector<OrgOption> organizations;  // every membership of the user, by name
};

struct RegistrationDetails {
  Registration registration;
  std::optional<Product> product;           // nullopt for product codes that are not ours
  std::vector<RegistrationEvent> timeline;  // oldest first
  std::optional<Link> link;                 // the link it made or last updated
  bool expired = false;                     // past expires_at, by the service's clock
};

// An organization's AWS Marketplace subscription: its link and the product.
struct Subscription {
  Link link;
  Product product;
  std::vector<Entitlement> entitlements;  // as AWS last told (lifecycle); empty until then
};

struct RegistrationFilter {
  std::string product_code;  // "" for any
  std::optional<Outcome> outcome;
  std::optional<LinkStatus> link_status;         // of the link the registration made
  std::string customer_aws_account_id;           // "" for any; exact
  std::optional<core::TimePoint> landed_from;    // inclusive
  std::optional<core::TimePoint> landed_before;  // exclusive
};

struct PageRequest {
  int limit = 50;      // clamped to 1..kMaxPageSize
  std::string cursor;  // "" for the first page, else a next_cursor from a previous page
};
inline constexpr int kMaxPageSize = 200;

struct RegistrationRow {
  Registration registration;
  std::string product_name;               // "" for product codes that are not ours
  std::optional<LinkStatus> link_status;  // of its link, when it made or updated one
};

// Newest first (first landing, then id).
struct RegistrationPage {
  std::vector<RegistrationRow> rows;
  std::string next_cursor;  // "" on the last page
};

class SaasService {
 public:
  // `database` must have the saas migrations applied (and identity's, which they refer to).
  // Everything referenced must outlive the service.
  SaasService(db::Database& database, const core::Clock& clock, core::IdGenerator& ids,
              CustomerResolver& resolver, identity::IdentityService& identity,
              mail::MailQueue& mail, identity::AuditLog& audit, SaasSettings settings = {});
  ~SaasService();
  SaasService(const SaasService&) = delete;
  SaasService& operator=(const SaasService&) = delete;

  const SaasSettings& settings() const { return settings_; }
  // Set once, before the service is used; null: none.
  void set_link_observer(LinkObserver* observer) { link_observer_ = observer; }

  // --- Products (the operator's) ---
  // Every field is required. Audited in `operator_org_id`'s log as "saas.product_created".
  core::Result<Product> create_product(const std::string& operator_org_id,
                                       const ProductFields& fields, const identity::Actor& actor);
  // Set fields change, the others stay; product_code cannot change (invalid_product). Audited as
  // "saas.product_updated".
  core::Result<Product> update_product(const std::string& operator_org_id,
                                       const std::string& product_code, const ProductFields& fields,
                                       const identity::Actor& actor);
  core::Result<Product> product(const std::string& product_code) const;
  // Ordered by name, then code.
  core::Result<std::vector<Product>> products() const;

  // --- Landing ---
  // Resolves the token and stores a registration, or returns the token's registration when the
  // token was posted before (asking AWS again only when it was unavailable then). Whatever AWS
  // answered, the result is a registration: look at its outcome. Errors: missing_token, and the
  // database's. The token is not kept, so a retry after aws_unavailable needs the token posted
  // again (by the buyer's browser: a page answering the POST with a form that re-posts it).
  core::Result<Registration> land(const Landing& landing);
  // Records whether the buyer has an account ("chose existing/new" on the timeline; the latest
  // choice counts). Any registration may record it.
  core::Result<Registration> record_choice(const std::string& registration_id, Choice choice);

  // --- Linking ---
  // See the header comment. `org_id` is the organization's id or slug; `actor.user_id` is the
  // acting user (required). A new link is e-mailed to the organization's admins; an added
  // agreement and a no-op are not.
  core::Result<LinkResult> link(const std::string& registration_id, const std::string& org_id,
                                const identity::Actor& actor);
  // What the authorize page shows the user: each of their organizations, whether this
  // registration can be linked to it and why not — the answer link() would give now.
  core::Result<AuthorizeView> authorize_view(const std::string& registration_id,
                                             const std::string& user_id);

  // --- Queries for pages ---
  core::Result<Registration> registration(const std::string& registration_id) const;
  core::Result<RegistrationDetails> registration_details(const std::string& registration_id) const;
  // By support reference, as people type it (normalize_support_reference).
  core::Result<Registration> find_by_reference(const std::string& reference) const;
  // Every registration (the operator's view), newest first.
  core::Result<RegistrationPage> list_registrations(const RegistrationFilter& filter,
                                                    const PageRequest& page) const;
  // How many registrations match `filter` (the list's total, for "Showing 1–50 of N").
  core::Result<long long> count_registrations(const RegistrationFilter& filter) const;
  // The organization's AWS Marketplace subscriptions: live links first, then ended ones, each
  // newest first. Empty when it has none.
  core::Result<std::vector<Subscription>> subscriptions(const std::string& org_id) const;

 private:
  core::TimePoint now() const;
  core::Result<Registration> resolve_and_store(const std::string& digest, const Landing& landing,
                                               const std::string& token);
  core::Result<LinkResult> try_link(const std::string& registration_id,
                                    const identity::Organization& org,
                                    const std::vector<Contact>& admins,
                                    const identity::Actor& actor);
  void record_refusal(const std::string& registration_id, const std::string& org_id,
                      const identity::Actor& actor, const core::Error& error);
  mail::Message linked_message(const Contact& to, const identity::Organization& org,
                               const Product& product, const Link& link) const;

  const core::Clock& clock_;
  core::IdGenerator& ids_;
  CustomerResolver& resolver_;
  identity::IdentityService& identity_;
  mail::MailQueue& mail_;
  identity::AuditLog& audit_;
  SaasSettings settings_;
  std::unique_ptr<SaasStore> store_;
  LinkObserver* link_observer_ = nullptr;
};

}  // namespace saas
