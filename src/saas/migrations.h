// The schema of selling on AWS Marketplace (products, registrations and their timelines, links):
// the migrations in src/saas/migrations/, for db::migrate. They refer to identity's
// organizations, so identity's migrations come first (versions 30-39 follow 10-19).
#pragma once

#include "db/migrations.h"

namespace saas {

db::MigrationSet migrations();

}  // namespace saas
