// The schema of the application itself (app_settings: instance-wide settings and markers): the
// migrations in src/app/migrations/, for db::migrate.
#pragma once

#include "db/migrations.h"

namespace app {

db::MigrationSet migrations();

}  // namespace app
