#include "pool/csv_import.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <unordered_map>

namespace pool {

namespace {

enum Column { kAccountColumn = 0, kMarketplaceColumn = 1, kModelColumn = 2, kIgnoredColumn = 3 };

constexpr std::array<const char*, 3> kColumnNames = {"account_id", "marketplace_id",
                                                     "account_model"};

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_delimiter(char c) { return c == ';' || c == ','; }
bool is_line_break(char c) { return c == '\n' || c == '\r'; }

// "Account ID", "account_id", "AWS-Account-Id" → "accountid" / "awsaccountid".
std::string normalize_header(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '_' || c == '-' || c == '.') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::optional<Column> header_column(std::string_view field) {
  const std::string n = normalize_header(field);
  if (n == "accountid" || n == "account" || n == "awsaccountid" || n == "awsaccount")
    return kAccountColumn;
  if (n == "marketplaceid" || n == "marketplace" || n == "mpid") return kMarketplaceColumn;
  if (n == "accountmodel" || n == "model") return kModelColumn;
  return std::nullopt;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class Parser {
 public:
  Parser(std::string_view text, int max_errors) : text_(text), max_errors_(max_errors) {}

  ParsedCsv run() {
    if (text_.size() >= 2 && ((text_[0] == '\xff' && text_[1] == '\xfe') ||
                              (text_[0] == '\xfe' && text_[1] == '\xff'))) {
      add_error(1, "the file is UTF-16; save it as CSV UTF-8");
      return std::move(out_);
    }
    if (text_.starts_with("\xef\xbb\xbf")) text_.remove_prefix(3);
    out_.rows.reserve(std::count(text_.begin(), text_.end(), '\n') + 1);
    bool seen_content = false;
    while (pos_ < text_.size()) {
      const std::uint32_t line_number = line_;
      const bool complete = read_record();
      while (!fields_.empty() && fields_.back().empty()) fields_.pop_back();
      if (complete && !problem_ && fields_.empty()) continue;  // blank line, or only delimiters
      if (!complete || problem_) {
        // A broken record is data: its fields cannot be trusted, so only the problem is reported.
        seen_content = true;
        add_error(problem_line_, std::move(*problem_));
        CsvAccountRow row;
        row.line = line_number;
        out_.rows.push_back(row);
        if (!complete) break;  // the rest of the file is inside the open quote
        continue;
      }
      if (!seen_content) {
        seen_content = true;
        if (is_header()) {
          if (!read_header(line_number)) {
            out_.rows.clear();
            return std::move(out_);
          }
          continue;
        }
      }
      read_row(line_number);
    }
    return std::move(out_);
  }

 private:
  // Reads the record at pos_ into fields_ (RFC 4180): fields separated by ';' or ',' up to a line
  // break (\r\n, \n, or a lone \r from old Mac exports) outside quotes. A field that starts with
  // '"' (after spaces) is quoted: it may hold delimiters, line breaks and quotes written twice
  // (""), and ends at the next lone '"'; a '"' anywhere else is an ordinary character. Spaces and
  // tabs around a field, and inside its quotes, are trimmed. Moves pos_ and line_ past the record
  // and its line break. Returns false when a quote is never closed (problem_ says where it
  // opened); problem_ is also set for text after a closing quote.
  bool read_record() {
    fields_.clear();
    unescaped_.clear();
    escaped_.clear();
    problem_.reset();
    const size_t n = text_.size();
    while (true) {
      while (pos_ < n && is_space(text_[pos_])) ++pos_;
      std::string_view field;
      if (pos_ < n && text_[pos_] == '"') {
        const std::uint32_t opened_on = line_;
        const size_t start = ++pos_;
        bool doubled = false;
        while (true) {
          if (pos_ >= n) {
            problem_line_ = opened_on;
            problem_ =
                "a quoted field is never closed: the \" that opens it on this line has no "
                "closing \" (a \" inside a quoted field is written \"\")";
            pos_ = n;
            return false;
          }
          const char c = text_[pos_];
          if (c == '"') {
            if (pos_ + 1 < n && text_[pos_ + 1] == '"') {
              doubled = true;
              pos_ += 2;
              continue;
            }
            break;
          }
          skip_char_counting_lines();
        }
        field = text_.substr(start, pos_ - start);
        ++pos_;  // the closing quote
        if (doubled) {
          escaped_.push_back({fields_.size(), unescaped_.size()});
          for (size_t i = 0; i < field.size(); ++i) {
            unescaped_ += field[i];
            if (field[i] == '"') ++i;  // the second quote of ""
          }
        }
        while (pos_ < n && is_space(text_[pos_])) ++pos_;
        if (pos_ < n && !is_delimiter(text_[pos_]) && !is_line_break(text_[pos_]) && !problem_) {
          problem_line_ = line_;
          problem_ = fmt::format(
              "field {} has text after its closing quote (a \" inside a quoted field is written "
              "\"\")",
              fields_.size() + 1);
        }
        while (pos_ < n && !is_delimiter(text_[pos_]) && !is_line_break(text_[pos_])) ++pos_;
      } else {
        const size_t start = pos_;
        while (pos_ < n && !is_delimiter(text_[pos_]) && !is_line_break(text_[pos_])) ++pos_;
        field = text_.substr(start, pos_ - start);
      }
      fields_.push_back(trim(field));
      if (pos_ < n && is_delimiter(text_[pos_])) {
        ++pos_;
        continue;
      }
      if (pos_ < n) skip_char_counting_lines();  // the line break ending the record
      break;
    }
    // Point the fields that had "" at their unescaped text, now that it no longer moves.
    for (size_t e = 0; e < escaped_.size(); ++e) {
      const size_t begin = escaped_[e].offset;
      const size_t end = e + 1 < escaped_.size() ? escaped_[e + 1].offset : unescaped_.size();
      fields_[escaped_[e].field] = trim(std::string_view(unescaped_).substr(begin, end - begin));
    }
    return true;
  }

  // Moves past one character, or one line break (\r\n counts once), keeping line_.
  void skip_char_counting_lines() {
    const char c = text_[pos_++];
    if (c == '\n' || c == '\r') {
      if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
      ++line_;
    }
  }

  bool is_header() const {
    return std::any_of(fields_.begin(), fields_.end(),
                       [](std::string_view f) { return header_column(f).has_value(); });
  }

  // Maps each header field to a column; unknown names are columns to ignore.
  bool read_header(std::uint32_t line) {
    columns_.clear();
    std::array<bool, 3> seen = {false, false, false};
    for (std::string_view f : fields_) {
      const auto c = header_column(f);
      if (!c) {
        columns_.push_back(kIgnoredColumn);
        continue;
      }
      if (seen[*c]) {
        add_error(line, fmt::format("the header names {} twice", kColumnNames[*c]));
        return false;
      }
      seen[*c] = true;
      columns_.push_back(*c);
    }
    for (size_t c = 0; c < seen.size(); ++c) {
      if (!seen[c]) {
        add_error(line, fmt::format("the header has no {} column (expected account_id, "
                                    "marketplace_id, account_model)",
                                    kColumnNames[c]));
        return false;
      }
    }
    return true;
  }

  void read_row(std::uint32_t line) {
    CsvAccountRow row;
    row.line = line;
    const size_t expected = columns_.size();
    // Trailing empty fields were dropped: give back the ones that only fill ignored columns.
    while (fields_.size() < expected && columns_[fields_.size()] == kIgnoredColumn) {
      fields_.emplace_back();
    }
    if (fields_.size() != expected) {
      add_error(line, fmt::format("expected {} fields ({}), found {}", expected, column_list(),
                                  fields_.size()));
      out_.rows.push_back(row);
      return;
    }
    std::array<std::string_view, 3> value;
    for (size_t i = 0; i < expected; ++i) {
      if (columns_[i] != kIgnoredColumn) value[columns_[i]] = fields_[i];
    }
    bool ok = true;
    ok = read_account_id(line, value[kAccountColumn], row) && ok;
    ok = read_marketplace(line, value[kMarketplaceColumn], row) && ok;
    ok = read_model(line, value[kModelColumn], row) && ok;
    if (row.account_id != kNoAccount) {
      const auto [it, inserted] = first_line_.try_emplace(row.account_id, line);
      if (!inserted) {
        add_error(line, fmt::format("account {} is repeated (first on line {})",
                                    format_account_id(row.account_id), it->second));
        ok = false;
      }
    }
    row.ok = ok;
    out_.rows.push_back(row);
  }

  bool read_account_id(std::uint32_t line, std::string_view v, CsvAccountRow& row) {
    if (v.empty()) {
      add_error(line, "account_id is empty");
    } else if (v.size() == 12 && all_digits(v)) {
      std::uint64_t id = 0;
      for (char c : v) id = id * 10 + static_cast<std::uint64_t>(c - '0');
      row.account_id = id;
      return true;
    } else if (all_digits(v) && v.size() < 12) {
      add_error(line, fmt::format("account id {} has {} digits, not 12 (a spreadsheet may have "
                                  "dropped its leading zeros)",
                                  quote_value(v), v.size()));
    } else {
      add_error(line, fmt::format("account id {} is not 12 digits", quote_value(v)));
    }
    return false;
  }

  bool read_marketplace(std::uint32_t line, std::string_view v, CsvAccountRow& row) {
    if (v.empty()) {
      add_error(line, "marketplace_id is empty");
      return false;
    }
    if (!is_marketplace_id_syntax(v)) {
      add_error(line, fmt::format("marketplace id {} is malformed", quote_value(v)));
      return false;
    }
    const auto [it, inserted] =
        marketplace_index_.try_emplace(v, static_cast<std::uint32_t>(out_.marketplaces.size()));
    if (inserted) out_.marketplaces.emplace_back(v);
    row.marketplace = it->second;
    return true;
  }

  bool read_model(std::uint32_t line, std::string_view v, CsvAccountRow& row) {
    if (v.empty()) {
      add_error(line, "account_model is empty");
      return false;
    }
    const auto model = parse_model(v);
    if (!model) {
      add_error(line,
                fmt::format("unknown account model {} (expected SPAM or ECAM)", quote_value(v)));
      return false;
    }
    row.model = *model;
    return true;
  }

  std::string column_list() const {
    std::string out;
    for (Column c : columns_) {
      if (!out.empty()) out += ", ";
      out += c == kIgnoredColumn ? "ignored" : kColumnNames[c];
    }
    return out;
  }

  void add_error(std::uint32_t line, std::string message) {
    ++out_.error_count;
    if (static_cast<int>(out_.errors.size()) < max_errors_) {
      out_.errors.push_back({static_cast<int>(line), std::move(message)});
    }
  }

  // Where a field with "" keeps its text, in unescaped_ from `offset` to the next one's.
  struct Escaped {
    size_t field;
    size_t offset;
  };

  std::string_view text_;
  int max_errors_;
  ParsedCsv out_;
  size_t pos_ = 0;
  std::uint32_t line_ = 1;  // the line pos_ is on
  // The current record: fields view text_, or unescaped_ for those that had "".
  std::vector<std::string_view> fields_;
  std::string unescaped_;
  std::vector<Escaped> escaped_;
  std::optional<std::string> problem_;  // what makes the record unreadable
  std::uint32_t problem_line_ = 0;
  std::vector<Column> columns_ = {kAccountColumn, kMarketplaceColumn, kModelColumn};
  // Keys view text_, never unescaped_: a field that had "" holds a quote, which no well-formed
  // marketplace id does.
  std::unordered_map<std::string_view, std::uint32_t> marketplace_index_;
  std::unordered_map<std::uint64_t, std::uint32_t> first_line_;
};

}  // namespace

ParsedCsv parse_accounts_csv(std::string_view text, int max_errors) {
  return Parser(text, max_errors).run();
}

std::string format_account_id(std::uint64_t id) { return fmt::format("{:012}", id); }

std::vector<RowError> merge_row_errors(std::vector<RowError> a, std::vector<RowError> b, int max) {
  std::vector<RowError> out;
  out.reserve(std::min(a.size() + b.size(), static_cast<size_t>(max)));
  std::merge(std::make_move_iterator(a.begin()), std::make_move_iterator(a.end()),
             std::make_move_iterator(b.begin()), std::make_move_iterator(b.end()),
             std::back_inserter(out),
             [](const RowError& x, const RowError& y) { return x.line < y.line; });
  if (out.size() > static_cast<size_t>(max)) out.resize(static_cast<size_t>(max));
  return out;
}

std::string quote_value(std::string_view value) {
  constexpr size_t kMax = 32;
  std::string out = "\"";
  for (size_t i = 0; i < value.size() && i < kMax; ++i) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (value.size() > kMax) out += "...";
  return out + "\"";
}

}  // namespace pool
