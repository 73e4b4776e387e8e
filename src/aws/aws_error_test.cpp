#include "aws/aws_error.h"

#include <gtest/gtest.h>

namespace aws {
namespace {

HttpResponse answer(int status, std::string body, std::vector<Header> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST(ParseError, JsonTakesTheTypeAfterTheLastHashAndBeforeAColon) {
  auto e = parse_error(Protocol::kJson,
                       answer(400,
                              R"({"__type":"com.amazon.coral.service#ThrottlingException",
                                  "message":"Rate exceeded"})",
                              {{"x-amzn-RequestId", "rid-1"}}));
  EXPECT_EQ(e.code, "ThrottlingException");
  EXPECT_EQ(e.message, "Rate exceeded");
  EXPECT_EQ(e.request_id, "rid-1");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_TRUE(e.retryable);

  e = parse_error(Protocol::kJson,
                  answer(400, R"({"__type":"aws.mp#InvalidTokenException:http://internal/x#y",
                                  "Message":"bad token"})"));
  EXPECT_EQ(e.code, "InvalidTokenException");
  EXPECT_EQ(e.message, "bad token");
  EXPECT_FALSE(e.retryable);
}

TEST(ParseError, JsonFallsBackOnTheErrorTypeHeaderAndTheStatus) {
  auto e = parse_error(Protocol::kJson, answer(400, R"({"message":"m"})",
                                               {{"X-Amzn-ErrorType", "ValidationException:uri"}}));
  EXPECT_EQ(e.code, "ValidationException");
  // The body's __type wins over the header, as in botocore.
  e = parse_error(Protocol::kJson, answer(400, R"({"__type":"A"})", {{"x-amzn-ErrorType", "B"}}));
  EXPECT_EQ(e.code, "A");
  // awsQueryCompatible services name the query code in a header.
  e = parse_error(
      Protocol::kJson,
      answer(400, R"({"__type":"QueueDoesNotExist"})",
             {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}}));
  EXPECT_EQ(e.code, "AWS.SimpleQueueService.NonExistentQueue");
  // A body that is not JSON becomes the message; the code comes from the status.
  e = parse_error(Protocol::kJson, answer(413, "Request too large"));
  EXPECT_EQ(e.code, "RequestEntityTooLarge");
  EXPECT_EQ(e.message, "Request too large");
}

TEST(ParseError, RestJsonPrefersTheHeaderThenTheBodyCode) {
  auto e = parse_error(Protocol::kRestJson,
                       answer(404, R"({"message":"No contact","code":"Other"})",
                              {{"x-amzn-ErrorType", "ResourceNotFoundException:http://x/"},
                               {"x-amzn-RequestId", "r"}}));
  EXPECT_EQ(e.code, "ResourceNotFoundException");
  EXPECT_EQ(e.message, "No contact");
  EXPECT_EQ(e.request_id, "r");
  e = parse_error(Protocol::kRestJson, answer(400, R"({"code":"ValidationException"})"));
  EXPECT_EQ(e.code, "ValidationException");
  e = parse_error(Protocol::kRestJson, answer(429, R"({"Code":"TooManyRequestsException"})"));
  EXPECT_EQ(e.code, "TooManyRequestsException");
  EXPECT_TRUE(e.retryable);
}

