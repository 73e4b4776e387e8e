// The account pool's JSON API for provider organizations: list, add, import, edit and delete
// accounts, and take / complete / fail allocations (see docs/api.md, "Account pool"). Also the
// marketplace directory the pool checks marketplace ids against: marketplace organizations.
#pragma once

#include <string>

#include "http/router.h"
#include "identity/identity.h"
#include "pool/pool.h"
#include "web/auth.h"

namespace web {

// A marketplace exists when an organization of kind marketplace has its marketplace id. A
// database error counts as unknown. Safe for concurrent use.
class MarketplaceOrganizations final : public pool::MarketplaceDirectory {
 public:
  explicit MarketplaceOrganizations(identity::IdentityService& identity) : identity_(identity) {}
  bool exists(const std::string& marketplace_id) const override;

 private:
  identity::IdentityService& identity_;
};

// JSON: /api/v1/orgs/{org}/pool/accounts…, /api/v1/orgs/{org}/pool/allocations… for provider
// organizations: members read, admins (and API tokens) change; changes go to the audit log.
// `pool` and `audit` must outlive the router.
void add_pool_api(http::Router& router, const Auth& auth, pool::Pool& pool,
                  identity::AuditLog& audit);

}  // namespace web
