#include "app/cli.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <soci/soci.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "db/database.h"
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

// `secrets rotate` re-seals every stored secret under the first key; with a secret no key opens
// it says which and exits 1, having re-sealed the others.
TEST(SecretsRotateCommand, ReSealsEveryStoredSecretUnderTheFirstKey) {
  const auto dir = std::filesystem::temp_directory_path() / "marketlink-cli-test-rotate";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string url = "sqlite:" + (dir / "m.db").string();
  ASSERT_EQ(run({"migrate", "--db", url}), 0);
  const std::string old_text = identity::SecretBox::generate_key_text();
  const std::string new_text = identity::SecretBox::generate_key_text();
  const auto old_key = *identity::SecretBox::from_key_text(old_text);
  const auto new_key = *identity::SecretBox::from_key_text(new_text);
  auto database = db::Database::open({.url = url, .pool_size = 1});
  ASSERT_TRUE(database.ok()) << database.error().message;
  const auto write = [&](const std::string& sql) {
    auto done = (*database)->transact([&](db::Tx& tx) -> core::Status {
      tx.sql() << sql;
      return {};
    });
    ASSERT_TRUE(done.ok()) << done.error().message;
  };
  write(
      "INSERT INTO saas_webhook_endpoints (id, url, events, secret_sealed, secret_hint,"
      " created_by, created_at) VALUES ('ep1', 'https://hooks.test/a', 'linked', '" +
      old_key.seal("whsec_one") + "', 'one', 'u', '2026-12-01T00:00:00Z')");
  write("INSERT INTO app_settings (key, value, updated_at) VALUES ('sandbox.webhook_secret', '" +
        old_key.seal("whsec_demo") + "', '2026-12-01T00:00:00Z')");
  write(
      "INSERT INTO app_settings (key, value, updated_at) VALUES ('sandbox.webhooks', '1',"
      " '2026-12-01T00:00:00Z')");
  const auto sealed = [&](const std::string& sql) {
    std::string value;
    auto done = (*database)->transact([&](db::Tx& tx) -> core::Status {
      tx.sql() << sql, soci::into(value);
      return {};
    });
    EXPECT_TRUE(done.ok());
    return value;
  };

  setenv("MARKETLINK_SECRET_KEY", (new_text + "," + old_text).c_str(), 1);
  testing::internal::CaptureStdout();
  const int status = run({"secrets", "rotate", "--db", url});
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("webhook signing secrets: 1 re-sealed"), std::string::npos) << out;
  EXPECT_NE(out.find("the sandbox's webhook secret: 1 re-sealed"), std::string::npos) << out;
  const std::string endpoint = sealed("SELECT secret_sealed FROM saas_webhook_endpoints");
  const std::string demo =
      sealed("SELECT value FROM app_settings WHERE key = 'sandbox.webhook_secret'");
  EXPECT_EQ(*new_key.open(endpoint), "whsec_one");
  EXPECT_EQ(*new_key.open(demo), "whsec_demo");
  EXPECT_EQ(sealed("SELECT value FROM app_settings WHERE key = 'sandbox.webhooks'"), "1");
  EXPECT_EQ(old_text.find(' '), std::string::npos);
  EXPECT_EQ(out.find(old_text), std::string::npos);
  EXPECT_EQ(out.find(new_text), std::string::npos);

  // A secret sealed under a key not given: named, exit 1, the rest still re-sealed.
  const auto stranger =
      *identity::SecretBox::from_key_text(identity::SecretBox::generate_key_text());
  write(
      "INSERT INTO saas_webhook_endpoints (id, url, events, secret_sealed, secret_hint,"
      " created_by, created_at) VALUES ('ep2', 'https://hooks.test/b', 'linked', '" +
      stranger.seal("whsec_two") + "', 'two', 'u', '2026-12-01T00:00:00Z')");
  write("UPDATE app_settings SET value = '" + old_key.seal("whsec_demo2") +
        "' WHERE key = 'sandbox.webhook_secret'");
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  EXPECT_EQ(run({"secrets", "rotate", "--db", url}), 1);
  const std::string partial = testing::internal::GetCapturedStdout();
  const std::string error = testing::internal::GetCapturedStderr();
  EXPECT_NE(partial.find("1 sealed under none of the keys given (ep2)"), std::string::npos)
      << partial;
  EXPECT_NE(error.find("could not be opened"), std::string::npos) << error;
  EXPECT_EQ(*new_key.open(sealed("SELECT value FROM app_settings WHERE key = "
                                 "'sandbox.webhook_secret'")),
            "whsec_demo2");
  unsetenv("MARKETLINK_SECRET_KEY");
  database->reset();
  std::filesystem::remove_all(dir);
}

