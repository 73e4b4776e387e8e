// The whole schema: every module's migrations (see db/migrations.h). A new domain adds its set
// here; the version ranges per module are in docs/architecture.md.
#pragma once

#include <vector>

#include "db/migrations.h"

namespace app {

std::vector<db::MigrationSet> schema();

}  // namespace app
