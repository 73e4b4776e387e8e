#include "identity/migrations.h"

namespace resources {
std::span<const core::EmbeddedFile> identity_migrations();
}

namespace identity {

db::MigrationSet migrations() {
  return {.module = "identity", .files = resources::identity_migrations()};
}

}  // namespace identity
