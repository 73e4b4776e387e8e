#include "app/cli.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "identity/secret_box.h"

namespace app {
namespace {

int run(std::vector<std::string> args) {
  args.insert(args.begin(), "marketlink");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return run_cli(static_cast<int>(argv.size()), argv.data());
}

TEST(SecretKeyCommand, PrintsANewUsableKeyEachTime) {
  testing::internal::CaptureStdout();
  ASSERT_EQ(run({"secret-key"}), 0);
  const std::string first = testing::internal::GetCapturedStdout();
  testing::internal::CaptureStdout();
  ASSERT_EQ(run({"secret-key"}), 0);
  const std::string second = testing::internal::GetCapturedStdout();
  ASSERT_EQ(first.size(), 65u);  // 64 hex digits and a newline
  EXPECT_NE(first, second);
  EXPECT_TRUE(identity::SecretBox::from_key_text(first).ok());
}

}  // namespace
}  // namespace app
