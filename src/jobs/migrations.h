// The schema of the durable job queue (tables jobs, job_schedules): the migrations in
// src/jobs/migrations/, for db::migrate.
#pragma once

#include "db/migrations.h"

namespace jobs {

db::MigrationSet migrations();

}  // namespace jobs
