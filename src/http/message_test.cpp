#include "http/message.h"

#include <gtest/gtest.h>

namespace http {
namespace {

TEST(Message, ParsesFormsAndQueries) {
  const auto form = parse_form("a=1&b=hello+world&c=%41%zz&d&=x&a=2");
  ASSERT_EQ(form.size(), 6u);
  EXPECT_EQ(form[1].second, "hello world");
  EXPECT_EQ(form[2].second, "A%zz");
  EXPECT_EQ(form[3].first, "d");
  Request r;
  r.query_string = "status=ready&q=a%20b";
  EXPECT_EQ(r.query("q"), "a b");
  EXPECT_FALSE(r.query("missing").has_value());
}

TEST(Message, HeadersAndCookiesAreCaseInsensitiveByName) {
  Request r;
  r.headers = {{"cookie", "a=1; session=abc=def; z=9"}, {"accept", "text/html,application/json"}};
  EXPECT_EQ(*r.header("Cookie"), "a=1; session=abc=def; z=9");
  EXPECT_EQ(r.cookie("session"), "abc=def");
  EXPECT_FALSE(r.cookie("sess").has_value());
  EXPECT_TRUE(r.wants_html());
  r.headers = {{"accept", "application/json, text/html"}};
  EXPECT_FALSE(r.wants_html());
  r.headers = {};
  EXPECT_FALSE(r.wants_html());
}

TEST(Message, EscapesHtmlAndEncodesUrls) {
  EXPECT_EQ(url_encode("a b/ü~"), "a%20b%2F%C3%BC~");
  EXPECT_EQ(url_decode(url_encode("a b/ü~")), "a b/ü~");
}

TEST(Message, ResponseHeadersReplaceOrAdd) {
  Response r = Response::json(201, "{}");
  r.set_header("content-type", "text/csv");
  EXPECT_EQ(*r.header("Content-Type"), "text/csv");
  r.add_header("Set-Cookie", "a=1");
  r.add_header("Set-Cookie", "b=2");
  EXPECT_EQ(r.headers.size(), 3u);
}

}  // namespace
}  // namespace http
