#include "core/config.h"

#include <gtest/gtest.h>

#include <map>

namespace core {
namespace {

auto env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(Config, DefaultsWhenEnvironmentIsEmpty) {
  auto c = config_from_environment(env_of({}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->listen, "127.0.0.1:8080");
  EXPECT_EQ(c->db, "sqlite:./var/marketlink.db");
  EXPECT_EQ(c->worker_threads, 8);
}

TEST(Config, EnvironmentOverridesDefaults) {
  auto c = config_from_environment(env_of({{"MARKETLINK_DB", "postgresql://x@h/db"},
                                           {"MARKETLINK_WORKER_THREADS", "3"},
                                           {"MARKETLINK_LISTEN", "0.0.0.0:9000"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->db, "postgresql://x@h/db");
  EXPECT_EQ(c->worker_threads, 3);
  EXPECT_EQ(c->listen, "0.0.0.0:9000");
}

TEST(Config, BadNumberNamesTheVariable) {
  auto c = config_from_environment(env_of({{"MARKETLINK_WORKER_THREADS", "many"}}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kInvalid);
  EXPECT_NE(c.error().message.find("MARKETLINK_WORKER_THREADS"), std::string::npos);
  auto zero = config_from_environment(env_of({{"MARKETLINK_WORKER_THREADS", "0"}}));
  EXPECT_FALSE(zero.ok());
}

TEST(Config, BadLogLevelIsRejected) {
  EXPECT_FALSE(config_from_environment(env_of({{"MARKETLINK_LOG_LEVEL", "loud"}})).ok());
}

TEST(Config, JobAndSmtpSettings) {
  auto defaults = config_from_environment(env_of({}));
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->job_workers, 2);
  EXPECT_EQ(defaults->job_lease_seconds, 60);
  EXPECT_EQ(defaults->job_poll_ms, 1000);
  EXPECT_FALSE(defaults->smtp_starttls);

  auto c = config_from_environment(env_of({{"MARKETLINK_JOB_WORKERS", "0"},
                                           {"MARKETLINK_JOB_LEASE", "30"},
                                           {"MARKETLINK_JOB_POLL_MS", "250"},
                                           {"MARKETLINK_SMTP_USERNAME", "mailer"},
                                           {"MARKETLINK_SMTP_PASSWORD", "secret"},
                                           {"MARKETLINK_SMTP_STARTTLS", "yes"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->job_workers, 0);
  EXPECT_EQ(c->job_lease_seconds, 30);
  EXPECT_EQ(c->job_poll_ms, 250);
  EXPECT_EQ(c->smtp_username, "mailer");
  EXPECT_EQ(c->smtp_password, "secret");
  EXPECT_TRUE(c->smtp_starttls);

  auto bad_bool = config_from_environment(env_of({{"MARKETLINK_SMTP_STARTTLS", "maybe"}}));
  ASSERT_FALSE(bad_bool.ok());
  EXPECT_NE(bad_bool.error().message.find("MARKETLINK_SMTP_STARTTLS"), std::string::npos);
  EXPECT_FALSE(config_from_environment(env_of({{"MARKETLINK_JOB_LEASE", "1"}})).ok());
}

TEST(HostPort, ParsesIpv4Ipv6AndRejectsJunk) {
  auto a = parse_host_port("127.0.0.1:0");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 0);
  auto b = parse_host_port("[::1]:8080");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 8080);
  for (const char* bad : {"", "8080", ":80", "host:", "host:99999", "host:80x", "[::1]8080"}) {
    EXPECT_FALSE(parse_host_port(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace core
