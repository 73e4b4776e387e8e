#include "jobs/migrations.h"

namespace resources {
std::span<const core::EmbeddedFile> jobs_migrations();
}

namespace jobs {

db::MigrationSet migrations() { return {.module = "jobs", .files = resources::jobs_migrations()}; }

}  // namespace jobs
