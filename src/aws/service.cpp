#include "aws/service.h"

#include <fmt/format.h>

#include <array>
#include <cassert>

namespace aws {

namespace {

constexpr std::array<ServiceInfo, 10> kServices = {{
    {Service::kMetering, "meteringmarketplace", Protocol::kJson, "aws-marketplace",
     "AWSMPMeteringService", "2016-01-14", "", ""},
    {Service::kEntitlement, "marketplace-entitlement", Protocol::kJson, "aws-marketplace",
     "AWSMPEntitlementService", "2017-01-11", "", "us-east-1"},
    {Service::kOrganizations, "organizations", Protocol::kJson, "organizations",
     "AWSOrganizationsV20161128", "2016-11-28", "", "us-east-1"},
    {Service::kAccount, "account", Protocol::kRestJson, "account", "", "2021-02-01", "",
     "us-east-1"},
    {Service::kIam, "iam", Protocol::kQuery, "iam", "", "2010-05-08",
     "https://iam.amazonaws.com/doc/2010-05-08/", "us-east-1"},
    {Service::kSts, "sts", Protocol::kQuery, "sts", "", "2011-06-15",
     "https://sts.amazonaws.com/doc/2011-06-15/", ""},
    {Service::kS3, "s3", Protocol::kRestXml, "s3", "", "2006-03-01",
     "http://s3.amazonaws.com/doc/2006-03-01/", ""},
    {Service::kCur, "cur", Protocol::kJson, "cur", "AWSOrigamiServiceGatewayService", "2017-01-06",
     "", "us-east-1"},
    {Service::kSqs, "sqs", Protocol::kQuery, "sqs", "", "2012-11-05",
     "http://queue.amazonaws.com/doc/2012-11-05/", ""},
    {Service::kAgreement, "marketplace-agreement", Protocol::kJson, "aws-marketplace",
     "AWSMPCommerceService_v20200301", "2020-03-01", "", "us-east-1", "1.0"},
}};

}  // namespace

const ServiceInfo& service_info(Service service) {
  for (const auto& info : kServices) {
    if (info.service == service) return info;
  }
  assert(false && "every Service has an entry");
  return kServices[0];
}

std::string json_content_type(Service service) {
  return "application/x-amz-json-" + std::string(service_info(service).json_version);
}

std::string signing_region(Service service, std::string_view region) {
  const auto& info = service_info(service);
  if (!info.global_region.empty()) return std::string(info.global_region);
  return std::string(region);
}

std::string default_endpoint(Service service, std::string_view region) {
  const std::string r = signing_region(service, region);
  switch (service) {
    case Service::kMetering: return fmt::format("https://metering.marketplace.{}.amazonaws.com", r);
    case Service::kEntitlement:
      return fmt::format("https://entitlement.marketplace.{}.amazonaws.com", r);
    case Service::kOrganizations: return fmt::format("https://organizations.{}.amazonaws.com", r);
    case Service::kAccount: return fmt::format("https://account.{}.amazonaws.com", r);
    case Service::kIam: return "https://iam.amazonaws.com";
    case Service::kSts: return fmt::format("https://sts.{}.amazonaws.com", r);
    case Service::kS3: return fmt::format("https://s3.{}.amazonaws.com", r);
    case Service::kCur: return fmt::format("https://cur.{}.amazonaws.com", r);
    case Service::kSqs: return fmt::format("https://sqs.{}.amazonaws.com", r);
    case Service::kAgreement:
      return fmt::format("https://agreement-marketplace.{}.amazonaws.com", r);
  }
  return {};
}

}  // namespace aws
