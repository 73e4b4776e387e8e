#include "saas/migrations.h"

namespace resources {
std::span<const core::EmbeddedFile> saas_migrations();
}

namespace saas {

db::MigrationSet migrations() { return {.module = "saas", .files = resources::saas_migrations()}; }

}  // namespace saas
