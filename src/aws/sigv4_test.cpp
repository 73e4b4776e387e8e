#include "aws/sigv4.h"

#include <gtest/gtest.h>

namespace aws {
namespace {

using namespace std::chrono_literals;

const Credentials kCreds{.access_key_id = "AKIDEXAMPLE",
                         .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};

core::TimePoint at(std::string_view amz_date) { return *parse_amz_date(amz_date); }

KeyLookup lookup_for(const Credentials& c) {
  return [c](std::string_view key) -> std::optional<VerificationKey> {
    if (key != c.access_key_id) return std::nullopt;
    return VerificationKey{c.secret_access_key, c.session_token};
  };
}

HttpRequest iam_list_users() {
  HttpRequest r;
  r.method = "GET";
  r.path = "/";
  r.query = {{"Action", "ListUsers"}, {"Version", "2010-05-08"}};
  r.headers = {{"Host", "iam.amazonaws.com"},
               {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  return r;
}

TEST(SigV4, SigningKeyMatchesTheDocumentedExample) {
  EXPECT_EQ(hex_encode(signing_key(kCreds.secret_access_key, "20150830", "us-east-1", "iam")),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

TEST(SigV4, SignsTheDocumentedIamExample) {
  HttpRequest r = iam_list_users();
  const auto result = sign_request(
      r, kCreds, {.region = "us-east-1", .service = "iam", .time = at("20150830T123600Z")});
  EXPECT_EQ(result.signature, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
  EXPECT_EQ(r.header("X-Amz-Date"), "20150830T123600Z");
  EXPECT_EQ(r.header("Authorization"), result.authorization);
}

TEST(SigV4, AmzDateRoundTrips) {
  const auto t = at("20261123T095256Z");
  EXPECT_EQ(format_amz_date(t), "20261123T095256Z");
  EXPECT_FALSE(parse_amz_date("2026-11-23T09:52:56Z"));
  EXPECT_FALSE(parse_amz_date("20261123T095256"));
}

TEST(SigV4, CanonicalUriNormalizesAndEncodesTwiceExceptForS3) {
  EXPECT_EQ(canonical_uri("", false), "/");
  EXPECT_EQ(canonical_uri("/a/./b/../c//d/", false), "/a/c/d/");
  EXPECT_EQ(canonical_uri("/a%20b", false), "/a%2520b");
  EXPECT_EQ(canonical_uri("/a b", false), "/a%20b");
  EXPECT_EQ(canonical_uri("/a%20b//c/../d", true), "/a%20b//c/../d");
  EXPECT_EQ(canonical_uri("", true), "/");
}

TEST(SigV4, CanonicalQuerySortsByEncodedNameThenValue) {
  EXPECT_EQ(canonical_query({{"b", "2"}, {"a", "z"}, {"a", "Y"}, {"c", ""}, {"a b", "1+1"}}),
            "a=Y&a=z&a%20b=1%2B1&b=2&c=");
}

TEST(SigV4, TokenIsSignedAndS3CarriesThePayloadHash) {
  Credentials creds = kCreds;
  creds.session_token = "token/with+chars";
  HttpRequest r;
  r.method = "PUT";
  r.path = "/bucket";
  r.query = {{"policy", ""}};
  r.headers = {{"Host", "s3.us-east-1.amazonaws.com"}};
  r.body = "{}";
  const auto result = sign_request(
      r, creds,
      {.region = "us-east-1", .service = "s3", .time = at("20150830T123600Z"), .s3_rules = true});
  EXPECT_EQ(r.header("X-Amz-Security-Token"), "token/with+chars");
  EXPECT_EQ(r.header("x-amz-content-sha256"), sha256_hex("{}"));
  EXPECT_NE(result.authorization.find(
                "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token"),
            std::string::npos);
  EXPECT_NE(result.canonical_request.find("\n/bucket\npolicy=\n"), std::string::npos);

  HttpRequest u = r;
  sign_request(u, creds,
               {.region = "us-east-1",
                .service = "s3",
                .time = at("20150830T123600Z"),
                .s3_rules = true,
                .unsigned_payload = true});
  EXPECT_EQ(u.header("x-amz-content-sha256"), kUnsignedPayload);
  EXPECT_TRUE(u.header("x-amz-content-sha256"));
}

TEST(SigV4, ParsesAuthorizationHeaders) {
  auto a = parse_authorization(
      "AWS4-HMAC-SHA256 Credential=AKID/20150830/eu-west-1/iam/aws4_request,SignedHeaders=Host;"
      "x-amz-date,  Signature=" +
      std::string(64, 'a'));
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->access_key_id, "AKID");
  EXPECT_EQ(a->date, "20150830");
  EXPECT_EQ(a->region, "eu-west-1");
  EXPECT_EQ(a->service, "iam");
  EXPECT_EQ(a->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));

  EXPECT_FALSE(parse_authorization("AWS4-HMAC-SHA1 Credential=a/b/c/d/aws4_request").ok());
  EXPECT_FALSE(parse_authorization("AWS4-HMAC-SHA256 Credential=AKID/20150830/r/s/aws4_request, "
                                   "SignedHeaders=host")
                   .ok());
  EXPECT_FALSE(parse_authorization("AWS4-HMAC-SHA256 Credential=AKID/20150830/r/aws4_request, "
                                   "SignedHeaders=host, Signature=" +
                                   std::string(64, 'a'))
                   .ok());
  EXPECT_FALSE(parse_authorization("AWS4-HMAC-SHA256 Credential=AKID/20150830/r/s/aws4_request, "
                                   "SignedHeaders=host, Signature=xyz")
                   .ok());
}

class SigV4Verify : public ::testing::Test {
 protected:
  void SetUp() override {
    request_ = iam_list_users();
    sign_request(request_, kCreds, {.region = "us-east-1", .service = "iam", .time = now_});
  }
  SigV4Verdict verify(const HttpRequest& r, VerifyParams p = {}) {
    if (p.now == core::TimePoint{}) p.now = now_;
    return verify_request(r, p, lookup_for(kCreds));
  }
  core::TimePoint now_ = at("20260101T000000Z");
  HttpRequest request_;
};

TEST_F(SigV4Verify, AcceptsAValidRequest) {
  const auto v = verify(request_, {.service = "iam", .region = "us-east-1"});
  EXPECT_TRUE(v.ok()) << v.message;
  EXPECT_EQ(v.authorization.access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(v.authorization.service, "iam");
}

TEST_F(SigV4Verify, ReportsAMissingHeader) {
  HttpRequest r = request_;
  r.remove_header("Authorization");
  EXPECT_EQ(verify(r).failure, SigV4Failure::kMissingAuthentication);
}

TEST_F(SigV4Verify, ReportsMalformedHeaders) {
  HttpRequest r = request_;
  r.set_header("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1");
  EXPECT_EQ(verify(r).failure, SigV4Failure::kMalformed);
  r = request_;
  r.remove_header("X-Amz-Date");
  EXPECT_EQ(verify(r).failure, SigV4Failure::kMalformed);
}

TEST_F(SigV4Verify, ReportsTheWrongServiceAndRegion) {
  EXPECT_EQ(verify(request_, {.service = "sts"}).failure, SigV4Failure::kWrongService);
  EXPECT_EQ(verify(request_, {.region = "eu-west-1"}).failure, SigV4Failure::kWrongScope);
}

TEST_F(SigV4Verify, ReportsAnUnknownKey) {
  Credentials other = kCreds;
  other.access_key_id = "AKIDOTHER";
  HttpRequest r = iam_list_users();
  sign_request(r, other, {.region = "us-east-1", .service = "iam", .time = now_});
  EXPECT_EQ(verify(r).failure, SigV4Failure::kUnknownAccessKey);
}

TEST_F(SigV4Verify, ReportsATamperedRequest) {
  HttpRequest r = request_;
  r.query[0].second = "ListRoles";
  const auto v = verify(r);
  EXPECT_EQ(v.failure, SigV4Failure::kSignatureMismatch);
  EXPECT_NE(v.canonical_request.find("Action=ListRoles"), std::string::npos);

  r = request_;
  r.body = "x";
  EXPECT_EQ(verify(r).failure, SigV4Failure::kSignatureMismatch);

  // Unsigned headers may change freely.
  r = request_;
  r.headers.emplace_back("amz-sdk-invocation-id", "anything");
  r.headers.emplace_back("User-Agent", "test");
  EXPECT_TRUE(verify(r).ok());
}

TEST_F(SigV4Verify, ReportsSkewBeyondFifteenMinutes) {
  EXPECT_TRUE(verify(request_, {.now = now_ + 15min}).ok());
  EXPECT_TRUE(verify(request_, {.now = now_ - 15min}).ok());
  const auto late = verify(request_, {.now = now_ + 16min});
  EXPECT_EQ(late.failure, SigV4Failure::kRequestExpired);
  EXPECT_NE(late.message.find("Signature expired"), std::string::npos);
  EXPECT_EQ(verify(request_, {.now = now_ - 16min}).failure, SigV4Failure::kRequestExpired);
}

TEST_F(SigV4Verify, ChecksSessionTokens) {
  Credentials temp = kCreds;
  temp.session_token = "session";
  HttpRequest r = iam_list_users();
  sign_request(r, temp, {.region = "us-east-1", .service = "iam", .time = now_});
  EXPECT_TRUE(verify_request(r, {.now = now_}, lookup_for(temp)).ok());
  // Long-term key presented with a token, and a temporary key with the wrong token.
  EXPECT_EQ(verify(r).failure, SigV4Failure::kInvalidSessionToken);
  Credentials other = temp;
  other.session_token = "other";
  EXPECT_EQ(verify_request(r, {.now = now_}, lookup_for(other)).failure,
            SigV4Failure::kInvalidSessionToken);
}

TEST_F(SigV4Verify, S3ChecksTheContentHash) {
  HttpRequest r;
  r.method = "PUT";
  r.path = "/my-bucket/a%20key//x";
  r.headers = {{"Host", "s3.us-east-1.amazonaws.com"}};
  r.body = "data";
  sign_request(r, kCreds, {.region = "us-east-1", .service = "s3", .time = now_, .s3_rules = true});
  EXPECT_TRUE(verify(r, {.service = "s3", .s3_rules = true}).ok());
  // Without S3 rules the path would be normalized and encoded again: a different signature.
  EXPECT_EQ(verify(r, {.service = "s3"}).failure, SigV4Failure::kSignatureMismatch);
  HttpRequest tampered = r;
  tampered.body = "DATA";
  EXPECT_EQ(verify(tampered, {.s3_rules = true}).failure, SigV4Failure::kContentSha256Mismatch);

  HttpRequest unsigned_body = r;
  sign_request(unsigned_body, kCreds,
               {.region = "us-east-1",
                .service = "s3",
                .time = now_,
                .s3_rules = true,
                .unsigned_payload = true});
  unsigned_body.body = "anything";
  EXPECT_TRUE(verify(unsigned_body, {.s3_rules = true}).ok());
}

TEST(SigV4ErrorReply, MapsFailuresPerProtocol) {
  EXPECT_EQ(sigv4_error_reply(SigV4Failure::kSignatureMismatch, Protocol::kQuery).code,
            "SignatureDoesNotMatch");
  EXPECT_EQ(sigv4_error_reply(SigV4Failure::kSignatureMismatch, Protocol::kJson).code,
            "InvalidSignatureException");
  EXPECT_EQ(sigv4_error_reply(SigV4Failure::kWrongService, Protocol::kJson).code,
            "InvalidSignatureException");
  EXPECT_EQ(sigv4_error_reply(SigV4Failure::kMalformed, Protocol::kQuery).code,
            "IncompleteSignature");
  EXPECT_EQ(sigv4_error_reply(SigV4Failure::kUnknownAccessKey, Protocol::kQuery).code,
            "InvalidClientTokenId");
  EXPECT_EQ(sigv4_error_reply(SigV4Failure::kUnknownAccessKey, Protocol::kRestJson).code,
            "UnrecognizedClientException");
  EXPECT_EQ(sigv4_error_reply(SigV4Failure::kUnknownAccessKey, Protocol::kRestXml).code,
            "InvalidAccessKeyId");
  EXPECT_EQ(sigv4_error_reply(SigV4Failure::kRequestExpired, Protocol::kRestXml).code,
            "RequestTimeTooSkewed");
}

}  // namespace
}  // namespace aws
