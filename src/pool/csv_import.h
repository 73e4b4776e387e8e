// Parsing and row validation of a pool CSV import: the checks that need neither the database nor
// the marketplace directory. Pure and allocation-light (a 1,000,000-row file costs ~24 MB of rows).
// Private to src/pool; Pool::import_csv adds the marketplace and "already in a pool" checks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pool/pool.h"

namespace pool {

inline constexpr std::uint64_t kNoAccount = UINT64_MAX;
inline constexpr std::uint32_t kNoMarketplace = UINT32_MAX;

// One data row. Fields that failed their own check hold kNoAccount / kNoMarketplace; `ok` is
// false when the row has any error of its own (bad field, wrong field count, duplicate).
struct CsvAccountRow {
  std::uint32_t line = 0;
  std::uint64_t account_id = kNoAccount;       // the 12 digits as a number
  std::uint32_t marketplace = kNoMarketplace;  // index into ParsedCsv::marketplaces
  Model model = Model::kSpam;
  bool ok = false;
};

struct ParsedCsv {
  std::vector<std::string> marketplaces;  // distinct, well-formed marketplace ids, first-seen order
  std::vector<CsvAccountRow> rows;        // every data row, in file order
  std::vector<RowError> errors;           // the first `max_errors` errors, in line order
  long long error_count = 0;              // all errors, including those not kept
};

// Reads `text` (see Pool::import_csv for the accepted format). Every row problem becomes a
// RowError: wrong number of fields, account id not 12 digits, unknown model, malformed or empty
// marketplace id, an account id repeated within the file (reported on each later line), text
// after a field's closing quote. Lines are the file's own: a record with a line break inside
// quotes is reported on its first line. A quote that is never closed is one error on the line it
// opens and ends the reading (the rest of the file is inside it). A broken header or a UTF-16
// file is a single error on line 1 and yields no rows.
ParsedCsv parse_accounts_csv(std::string_view text, int max_errors = kMaxRowErrors);

// 123456789012 → "123456789012"; keeps leading zeros.
std::string format_account_id(std::uint64_t id);

// Keeps at most `max` errors of two line-ordered lists, in line order.
std::vector<RowError> merge_row_errors(std::vector<RowError> a, std::vector<RowError> b, int max);

// A user-supplied value made safe to quote in a message: printable ASCII only, at most 32 chars.
std::string quote_value(std::string_view value);

}  // namespace pool