TEST(ParseError, QueryReadsErrorResponse) {
  auto e =
      parse_error(Protocol::kQuery,
                  answer(409, R"(<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error><Type>Sender</Type><Code>EntityAlreadyExists</Code>
    <Message>User with name ops already exists.</Message></Error>
  <RequestId>4a1b2c3d</RequestId>
</ErrorResponse>)"));
  EXPECT_EQ(e.code, "EntityAlreadyExists");
  EXPECT_EQ(e.message, "User with name ops already exists.");
  EXPECT_EQ(e.request_id, "4a1b2c3d");
  EXPECT_FALSE(e.retryable);
  // Wrapped in <Errors> (EC2 style), with RequestID.
  e = parse_error(Protocol::kQuery,
                  answer(503,
                         "<Response><Errors><Error><Code>RequestLimitExceeded</Code>"
                         "<Message>slow</Message></Error></Errors>"
                         "<RequestID>x</RequestID></Response>"));
  EXPECT_EQ(e.code, "RequestLimitExceeded");
  EXPECT_EQ(e.request_id, "x");
  EXPECT_TRUE(e.retryable);
  // Throttling from STS is a 400.
  e = parse_error(Protocol::kQuery,
                  answer(400,
                         "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded"
                         "</Message></Error><RequestId>q</RequestId></ErrorResponse>"));
  EXPECT_EQ(e.code, "Throttling");
  EXPECT_TRUE(e.retryable);
}

TEST(ParseError, S3ReadsErrorBodiesAndStatusOnlyAnswers) {
  auto e = parse_error(Protocol::kRestXml, answer(404, R"(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>
<BucketName>b</BucketName><RequestId>body-id</RequestId><HostId>h</HostId></Error>)",
                                                  {{"x-amz-request-id", "hdr-id"}}));
  EXPECT_EQ(e.code, "NoSuchBucket");
  EXPECT_EQ(e.message, "The specified bucket does not exist");
  EXPECT_EQ(e.request_id, "hdr-id");
  e = parse_error(Protocol::kRestXml, answer(503, "<Error><Code>SlowDown</Code></Error>"));
  EXPECT_EQ(e.code, "SlowDown");
  EXPECT_TRUE(e.retryable);

  e = parse_error(Protocol::kRestXml, answer(404, "", {{"x-amz-request-id", "head-id"}}));
  EXPECT_EQ(e.code, "NotFound");
  EXPECT_EQ(e.message, "Not Found");
  EXPECT_EQ(e.request_id, "head-id");
  EXPECT_EQ(parse_error(Protocol::kRestXml, answer(403, "")).code, "Forbidden");
  EXPECT_EQ(parse_error(Protocol::kRestXml, answer(400, "")).code, "BadRequest");
  EXPECT_EQ(parse_error(Protocol::kRestXml, answer(301, "")).code, "MovedPermanently");
  EXPECT_EQ(parse_error(Protocol::kRestXml, answer(418, "")).code, "Http418");
  // Garbage that is not XML falls back on the status as well.
  EXPECT_EQ(parse_error(Protocol::kRestXml, answer(403, "<Err")).code, "Forbidden");
}

TEST(ParseError, GenericServerErrorsUseTheStatus) {
  for (Protocol p : {Protocol::kJson, Protocol::kQuery, Protocol::kRestJson, Protocol::kRestXml}) {
    auto e = parse_error(p, answer(503, "<html><body>Service Unavailable</body></html>"));
    EXPECT_EQ(e.code, "ServiceUnavailable");
    EXPECT_EQ(e.message, "Service Unavailable");
    EXPECT_TRUE(e.retryable);
    e = parse_error(p, answer(502, ""));
    EXPECT_EQ(e.code, "BadGateway");
    EXPECT_TRUE(e.retryable);
  }
}

TEST(IsRetryable, ThrottlingTransientConcurrentAnd5xx) {
  for (const char* code : {"Throttling", "ThrottlingException", "TooManyRequestsException",
                           "RequestLimitExceeded", "SlowDown", "ConcurrentModificationException",
                           "RequestTimeout", "ConnectionError", "InternalFailure"}) {
    EXPECT_TRUE(is_retryable(code, 400)) << code;
  }
  EXPECT_TRUE(is_retryable("Anything", 500));
  EXPECT_TRUE(is_retryable("Anything", 503));
  EXPECT_TRUE(is_retryable("Anything", 429));
  EXPECT_FALSE(is_retryable("NotImplemented", 501));
  for (const char* code : {"ValidationException", "EntityAlreadyExists", "AccessDenied",
                           "InvalidTokenException", "LimitExceededException", "NoSuchEntity"}) {
    EXPECT_FALSE(is_retryable(code, 400)) << code;
  }
}

