// MarketplaceOrganizations: the pool's directory of marketplaces (pool::MarketplaceDirectory) over
// identity — a marketplace exists when an organization of kind marketplace has its marketplace id.
// A database error counts as unknown. Safe for concurrent use.
#pragma once

#include <string>

#include "identity/identity_service.h"
#include "pool/pool.h"

namespace app {

class MarketplaceOrganizations final : public pool::MarketplaceDirectory {
 public:
  // `identity` must outlive this object.
  explicit MarketplaceOrganizations(identity::IdentityService& identity) : identity_(identity) {}
  bool exists(const std::string& marketplace_id) const override;

 private:
  identity::IdentityService& identity_;
};

}  // namespace app
