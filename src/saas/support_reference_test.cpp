#include "saas/support_reference.h"

#include <gtest/gtest.h>

#include <set>

#include "core/ids.h"

namespace saas {
namespace {

bool well_formed(const std::string& ref) {
  if (ref.size() != 12 || !ref.starts_with("ML-") || ref[7] != '-') return false;
  for (size_t i : {3, 4, 5, 6, 8, 9, 10, 11}) {
    if (kReferenceAlphabet.find(ref[i]) == std::string_view::npos) return false;
  }
  return true;
}

TEST(SupportReference, IsEightCharactersOfTheUnambiguousAlphabet) {
  for (char c : std::string("0O1IlLUu")) {
    EXPECT_EQ(kReferenceAlphabet.find(c), std::string_view::npos) << c;
  }
  std::set<std::string> seen;
  for (int i = 0; i < 5000; ++i) {
    const std::string ref = make_support_reference(core::random_bytes(32));
    ASSERT_TRUE(well_formed(ref)) << ref;
    seen.insert(ref);
  }
  // 39 bits: 5,000 draws collide with a chance far below one in a thousand.
  EXPECT_GE(seen.size(), 4999U);
}

TEST(SupportReference, UsesEveryCharacterOfTheAlphabet) {
  std::set<char> used;
  for (int i = 0; i < 2000; ++i) {
    const std::string ref = make_support_reference(core::random_bytes(32));
    for (char c : ref.substr(3)) used.insert(c);
  }
  used.erase('-');
  EXPECT_EQ(used.size(), kReferenceAlphabet.size());
}

TEST(SupportReference, IsTheSameForTheSameBytes) {
  EXPECT_EQ(make_support_reference("abcdefghijklmnopqrstuvwxyz012345"),
            make_support_reference("abcdefghijklmnopqrstuvwxyz012345"));
  EXPECT_NE(make_support_reference("abcdefghijklmnopqrstuvwxyz012345"),
            make_support_reference("bbcdefghijklmnopqrstuvwxyz012345"));
  EXPECT_TRUE(well_formed(make_support_reference("")));
  EXPECT_TRUE(well_formed(make_support_reference("\xff\xff\xff")));
}

TEST(SupportReference, NormalizesWhatPeopleType) {
  EXPECT_EQ(normalize_support_reference("ML-7KQ2-M9XD"), "ML-7KQ2-M9XD");
  EXPECT_EQ(normalize_support_reference("ml-7kq2-m9xd"), "ML-7KQ2-M9XD");
  EXPECT_EQ(normalize_support_reference(" ml 7kq2 m9xd "), "ML-7KQ2-M9XD");
  EXPECT_EQ(normalize_support_reference("7KQ2M9XD"), "ML-7KQ2-M9XD");
  EXPECT_EQ(normalize_support_reference("7kq2-m9xd"), "ML-7KQ2-M9XD");
  EXPECT_EQ(normalize_support_reference("MLM7KQ2M9X"), "ML-M7KQ-2M9X");
}

TEST(SupportReference, RefusesWhatCannotBeOne) {
  EXPECT_EQ(normalize_support_reference(""), std::nullopt);
  EXPECT_EQ(normalize_support_reference("ML-7KQ2-M9X"), std::nullopt);
  EXPECT_EQ(normalize_support_reference("ML-7KQ2-M9XDD"), std::nullopt);
  EXPECT_EQ(normalize_support_reference("ML-7KQ0-M9XD"), std::nullopt);  // 0 is not used
  EXPECT_EQ(normalize_support_reference("ML-7KQO-M9XD"), std::nullopt);  // nor O
  EXPECT_EQ(normalize_support_reference("ML-7KQ2-M9X'"), std::nullopt);
}

}  // namespace
}  // namespace saas
