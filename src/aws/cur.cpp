#include "aws/cur.h"

#include "aws/codec_internal.h"

namespace aws::detail {

using namespace aws::cur;

template <>
struct Shape<Tag> {
  static constexpr auto kFields =
      std::make_tuple(field("Key", &Tag::key, kRequired), field("Value", &Tag::value, kRequired));
};

template <>
struct Shape<ReportStatus> {
  static constexpr auto kFields =
      std::make_tuple(field("lastDelivery", &ReportStatus::last_delivery),
                      field("lastStatus", &ReportStatus::last_status));
};

template <>
struct Shape<ReportDefinition> {
  static constexpr auto kFields = std::make_tuple(
      field("ReportName", &ReportDefinition::report_name, kRequired),
      field("TimeUnit", &ReportDefinition::time_unit, kRequired),
      field("Format", &ReportDefinition::format, kRequired),
      field("Compression", &ReportDefinition::compression, kRequired),
      field("AdditionalSchemaElements", &ReportDefinition::additional_schema_elements, kRequired),
      field("S3Bucket", &ReportDefinition::s3_bucket, kRequired),
      field("S3Prefix", &ReportDefinition::s3_prefix, kRequired),
      field("S3Region", &ReportDefinition::s3_region, kRequired),
      field("AdditionalArtifacts", &ReportDefinition::additional_artifacts),
      field("RefreshClosedReports", &ReportDefinition::refresh_closed_reports),
      field("ReportVersioning", &ReportDefinition::report_versioning),
      field("BillingViewArn", &ReportDefinition::billing_view_arn),
      field("ReportStatus", &ReportDefinition::report_status));
};

template <>
struct Shape<PutReportDefinitionRequest> {
  static constexpr auto kFields = std::make_tuple(
      field("ReportDefinition", &PutReportDefinitionRequest::report_definition, kRequired),
      field("Tags", &PutReportDefinitionRequest::tags));
};

template <>
struct Shape<DescribeReportDefinitionsRequest> {
  static constexpr auto kFields =
      std::make_tuple(field("MaxResults", &DescribeReportDefinitionsRequest::max_results),
                      field("NextToken", &DescribeReportDefinitionsRequest::next_token));
};

template <>
struct Shape<DescribeReportDefinitionsResponse> {
  static constexpr auto kFields = std::make_tuple(
      field("ReportDefinitions", &DescribeReportDefinitionsResponse::report_definitions),
      field("NextToken", &DescribeReportDefinitionsResponse::next_token));
};

template <>
struct Shape<DeleteReportDefinitionRequest> {
  static constexpr auto kFields =
      std::make_tuple(field("ReportName", &DeleteReportDefinitionRequest::report_name, kRequired));
};

template <>
struct Shape<DeleteReportDefinitionResponse> {
  static constexpr auto kFields =
      std::make_tuple(field("ResponseMessage", &DeleteReportDefinitionResponse::response_message));
};

}  // namespace aws::detail

namespace aws {
template struct Codec<cur::PutReportDefinition>;
template struct Codec<cur::DescribeReportDefinitions>;
template struct Codec<cur::DeleteReportDefinition>;
}  // namespace aws
