#include "app/marketplace_organizations.h"

namespace app {

bool MarketplaceOrganizations::exists(const std::string& marketplace_id) const {
  return identity_.find_marketplace(marketplace_id).ok();
}

}  // namespace app
