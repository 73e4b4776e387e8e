#pragma once
// The fixture the pool's web tests share: WebTest with the pool's schema, a pool::Pool that knows
// marketplaces MP-0000 and MP-0001, and the pool's routes on the test router.

#include <memory>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "pool/migrations.h"
#include "pool/pool.h"
#include "pool/pool_test_support.h"
#include "web/identity/identity_web_test_support.h"
#include "web/pool/pool_routes.h"

namespace web::testing {

class PoolWebTest : public WebTest {
 protected:
  // Opens the database and adds the pool's routes. Callers return early when the test was skipped
  // or failed here (IsSkipped() || HasFatalFailure()).
  void open_pool_web() {
    open_web({pool::migrations()});
    if (IsSkipped() || HasFatalFailure()) return;
    marketplaces_ = std::make_unique<pool::testing::FixedMarketplaces>(
        std::set<std::string>{"MP-0000", "MP-0001"});
    pool_ = std::make_unique<pool::Pool>(h_.database->db(), h_.clock, *marketplaces_, *h_.audit);
    ASSERT_TRUE(add_pool_routes(router_, *pages_, *auth_, *pool_).ok());
  }

  std::unique_ptr<pool::testing::FixedMarketplaces> marketplaces_;
  std::unique_ptr<pool::Pool> pool_;
};

}  // namespace web::testing
