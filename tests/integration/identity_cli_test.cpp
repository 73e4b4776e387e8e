// The operator commands that bootstrap identity, run as a user would: `marketlink user create`,
// `org create` and `token create` against a fresh SQLite database.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/ids.h"

namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class IdentityCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("marketlink-cli-" + core::RandomIdGenerator().new_id());
    std::filesystem::create_directories(dir_);
    db_ = "sqlite:" + (dir_ / "cli.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs `marketlink ARGS --db DB` with `input` on standard input.
  CliRun run(const std::string& args, const std::string& input = "") {
    const auto in = dir_ / "in.txt";
    const auto out = dir_ / "out.txt";
    const auto err = dir_ / "err.txt";
    std::ofstream(in) << input;
    const std::string command = std::string(MARKETLINK_BINARY_PATH) + " " + args + " --db '" + db_ +
                                "' <'" + in.string() + "' >'" + out.string() + "' 2>'" +
                                err.string() + "'";
    const int status = std::system(command.c_str());
    CliRun r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::stringstream o, e;
    o << std::ifstream(out).rdbuf();
    e << std::ifstream(err).rdbuf();
    r.out = o.str();
    r.err = e.str();
    return r;
  }

  std::filesystem::path dir_;
  std::string db_;
};

TEST_F(IdentityCliTest, BootstrapsAUserAnOrganizationAndAToken) {
  CliRun user =
      run("user create --email Ops@Example.com --password-stdin --verified --name 'Olga Ops'",
          "a long operator passphrase\n");
  ASSERT_EQ(user.exit_code, 0) << user.err;
  EXPECT_NE(user.out.find("Created user Ops@Example.com (Olga Ops, verified)"), std::string::npos)
      << user.out;

  CliRun org =
      run("org create --name 'Acme Cloud' --kind customer --subscription trial --admin "
          "ops@example.com");
  ASSERT_EQ(org.exit_code, 0) << org.err;
  EXPECT_NE(org.out.find("slug acme-cloud"), std::string::npos) << org.out;

  CliRun mp =
      run("org create --name 'Demo Marketplace' --kind marketplace --marketplace-id MP-0000 "
          "--admin ops@example.com");
  ASSERT_EQ(mp.exit_code, 0) << mp.err;

  CliRun token = run("token create --email OPS@example.com --org acme-cloud");
  ASSERT_EQ(token.exit_code, 0) << token.err;
  std::string last;
  std::istringstream words(token.out);
  for (std::string w; words >> w;) last = w;
  EXPECT_TRUE(last.starts_with("mlk_")) << token.out;
  EXPECT_EQ(last.size(), 47u);
}

TEST_F(IdentityCliTest, ClearErrorsAndExitCodes) {
  CliRun weak = run("user create --email a@example.com --password-stdin", "short\n");
  EXPECT_EQ(weak.exit_code, 1);
  EXPECT_NE(weak.err.find("password: Use at least 12 characters."), std::string::npos) << weak.err;

  CliRun no_password = run("user create --email a@example.com --password-stdin", "");
  EXPECT_EQ(no_password.exit_code, 1);
  EXPECT_NE(no_password.err.find("no password on standard input"), std::string::npos);

  CliRun usage = run("user create --email a@example.com");
  EXPECT_EQ(usage.exit_code, 2) << "--password-stdin is required";

  CliRun bad_kind = run("org create --name X --kind reseller --admin a@example.com");
  EXPECT_EQ(bad_kind.exit_code, 2);

  CliRun no_admin = run("org create --name X --kind provider --admin nobody@example.com");
  EXPECT_EQ(no_admin.exit_code, 1);
  EXPECT_NE(no_admin.err.find("No user has the e-mail address nobody@example.com"),
            std::string::npos)
      << no_admin.err;

  ASSERT_EQ(run("user create --email a@example.com --password-stdin --verified",
                "a long enough passphrase\n")
                .exit_code,
            0);
  CliRun dup =
      run("user create --email A@EXAMPLE.com --password-stdin", "a long enough passphrase\n");
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_NE(dup.err.find("already exists"), std::string::npos) << dup.err;

  CliRun no_mp = run("org create --name Store --kind marketplace --admin a@example.com");
  EXPECT_EQ(no_mp.exit_code, 1);
  EXPECT_NE(no_mp.err.find("MP-0000"), std::string::npos) << no_mp.err;

  ASSERT_EQ(run("org create --name Acme --kind customer --admin a@example.com").exit_code, 0);
  ASSERT_EQ(run("user create --email b@example.com --password-stdin --verified",
                "another long passphrase\n")
                .exit_code,
            0);
  CliRun not_admin = run("token create --email b@example.com --org acme");
  EXPECT_EQ(not_admin.exit_code, 1);
  EXPECT_NE(not_admin.err.find("not an admin of acme"), std::string::npos) << not_admin.err;
  CliRun no_org = run("token create --email a@example.com --org nowhere");
  EXPECT_EQ(no_org.exit_code, 1);
}

}  // namespace
