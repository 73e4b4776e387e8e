// Reading a usage CSV file into rows of fields (private to src/saas; MeteringService::import_csv
// checks the values). RFC 4180 quoting (a quoted field may hold delimiters, line breaks and
// doubled quotes), `,` or `;` delimiters, CRLF / CR / LF, a UTF-8 BOM, blank lines skipped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace saas {

struct CsvRow {
  int line = 0;                     // the file's line where the record starts
  std::vector<std::string> fields;  // trimmed of surrounding spaces
};

struct CsvText {
  std::vector<CsvRow> rows;               // the header row included
  std::vector<core::ErrorDetail> errors;  // field = line number
};

CsvText read_usage_csv(std::string_view text);

}  // namespace saas
