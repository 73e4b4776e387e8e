// The AWS services Marketlink talks to, their wire protocols, signing names and endpoints.
// Constant data and pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace aws {

enum class Service {
  kMetering,       // AWS Marketplace Metering Service
  kEntitlement,    // AWS Marketplace Entitlement Service
  kOrganizations,  // AWS Organizations
  kAccount,        // AWS Account Management
  kIam,            // AWS Identity and Access Management
  kSts,            // AWS Security Token Service
  kS3,             // Amazon S3
  kCur,            // AWS Cost and Usage Reports
  kSqs,            // Amazon SQS
  kAgreement,      // AWS Marketplace Agreement Service
};

enum class Protocol {
  kJson,      // awsJson1_0/1_1: POST /, X-Amz-Target, JSON in and out
  kQuery,     // awsQuery: form-encoded Action/Version in, XML out
  kRestJson,  // restJson1: route by method and path, JSON bodies
  kRestXml,   // restXml: route by method and path, XML bodies (S3)
};

struct ServiceInfo {
  Service service;
  std::string_view name;  // botocore's service name, e.g. "meteringmarketplace"
  Protocol protocol;
  std::string_view signing_name;   // SigV4 service in the credential scope
  std::string_view target_prefix;  // json: X-Amz-Target prefix
  std::string_view api_version;    // query: Version parameter
  std::string_view xml_namespace;  // query: xmlns of responses
  std::string_view global_region;  // non-empty: the one region the service signs and lives in
  std::string_view json_version = "1.1";  // json: "1.0" or "1.1" (the Content-Type's suffix)
};

const ServiceInfo& service_info(Service service);

// json: "application/x-amz-json-1.0" or "application/x-amz-json-1.1", as the service speaks.
std::string json_content_type(Service service);

constexpr Protocol protocol_of(Service service) {
  switch (service) {
    case Service::kAccount: return Protocol::kRestJson;
    case Service::kIam:
    case Service::kSts:
    case Service::kSqs: return Protocol::kQuery;
    case Service::kS3: return Protocol::kRestXml;
    default: return Protocol::kJson;
  }
}

// The region a call to `service` is signed for when the client is configured for `region`
// (IAM, Organizations, Account, CUR, Entitlement and Agreement always sign us-east-1).
std::string signing_region(Service service, std::string_view region);

// The real AWS endpoint ("https://host") of `service` in `region`, e.g.
// https://metering.marketplace.eu-west-1.amazonaws.com, https://iam.amazonaws.com.
std::string default_endpoint(Service service, std::string_view region);

}  // namespace aws
