#include "app/settings_store.h"

#include <soci/soci.h>

namespace app {

namespace {

constexpr const char* kSelect = "SELECT value FROM app_settings WHERE key = :key";
constexpr const char* kUpdate =
    "UPDATE app_settings SET value = :value, updated_at = :at WHERE key = :key";
constexpr const char* kInsert =
    "INSERT INTO app_settings (key, value, updated_at) VALUES (:key, :value, :at)";

}  // namespace

core::Result<std::optional<std::string>> SettingsStore::get(const std::string& key) {
  return database_.transact(
      [&](db::Tx& tx) -> core::Result<std::optional<std::string>> {
        std::string value;
        tx.sql() << kSelect, soci::into(value), soci::use(key);
        if (!tx.sql().got_data()) return std::optional<std::string>();
        return std::optional<std::string>(value);
      },
      db::TxMode::kRead);
}

core::Status SettingsStore::set(const std::string& key, const std::string& value) {
  const std::string at = core::format_rfc3339(clock_.now());
  return database_.transact([&](db::Tx& tx) -> core::Status {
    soci::statement updated =
        (tx.sql().prepare << kUpdate, soci::use(value), soci::use(at), soci::use(key));
    updated.execute(true);
    if (updated.get_affected_rows() == 0) {
      tx.sql() << kInsert, soci::use(key), soci::use(value), soci::use(at);
    }
    return {};
  });
}

identity::SealedColumn sealed_setting(std::string what, const std::string& key) {
  return {.what = std::move(what),
          .table = "app_settings",
          .key_column = "key",
          .column = "value",
          .filter_column = "key",
          .filter_value = key};
}

}  // namespace app
