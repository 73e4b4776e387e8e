#include "core/text.h"

#include <gtest/gtest.h>

namespace core {
namespace {

TEST(Text, EscapesHtmlAndXml) {
  EXPECT_EQ(escape_html("<a href=\"x\">&'\r"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;\r");
  EXPECT_EQ(escape_xml("<a href=\"x\">&'\r"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#13;");
}

TEST(Text, Base64MatchesRfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), std::string(plain));
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
}

TEST(Text, Base64RejectsMalformedInput) {
  for (const char* bad : {"Zg=", "Z===", "Zm9v!A==", "=Zm9", "Zg==Zg=="}) {
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
  }
}

}  // namespace
TEST(Text, TrimsAsciiWhitespaceAtBothEnds) {
  EXPECT_EQ(trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim("\v\fx"), "x");
  EXPECT_EQ(trim(" \t\n"), "");
  EXPECT_EQ(trim(""), "");
}

TEST(Text, GroupsThousands) {
  EXPECT_EQ(group_thousands(0), "0");
  EXPECT_EQ(group_thousands(999), "999");
  EXPECT_EQ(group_thousands(1000), "1,000");
  EXPECT_EQ(group_thousands(1234567), "1,234,567");
  EXPECT_EQ(group_thousands(-1234), "-1,234");
  EXPECT_EQ(group_thousands(-123), "-123");
}

TEST(Text, CountsWithTheRightNoun) {
  EXPECT_EQ(count_of(1, "account", "accounts"), "1 account");
  EXPECT_EQ(count_of(0, "account", "accounts"), "0 accounts");
  EXPECT_EQ(count_of(1234, "account", "accounts"), "1,234 accounts");
}

TEST(Text, JoinsTheFirstItemsAndCountsTheRest) {
  EXPECT_EQ(join_first({}, 2), "");
  EXPECT_EQ(join_first({"a", "b"}, 2), "a, b");
  EXPECT_EQ(join_first({"a", "b", "c", "d"}, 2), "a, b and 2 more");
}

}  // namespace core
