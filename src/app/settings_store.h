// Instance-wide settings and markers in the app_settings table (app/migrations/0001): a key and a
// text value each, e.g. which demo data the sandbox has loaded. Safe for concurrent use.
#pragma once

#include <optional>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "db/database.h"
#include "identity/sealed_secrets.h"

namespace app {

class SettingsStore {
 public:
  SettingsStore(db::Database& database, const core::Clock& clock)
      : database_(database), clock_(clock) {}

  // nullopt when the key was never set.
  core::Result<std::optional<std::string>> get(const std::string& key);
  // Inserts or replaces the key's value.
  core::Status set(const std::string& key, const std::string& value);

 private:
  db::Database& database_;
  const core::Clock& clock_;
};

// The setting `key`, whose value is sealed, for `marketlink secrets rotate`.
identity::SealedColumn sealed_setting(std::string what, const std::string& key);

}  // namespace app
