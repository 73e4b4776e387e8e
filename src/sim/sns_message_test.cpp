// aws/sns_message.h against the simulator's SNS: what the simulator signs (both signature
// versions, notifications and confirmations) parses and verifies; any change to a signed
// field, another key, a swapped signature version, and certificate URLs that are not https,
// not .pem or not SNS's are refused.
#include "aws/sns_message.h"

#include <gtest/gtest.h>

#include "sim/simulator.h"
#include "sim/sns_signer.h"

namespace sim {
namespace {

using aws::sns::check_signing_cert_url;
using aws::sns::parse_sns_message;
using aws::sns::SnsMessage;
using aws::sns::verify_sns_signature;

// A body signed by `signer` as SNS would send it.
std::string signed_body(const SnsSigner& signer, const std::string& type,
                        std::vector<std::pair<std::string, std::string>> fields,
                        const std::string& version) {
  fields.emplace_back("Type", type);
  Json body = Json::object();
  for (const auto& [k, v] : fields) body[k] = v;
  body["SignatureVersion"] = version;
  body["Signature"] = signer.sign(sns_string_to_sign(type, fields), version);
  body["SigningCertURL"] = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem";
  return body.dump();
}

std::vector<std::pair<std::string, std::string>> notification_fields() {
  return {{"MessageId", "5f6e7a2b-0000-4000-8000-000000000001"},
          {"TopicArn", "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-p1"},
          {"Subject", "subscribe"},
          {"Message", R"({"action":"subscribe-success","customer-identifier":"c1"})"},
          {"Timestamp", "2026-03-01T10:00:00.123Z"},
          {"UnsubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe"}};
}

core::Status verify(const std::string& body, const std::string& pem) {
  auto m = parse_sns_message(body);
  if (!m) return std::move(m).error();
  return verify_sns_signature(*m, pem);
}

TEST(SnsMessage, WhatTheSimulatorSendsVerifiesWithBothVersions) {
  core::ManualClock clock(core::TimePoint(std::chrono::seconds(1'800'000'000)));
  Simulator sim({}, clock);
  ASSERT_TRUE(sim.create_product({{"product_code", "p1"},
                                  {"pricing_model", "subscription"},
                                  {"dimensions", {{{"name", "users"}}}},
                                  {"fulfillment_url", "http://127.0.0.1:9/f"}})
                  .ok());
  for (const char* version : {"1", "2"}) {
    ASSERT_TRUE(
        sim.subscribe_notifications({{"topic", "subscription"},
                                     {"product_code", "p1"},
                                     {"endpoint", std::string("http://127.0.0.1:9/v") + version},
                                     {"signature_version", version},
                                     {"auto_confirm", true}})
            .ok());
  }
  ASSERT_TRUE(sim.subscribe_notifications({{"topic", "entitlement"},
                                           {"product_code", "p1"},
                                           {"endpoint", "http://127.0.0.1:9/confirm"},
                                           {"signature_version", "2"}})
                  .ok());
  const Json buyer = sim.create_account(Json::object()).value();
  ASSERT_TRUE(
      sim.subscribe({{"buyer_account_id", buyer["account_id"]}, {"product_code", "p1"}}).ok());
  const auto deliveries = sim.take_deliveries();
  ASSERT_EQ(deliveries.size(), 3u);
  const std::string pem = sim.sns_certificate_pem();
  std::vector<std::string> types, versions;
  for (const auto& d : deliveries) {
    auto m = parse_sns_message(d.body);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_TRUE(verify_sns_signature(*m, pem).ok()) << d.url;
    types.push_back(m->type);
    versions.push_back(m->signature_version);
    if (m->is_notification()) {
      EXPECT_FALSE(m->unsubscribe_url.empty());
      EXPECT_NE(m->message.find("subscribe-success"), std::string::npos);
    } else {
      EXPECT_FALSE(m->token.empty());
      EXPECT_NE(m->subscribe_url.find("Action=ConfirmSubscription"), std::string::npos);
    }
    // The simulator's certificate URL is plain http on its own host: trusted only when listed
    // as such.
    const std::string origin = sim.base_url();
    EXPECT_FALSE(check_signing_cert_url(m->signing_cert_url, {}).ok());
    EXPECT_FALSE(check_signing_cert_url(m->signing_cert_url, {origin.substr(7)}).ok());
    EXPECT_TRUE(check_signing_cert_url(m->signing_cert_url, {origin}).ok());
  }
  EXPECT_EQ(types,
            (std::vector<std::string>{"SubscriptionConfirmation", "Notification", "Notification"}));
  EXPECT_EQ(versions, (std::vector<std::string>{"2", "1", "2"}));
}

TEST(SnsMessage, AnyChangedFieldIsRefused) {
  const SnsSigner signer;
  for (const char* version : {"1", "2"}) {
    SCOPED_TRACE(version);
    const std::string body = signed_body(signer, "Notification", notification_fields(), version);
    ASSERT_TRUE(verify(body, signer.certificate_pem()).ok());
    auto m = parse_sns_message(body);
    ASSERT_TRUE(m.ok());
    ASSERT_EQ(m->subject, "subscribe");
    ASSERT_EQ(m->time, *core::parse_rfc3339("2026-03-01T10:00:00.123Z"));
    for (const char* field : {"Message", "MessageId", "Subject", "Timestamp", "TopicArn"}) {
      Json changed = Json::parse(body);
      std::string value = changed[field];
      value[value.size() - 2] = value[value.size() - 2] == '1' ? '2' : '1';
      changed[field] = value;
      EXPECT_FALSE(verify(changed.dump(), signer.certificate_pem()).ok()) << field;
    }
    Json no_subject = Json::parse(body);
    no_subject.erase("Subject");
    EXPECT_FALSE(verify(no_subject.dump(), signer.certificate_pem()).ok());
    // The unsigned UnsubscribeURL may change without breaking the signature, as on SNS.
    Json unsigned_field = Json::parse(body);
    unsigned_field["UnsubscribeURL"] = "https://elsewhere.example/";
    EXPECT_TRUE(verify(unsigned_field.dump(), signer.certificate_pem()).ok());
  }
}

TEST(SnsMessage, AnotherKeyOrASwappedVersionIsRefused) {
  const SnsSigner signer, other;
  const std::string v1 = signed_body(signer, "Notification", notification_fields(), "1");
  const std::string v2 = signed_body(signer, "Notification", notification_fields(), "2");
  EXPECT_TRUE(verify(v1, signer.certificate_pem()).ok());
  EXPECT_TRUE(verify(v2, signer.certificate_pem()).ok());
  auto refused = verify(v1, other.certificate_pem());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().slug, "sns_signature");
  EXPECT_FALSE(verify(v2, other.certificate_pem()).ok());

  Json swapped = Json::parse(v1);
  swapped["SignatureVersion"] = "2";
  EXPECT_FALSE(verify(swapped.dump(), signer.certificate_pem()).ok());
  swapped = Json::parse(v2);
  swapped["SignatureVersion"] = "1";
  EXPECT_FALSE(verify(swapped.dump(), signer.certificate_pem()).ok());
  swapped["SignatureVersion"] = "3";
  EXPECT_FALSE(verify(swapped.dump(), signer.certificate_pem()).ok());

  Json garbage = Json::parse(v1);
  garbage["Signature"] = "not base64 !";
  EXPECT_FALSE(verify(garbage.dump(), signer.certificate_pem()).ok());
  EXPECT_FALSE(verify(v1, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").ok());
}

TEST(SnsMessage, ConfirmationsSignTokenAndSubscribeUrl) {
  const SnsSigner signer;
  for (const char* type : {"SubscriptionConfirmation", "UnsubscribeConfirmation"}) {
    SCOPED_TRACE(type);
    const std::string body = signed_body(
        signer, type,
        {{"MessageId", "m-1"},
         {"Token", "2336412f37fb687f5d51e6e2425"},
         {"TopicArn", "arn:aws:sns:us-east-1:287250355862:aws-mp-entitlement-notification-p1"},
         {"Message", "You have chosen to subscribe to the topic."},
         {"SubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription"},
         {"Timestamp", "2026-03-01T10:00:00.000Z"}},
        "1");
    auto m = parse_sns_message(body);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->type, type);
    EXPECT_TRUE(verify_sns_signature(*m, signer.certificate_pem()).ok());
    for (const char* field : {"Token", "SubscribeURL", "Type"}) {
      Json changed = Json::parse(body);
      changed[field] =
          std::string(field) == "Type"
              ? (std::string(type) == "SubscriptionConfirmation" ? "UnsubscribeConfirmation"
                                                                 : "SubscriptionConfirmation")
              : "changed";
      EXPECT_FALSE(verify(changed.dump(), signer.certificate_pem()).ok()) << field;
    }
    Json no_token = Json::parse(body);
    no_token.erase("Token");
    auto missing = parse_sns_message(no_token.dump());
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().slug, "sns_malformed");
  }
}

TEST(SnsMessage, StringToSignMatchesTheSimulators) {
  auto fields = notification_fields();
  fields.emplace_back("Type", "Notification");
  SnsMessage m;
  for (const auto& [k, v] : fields) {
    if (k == "Type") m.type = v;
    if (k == "MessageId") m.message_id = v;
    if (k == "TopicArn") m.topic_arn = v;
    if (k == "Subject") m.subject = v;
    if (k == "Message") m.message = v;
    if (k == "Timestamp") m.timestamp = v;
  }
  EXPECT_EQ(aws::sns::sns_string_to_sign(m), sns_string_to_sign("Notification", fields));
  EXPECT_EQ(aws::sns::sns_string_to_sign(m),
            "Message\n" + m.message + "\nMessageId\n" + m.message_id +
                "\nSubject\nsubscribe\nTimestamp\n2026-03-01T10:00:00.123Z\nTopicArn\n" +
                m.topic_arn + "\nType\nNotification\n");
}

TEST(SnsMessage, MalformedBodiesAreRefused) {
  for (const char* body : {"", "not json", "[]", R"({"Type": "Notification"})",
                           R"({"Type": "Bogus", "MessageId": "m"})"}) {
    auto m = parse_sns_message(body);
    ASSERT_FALSE(m.ok()) << body;
    EXPECT_EQ(m.error().slug, "sns_malformed") << body;
  }
  const SnsSigner signer;
  Json body = Json::parse(signed_body(signer, "Notification", notification_fields(), "1"));
  body["Timestamp"] = "yesterday";
  EXPECT_FALSE(parse_sns_message(body.dump()).ok());
  body["Timestamp"] = 12;
  EXPECT_FALSE(parse_sns_message(body.dump()).ok());
}

TEST(SnsMessage, SigningCertUrlMustBeHttpsPemOnSnsOrAListedHost) {
  const std::vector<std::string> none;
  for (const char* good :
       {"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem",
        "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-1.pem",
        "https://SNS.eu-west-1.amazonaws.com/a/b.pem"}) {
    EXPECT_TRUE(check_signing_cert_url(good, none).ok()) << good;
  }
  for (const char* bad :
       {"http://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.crt",
        "https://sns.us-east-1.amazonaws.com/", "https://sns.us-east-1.amazonaws.com",
        "https://sns.us-east-1.amazonaws.com/x.pem.txt",
        "https://sns.us-east-1.amazonaws.com.evil.example/x.pem",
        "https://evil.example/sns.us-east-1.amazonaws.com/x.pem",
        "https://sns.us-east-1.amazonaws.com@evil.example/x.pem",
        "https://sns.us-east-1.amazonaws.com:8443/x.pem", "https://sns.ab.amazonaws.com/x.pem",
        "https://sns.us_east.amazonaws.com/x.pem", "https://s3.amazonaws.com/x.pem",
        "ftp://sns.us-east-1.amazonaws.com/x.pem", "sns.us-east-1.amazonaws.com/x.pem", ""}) {
    auto s = check_signing_cert_url(bad, none);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().slug, "sns_cert_url") << bad;
  }
  // Listed hosts: exactly that authority; plain http only when listed with http://.
  const std::vector<std::string> listed = {"127.0.0.1:4566", "http://localhost:9000"};
  EXPECT_TRUE(check_signing_cert_url("https://127.0.0.1:4566/cert.pem", listed).ok());
  EXPECT_FALSE(check_signing_cert_url("http://127.0.0.1:4566/cert.pem", listed).ok());
  EXPECT_FALSE(check_signing_cert_url("https://127.0.0.1:4567/cert.pem", listed).ok());
  EXPECT_FALSE(check_signing_cert_url("https://127.0.0.1:4566/cert.txt", listed).ok());
  EXPECT_TRUE(check_signing_cert_url("http://localhost:9000/_sim/sns/x.pem", listed).ok());
  EXPECT_TRUE(check_signing_cert_url("https://localhost:9000/_sim/sns/x.pem", listed).ok());
  EXPECT_FALSE(check_signing_cert_url("http://localhost:9001/_sim/sns/x.pem", listed).ok());
}

}  // namespace
}  // namespace sim
