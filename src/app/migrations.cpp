#include "app/migrations.h"

namespace resources {
std::span<const core::EmbeddedFile> app_migrations();
}

namespace app {

db::MigrationSet migrations() { return {.module = "app", .files = resources::app_migrations()}; }

}  // namespace app