TEST(ToCoreError, MapsCodesAndKeepsTheAwsError) {
  auto core_code = [](std::string code, int status) {
    AwsError e{.code = code,
               .message = "m",
               .request_id = "r",
               .http_status = status,
               .retryable = is_retryable(code, status)};
    return to_core_error(e, "Op").code;
  };
  using core::ErrorCode;
  EXPECT_EQ(core_code("ThrottlingException", 400), ErrorCode::kUnavailable);
  EXPECT_EQ(core_code("InternalFailure", 500), ErrorCode::kUnavailable);
  EXPECT_EQ(core_code("NoSuchEntity", 404), ErrorCode::kNotFound);
  EXPECT_EQ(core_code("NotFound", 404), ErrorCode::kNotFound);
  EXPECT_EQ(core_code("AccountNotFoundException", 400), ErrorCode::kNotFound);
  EXPECT_EQ(core_code("AWSOrganizationsNotInUseException", 400), ErrorCode::kNotFound);
  EXPECT_EQ(core_code("EntityAlreadyExists", 409), ErrorCode::kConflict);
  EXPECT_EQ(core_code("BucketAlreadyOwnedByYou", 409), ErrorCode::kConflict);
  EXPECT_EQ(core_code("DuplicateReportNameException", 400), ErrorCode::kConflict);
  EXPECT_EQ(core_code("SignatureDoesNotMatch", 403), ErrorCode::kUnauthenticated);
  EXPECT_EQ(core_code("InvalidClientTokenId", 403), ErrorCode::kUnauthenticated);
  EXPECT_EQ(core_code("AccessDeniedException", 400), ErrorCode::kForbidden);
  EXPECT_EQ(core_code("Forbidden", 403), ErrorCode::kForbidden);
  EXPECT_EQ(core_code("ValidationException", 400), ErrorCode::kInvalid);
  EXPECT_EQ(core_code("InvalidTokenException", 400), ErrorCode::kInvalid);
  EXPECT_EQ(core_code("PermanentRedirect", 301), ErrorCode::kInternal);

  const AwsError e{.code = "NoSuchBucket",
                   .message = "gone",
                   .request_id = "rid",
                   .http_status = 404,
                   .retryable = false};
  const core::Error err = to_core_error(e, "HeadBucket");
  EXPECT_EQ(err.message, "AWS HeadBucket failed: NoSuchBucket: gone");
  EXPECT_EQ(aws_error_code(err), "NoSuchBucket");
  const auto back = aws_error_of(err);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->request_id, "rid");
  EXPECT_EQ(back->http_status, 404);
  EXPECT_EQ(back->message, "gone");
  EXPECT_FALSE(aws_error_of(core::invalid("not from AWS")));
  EXPECT_EQ(aws_error_code(core::invalid("x")), "");
}

TEST(EncodeError, WhatTheSimulatorSendsParsesBackPerService) {
  const AwsError e{.code = "ThrottlingException",
                   .message = "Rate <exceeded> & more",
                   .request_id = "rid-9",
                   .http_status = 400,
                   .retryable = true};
  for (Service s :
       {Service::kMetering, Service::kAccount, Service::kIam, Service::kS3, Service::kSqs}) {
    const HttpResponse wire = encode_error(s, e);
    const AwsError back = parse_error(service_info(s).protocol, wire);
    EXPECT_EQ(back.code, e.code) << service_info(s).name;
    EXPECT_EQ(back.message, e.message) << service_info(s).name;
    EXPECT_EQ(back.request_id, e.request_id) << service_info(s).name;
    EXPECT_EQ(back.http_status, 400);
    EXPECT_TRUE(back.retryable);
  }
  const HttpResponse query = encode_error(Service::kSts, {.code = "X", .http_status = 500});
  EXPECT_NE(query.body.find("<Type>Receiver</Type>"), std::string::npos);
  EXPECT_NE(query.body.find("xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\""),
            std::string::npos);
  const HttpResponse head =
      encode_error(Service::kS3, {.code = "NotFound", .http_status = 404}, /*head=*/true);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(parse_error(Protocol::kRestXml, head).code, "NotFound");
}

}  // namespace
}  // namespace aws