// The refusals below return at once. Should one regress, the command would serve until stopped:
// the alarm ends the child process of the death test then, so the test fails instead of hanging.
constexpr unsigned kRegressionGuardSeconds = 30;

class SimulatorAddressTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(SimulatorAddressTest, SimRefusesAnAddressBeyondLoopbackAndNamesTheFlagThatAllowsIt) {
  for (const char* address : {"0.0.0.0:0", "[::]:0", "192.0.2.10:4566", "[fe80::1%lo]:0"}) {
    SCOPED_TRACE(address);
    EXPECT_EXIT(
        {
          alarm(kRegressionGuardSeconds);
          std::exit(run({"sim", "--listen", address}));
        },
        ::testing::ExitedWithCode(2),
        "--listen .* is not a loopback address.*no authentication.*unless --allow-remote is "
        "given");
  }
}

TEST_F(SimulatorAddressTest, ServeRefusesASandboxSimulatorBeyondLoopback) {
  // The same path in the death test's child, which runs this body again.
  const auto dir = std::filesystem::temp_directory_path() / "marketlink-cli-test-refused-sandbox";
  std::filesystem::remove_all(dir);
  const auto db = dir / "sandbox.db";
  EXPECT_EXIT(
      {
        alarm(kRegressionGuardSeconds);
        std::exit(run({"serve", "--sandbox", "--listen", "127.0.0.1:0", "--db",
                       "sqlite:" + db.string(), "--sim-listen", "0.0.0.0:0"}));
      },
      ::testing::ExitedWithCode(2),
      "--sim-listen 0.0.0.0:0 is not a loopback address.*unless --sim-allow-remote is given");
  EXPECT_FALSE(std::filesystem::exists(dir)) << "refused before anything started";
}

// Runs the command in this (death test's child) process until it prints `marker` on standard
// output, then stops it as an operator would, with SIGTERM; returns its exit code.
int run_until_it_prints(std::vector<std::string> args, std::string marker) {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);  // in every thread, for the command's sigwait
  int out[2];
  if (pipe(out) != 0) return 100;
  std::fflush(stdout);
  dup2(out[1], STDOUT_FILENO);
  std::thread([fd = out[0], marker] {
    std::string seen;
    char buf[256];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) {
      seen.append(buf, static_cast<size_t>(n));
      if (seen.find(marker) != std::string::npos) {
        std::fprintf(stderr, "printed: %s\n", seen.c_str());
        kill(getpid(), SIGTERM);
        return;
      }
    }
  }).detach();
  return run(std::move(args));
}

TEST_F(SimulatorAddressTest, SimListensBeyondLoopbackWithAllowRemote) {
  EXPECT_EXIT(
      {
        alarm(kRegressionGuardSeconds);
        std::exit(run_until_it_prints({"sim", "--listen", "0.0.0.0:0", "--allow-remote"},
                                      "listening on http://0.0.0.0:"));
      },
      ::testing::ExitedWithCode(0),
      "beyond loopback(.|\n)*printed: marketlink sim: listening on http://0.0.0.0:");
}

TEST_F(SimulatorAddressTest, SimListensOnAnyLoopbackAddressWithoutTheFlag) {
  EXPECT_EXIT(
      {
        alarm(kRegressionGuardSeconds);
        std::exit(run_until_it_prints({"sim", "--listen", "127.0.0.2:0"},
                                      "listening on http://127.0.0.2:"));
      },
      ::testing::ExitedWithCode(0), "printed: marketlink sim: listening on http://127.0.0.2:");
}

TEST(Help, NamesTheFlagsThatLetTheSimulatorListenBeyondLoopback) {
  testing::internal::CaptureStdout();
  EXPECT_EQ(run({"sim", "--help"}), 0);
  const std::string sim = testing::internal::GetCapturedStdout();
  EXPECT_NE(sim.find("--allow-remote"), std::string::npos) << sim;
  EXPECT_NE(sim.find("no authentication"), std::string::npos) << sim;
  testing::internal::CaptureStdout();
  EXPECT_EQ(run({"serve", "--help"}), 0);
  const std::string serve = testing::internal::GetCapturedStdout();
  EXPECT_NE(serve.find("--sim-allow-remote"), std::string::npos) << serve;
}

}  // namespace
}  // namespace app
