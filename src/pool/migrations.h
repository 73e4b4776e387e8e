// The schema of the account pool (pool accounts, their history, providers' AWS access): the
// migrations in src/pool/migrations/, for db::migrate.
#pragma once

#include "db/migrations.h"

namespace pool {

db::MigrationSet migrations();

}  // namespace pool
