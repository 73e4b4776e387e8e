#include "pool/csv_import.h"

#include <gtest/gtest.h>

#include <string>

namespace pool {
namespace {

std::vector<std::string> ids_of(const ParsedCsv& p) {
  std::vector<std::string> out;
  for (const CsvAccountRow& r : p.rows) {
    out.push_back(r.account_id == kNoAccount ? "-" : format_account_id(r.account_id));
  }
  return out;
}

std::string errors_of(const ParsedCsv& p) {
  std::string out;
  for (const RowError& e : p.errors) out += std::to_string(e.line) + ": " + e.message + "\n";
  return out;
}

void expect_clean(const ParsedCsv& p) {
  EXPECT_EQ(p.error_count, 0) << errors_of(p);
  for (const CsvAccountRow& r : p.rows) EXPECT_TRUE(r.ok) << "line " << r.line;
}

TEST(CsvImport, ReadsTheDocumentedExampleWithItsMixedHeader) {
  const auto p = parse_accounts_csv(
      "account_id;marketplace_id,account_model\n"
      "123456789012;MP-0000;SPAM\n"
      "123456789013;MP-0000;ECAM\n");
  expect_clean(p);
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(ids_of(p), (std::vector<std::string>{"123456789012", "123456789013"}));
  EXPECT_EQ(p.rows[0].line, 2u);
  EXPECT_EQ(p.rows[0].model, Model::kSpam);
  EXPECT_EQ(p.rows[1].model, Model::kEcam);
  ASSERT_EQ(p.marketplaces, (std::vector<std::string>{"MP-0000"}));
  EXPECT_EQ(p.rows[1].marketplace, 0u);
}

TEST(CsvImport, HeaderIsOptional) {
  const auto p = parse_accounts_csv("123456789012,MP-0000,SPAM\n");
  expect_clean(p);
  ASSERT_EQ(p.rows.size(), 1u);
  EXPECT_EQ(p.rows[0].line, 1u);
}

TEST(CsvImport, AcceptsEitherDelimiterAndMixesThemPerLine) {
  const auto p = parse_accounts_csv(
      "111111111111;MP-0000;SPAM\n"
      "222222222222,MP-0000,ECAM\n"
      "333333333333;MP-0001,spam\n");
  expect_clean(p);
  EXPECT_EQ(ids_of(p), (std::vector<std::string>{"111111111111", "222222222222", "333333333333"}));
  EXPECT_EQ(p.marketplaces.size(), 2u);
}

TEST(CsvImport, StripsTheUtf8ByteOrderMark) {
  const auto p = parse_accounts_csv(
      "\xef\xbb\xbf"
      "account_id;marketplace_id;account_model\r\n"
      "123456789012;MP-0000;SPAM\r\n");
  expect_clean(p);
  ASSERT_EQ(p.rows.size(), 1u);
  EXPECT_EQ(p.rows[0].line, 2u);
}

TEST(CsvImport, RefusesUtf16WithAnExplanation) {
  const auto p =
      parse_accounts_csv(std::string("\xff\xfe"
                                     "a\0c\0",
                                     6));
  ASSERT_EQ(p.error_count, 1);
  EXPECT_EQ(p.errors[0].line, 1);
  EXPECT_NE(p.errors[0].message.find("UTF-16"), std::string::npos);
  EXPECT_TRUE(p.rows.empty());
}

TEST(CsvImport, HandlesCrlfLoneCrAndMissingFinalNewline) {
  const auto p = parse_accounts_csv(
      "111111111111;MP-0000;SPAM\r\n222222222222;MP-0000;SPAM\r333333333333;MP-0000;SPAM");
  expect_clean(p);
  ASSERT_EQ(p.rows.size(), 3u);
  EXPECT_EQ(p.rows[1].line, 2u);
  EXPECT_EQ(p.rows[2].line, 3u);
  EXPECT_EQ(p.rows[2].account_id, 333333333333u);
}

TEST(CsvImport, SkipsBlankLinesButCountsThemInLineNumbers) {
  const auto p = parse_accounts_csv(
      "\n"
      "account_id;marketplace_id;account_model\n"
      "\n"
      "   \n"
      ";;\n"
      "123456789012;MP-0000;SPAM\n"
      "\t\n"
      "12345678901x;MP-0000;SPAM\n"
      "\n");
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[0].line, 6u);
  ASSERT_EQ(p.error_count, 1) << errors_of(p);
  EXPECT_EQ(p.errors[0].line, 8);
}

TEST(CsvImport, TrimsSpacesTabsAndQuotes) {
  const auto p = parse_accounts_csv(
      "  account_id ; marketplace_id , account_model  \n"
      "  123456789012 ;\tMP-0000\t; SPAM \n"
      "\"123456789013\",\"MP-0000\",\" ecam \"\n");
  expect_clean(p);
  EXPECT_EQ(ids_of(p), (std::vector<std::string>{"123456789012", "123456789013"}));
  EXPECT_EQ(p.rows[1].model, Model::kEcam);
  EXPECT_EQ(p.marketplaces, (std::vector<std::string>{"MP-0000"}));
}

TEST(CsvImport, QuotedFieldsHoldDelimitersDoubledQuotesAndLineBreaks) {
  const auto p = parse_accounts_csv(
      "account_id,notes,marketplace_id,account_model\n"              // 1
      "123456789012,\"Team \"\"blue\"\"; EU, prod\",MP-0000,SPAM\n"  // 2
      "\"123456789013\",\"two\r\nlines\",\"MP-0000\" , \"ECAM\"\n"   // 3-4
      "123456789014;\"\";MP-0000;\"spam\"\n"                         // 5
      "\"12345678901\";\"a \"\"quoted\"\" note\";MP-0000;SPAM\n");   // 6
  ASSERT_EQ(p.rows.size(), 4u);
  EXPECT_EQ(ids_of(p),
            (std::vector<std::string>{"123456789012", "123456789013", "123456789014", "-"}));
  EXPECT_EQ(p.rows[1].line, 3u) << "a record is numbered by its first line";
  EXPECT_EQ(p.rows[1].model, Model::kEcam);
  EXPECT_EQ(p.rows[2].line, 5u) << "the line break inside quotes still counts";
  EXPECT_TRUE(p.rows[0].ok && p.rows[1].ok && p.rows[2].ok);
  EXPECT_EQ(errors_of(p),
            "6: account id \"12345678901\" has 11 digits, not 12 (a spreadsheet may have dropped "
            "its leading zeros)\n");
  EXPECT_EQ(p.marketplaces, (std::vector<std::string>{"MP-0000"}));
}

TEST(CsvImport, AQuotedValueIsCheckedAsAWholeWithItsQuotesUnescaped) {
  const auto p = parse_accounts_csv(
      "123456789012;MP-0000;\"SP;AM\"\n"
      "123456789013,MP-0000,\"SP,AM\"\n"
      "123456789014;MP-0000;\"SP\"\"AM\"\n"
      "123456789015;MP-0000;SP\"AM\n"  // a quote inside an unquoted field is only a character
      "\"1234;56789016\";\"MP-0000\";\"SPAM\"\n");
  EXPECT_EQ(errors_of(p),
            "1: unknown account model \"SP;AM\" (expected SPAM or ECAM)\n"
            "2: unknown account model \"SP,AM\" (expected SPAM or ECAM)\n"
            "3: unknown account model \"SP\"AM\" (expected SPAM or ECAM)\n"
            "4: unknown account model \"SP\"AM\" (expected SPAM or ECAM)\n"
            "5: account id \"1234;56789016\" is not 12 digits\n");
  EXPECT_EQ(p.rows.size(), 5u);
}

TEST(CsvImport, AnUnclosedQuoteIsOneErrorOnTheLineItOpens) {
  const auto p = parse_accounts_csv(
      "account_id;marketplace_id;account_model\n"  // 1
      "123456789012;MP-0000;SPAM\n"                // 2
      "123456789013;MP-0000;SPAM\n"                // 3
      "123456789014;\"MP-0000;SPAM\n"              // 4: the quote opens here...
      "123456789015;MP-0000;SPAM\n");              // ...and swallows the rest of the file
  ASSERT_EQ(p.error_count, 1) << errors_of(p);
  EXPECT_EQ(p.errors[0].line, 4);
  EXPECT_EQ(p.errors[0].message,
            "a quoted field is never closed: the \" that opens it on this line has no closing \" "
            "(a \" inside a quoted field is written \"\")");
  ASSERT_EQ(p.rows.size(), 3u);
  EXPECT_TRUE(p.rows[1].ok);
  EXPECT_EQ(p.rows[2].line, 4u);
  EXPECT_FALSE(p.rows[2].ok);

  const auto multiline = parse_accounts_csv("123456789012;\"MP-0000\nSPAM\n\n");
  ASSERT_EQ(multiline.error_count, 1);
  EXPECT_EQ(multiline.errors[0].line, 1);
  const auto last_character = parse_accounts_csv("123456789012;MP-0000;\"");
  ASSERT_EQ(last_character.error_count, 1);
  EXPECT_EQ(last_character.errors[0].line, 1);
}

TEST(CsvImport, TextAfterAClosingQuoteIsAnError) {
  const auto p = parse_accounts_csv(
      "123456789012;\"MP\"-0000;SPAM\n"
      "\"123456789013\"  ;\"MP-0000\"\t;SPAM\n"
      "123456789014;MP-0000;\"SP\"AM\"\n");
  EXPECT_EQ(errors_of(p),
            "1: field 2 has text after its closing quote (a \" inside a quoted field is written "
            "\"\")\n"
            "3: field 3 has text after its closing quote (a \" inside a quoted field is written "
            "\"\")\n");
  ASSERT_EQ(p.rows.size(), 3u);
  EXPECT_FALSE(p.rows[0].ok);
  EXPECT_TRUE(p.rows[1].ok) << "spaces after the closing quote are fine";
  EXPECT_FALSE(p.rows[2].ok);
}

TEST(CsvImport, ModelInAnyCase) {
  const auto p = parse_accounts_csv(
      "111111111111;MP-0000;spam\n222222222222;MP-0000;Ecam\n333333333333;MP-0000;eCaM\n");
  expect_clean(p);
  EXPECT_EQ(p.rows[0].model, Model::kSpam);
  EXPECT_EQ(p.rows[1].model, Model::kEcam);
  EXPECT_EQ(p.rows[2].model, Model::kEcam);
}

TEST(CsvImport, ToleratesATrailingDelimiter) {
  const auto p = parse_accounts_csv(
      "account_id;marketplace_id;account_model;\n"
      "123456789012;MP-0000;SPAM;\n");
  expect_clean(p);
  EXPECT_EQ(p.rows.size(), 1u);
}

TEST(CsvImport, HeaderMayReorderColumnsAndCarryOthers) {
  const auto p = parse_accounts_csv(
      "Account Model,Notes,AWS Account ID,Marketplace\n"
      "ecam,first one,123456789012,MP-0001\n"
      "SPAM,,123456789013,MP-0002\n"
      "SPAM;;123456789014;MP-0002;\n");
  expect_clean(p);
  EXPECT_EQ(ids_of(p), (std::vector<std::string>{"123456789012", "123456789013", "123456789014"}));
  EXPECT_EQ(p.rows[0].model, Model::kEcam);
  EXPECT_EQ(p.marketplaces, (std::vector<std::string>{"MP-0001", "MP-0002"}));
}

TEST(CsvImport, HeaderWithoutARequiredColumnIsOneErrorAndNoRows) {
  const auto p = parse_accounts_csv("account_id;marketplace\n123456789012;MP-0000\n");
  ASSERT_EQ(p.error_count, 1);
  EXPECT_EQ(p.errors[0].line, 1);
  EXPECT_NE(p.errors[0].message.find("account_model"), std::string::npos);
  EXPECT_TRUE(p.rows.empty());
}

TEST(CsvImport, HeaderNamingAColumnTwiceIsAnError) {
  const auto p = parse_accounts_csv("account_id;account_id;marketplace_id;model\n");
  ASSERT_EQ(p.error_count, 1);
  EXPECT_NE(p.errors[0].message.find("twice"), std::string::npos);
}

TEST(CsvImport, ReportsEveryBadRowWithItsReason) {
  const auto p = parse_accounts_csv(
      "account_id;marketplace_id;account_model\n"  // 1
      "123456789012;MP-0000;SPAM\n"                // 2 ok
      "12345678901;MP-0000;SPAM\n"                 // 3 11 digits
      "1234567890123;MP-0000;SPAM\n"               // 4 13 digits
      "1.23457E+11;MP-0000;SPAM\n"                 // 5 spreadsheet notation
      "123456789014;MP-0000;PAYG\n"                // 6 unknown model
      "123456789015;MP 0000;SPAM\n"                // 7 malformed marketplace
      "123456789016;;SPAM\n"                       // 8 empty marketplace
      "123456789012;MP-0000;ECAM\n"                // 9 duplicate of line 2
      "123456789017;MP-0000\n"                     // 10 missing field
      "123456789018;MP-0000;SPAM;extra\n"          // 11 extra field
      ";MP-0000;SPAM\n"                            // 12 empty id
      "123456789019;MP-0000;\n"                    // 13 model missing (trailing delimiter)
      "abc;MP-0000;spam;\n");                      // 14 not digits
  EXPECT_EQ(errors_of(p),
            "3: account id \"12345678901\" has 11 digits, not 12 (a spreadsheet may have dropped "
            "its leading zeros)\n"
            "4: account id \"1234567890123\" is not 12 digits\n"
            "5: account id \"1.23457E+11\" is not 12 digits\n"
            "6: unknown account model \"PAYG\" (expected SPAM or ECAM)\n"
            "7: marketplace id \"MP 0000\" is malformed\n"
            "8: marketplace_id is empty\n"
            "9: account 123456789012 is repeated (first on line 2)\n"
            "10: expected 3 fields (account_id, marketplace_id, account_model), found 2\n"
            "11: expected 3 fields (account_id, marketplace_id, account_model), found 4\n"
            "12: account_id is empty\n"
            "13: expected 3 fields (account_id, marketplace_id, account_model), found 2\n"
            "14: account id \"abc\" is not 12 digits\n");
  EXPECT_EQ(p.error_count, 12);
  ASSERT_EQ(p.rows.size(), 13u);
  EXPECT_TRUE(p.rows[0].ok);
  for (size_t i = 1; i < p.rows.size(); ++i) EXPECT_FALSE(p.rows[i].ok) << p.rows[i].line;
}

TEST(CsvImport, ARowWithSeveralProblemsGetsEachReason) {
  const auto p = parse_accounts_csv("12;MP 1;XYZ\n");
  EXPECT_EQ(p.error_count, 3) << errors_of(p);
  for (const RowError& e : p.errors) EXPECT_EQ(e.line, 1);
}

TEST(CsvImport, KeepsLeadingZeros) {
  const auto p = parse_accounts_csv("000000000001;MP-0000;SPAM\n");
  expect_clean(p);
  EXPECT_EQ(ids_of(p), (std::vector<std::string>{"000000000001"}));
}

TEST(CsvImport, QuotesOnlyPrintableAsciiOfBadValues) {
  const auto p = parse_accounts_csv(
      "\x01\xc3\xa9"
      "123;MP-0000;SPAM\n");
  ASSERT_EQ(p.error_count, 1);
  EXPECT_EQ(p.errors[0].message, "account id \"???123\" is not 12 digits");
  EXPECT_EQ(quote_value(std::string(40, 'x')), "\"" + std::string(32, 'x') + "...\"");
}

TEST(CsvImport, KeepsTheFirstErrorsButCountsThemAll) {
  std::string csv;
  for (int i = 0; i < 1500; ++i) csv += "bad;MP-0000;SPAM\n";
  const auto p = parse_accounts_csv(csv, 1000);
  EXPECT_EQ(p.error_count, 1500);
  ASSERT_EQ(p.errors.size(), 1000u);
  EXPECT_EQ(p.errors.back().line, 1000);
}

TEST(CsvImport, EmptyInputHasNoRowsAndNoErrors) {
  for (const char* text :
       {"", "\n\n", "\xef\xbb\xbf", "account_id;marketplace_id;account_model\n"}) {
    const auto p = parse_accounts_csv(text);
    EXPECT_TRUE(p.rows.empty()) << text;
    EXPECT_EQ(p.error_count, 0) << text;
  }
}

TEST(CsvImport, MergesErrorListsInLineOrderUpToTheCap) {
  const auto merged = merge_row_errors({{1, "a"}, {4, "d"}, {6, "f"}}, {{2, "b"}, {5, "e"}}, 4);
  ASSERT_EQ(merged.size(), 4u);
  EXPECT_EQ(merged[0].line, 1);
  EXPECT_EQ(merged[1].line, 2);
  EXPECT_EQ(merged[2].line, 4);
  EXPECT_EQ(merged[3].line, 5);
}

// How fast is measured by bench/pool_bench.cpp (import); this checks a large file reads right.
TEST(CsvImport, ReadsAHundredThousandRowsOfMixedDelimiters) {
  std::string csv = "account_id;marketplace_id,account_model\r\n";
  for (int i = 0; i < 100000; ++i) {
    csv += format_account_id(100000000000ULL + static_cast<unsigned long long>(i));
    csv += i % 2 ? ";MP-0000;SPAM\r\n" : ",MP-0001,ecam\r\n";
  }
  const auto p = parse_accounts_csv(csv);
  expect_clean(p);
  ASSERT_EQ(p.rows.size(), 100000u);
  EXPECT_EQ(format_account_id(p.rows.front().account_id), "100000000000");
  EXPECT_EQ(p.rows.front().model, Model::kEcam);
  EXPECT_EQ(format_account_id(p.rows.back().account_id), "100000099999");
  EXPECT_EQ(p.rows.back().model, Model::kSpam);
  EXPECT_EQ(p.marketplaces.size(), 2u);
}

}  // namespace
}  // namespace pool
