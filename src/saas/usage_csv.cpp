#include "saas/usage_csv.h"

#include "core/text.h"

namespace saas {

CsvText read_usage_csv(std::string_view text) {
  CsvText out;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  int line = 1;
  size_t i = 0;
  while (i < text.size()) {
    CsvRow row{.line = line, .fields = {}};
    std::string field;
    bool quoted_field = false;
    bool end_of_record = false;
    bool broken = false;
    while (i < text.size() && !end_of_record) {
      const char c = text[i];
      if (c == '"' && core::trim(field).empty() && !quoted_field) {
        // A quoted field: read to its closing quote.
        field.clear();
        quoted_field = true;
        ++i;
        bool closed = false;
        while (i < text.size()) {
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            closed = true;
            ++i;
            break;
          }
          if (text[i] == '\n' ||
              (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
            ++line;
          }
          field += text[i++];
        }
        if (!closed) {
          out.errors.push_back({std::to_string(row.line), "A quote is never closed."});
          return out;
        }
        // Only spaces may follow the closing quote before the delimiter.
        while (i < text.size() && text[i] == ' ') ++i;
        if (i < text.size() && text[i] != ',' && text[i] != ';' && text[i] != '\r' &&
            text[i] != '\n') {
          broken = true;
        }
        continue;
      }
      if (c == ',' || c == ';') {
        row.fields.push_back(quoted_field ? field : std::string(core::trim(field)));
        field.clear();
        quoted_field = false;
        ++i;
        continue;
      }
      if (c == '\r' || c == '\n') {
        i += (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
        end_of_record = true;
        continue;
      }
      if (quoted_field) broken = true;
      field += c;
      ++i;
    }
    row.fields.push_back(quoted_field ? field : std::string(core::trim(field)));
    const bool blank = row.fields.size() == 1 && row.fields[0].empty() && !quoted_field;
    if (broken) {
      out.errors.push_back({std::to_string(row.line), "Text after a closing quote."});
    } else if (!blank) {
      out.rows.push_back(std::move(row));
    }
    ++line;
  }
  return out;
}

}  // namespace saas
