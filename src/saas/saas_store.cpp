#include "saas/saas_store.h"

#include <fmt/format.h>
#include <soci/soci.h>

#include <map>
#include <stdexcept>

#include "saas/rows_store.h"

namespace saas {

namespace {

using namespace rows;  // the helpers every saas store shares

// Every statement of the domain, as portable SQL. Parameters are bound in the order they appear.

// --- Products ---
constexpr const char* kProductColumns =
    "SELECT product_code, name, pricing_model, concurrent_agreements, manage_url,"
    " support_contact, new_org_subscription, created_at, updated_at FROM saas_products";
constexpr const char* kProductByCode = " WHERE product_code = :code";
constexpr const char* kProductsOrder = " ORDER BY name, product_code";
constexpr const char* kInsertProduct =
    "INSERT INTO saas_products (product_code, name, pricing_model, concurrent_agreements,"
    " manage_url, support_contact, new_org_subscription, created_at, updated_at)"
    " VALUES (:code, :name, :pricing_model, :concurrent, :manage_url, :support_contact,"
    " :new_org_subscription, :created_at, :updated_at)";
constexpr const char* kUpdateProduct =
    "UPDATE saas_products SET name = :name, pricing_model = :pricing_model,"
    " concurrent_agreements = :concurrent, manage_url = :manage_url,"
    " support_contact = :support_contact, new_org_subscription = :new_org_subscription,"
    " updated_at = :updated_at WHERE product_code = :code";
constexpr const char* kDimensionsOf =
    "SELECT product_code, name, description FROM saas_product_dimensions"
    " WHERE product_code = :code ORDER BY position";
constexpr const char* kAllDimensions =
    "SELECT product_code, name, description FROM saas_product_dimensions"
    " ORDER BY product_code, position";
constexpr const char* kDeleteDimensions =
    "DELETE FROM saas_product_dimensions WHERE product_code = :code";
constexpr const char* kInsertDimension =
    "INSERT INTO saas_product_dimensions (product_code, position, name, description)"
    " VALUES (:code, :position, :name, :description)";

// --- Registrations ---
constexpr const char* kRegistrationColumns =
    "r.id, r.reference, r.outcome, r.outcome_slug, r.outcome_message, r.product_code,"
    " r.customer_identifier, r.customer_aws_account_id, r.license_arn, r.offer_type, r.choice,"
    " r.landings, r.linked_org_id, r.link_id, r.linked_at, r.landed_at, r.resolved_at,"
    " r.expires_at, r.updated_at";
constexpr size_t kRegistrationColumnCount = 19;
constexpr const char* kRegistrationById = " FROM saas_registrations r WHERE r.id = :id";
constexpr const char* kRegistrationByDigest =
    " FROM saas_registrations r WHERE r.token_digest = :digest";
constexpr const char* kRegistrationByReference =
    " FROM saas_registrations r WHERE r.reference = :reference";
// The buyer's setup that a new token continues: open (resolved or refused, not expired), or
// linked while its link is live. Newest first.
constexpr const char* kSetupOfBuyer =
    " FROM saas_registrations r LEFT JOIN saas_links l ON l.id = r.link_id"
    " WHERE r.customer_aws_account_id = :account AND r.product_code = :code"
    " AND r.customer_identifier = :customer_identifier AND r.license_arn = :license_arn"
    " AND ((r.outcome IN ('resolved', 'refused') AND r.expires_at > :now)"
    " OR (r.outcome = 'linked' AND l.status NOT IN ('cancelled', 'failed')))"
    " ORDER BY r.landed_at DESC, r.id DESC LIMIT 1";
// A second identical landing at the same moment waits here for the first to commit, then
// inserts nothing (and reads the first's row).
constexpr const char* kInsertRegistration =
    "INSERT INTO saas_registrations (id, token_digest, reference, outcome, outcome_slug,"
    " outcome_message, product_code, customer_identifier, customer_aws_account_id, license_arn,"
    " offer_type, landed_at, resolved_at, expires_at, updated_at)"
    " VALUES (:id, :digest, :reference, :outcome, :outcome_slug, :outcome_message, :product_code,"
    " :customer_identifier, :customer_aws_account_id, :license_arn, :offer_type, :landed_at,"
    " :resolved_at, :expires_at, :updated_at)"
    " ON CONFLICT (token_digest) DO NOTHING";
constexpr const char* kResolveAgain =
    "UPDATE saas_registrations SET outcome = :outcome, outcome_slug = :outcome_slug,"
    " outcome_message = :outcome_message, product_code = :product_code,"
    " customer_identifier = :customer_identifier,"
    " customer_aws_account_id = :customer_aws_account_id, license_arn = :license_arn,"
    " resolved_at = :resolved_at, landings = landings + 1, updated_at = :updated_at"
    " WHERE id = :id AND outcome = 'aws_unavailable'";
constexpr const char* kCountLanding =
    "UPDATE saas_registrations SET landings = landings + 1, updated_at = :at WHERE id = :id";
constexpr const char* kSetChoice =
    "UPDATE saas_registrations SET choice = :choice, updated_at = :at WHERE id = :id";
constexpr const char* kMark =
    "UPDATE saas_registrations SET outcome = :outcome, outcome_slug = :outcome_slug,"
    " outcome_message = :outcome_message, linked_org_id = :linked_org_id, link_id = :link_id,"
    " linked_at = :linked_at, updated_at = :updated_at WHERE id = :id";
// The timeline entry takes its number from the registration row the first statement updated
// (and locked): entries of one registration never race for a number.
constexpr const char* kNextEventSeq =
    "UPDATE saas_registrations SET event_seq = event_seq + 1 WHERE id = :id";
constexpr const char* kInsertEvent =
    "INSERT INTO saas_registration_events (registration_id, seq, kind, slug, detail, org_id,"
    " user_id, at)"
    " SELECT id, event_seq, CAST(:kind AS TEXT), CAST(:slug AS TEXT), CAST(:detail AS TEXT),"
    " CAST(:org_id AS TEXT), CAST(:user_id AS TEXT), CAST(:at AS TEXT)"
    " FROM saas_registrations WHERE id = :id";
constexpr const char* kEvents =
    "SELECT seq, kind, slug, detail, org_id, user_id, at FROM saas_registration_events"
    " WHERE registration_id = :id ORDER BY seq";
constexpr const char* kRegistrationListHead =
    ", COALESCE(p.name, ''), COALESCE(l.status, '') FROM saas_registrations r"
    " LEFT JOIN saas_products p ON p.product_code = r.product_code"
    " LEFT JOIN saas_links l ON l.id = r.link_id WHERE 1 = 1";
constexpr const char* kCountRegistrations =
    "SELECT COUNT(*) FROM saas_registrations r"
    " LEFT JOIN saas_links l ON l.id = r.link_id WHERE 1 = 1";
constexpr const char* kListProduct = " AND r.product_code = :product_code";
constexpr const char* kListOutcome = " AND r.outcome = :outcome";
constexpr const char* kListLinkStatus = " AND l.status = :link_status";
constexpr const char* kListBuyer = " AND r.customer_aws_account_id = :buyer";
constexpr const char* kListFrom = " AND r.landed_at >= :from";
constexpr const char* kListBefore = " AND r.landed_at < :before";
constexpr const char* kListAfter =
    " AND r.landed_at <= :after_at AND (r.landed_at < :after_at_again OR r.id < :after_id)";
constexpr const char* kListOrder = " ORDER BY r.landed_at DESC, r.id DESC LIMIT {}";

// --- Links ---
// (rows::kLinkColumns: the columns, table alias l.)
constexpr const char* kLinkById = " WHERE id = :id";
constexpr const char* kLiveLinkOfBuyer =
    " WHERE product_code = :code AND buyer_key = :buyer_key"
    " AND status NOT IN ('cancelled', 'failed')";
constexpr const char* kLiveLinkOfOrg =
    " WHERE org_id = :org_id AND product_code = :code AND status NOT IN ('cancelled', 'failed')";
constexpr const char* kLinksOfOrg =
    " WHERE org_id = :org_id ORDER BY CASE WHEN status IN ('cancelled', 'failed') THEN 1 ELSE 0"
    " END, created_at DESC, id DESC";
constexpr const char* kInsertLink =
    "INSERT INTO saas_links (id, org_id, product_code, registration_id, buyer_key,"
    " customer_identifier, customer_aws_account_id, license_arn, offer_type, status,"
    " free_trial_ends_at, linked_by_user_id, created_at, updated_at)"
    " VALUES (:id, :org_id, :code, :registration_id, :buyer_key, :customer_identifier,"
    " :customer_aws_account_id, :license_arn, :offer_type, :status, :free_trial_ends_at,"
    " :linked_by_user_id, :created_at, :updated_at)";
constexpr const char* kUpdateLinkAgreement =
    "UPDATE saas_links SET license_arn = :license_arn, registration_id = :registration_id,"
    " offer_type = :offer_type, updated_at = :updated_at WHERE id = :id";

template <typename T, typename Parse>
T parsed(const std::string& value, Parse parse, const char* what) {
  const auto v = parse(value);
  if (!v)
    throw std::runtime_error(fmt::format("saas: unknown {} in the database: {}", what, value));
  return *v;
}

bool is_unique_violation(const std::exception& e) {
  return db::classify_sql_failure(e) == db::SqlFailure::kUniqueViolation;
}

Product product_from(const soci::row& r) {
  Product p;
  p.product_code = string_at(r, 0);
  p.name = string_at(r, 1);
  p.pricing_model = parsed<PricingModel>(string_at(r, 2), parse_pricing_model, "pricing model");
  p.concurrent_agreements = integer_at(r, 3) != 0;
  p.manage_url = string_at(r, 4);
  p.support_contact = string_at(r, 5);
  p.new_org_subscription = parsed<identity::SubscriptionStatus>(
      string_at(r, 6), identity::parse_subscription_status, "subscription");
  p.created_at = time_of(string_at(r, 7));
  p.updated_at = time_of(string_at(r, 8));
  return p;
}

Registration registration_from(const soci::row& r) {
  Registration g;
  g.id = string_at(r, 0);
  g.reference = string_at(r, 1);
  g.outcome = parsed<Outcome>(string_at(r, 2), parse_outcome, "outcome");
  g.outcome_slug = string_at(r, 3);
  g.outcome_message = string_at(r, 4);
  g.product_code = string_at(r, 5);
  g.customer_identifier = string_at(r, 6);
  g.customer_aws_account_id = string_at(r, 7);
  g.license_arn = string_at(r, 8);
  g.offer_type = string_at(r, 9);
  g.choice = parsed<Choice>(string_at(r, 10), parse_choice, "choice");
  g.landings = static_cast<int>(integer_at(r, 11));
  g.linked_org_id = string_at(r, 12);
  g.link_id = string_at(r, 13);
  g.linked_at = optional_time(string_at(r, 14));
  g.landed_at = time_of(string_at(r, 15));
  g.resolved_at = optional_time(string_at(r, 16));
  g.expires_at = time_of(string_at(r, 17));
  g.updated_at = time_of(string_at(r, 18));
  return g;
}

std::optional<Registration> one_registration(soci::session& s, const std::string& sql,
                                             std::vector<std::string> params) {
  std::optional<Registration> out;
  query(s, sql, std::move(params), [&](const soci::row& r) { out = registration_from(r); });
  return out;
}

std::optional<Link> one_link(soci::session& s, const std::string& sql,
                             std::vector<std::string> params) {
  std::optional<Link> out;
  query(s, sql, std::move(params), [&](const soci::row& r) { out = link_from(r); });
  return out;
}

}  // namespace

// --- Products ---

core::Status SaasTx::insert_product(const Product& p) {
  try {
    exec(s_, kInsertProduct,
         {p.product_code, p.name, pricing_model_name(p.pricing_model),
          p.concurrent_agreements ? "1" : "0", p.manage_url, p.support_contact,
          identity::to_string(p.new_org_subscription), text(p.created_at), text(p.updated_at)});
  } catch (const std::exception& e) {
    if (!is_unique_violation(e)) throw;
    core::Error error = core::conflict(
        fmt::format("The product {} is registered already.", p.product_code), "product_exists");
    error.details.push_back({.field = "product_code", .message = error.message});
    return error;
  }
  for (size_t i = 0; i < p.dimensions.size(); ++i) {
    exec(s_, kInsertDimension,
         {p.product_code, std::to_string(i), p.dimensions[i].name, p.dimensions[i].description});
  }
  return {};
}

void SaasTx::update_product(const Product& p) {
  exec(s_, kUpdateProduct,
       {p.name, pricing_model_name(p.pricing_model), p.concurrent_agreements ? "1" : "0",
        p.manage_url, p.support_contact, identity::to_string(p.new_org_subscription),
        text(p.updated_at), p.product_code});
  exec(s_, kDeleteDimensions, {p.product_code});
  for (size_t i = 0; i < p.dimensions.size(); ++i) {
    exec(s_, kInsertDimension,
         {p.product_code, std::to_string(i), p.dimensions[i].name, p.dimensions[i].description});
  }
}

std::optional<Product> SaasTx::product(const std::string& product_code, Lock lock) {
  std::string sql = std::string(kProductColumns) + kProductByCode;
  if (lock == Lock::kForUpdate) sql += tx_.for_update();
  std::optional<Product> out;
  query(s_, sql, {product_code}, [&](const soci::row& r) { out = product_from(r); });
  if (!out) return out;
  query(s_, kDimensionsOf, {product_code}, [&](const soci::row& r) {
    out->dimensions.push_back({.name = string_at(r, 1), .description = string_at(r, 2)});
  });
  return out;
}

std::vector<Product> SaasTx::products() {
  std::vector<Product> out;
  query(s_, std::string(kProductColumns) + kProductsOrder, {},
        [&](const soci::row& r) { out.push_back(product_from(r)); });
  std::map<std::string, std::vector<Dimension>> dimensions;
  query(s_, kAllDimensions, {}, [&](const soci::row& r) {
    dimensions[string_at(r, 0)].push_back(
        {.name = string_at(r, 1), .description = string_at(r, 2)});
  });
  for (Product& p : out) {
    if (auto it = dimensions.find(p.product_code); it != dimensions.end()) {
      p.dimensions = std::move(it->second);
    }
  }
  return out;
}

// --- Registrations ---

core::Result<bool> SaasTx::insert_registration(const NewRegistration& n) {
  const Registration& r = n.registration;
  try {
    return exec(s_, kInsertRegistration,
                {r.id, n.token_digest, r.reference, outcome_name(r.outcome), r.outcome_slug,
                 r.outcome_message, r.product_code, r.customer_identifier,
                 r.customer_aws_account_id, r.license_arn, r.offer_type, text(r.landed_at),
                 text(r.resolved_at), text(r.expires_at), text(r.updated_at)}) == 1;
  } catch (const std::exception& e) {
    if (!is_unique_violation(e)) throw;
    return core::conflict("Two registrations drew the same support reference.",
                          kReferenceTakenSlug);
  }
}

std::optional<Registration> SaasTx::registration(const std::string& id, Lock lock) {
  std::string sql = fmt::format("SELECT {}{}", kRegistrationColumns, kRegistrationById);
  if (lock == Lock::kForUpdate) sql += tx_.for_update();
  return one_registration(s_, sql, {id});
}

std::optional<Registration> SaasTx::registration_by_digest(const std::string& digest, Lock lock) {
  std::string sql = fmt::format("SELECT {}{}", kRegistrationColumns, kRegistrationByDigest);
  if (lock == Lock::kForUpdate) sql += tx_.for_update();
  return one_registration(s_, sql, {digest});
}

std::optional<Registration> SaasTx::setup_of_buyer(const ResolvedBuyer& buyer,
                                                   core::TimePoint now) {
  return one_registration(s_, fmt::format("SELECT {}{}", kRegistrationColumns, kSetupOfBuyer),
                          {buyer.customer_aws_account_id, buyer.product_code,
                           buyer.customer_identifier, buyer.license_arn, text(now)});
}

std::optional<Registration> SaasTx::registration_by_reference(const std::string& reference) {
  return one_registration(
      s_, fmt::format("SELECT {}{}", kRegistrationColumns, kRegistrationByReference), {reference});
}

bool SaasTx::resolve_again(const std::string& id, const Resolution& res, core::TimePoint at) {
  return exec(s_, kResolveAgain,
              {outcome_name(res.outcome), res.outcome_slug, res.outcome_message, res.product_code,
               res.customer_identifier, res.customer_aws_account_id, res.license_arn,
               text(res.resolved_at), text(at), id}) == 1;
}

void SaasTx::count_landing(const std::string& id, core::TimePoint at) {
  exec(s_, kCountLanding, {text(at), id});
}

void SaasTx::set_choice(const std::string& id, Choice choice, core::TimePoint at) {
  exec(s_, kSetChoice, {choice_name(choice), text(at), id});
}

void SaasTx::mark(const std::string& id, const LinkMark& m, core::TimePoint at) {
  exec(s_, kMark,
       {outcome_name(m.outcome), m.outcome_slug, m.outcome_message, m.linked_org_id, m.link_id,
        text(m.linked_at), text(at), id});
}

void SaasTx::append_event(const std::string& id, const RegistrationEvent& e) {
  if (exec(s_, kNextEventSeq, {id}) != 1) {
    throw std::runtime_error("saas: a timeline entry for a missing registration");
  }
  exec(s_, kInsertEvent,
       {event_kind_name(e.kind), e.slug, e.detail, e.org_id, e.user_id, text(e.at), id});
}

std::vector<RegistrationEvent> SaasTx::events(const std::string& id) {
  std::vector<RegistrationEvent> out;
  query(s_, kEvents, {id}, [&](const soci::row& r) {
    RegistrationEvent e;
    e.seq = static_cast<int>(integer_at(r, 0));
    e.kind = parsed<EventKind>(string_at(r, 1), parse_event_kind, "event kind");
    e.slug = string_at(r, 2);
    e.detail = string_at(r, 3);
    e.org_id = string_at(r, 4);
    e.user_id = string_at(r, 5);
    e.at = time_of(string_at(r, 6));
    out.push_back(std::move(e));
  });
  return out;
}

namespace {

// Appends the conditions of `filter` to a statement over `saas_registrations r` (and its link,
// `l`), with their parameters.
void add_filter(const RegistrationFilter& filter, std::string& sql,
                std::vector<std::string>& params) {
  if (!filter.product_code.empty()) {
    sql += kListProduct;
    params.push_back(filter.product_code);
  }
  if (filter.outcome) {
    sql += kListOutcome;
    params.push_back(outcome_name(*filter.outcome));
  }
  if (filter.link_status) {
    sql += kListLinkStatus;
    params.push_back(link_status_name(*filter.link_status));
  }
  if (!filter.customer_aws_account_id.empty()) {
    sql += kListBuyer;
    params.push_back(filter.customer_aws_account_id);
  }
  if (filter.landed_from) {
    sql += kListFrom;
    params.push_back(text(*filter.landed_from));
  }
  if (filter.landed_before) {
    sql += kListBefore;
    params.push_back(text(*filter.landed_before));
  }
}

}  // namespace

std::vector<RegistrationRow> SaasTx::registrations(
    const RegistrationFilter& filter,
    const std::optional<std::pair<std::string, std::string>>& after, int limit) {
  std::string sql = fmt::format("SELECT {}{}", kRegistrationColumns, kRegistrationListHead);
  std::vector<std::string> params;
  add_filter(filter, sql, params);
  if (after) {
    sql += kListAfter;
    params.insert(params.end(), {after->first, after->first, after->second});
  }
  sql += fmt::format(fmt::runtime(kListOrder), limit);
  std::vector<RegistrationRow> out;
  query(s_, sql, std::move(params), [&](const soci::row& r) {
    RegistrationRow row;
    row.registration = registration_from(r);
    row.product_name = string_at(r, kRegistrationColumnCount);
    const std::string status = string_at(r, kRegistrationColumnCount + 1);
    if (!status.empty()) {
      row.link_status = parsed<LinkStatus>(status, parse_link_status, "link status");
    }
    out.push_back(std::move(row));
  });
  return out;
}

long long SaasTx::count_registrations(const RegistrationFilter& filter) {
  std::string sql = kCountRegistrations;
  std::vector<std::string> params;
  add_filter(filter, sql, params);
  long long n = 0;
  query(s_, sql, std::move(params), [&](const soci::row& r) { n = integer_at(r, 0); });
  return n;
}

// --- Links ---

core::Status SaasTx::insert_link(const Link& l, const std::string& buyer_key) {
  try {
    exec(s_, kInsertLink,
         {l.id, l.org_id, l.product_code, l.registration_id, buyer_key, l.customer_identifier,
          l.customer_aws_account_id, l.license_arn, l.offer_type, link_status_name(l.status),
          text(l.free_trial_ends_at), l.linked_by_user_id, text(l.created_at), text(l.updated_at)});
  } catch (const std::exception& e) {
    if (!is_unique_violation(e)) throw;
    return core::conflict("Another link for this product committed first.", kLinkRaceSlug);
  }
  return {};
}

void SaasTx::update_link_agreement(const std::string& link_id, const std::string& license_arn,
                                   const std::string& registration_id,
                                   const std::string& offer_type, core::TimePoint at) {
  exec(s_, kUpdateLinkAgreement, {license_arn, registration_id, offer_type, text(at), link_id});
}

std::optional<Link> SaasTx::link(const std::string& id) {
  return one_link(s_, std::string(kLinkColumns) + kLinkById, {id});
}

std::optional<Link> SaasTx::live_link_of_buyer(const std::string& product_code,
                                               const std::string& buyer_key) {
  return one_link(s_, std::string(kLinkColumns) + kLiveLinkOfBuyer, {product_code, buyer_key});
}

std::optional<Link> SaasTx::live_link_of_org(const std::string& org_id,
                                             const std::string& product_code) {
  return one_link(s_, std::string(kLinkColumns) + kLiveLinkOfOrg, {org_id, product_code});
}

std::vector<Link> SaasTx::links_of_org(const std::string& org_id) {
  std::vector<Link> out;
  query(s_, std::string(kLinkColumns) + kLinksOfOrg, {org_id},
        [&](const soci::row& r) { out.push_back(link_from(r)); });
  return out;
}

std::vector<Entitlement> SaasTx::entitlements_of(const std::string& link_id) {
  std::vector<Entitlement> out;
  query(s_,
        "SELECT dimension, value_kind, value, expires_at FROM saas_entitlements"
        " WHERE link_id = :id ORDER BY position",
        {link_id}, [&](const soci::row& r) {
          const std::string kind = string_at(r, 1);
          out.push_back({.dimension = string_at(r, 0),
                         .kind = kind == "integer"   ? EntitlementValueKind::kInteger
                                 : kind == "double"  ? EntitlementValueKind::kDouble
                                 : kind == "boolean" ? EntitlementValueKind::kBoolean
                                                     : EntitlementValueKind::kString,
                         .value = string_at(r, 2),
                         .expires_at = optional_time(string_at(r, 3))});
        });
  return out;
}

}  // namespace saas
