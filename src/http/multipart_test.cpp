#include "http/multipart.h"

#include <gtest/gtest.h>

namespace http {
namespace {

constexpr const char* kType = "multipart/form-data; boundary=----formBoundaryX7";

std::string file_form(const std::string& csv) {
  return "------formBoundaryX7\r\n"
         "Content-Disposition: form-data; name=\"csrf_token\"\r\n"
         "\r\n"
         "tok123\r\n"
         "------formBoundaryX7\r\n"
         "Content-Disposition: form-data; name=\"file\"; filename=\"accounts.csv\"\r\n"
         "Content-Type: text/csv\r\n"
         "\r\n" +
         csv +
         "\r\n"
         "------formBoundaryX7--\r\n";
}

TEST(Multipart, ReadsFieldsAndFilesAsBrowsersSendThem) {
  const std::string csv =
      "account_id;marketplace_id;account_model\r\n111111111111;MP-0000;SPAM\r\n";
  const std::string body = file_form(csv);  // parts are views into it
  auto parts = parse_multipart(kType, body);
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "csrf_token");
  EXPECT_EQ((*parts)[0].body, "tok123");
  EXPECT_EQ((*parts)[0].filename, "");
  EXPECT_EQ((*parts)[1].name, "file");
  EXPECT_EQ((*parts)[1].filename, "accounts.csv");
  EXPECT_EQ((*parts)[1].content_type, "text/csv");
  EXPECT_EQ((*parts)[1].body, csv) << "the file's own CRLFs are kept";
  ASSERT_NE(find_part(*parts, "file"), nullptr);
  EXPECT_EQ(find_part(*parts, "nothing"), nullptr);
}

TEST(Multipart, BodiesMayHoldAnythingButTheDelimiter) {
  // A body containing the boundary text without the preceding CRLF, dashes and blank lines.
  const std::string tricky = "a\r\n\r\n----formBoundaryX7 not at a line start\r\n-- --\r\n";
  const std::string body = file_form(tricky);  // parts are views into it
  auto parts = parse_multipart(kType, body);
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  EXPECT_EQ((*parts)[1].body, tricky);
  const std::string empty_body = file_form("");
  auto empty = parse_multipart(kType, empty_body);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ((*empty)[1].body, "");
}

TEST(Multipart, BoundaryFromTheContentType) {
  EXPECT_EQ(*multipart_boundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(*multipart_boundary("Multipart/Form-Data;boundary=\"a b:c\""), "a b:c") << "quoted";
  EXPECT_EQ(*multipart_boundary("multipart/form-data; charset=utf-8; BOUNDARY=\"x\\:y\""), "x:y");
  for (const char* bad : {"text/csv", "application/x-www-form-urlencoded", "multipart/form-data",
                          "multipart/form-data; boundary=", "multipart/form-data; boundary=\"abc",
                          "multipart/form-data; boundary=a{b}", "multipart/mixed; boundary=abc"}) {
    auto b = multipart_boundary(bad);
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_EQ(b.error().slug, "invalid_multipart") << bad;
  }
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'a')).ok());
  EXPECT_TRUE(multipart_boundary("multipart/form-data; boundary=" + std::string(70, 'a')).ok());
}

TEST(Multipart, QuotedBoundaryAndPreambleAndEpilogue) {
  const std::string body =
      "This is a preamble.\r\n"
      "--a b\r\n"
      "Content-Disposition: form-data; name=\"q\"\r\n\r\n"
      "1\r\n"
      "--a b--\r\n"
      "epilogue";
  auto parts = parse_multipart("multipart/form-data; boundary=\"a b\"", body);
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].body, "1");
}

TEST(Multipart, RefusesMalformedBodies) {
  const auto slug = [](const std::string& body) {
    auto parts = parse_multipart(kType, body);
    return parts.ok() ? std::string("ok") : parts.error().slug;
  };
  EXPECT_EQ(slug(""), "invalid_multipart") << "no parts";
  EXPECT_EQ(slug("just text"), "invalid_multipart");
  // Bare LF line breaks.
  EXPECT_EQ(slug("------formBoundaryX7\nContent-Disposition: form-data; name=\"a\"\n\n1\n"
                 "------formBoundaryX7--\n"),
            "invalid_multipart");
  // No final delimiter.
  EXPECT_EQ(slug("------formBoundaryX7\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1"),
            "invalid_multipart");
  // A part without a name, or not form-data, or with a broken header.
  EXPECT_EQ(slug("------formBoundaryX7\r\nContent-Disposition: form-data\r\n\r\n1\r\n"
                 "------formBoundaryX7--"),
            "invalid_multipart");
  EXPECT_EQ(slug("------formBoundaryX7\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\n1\r\n"
                 "------formBoundaryX7--"),
            "invalid_multipart");
  EXPECT_EQ(slug("------formBoundaryX7\r\nno colon here\r\n\r\n1\r\n------formBoundaryX7--"),
            "invalid_multipart");
  EXPECT_EQ(slug("------formBoundaryX7\r\n\r\n1\r\n------formBoundaryX7--"), "invalid_multipart")
      << "missing Content-Disposition";
  EXPECT_EQ(slug("------formBoundaryX7\r\nContent-Disposition: form-data; name=\"a"),
            "invalid_multipart")
      << "headers do not end";
  EXPECT_EQ(slug("------formBoundaryX7--"), "ok") << "no parts at all is a valid empty form";
}

TEST(Multipart, EnforcesSizeLimits) {
  const std::string form = file_form(std::string(1000, 'x'));
  auto small = parse_multipart(kType, form, {.max_part_bytes = 999});
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.error().slug, "too_large");
  EXPECT_TRUE(parse_multipart(kType, form, {.max_part_bytes = 1000}).ok());
  auto few = parse_multipart(kType, form, {.max_parts = 1});
  ASSERT_FALSE(few.ok());
  EXPECT_EQ(few.error().slug, "too_large");
  auto headers = parse_multipart(kType, form, {.max_header_bytes = 20});
  ASSERT_FALSE(headers.ok());
  EXPECT_EQ(headers.error().slug, "too_large");
  // A huge part that never ends is too large, not merely unterminated.
  auto unterminated =
      parse_multipart(kType,
                      "------formBoundaryX7\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n" +
                          std::string(2000, 'y'),
                      {.max_part_bytes = 1000});
  ASSERT_FALSE(unterminated.ok());
  EXPECT_EQ(unterminated.error().slug, "too_large");
}

}  // namespace
}  // namespace http
