// AWS Cost and Usage Reports (json 1.1, X-Amz-Target AWSOrigamiServiceGatewayService.<Op>,
// signing name cur, us-east-1): report definitions. DescribeReportDefinitions accepts
// MaxResults 5 only.
// Facade methods are safe for concurrent use and fail as AwsClient::call does (aws_client.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aws/aws_client.h"
#include "aws/codec.h"

namespace aws::cur {

struct Tag {
  std::string key;
  std::string value;
};

struct ReportStatus {
  std::string last_delivery;
  std::string last_status;  // SUCCESS, ERROR_PERMISSIONS, ERROR_NO_BUCKET
};

struct ReportDefinition {
  std::string report_name;
  std::string time_unit;                                // HOURLY, DAILY, MONTHLY
  std::string format;                                   // textORcsv, Parquet
  std::string compression;                              // ZIP, GZIP, Parquet
  std::vector<std::string> additional_schema_elements;  // e.g. RESOURCES
  std::string s3_bucket;
  std::string s3_prefix;
  std::string s3_region;
  std::vector<std::string> additional_artifacts;  // REDSHIFT, QUICKSIGHT, ATHENA
  std::optional<bool> refresh_closed_reports;
  std::string report_versioning;  // CREATE_NEW_REPORT, OVERWRITE_REPORT
  std::string billing_view_arn;
  std::optional<ReportStatus> report_status;
};

struct PutReportDefinitionRequest {
  ReportDefinition report_definition;
  std::vector<Tag> tags;
};

struct DescribeReportDefinitionsRequest {
  std::optional<int> max_results;
  std::string next_token;
};
struct DescribeReportDefinitionsResponse {
  std::vector<ReportDefinition> report_definitions;
  std::string next_token;
};

struct DeleteReportDefinitionRequest {
  std::string report_name;
};
struct DeleteReportDefinitionResponse {
  std::string response_message;
};

struct PutReportDefinition {
  using Request = PutReportDefinitionRequest;
  using Response = Empty;
  static constexpr Service kService = Service::kCur;
  static constexpr std::string_view kName = "PutReportDefinition";
};
struct DescribeReportDefinitions {
  using Request = DescribeReportDefinitionsRequest;
  using Response = DescribeReportDefinitionsResponse;
  static constexpr Service kService = Service::kCur;
  static constexpr std::string_view kName = "DescribeReportDefinitions";
};
struct DeleteReportDefinition {
  using Request = DeleteReportDefinitionRequest;
  using Response = DeleteReportDefinitionResponse;
  static constexpr Service kService = Service::kCur;
  static constexpr std::string_view kName = "DeleteReportDefinition";
};

class CurClient {
 public:
  explicit CurClient(AwsClient client) : client_(std::move(client)) {}

  // Errors: conflict (DuplicateReportNameException) when the name is taken.
  core::Status put_report_definition(const PutReportDefinitionRequest& r) const {
    auto result = client_.call<PutReportDefinition>(r);
    if (!result) return std::move(result).error();
    return {};
  }
  core::Result<DescribeReportDefinitionsResponse> describe_report_definitions(
      const DescribeReportDefinitionsRequest& r = {}) const {
    return client_.call<DescribeReportDefinitions>(r);
  }
  core::Result<DeleteReportDefinitionResponse> delete_report_definition(
      const DeleteReportDefinitionRequest& r) const {
    return client_.call<DeleteReportDefinition>(r);
  }

 private:
  AwsClient client_;
};

}  // namespace aws::cur

namespace aws {
extern template struct Codec<cur::PutReportDefinition>;
extern template struct Codec<cur::DescribeReportDefinitions>;
extern template struct Codec<cur::DeleteReportDefinition>;
}  // namespace aws
