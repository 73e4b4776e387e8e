#include "aws/http_message.h"

#include <gtest/gtest.h>

namespace aws {
namespace {

TEST(UriEncode, LeavesOnlyUnreservedCharacters) {
  EXPECT_EQ(uri_encode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(uri_encode("a b/c+d=e&f*g"), "a%20b%2Fc%2Bd%3De%26f%2Ag");
  EXPECT_EQ(uri_encode("/a b/c", true), "/a%20b/c");
  EXPECT_EQ(uri_encode("\xe1\x88\xb4"), "%E1%88%B4");
  EXPECT_EQ(uri_encode("%20"), "%2520");
}

TEST(PercentDecode, DecodesAndKeepsInvalidSequences) {
  EXPECT_EQ(percent_decode("a%20b%2fc", false), "a b/c");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("100%", false), "100%");
  EXPECT_EQ(percent_decode("%zz%4", false), "%zz%4");
}

TEST(QueryString, ParsesRepeatsEmptyValuesAndBareNames) {
  const auto q = parse_query_string("b=2&a=&c&&a=1%26x&d=x%3Dy");
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(q[0], (QueryParam{"b", "2"}));
  EXPECT_EQ(q[1], (QueryParam{"a", ""}));
  EXPECT_EQ(q[2], (QueryParam{"c", ""}));
  EXPECT_EQ(q[3], (QueryParam{"a", "1&x"}));
  EXPECT_EQ(q[4], (QueryParam{"d", "x=y"}));
  EXPECT_EQ(format_query_string(q), "b=2&a=&c=&a=1%26x&d=x%3Dy");
}

TEST(HttpRequest, HeadersAreCaseInsensitive) {
  HttpRequest r;
  r.headers = {{"Content-Type", "a"}, {"content-type", "b"}, {"X", "y"}};
  EXPECT_EQ(r.header("CONTENT-TYPE"), "a");
  r.set_header("Content-TYPE", "c");
  EXPECT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.header("content-type"), "c");
  r.remove_header("x");
  EXPECT_FALSE(r.header("X"));
}

TEST(HttpRequest, TargetJoinsPathAndEncodedQuery) {
  HttpRequest r;
  r.path = "/bucket";
  EXPECT_EQ(r.target(), "/bucket");
  r.query = {{"policy", ""}, {"a b", "c/d"}};
  EXPECT_EQ(r.target(), "/bucket?policy=&a%20b=c%2Fd");
  std::string path;
  std::vector<QueryParam> query;
  split_target(r.target(), path, query);
  EXPECT_EQ(path, "/bucket");
  EXPECT_EQ(query, r.query);
}

}  // namespace
}  // namespace aws
