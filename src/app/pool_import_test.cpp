#include <gtest/gtest.h>
#include <soci/soci.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/cli.h"
#include "app/commands.h"
#include "core/clock.h"
#include "core/ids.h"
#include "db/database.h"

namespace app {
namespace {

class PoolImportCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("marketlink-cli-" + core::base64url_encode(core::random_bytes(6)));
    std::filesystem::create_directories(dir_);
    db_url_ = "sqlite:" + (dir_ / "cli.db").string();
    core::Config config;
    config.db = db_url_;
    std::istringstream password("a long enough password\n");
    ASSERT_EQ(
        create_user(config, {.email = "ops@acme.test", .name = "Ops", .verified = true}, password),
        0);
    ASSERT_EQ(
        create_org(config, {.name = "Acme", .kind = "provider", .admin_email = "ops@acme.test"}),
        0);
    ASSERT_EQ(create_org(config, {.name = "Demo Marketplace",
                                  .kind = "marketplace",
                                  .marketplace_id = "MP-0000",
                                  .admin_email = "ops@acme.test"}),
              0);
    ASSERT_EQ(
        create_org(config, {.name = "Globex", .kind = "customer", .admin_email = "ops@acme.test"}),
        0);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    auto path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  int run(std::vector<std::string> args) {
    args.insert(args.begin(), "marketlink");
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    return run_cli(static_cast<int>(argv.size()), argv.data());
  }

  // Accounts in every pool.
  long long accounts() {
    auto database = db::Database::open({.url = db_url_, .pool_size = 1});
    EXPECT_TRUE(database.ok());
    long long n = -1;
    auto counted = (*database)->transact([&](db::Tx& tx) -> core::Status {
      tx.sql() << "SELECT COUNT(*) FROM pool_accounts", soci::into(n);
      return core::Status();
    });
    EXPECT_TRUE(counted.ok());
    return n;
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
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "Imported 2 accounts into the pool of Acme.\n");
  EXPECT_EQ(accounts(), 2);
}

TEST_F(PoolImportCommandTest, ListsBadRowsAndImportsNothing) {
  const auto file = write("bad.csv", "123456789012;MP-0000;SPAM\n12345;MP-0000;SPAM\n");
  testing::internal::CaptureStderr();
  EXPECT_EQ(run({"pool", "import", "--org", "acme", file, "--db", db_url_}), 1);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("Nothing was imported: the file has 1 problem."), std::string::npos) << err;
  EXPECT_NE(err.find("  line 2: account id \"12345\" has 5 digits"), std::string::npos) << err;
  EXPECT_EQ(accounts(), 0);
}

TEST_F(PoolImportCommandTest, OnlyIntoAProvidersPoolAndOnlyKnownMarketplaces) {
  const auto file = write("good.csv", "123456789012;MP-0000;SPAM\n");
  testing::internal::CaptureStderr();
  EXPECT_EQ(run({"pool", "import", "--org", "nobody", file, "--db", db_url_}), 1);
  EXPECT_EQ(run({"pool", "import", "--org", "globex", file, "--db", db_url_}), 1);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("No provider organization nobody"), std::string::npos) << err;
  EXPECT_NE(err.find("No provider organization globex"), std::string::npos) << err;

  const auto unknown = write("unknown.csv", "123456789012;MP-9999;SPAM\n");
  testing::internal::CaptureStderr();
  EXPECT_EQ(run({"pool", "import", "--org", "acme", unknown, "--db", db_url_}), 1);
  err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("line 1: "), std::string::npos) << err;
  EXPECT_NE(err.find("MP-9999"), std::string::npos) << err;
  EXPECT_EQ(accounts(), 0);
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
