#include "mail/smtp_mailer.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "mail/mail_test_support.h"

namespace mail {
namespace {

// The SMTP server the test command starts (aiosmtpd writing a Maildir). Run by the test command
// (MARKETLINK_TEST_REQUIRE_PG=1), a missing server fails the test; elsewhere it skips.
#define MARKETLINK_REQUIRE_TEST_SMTP(url, maildir)                                \
  do {                                                                            \
    const char* u = std::getenv("MARKETLINK_TEST_SMTP_URL");                      \
    const char* d = std::getenv("MARKETLINK_TEST_SMTP_MAILDIR");                  \
    const char* require = std::getenv("MARKETLINK_TEST_REQUIRE_PG");              \
    if (u == nullptr || *u == '\0' || d == nullptr || *d == '\0') {               \
      if (require != nullptr && std::string(require) == "1")                      \
        FAIL() << "MARKETLINK_TEST_REQUIRE_PG=1 but MARKETLINK_TEST_SMTP_URL or " \
                  "MARKETLINK_TEST_SMTP_MAILDIR is unset";                        \
      GTEST_SKIP() << "MARKETLINK_TEST_SMTP_URL is unset; SMTP cases skipped";    \
    }                                                                             \
    (url) = u;                                                                    \
    (maildir) = d;                                                                \
  } while (0)

// A local port with nothing listening on it.
int closed_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ADD_FAILURE() << "no free local port";
  }
  close(fd);
  return ntohs(addr.sin_port);
}

class SmtpMailerTest : public ::testing::Test {
 protected:
  std::unique_ptr<Mailer> mailer(MailerSettings settings) {
    settings.from = "Marketlink Notifications <notify@marketlink.test>";
    auto m = make_mailer(settings, clock_, ids_);
    EXPECT_TRUE(m.ok());
    return m.ok() ? std::move(m).value() : nullptr;
  }
  core::SystemClock clock_;
  core::RandomIdGenerator ids_;
};

TEST_F(SmtpMailerTest, DeliversAMultipartMessageToARealServer) {
  std::string url, maildir;
  MARKETLINK_REQUIRE_TEST_SMTP(url, maildir);
  auto m = mailer({.smtp_url = url});
  const std::string token = core::base64url_encode(core::random_bytes(9));
  const Message message{
      .to = "buyer@example.com",
      .subject = "Confirmez votre adresse ✓ " + token,
      .text_body = "Bonjour,\n.\nA line that is only a dot, and one that starts with one:\n.x\n",
      .html_body = "<p>Bonjour,</p>\n<p>Cliquez <a href=\"https://example.com/v\">ici</a>.</p>"};
  auto sent = m->send(message);
  ASSERT_TRUE(sent.ok()) << sent.error().message;

  auto parsed = testing::wait_for_message(maildir, message.subject, std::chrono::seconds(10));
  ASSERT_TRUE(parsed) << "the message did not arrive in " << maildir;
  EXPECT_EQ(parsed->header("from"), "Marketlink Notifications <notify@marketlink.test>");
  EXPECT_EQ(parsed->header("to"), "buyer@example.com");
  EXPECT_TRUE(parsed->header("message-id").ends_with("@marketlink.test>"));
  EXPECT_FALSE(parsed->header("date").empty());
  EXPECT_EQ(parsed->header("x-mailfrom"), "notify@marketlink.test");
  EXPECT_EQ(parsed->header("x-rcptto"), "buyer@example.com");
  EXPECT_EQ(parsed->content_type, "multipart/alternative");
  EXPECT_EQ(parsed->text, message.text_body);
  EXPECT_EQ(parsed->html, message.html_body);
}

TEST_F(SmtpMailerTest, RequiredStarttlsFailsAgainstAServerWithoutIt) {
  std::string url, maildir;
  MARKETLINK_REQUIRE_TEST_SMTP(url, maildir);
  auto m = mailer({.smtp_url = url, .starttls = true});
  auto r = m->send({.to = "a@example.com", .subject = "s", .text_body = "t"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kUnavailable) << r.error().message;
}

TEST_F(SmtpMailerTest, UnreachableServerIsUnavailable) {
  auto m = mailer({.smtp_url = "smtp://127.0.0.1:" + std::to_string(closed_port()),
                   .username = "user",
                   .password = "s3cret-password",
                   .connect_timeout = std::chrono::milliseconds(2000)});
  auto r = m->send({.to = "a@example.com", .subject = "s", .text_body = "t"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message.find("s3cret"), std::string::npos);
}

TEST_F(SmtpMailerTest, InvalidMessageIsRefusedBeforeConnecting) {
  auto m = mailer({.smtp_url = "smtp://127.0.0.1:" + std::to_string(closed_port())});
  EXPECT_EQ(m->send({.to = "no-at-sign", .subject = "s", .text_body = "t"}).error().code,
            core::ErrorCode::kInvalid);
}

}  // namespace
}  // namespace mail
