#include "app/schema.h"

#include "app/migrations.h"
#include "identity/migrations.h"
#include "jobs/migrations.h"
#include "orgs/migrations.h"
#include "pool/migrations.h"
#include "saas/migrations.h"

namespace app {

std::vector<db::MigrationSet> schema() {
  return {app::migrations(),  jobs::migrations(), identity::migrations(),
          pool::migrations(), saas::migrations(), orgs::migrations()};
}

}  // namespace app
