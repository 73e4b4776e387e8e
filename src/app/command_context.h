// What the operator commands share: the configured database with its schema up to date and the
// identity service on it (sending no e-mail), and how a command reports an error.
#pragma once

#include <fmt/format.h>

#include <memory>
#include <optional>

#include "app/commands.h"
#include "core/ids.h"
#include "identity/audit_log.h"
#include "identity/identity_service.h"

namespace app {

// Commands send no e-mail; the service never queues any for them.
class NoMail final : public mail::MailQueue {
 public:
  core::Status enqueue(const mail::Message&) override {
    return core::unavailable("The command line sends no e-mail.");
  }
  core::Status enqueue(db::Tx&, const mail::Message&) override {
    return core::unavailable("The command line sends no e-mail.");
  }
};

// The service on the configured database, for one command.
struct CommandContext {
  core::SystemClock clock;
  core::RandomIdGenerator ids;
  NoMail mail;
  std::optional<OpenedDatabase> opened;
  std::unique_ptr<identity::AuditLog> audit;
  std::unique_ptr<identity::IdentityService> service;

  // Prints the reason and returns false when the database cannot be opened or migrated.
  bool open(const core::Config& config) {
    core::Config c = config;
    c.db_pool_size = 1;
    opened = open_database(c, clock);
    if (!opened) return false;
    audit = std::make_unique<identity::AuditLog>(*opened->database, clock, ids);
    service = std::make_unique<identity::IdentityService>(*opened->database, clock, ids, mail,
                                                          *audit, identity::IdentitySettings{});
    return true;
  }
};

// Prints the error and its details to standard error; returns exit code 1.
inline int fail_command(const core::Error& e) {
  fmt::print(stderr, "marketlink: {}\n", e.message);
  for (const auto& d : e.details) fmt::print(stderr, "  {}: {}\n", d.field, d.message);
  return 1;
}

}  // namespace app
