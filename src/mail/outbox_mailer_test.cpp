#include "mail/outbox_mailer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "mail/mail_test_support.h"

namespace mail {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class OutboxMailerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string suffix = core::base64url_encode(core::random_bytes(6));
    dir_ = fs::temp_directory_path() / ("marketlink-outbox-" + suffix);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  core::Result<std::unique_ptr<Mailer>> mailer(const fs::path& outbox) {
    return make_mailer({.from = "Marketlink <no-reply@example.test>", .outbox_dir = outbox}, clock_,
                       ids_);
  }

  fs::path dir_;
  core::ManualClock clock_{*core::parse_rfc3339("2026-03-01T10:00:00Z")};
  core::SequentialIdGenerator ids_{"m"};
};

TEST_F(OutboxMailerTest, WritesOneParseableEmlFileIntoAFolderItCreates) {
  auto m = mailer(dir_ / "outbox");
  ASSERT_TRUE(m.ok()) << m.error().message;
  const Message message{.to = "buyer@example.com",
                        .subject = "Willkommen bei Marketlink",
                        .text_body = "Grüße!\n",
                        .html_body = "<p>Grüße!</p>"};
  ASSERT_TRUE((*m)->send(message).ok());

  const auto files = testing::eml_files(dir_ / "outbox");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].filename().string(), "20260301T100000.000Z-m-000001.eml");
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_ / "outbox")) ++entries;
  EXPECT_EQ(entries, 1u) << "a temporary file was left behind";

  std::string error;
  auto parsed = testing::parse_message(read_file(files[0]), error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_EQ(parsed->header("to"), "buyer@example.com");
  EXPECT_EQ(parsed->header("from"), "Marketlink <no-reply@example.test>");
  EXPECT_EQ(parsed->header("subject"), message.subject);
  EXPECT_EQ(parsed->header("message-id"), "<m-000001@example.test>");
  EXPECT_EQ(parsed->text, message.text_body);
  EXPECT_EQ(parsed->html, message.html_body);
}

TEST_F(OutboxMailerTest, ConcurrentSendsWriteSeparateFiles) {
  auto m = mailer(dir_);
  ASSERT_TRUE(m.ok());
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < 5; ++j) {
        EXPECT_TRUE(
            (*m)->send(
                    {.to = "a@b.c", .subject = "n" + std::to_string(i * 10 + j), .text_body = "t"})
                .ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(testing::eml_files(dir_).size(), 20u);
}

TEST_F(OutboxMailerTest, RefusesInvalidMessagesAndReportsAnUnwritableFolder) {
  auto m = mailer(dir_);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)->send({.to = "nobody", .subject = "s", .text_body = "t"}).error().code,
            core::ErrorCode::kInvalid);

  fs::create_directories(dir_);
  std::ofstream(dir_ / "a-file") << "x";
  auto blocked = mailer(dir_ / "a-file" / "outbox");
  ASSERT_TRUE(blocked.ok());
  auto r = (*blocked)->send({.to = "a@b.c", .subject = "s", .text_body = "t"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kUnavailable);
}

TEST(MakeMailer, RefusesABadSenderOrScheme) {
  core::SystemClock clock;
  core::SequentialIdGenerator ids;
  EXPECT_EQ(make_mailer({.from = "not a mailbox"}, clock, ids).error().code,
            core::ErrorCode::kInvalid);
  auto bad_scheme = make_mailer({.smtp_url = "http://user:secret@mail.example.com"}, clock, ids);
  ASSERT_FALSE(bad_scheme.ok());
  EXPECT_EQ(bad_scheme.error().message.find("secret"), std::string::npos);
}

TEST(MakeMailer, DescribesTheTransportWithoutCredentials) {
  EXPECT_EQ(describe_transport({.smtp_url = "smtps://user:secret@mail.example.com:465"}),
            "smtps://mail.example.com:465");
  EXPECT_EQ(describe_transport({.smtp_url = "smtp://127.0.0.1:2525"}), "smtp://127.0.0.1:2525");
  EXPECT_EQ(describe_transport({.outbox_dir = "./var/outbox"}), "outbox ./var/outbox");
}

}  // namespace
}  // namespace mail
