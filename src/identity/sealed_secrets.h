// Implementation: sealed_secrets_store.cpp (its SQL).
// Re-sealing stored secrets under a SecretBox's first key (`marketlink secrets rotate`, see
// docs/security.md). Each module that keeps sealed secrets names its column with a
// SealedColumn; the rotation walks that column row by row, one short write transaction per row,
// and replaces a row's text only when it is still the text it read, so a secret changed meanwhile
// by a running instance (sealed under its own first key) is read again, never overwritten.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "db/database.h"
#include "identity/secret_box.h"

namespace identity {

// A column of sealed secrets: `table`.`column`, its rows named by `key_column`, optionally only
// the rows whose `filter_column` equals `filter_value`. Names are the owning store's constants
// (letters, digits and underscores), never input.
struct SealedColumn {
  std::string what;  // for people: "providers' AWS keys"
  std::string table;
  std::string key_column;
  std::string column;
  std::string filter_column = {};
  std::string filter_value = {};
};

struct ResealCount {
  long long resealed = 0;               // now under the first key
  long long current = 0;                // were already
  std::vector<std::string> unreadable;  // keys of rows no key of the box opens
};

// invalid when a name is not an identifier; database errors as db::Database::transact returns
// them. A row that cannot be opened is counted, not fatal.
core::Result<ResealCount> reseal_column(db::Database& database, const SecretBox& box,
                                        const SealedColumn& column);

}  // namespace identity
