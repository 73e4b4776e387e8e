// The schema of marketplaces' AWS organizations: the migrations in src/orgs/migrations/, for
// db::migrate.
#pragma once

#include "db/migrations.h"

namespace orgs {

db::MigrationSet migrations();

}  // namespace orgs
