#include "core/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace core {
namespace {

TEST(RandomIdGenerator, Makes22UrlSafeCharactersAndNoRepeats) {
  RandomIdGenerator gen;
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    const std::string id = gen.new_id();
    ASSERT_EQ(id.size(), 22u);
    for (char c : id) {
      ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << id;
    }
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(Base64Url, MatchesRfc4648Vectors) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST(SequentialIdGenerator, CountsUp) {
  SequentialIdGenerator gen("acct");
  EXPECT_EQ(gen.new_id(), "acct-000001");
  EXPECT_EQ(gen.new_id(), "acct-000002");
}

}  // namespace
}  // namespace core
