#include "orgs/migrations.h"

namespace resources {
std::span<const core::EmbeddedFile> orgs_migrations();
}

namespace orgs {

db::MigrationSet migrations() { return {.module = "orgs", .files = resources::orgs_migrations()}; }

}  // namespace orgs
