// Webhook signatures and endpoint address rules (no database: the deliveries themselves are
// tested end to end in app/webhook_delivery_test.cpp, with a real receiver).
#include <gtest/gtest.h>

#include "saas/outbox.h"
#include "saas/webhooks.h"

namespace saas {
namespace {

TEST(WebhookSignatureTest, SignsTimestampDotBodyWithHmacSha256) {
  // HMAC-SHA256("secret", "1700000000.{}") computed independently (Python's hmac module).
  EXPECT_EQ(webhook_signature("secret", 1700000000, "{}"),
            "t=1700000000,v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163");
}

TEST(WebhookSignatureTest, VerifiesOnlyTheSameSecretBodyAndARecentTime) {
  const std::string body = R"({"id":"e1","type":"linked"})";
  const std::string header = webhook_signature("whsec_abc", 1700000000, body);
  EXPECT_TRUE(verify_webhook_signature("whsec_abc", header, body, 1700000000));
  EXPECT_TRUE(verify_webhook_signature("whsec_abc", header, body, 1700000000 + 299));
  EXPECT_FALSE(verify_webhook_signature("whsec_abc", header, body, 1700000000 + 301));
  EXPECT_FALSE(verify_webhook_signature("whsec_abd", header, body, 1700000000));
  EXPECT_FALSE(verify_webhook_signature("whsec_abc", header, body + " ", 1700000000));
  // The timestamp is signed too: moving it breaks the signature.
  std::string moved = header;
  moved.replace(2, 10, "1700000001");
  EXPECT_FALSE(verify_webhook_signature("whsec_abc", moved, body, 1700000001));
  EXPECT_FALSE(verify_webhook_signature("whsec_abc", "", body, 1700000000));
  EXPECT_FALSE(verify_webhook_signature("whsec_abc", "t=x,v1=00", body, 1700000000));
}

TEST(WebhookUrlTest, HttpsAnywhereAndPlainHttpOnlyToLoopback) {
  EXPECT_TRUE(is_webhook_url("https://hooks.seller.example/marketlink?x=1"));
  EXPECT_TRUE(is_webhook_url("https://hooks.seller.example:8443"));
  EXPECT_TRUE(is_webhook_url("http://127.0.0.1:9000/hook"));
  EXPECT_TRUE(is_webhook_url("http://localhost/hook"));
  EXPECT_TRUE(is_webhook_url("http://[::1]:9000/hook"));
  EXPECT_FALSE(is_webhook_url("http://hooks.seller.example/hook"));
  EXPECT_FALSE(is_webhook_url("http://127.0.0.1.evil.example/hook"));
  EXPECT_FALSE(is_webhook_url("http://localhost@evil.example/hook"));
  EXPECT_FALSE(is_webhook_url("https://user:pw@hooks.seller.example/"));
  EXPECT_FALSE(is_webhook_url("ftp://hooks.seller.example/"));
  EXPECT_FALSE(is_webhook_url("https:///nohost"));
  EXPECT_FALSE(is_webhook_url("https://hooks.seller.example/a b"));
  EXPECT_FALSE(is_webhook_url("https://x.example/" + std::string(2000, 'a')));
}

}  // namespace
}  // namespace saas
