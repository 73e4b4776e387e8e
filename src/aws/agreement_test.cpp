// The Agreement Service's codec beyond the botocore cross-check: json 1.0 on the wire, term
// types Marketlink does not model skipped rather than refused, and the helpers that find the
// free trial and validity terms.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "aws/agreement.h"
#include "aws/aws_error.h"

namespace aws::agreement {
namespace {

using nlohmann::json;

TEST(AgreementCodec, SpeaksJsonOneZeroWithTheCommerceTarget) {
  const HttpRequest r = Codec<DescribeAgreement>::encode_request({"agmt-1"});
  EXPECT_EQ(r.header("Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(r.header("X-Amz-Target"), "AWSMPCommerceService_v20200301.DescribeAgreement");
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"agreementId":"agmt-1"})"));
  const HttpResponse answer = Codec<GetAgreementTerms>::encode_response({}, "rid");
  EXPECT_EQ(answer.header("Content-Type"), "application/x-amz-json-1.0");
  const HttpResponse error = encode_error(
      Service::kAgreement, AwsError{.code = "ResourceNotFoundException", .http_status = 400});
  EXPECT_EQ(error.header("Content-Type"), "application/x-amz-json-1.0");
  // The metering service stays on 1.1.
  EXPECT_EQ(json_content_type(Service::kMetering), "application/x-amz-json-1.1");
  EXPECT_EQ(service_info(Service::kAgreement).signing_name, "aws-marketplace");
  EXPECT_EQ(signing_region(Service::kAgreement, "eu-west-1"), "us-east-1");
  EXPECT_EQ(default_endpoint(Service::kAgreement, "eu-west-1"),
            "https://agreement-marketplace.us-east-1.amazonaws.com");
}

TEST(AgreementCodec, RequestsNeedTheAgreementId) {
  HttpRequest r = Codec<GetAgreementTerms>::encode_request({.agreement_id = "a"});
  r.body = R"({"maxResults": 10})";
  auto decoded = Codec<GetAgreementTerms>::decode_request(r);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("agreementId"), std::string::npos);
}

TEST(AgreementCodec, UnknownTermTypesAreSkippedNotRefused) {
  HttpResponse r;
  r.body = R"({
    "acceptedTerms": [
      {"legalTerm": {"type": "LegalTerm", "id": "t1", "documents": [{"type": "StandardEula"}]}},
      {"freeTrialPricingTerm": {"type": "FreeTrialPricingTerm", "id": "t2", "duration": "P14D",
        "grants": [{"dimensionKey": "users", "maxQuantity": 5}, {"dimensionKey": "calls"}],
        "futureField": {"x": 1}}},
      {"someTermFrom2030": {"type": "SomeTermFrom2030", "anything": [1, 2, 3]}},
      {"validityTerm": {"type": "ValidityTerm", "agreementDuration": "P1M",
        "agreementStartDate": 1772323200, "agreementEndDate": "2026-03-31T00:00:00Z"}}
    ],
    "nextToken": "n2"})";
  auto decoded = Codec<GetAgreementTerms>::decode_response(r);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ASSERT_EQ(decoded->accepted_terms.size(), 4u);
  EXPECT_EQ(decoded->accepted_terms[0].kind(), "");
  EXPECT_EQ(decoded->accepted_terms[1].kind(), "freeTrialPricingTerm");
  EXPECT_EQ(decoded->accepted_terms[2].kind(), "");
  EXPECT_EQ(decoded->accepted_terms[3].kind(), "validityTerm");
  EXPECT_EQ(decoded->next_token, "n2");

  const FreeTrialPricingTerm* trial = free_trial_term(decoded->accepted_terms);
  ASSERT_NE(trial, nullptr);
  EXPECT_EQ(trial->duration, "P14D");
  ASSERT_EQ(trial->grants.size(), 2u);
  EXPECT_EQ(trial->grants[0].dimension_key, "users");
  EXPECT_EQ(trial->grants[0].max_quantity, 5);
  EXPECT_FALSE(trial->grants[1].max_quantity.has_value());

  const ValidityTerm* validity = validity_term(decoded->accepted_terms);
  ASSERT_NE(validity, nullptr);
  EXPECT_EQ(validity->agreement_start_date, *core::parse_rfc3339("2026-03-01T00:00:00Z"));
  EXPECT_EQ(validity->agreement_end_date, *core::parse_rfc3339("2026-03-31T00:00:00Z"));

  // No free trial: null, not a default-constructed term.
  decoded->accepted_terms.erase(decoded->accepted_terms.begin() + 1);
  EXPECT_EQ(free_trial_term(decoded->accepted_terms), nullptr);
}

TEST(AgreementCodec, DescribeAgreementReadsDatesAndParties) {
  HttpResponse r;
  r.body = R"({"agreementId": "agmt-9", "status": "CANCELLED",
    "acceptor": {"accountId": "444455556666"}, "proposer": {"accountId": "111122223333"},
    "startTime": 1772323200.5, "acceptanceTime": 1772323200,
    "proposalSummary": {"offerId": "offer-1", "resources": [{"id": "prod-1", "type": "SaaSProduct"}]}})";
  auto d = Codec<DescribeAgreement>::decode_response(r);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->status, kStatusCancelled);
  ASSERT_TRUE(d->acceptor.has_value());
  EXPECT_EQ(d->acceptor->account_id, "444455556666");
  EXPECT_EQ(d->proposer->account_id, "111122223333");
  ASSERT_TRUE(d->start_time.has_value());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(d->start_time->time_since_epoch())
                .count(),
            1772323200500LL);
  EXPECT_FALSE(d->end_time.has_value());  // pay-as-you-go: no end
  EXPECT_EQ(d->proposal_summary->resources.at(0).id, "prod-1");
}

}  // namespace
}  // namespace aws::agreement
