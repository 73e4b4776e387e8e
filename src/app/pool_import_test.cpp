#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "app/cli.h"
#include "core/clock.h"
#include "core/ids.h"
#include "db/database.h"
#include "pool/pool.h"

namespace app {
namespace {

class AcceptAll final : public pool::MarketplaceDirectory {
 public:
  bool exists(const std::string&) const override { return true; }
};

class PoolImportCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("marketlink-cli-" + core::base64url_encode(core::random_bytes(6)));
    std::filesystem::create_directories(dir_);
    db_url_ = "sqlite:" + (dir_ / "cli.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const auto path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  int run(std::vector<std::string> args) {
    args.insert(args.begin(), "marketlink");
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    return run_cli(static_cast<int>(argv.size()), argv.data());
  }

  long long accounts(const std::string& org) {
    auto database = db::Database::open({.url = db_url_, .pool_size = 1});
    EXPECT_TRUE(database.ok());
    core::SystemClock clock;
    AcceptAll all;
    pool::Pool p(**database, clock, all);
    return p.counts(org)->total();
  }

  std::filesystem::path dir_;
  std::string db_url_;
};

TEST_F(PoolImportCommandTest, ImportsAGoodFile) {
  const auto file = write("good.csv",
                          "\xef\xbb\xbf"
                          "account_id;marketplace_id,account_model\r\n"
                          "123456789012;MP-0000;SPAM\r\n123456789013;MP-0000;ecam\r\n");
  testing::internal::CaptureStdout();
  EXPECT_EQ(run({"pool", "import", "--org", "acme", file, "--db", db_url_}), 0);
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "Imported 2 accounts into the pool of acme.\n");
  EXPECT_EQ(accounts("acme"), 2);
}

TEST_F(PoolImportCommandTest, ListsBadRowsAndImportsNothing) {
  const auto file = write("bad.csv", "123456789012;MP-0000;SPAM\n12345;MP-0000;SPAM\n");
  testing::internal::CaptureStderr();
  EXPECT_EQ(run({"pool", "import", "--org", "acme", file, "--db", db_url_}), 1);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("Nothing was imported: the file has 1 problem."), std::string::npos) << err;
  EXPECT_NE(err.find("  line 2: account id \"12345\" has 5 digits"), std::string::npos) << err;
  EXPECT_EQ(accounts("acme"), 0);
}

TEST_F(PoolImportCommandTest, UsageErrorsExitWithTwo) {
  const auto file = write("good.csv", "123456789012;MP-0000;SPAM\n");
  testing::internal::CaptureStderr();
  EXPECT_EQ(run({"pool", "import", file, "--db", db_url_}), 2);
  EXPECT_EQ(run({"pool", "import", "--org", "acme", (dir_ / "none.csv").string()}), 2);
  EXPECT_EQ(run({"pool"}), 2);
  testing::internal::GetCapturedStderr();
}

}  // namespace
}  // namespace app
