// The schema of identity (users, organizations, memberships, sessions, e-mail links, API tokens,
// audit log): the migrations in src/identity/migrations/, for db::migrate.
#pragma once

#include "db/migrations.h"

namespace identity {

db::MigrationSet migrations();

}  // namespace identity
