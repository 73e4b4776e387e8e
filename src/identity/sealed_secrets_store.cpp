#include "identity/sealed_secrets.h"

#include <soci/soci.h>

#include <algorithm>
#include <optional>

namespace identity {

namespace {

bool identifier(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Rows are read in key order, a page at a time, so that a large table is never held in memory.
constexpr int kPage = 200;

}  // namespace

core::Result<ResealCount> reseal_column(db::Database& database, const SecretBox& box,
                                        const SealedColumn& c) {
  for (const std::string* name : {&c.table, &c.key_column, &c.column}) {
    if (!identifier(*name)) return core::invalid("Not a column name: " + *name);
  }
  const bool filtered = !c.filter_column.empty();
  if (filtered && !identifier(c.filter_column)) {
    return core::invalid("Not a column name: " + c.filter_column);
  }
  const std::string where = filtered ? " AND " + c.filter_column + " = :f" : "";
  const std::string select = "SELECT " + c.key_column + ", " + c.column + " FROM " + c.table +
                             " WHERE " + c.key_column + " > :after" + where + " ORDER BY " +
                             c.key_column + " LIMIT " + std::to_string(kPage);
  const std::string reread =
      "SELECT " + c.column + " FROM " + c.table + " WHERE " + c.key_column + " = :k" + where;
  const std::string update = "UPDATE " + c.table + " SET " + c.column + " = :n WHERE " +
                             c.key_column + " = :k AND " + c.column + " = :o";
  ResealCount count;
  std::string after;
  while (true) {
    std::vector<std::string> keys;
    auto page = database.transact(
        [&](db::Tx& tx) -> core::Status {
          std::string key;
          std::string sealed;
          soci::statement st =
              filtered ? (tx.sql().prepare << select, soci::into(key), soci::into(sealed),
                          soci::use(after), soci::use(c.filter_value))
                       : (tx.sql().prepare << select, soci::into(key), soci::into(sealed),
                          soci::use(after));
          st.execute();
          while (st.fetch()) keys.push_back(key);
          return {};
        },
        db::TxMode::kRead);
    if (!page.ok()) return page.error();
    if (keys.empty()) return count;
    after = keys.back();
    for (const std::string& key : keys) {
      enum class Outcome { kGone, kCurrent, kResealed, kUnreadable, kChangedMeanwhile };
      Outcome outcome = Outcome::kChangedMeanwhile;
      // Read, re-seal and replace only if the row still holds what was read: a secret changed by
      // a running instance between the two statements is read again, never overwritten.
      while (outcome == Outcome::kChangedMeanwhile) {
        auto done = database.transact([&](db::Tx& tx) -> core::Result<Outcome> {
          std::string sealed;
          if (filtered) {
            tx.sql() << reread, soci::into(sealed), soci::use(key), soci::use(c.filter_value);
          } else {
            tx.sql() << reread, soci::into(sealed), soci::use(key);
          }
          if (!tx.sql().got_data()) return Outcome::kGone;
          auto resealed = box.reseal(sealed);
          if (!resealed.ok()) return Outcome::kUnreadable;
          if (!resealed->has_value()) return Outcome::kCurrent;
          soci::statement st = (tx.sql().prepare << update, soci::use(**resealed), soci::use(key),
                                soci::use(sealed));
          st.execute(true);
          return st.get_affected_rows() == 1 ? Outcome::kResealed : Outcome::kChangedMeanwhile;
        });
        if (!done.ok()) return done.error();
        outcome = *done;
      }
      if (outcome == Outcome::kResealed) ++count.resealed;
      if (outcome == Outcome::kCurrent) ++count.current;
      if (outcome == Outcome::kUnreadable) count.unreadable.push_back(key);
    }
  }
}

}  // namespace identity
