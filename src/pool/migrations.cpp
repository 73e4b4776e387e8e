#include "pool/migrations.h"

namespace resources {
std::span<const core::EmbeddedFile> pool_migrations();
}

namespace pool {

db::MigrationSet migrations() { return {.module = "pool", .files = resources::pool_migrations()}; }

}  // namespace pool
