#include "mail/mime.h"

#include <gtest/gtest.h>

#include <sstream>

#include "mail/mail_test_support.h"

namespace mail {
namespace {

core::TimePoint at(const char* text) { return *core::parse_rfc3339(text); }

Envelope test_envelope() {
  return make_envelope({.display_name = "Marketlink", .address = "no-reply@example.test"},
                       at("2026-03-01T10:00:00Z"), "abc123");
}

std::string parse_error_of(const std::string& raw) {
  std::string error;
  testing::parse_message(raw, error);
  return error;
}

TEST(Mailbox, ParsesNameAndAddressForms) {
  auto plain = parse_mailbox("ops@example.com");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->address, "ops@example.com");
  EXPECT_EQ(plain->display_name, "");
  auto named = parse_mailbox(" \"Acme Ops\" <ops@example.com> ");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->display_name, "Acme Ops");
  EXPECT_EQ(named->address, "ops@example.com");
  EXPECT_FALSE(parse_mailbox("Acme <not an address>").ok());
  EXPECT_FALSE(parse_mailbox("").ok());
}

TEST(Mailbox, AddressValidationRefusesHeaderInjectionAndJunk) {
  EXPECT_TRUE(valid_address("a.b+tag@mail.example.com"));
  EXPECT_TRUE(valid_address("user@localhost"));
  EXPECT_FALSE(valid_address("user@example.com\r\nBcc: x@y.z"));
  EXPECT_FALSE(valid_address("user name@example.com"));
  EXPECT_FALSE(valid_address("@example.com"));
  EXPECT_FALSE(valid_address("user@"));
  EXPECT_FALSE(valid_address("a@b@c"));
  EXPECT_FALSE(valid_address("<user@example.com>"));
  EXPECT_FALSE(valid_address("user@exa_mple.com"));
}

TEST(Validate, NamesTheBadField) {
  EXPECT_TRUE(validate({.to = "a@b.c", .subject = "Hi", .text_body = "x"}).ok());
  auto bad_to = validate({.to = "nobody", .subject = "Hi", .text_body = "x"});
  ASSERT_FALSE(bad_to.ok());
  EXPECT_EQ(bad_to.error().code, core::ErrorCode::kInvalid);
  EXPECT_EQ(bad_to.error().details.at(0).field, "to");
  auto injected = validate({.to = "a@b.c", .subject = "Hi\r\nBcc: x@y.z", .text_body = "x"});
  ASSERT_FALSE(injected.ok());
  EXPECT_EQ(injected.error().details.at(0).field, "subject");
  EXPECT_FALSE(validate({.to = "a@b.c", .subject = "Hi", .text_body = ""}).ok());
}

TEST(HeaderText, AsciiStaysAndUtf8BecomesEncodedWordsThatDecodeBack) {
  EXPECT_EQ(encode_header_text("Your account is ready"), "Your account is ready");
  const std::string subject = "Vérifiez votre adresse — Marketlink ✓";
  const std::string encoded = encode_header_text(subject);
  EXPECT_TRUE(encoded.starts_with("=?UTF-8?B?"));
  EXPECT_EQ(testing::decode_encoded_words(encoded), subject);

  // A long subject folds into several words of at most 75 characters, none splitting a character.
  std::string long_subject;
  for (int i = 0; i < 30; ++i) long_subject += "Grüße ";
  const std::string folded = encode_header_text(long_subject);
  std::istringstream lines(folded);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    EXPECT_LE(line.size(), 76u) << line;
    ++count;
  }
  EXPECT_GT(count, 1);
  EXPECT_EQ(testing::decode_encoded_words(folded), long_subject);
}

TEST(QuotedPrintable, RoundTripsAndKeepsLinesShort) {
  std::string text = "Hello = world\nÜbersicht: 100 % done \n.starts with a dot\n";
  text += std::string(200, 'x') + "\n";
  const std::string qp = quoted_printable(text);
  std::istringstream lines(qp);
  std::string line;
  while (std::getline(lines, line)) {
    ASSERT_TRUE(!line.empty() ? line.back() == '\r' || lines.eof() : true);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    EXPECT_LE(line.size(), 76u) << line;
    EXPECT_FALSE(line.starts_with(".")) << line;
    EXPECT_FALSE(!line.empty() && (line.back() == ' ' || line.back() == '\t')) << line;
  }
  std::string decoded = testing::decode_quoted_printable(qp);
  std::erase(decoded, '\r');
  EXPECT_EQ(decoded, text);
}

TEST(Rfc5322Date, FormatsDayNameAndUtcOffset) {
  EXPECT_EQ(rfc5322_date(at("2026-03-01T10:00:00Z")), "Sun, 01 Mar 2026 10:00:00 +0000");
  EXPECT_EQ(rfc5322_date(at("1970-01-01T00:00:00Z")), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(rfc5322_date(at("2024-02-29T23:59:59Z")), "Thu, 29 Feb 2024 23:59:59 +0000");
}

TEST(BuildMessage, MultipartAlternativeWithBothPartsAndTheHeaders) {
  const Message m{.to = "buyer@example.com",
                  .subject = "Bienvenue ✓",
                  .text_body = "Hello,\nplease confirm.\n",
                  .html_body = "<p>Hello,<br>please <b>confirm</b>.</p>"};
  const std::string raw = build_message(m, test_envelope());
  EXPECT_EQ(raw.find("\n\n"), std::string::npos) << "bare LF line ends";
  std::string error;
  auto parsed = testing::parse_message(raw, error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_EQ(parsed->header("from"), "Marketlink <no-reply@example.test>");
  EXPECT_EQ(parsed->header("to"), "buyer@example.com");
  EXPECT_EQ(parsed->header("subject"), "Bienvenue ✓");
  EXPECT_EQ(parsed->header("date"), "Sun, 01 Mar 2026 10:00:00 +0000");
  EXPECT_EQ(parsed->header("message-id"), "<abc123@example.test>");
  EXPECT_EQ(parsed->header("mime-version"), "1.0");
  EXPECT_EQ(parsed->content_type, "multipart/alternative");
  EXPECT_EQ(parsed->text, "Hello,\nplease confirm.\n");
  EXPECT_EQ(parsed->html, m.html_body);
}

TEST(BuildMessage, PlainTextAloneWhenThereIsNoHtml) {
  const std::string raw =
      build_message({.to = "a@b.c", .subject = "Plain", .text_body = "Just text"}, test_envelope());
  std::string error;
  auto parsed = testing::parse_message(raw, error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_EQ(parsed->content_type, "text/plain");
  EXPECT_EQ(parsed->text, "Just text\n");  // the message ends with a line break
  EXPECT_EQ(parsed->headers.at("content-type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(parse_error_of("no headers at all"), "no empty line after the headers");
}

TEST(BuildMessage, QuotesOrEncodesDisplayNamesThatNeedIt) {
  auto envelope = test_envelope();
  envelope.from.display_name = "Acme, Inc.";
  EXPECT_NE(build_message({.to = "a@b.c", .subject = "s", .text_body = "t"}, envelope)
                .find("From: \"Acme, Inc.\" <no-reply@example.test>\r\n"),
            std::string::npos);
  envelope.from.display_name = "Société Générale";
  const std::string raw =
      build_message({.to = "a@b.c", .subject = "s", .text_body = "t"}, envelope);
  std::string error;
  auto parsed = testing::parse_message(raw, error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_EQ(parsed->header("from"), "Société Générale <no-reply@example.test>");
}

}  // namespace
}  // namespace mail
