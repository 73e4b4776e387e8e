// Amazon S3 (rest-xml, signing name s3 with S3's SigV4 rules, regional): the bucket operations
// CUR delivery needs. Requests are path style ("/bucket"); AwsClient moves DNS-compatible bucket
// names into the host (virtual-hosted style) on real AWS and keeps path style with an endpoint
// override. HeadBucket errors have no body: their code comes from the status (NotFound,
// Forbidden).
// Facade methods are safe for concurrent use and fail as AwsClient::call does (aws_client.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aws/aws_client.h"
#include "aws/codec.h"
#include "core/clock.h"

namespace aws::s3 {

struct CreateBucketRequest {
  std::string bucket;
  std::string acl;                  // x-amz-acl, e.g. "private"
  std::string location_constraint;  // empty for us-east-1, else the region
  std::string object_ownership;     // x-amz-object-ownership, e.g. "BucketOwnerEnforced"
};
struct CreateBucketResponse {
  std::string location;  // Location header
};

struct HeadBucketRequest {
  std::string bucket;
  std::string expected_bucket_owner;
};
struct HeadBucketResponse {
  std::string bucket_region;  // x-amz-bucket-region
  std::string bucket_location_type;
  std::string bucket_location_name;
  std::optional<bool> access_point_alias;
};

struct ListBucketsRequest {
  std::optional<int> max_buckets;
  std::string continuation_token;
  std::string prefix;
  std::string bucket_region;
};
struct Bucket {
  std::string name;
  std::optional<core::TimePoint> creation_date;
  std::string bucket_region;
};
struct Owner {
  std::string display_name;
  std::string id;
};
struct ListBucketsResponse {
  std::vector<Bucket> buckets;
  std::optional<Owner> owner;
  std::string continuation_token;
  std::string prefix;
};

struct PutBucketPolicyRequest {
  std::string bucket;
  std::string policy;  // the JSON policy document, sent as the body
  std::optional<bool> confirm_remove_self_bucket_access;
  std::string expected_bucket_owner;
};
struct PutBucketPolicyResponse {};

struct CreateBucket {
  using Request = CreateBucketRequest;
  using Response = CreateBucketResponse;
  static constexpr Service kService = Service::kS3;
  static constexpr std::string_view kName = "CreateBucket";
};
struct HeadBucket {
  using Request = HeadBucketRequest;
  using Response = HeadBucketResponse;
  static constexpr Service kService = Service::kS3;
  static constexpr std::string_view kName = "HeadBucket";
};
struct ListBuckets {
  using Request = ListBucketsRequest;
  using Response = ListBucketsResponse;
  static constexpr Service kService = Service::kS3;
  static constexpr std::string_view kName = "ListBuckets";
};
struct PutBucketPolicy {
  using Request = PutBucketPolicyRequest;
  using Response = PutBucketPolicyResponse;
  static constexpr Service kService = Service::kS3;
  static constexpr std::string_view kName = "PutBucketPolicy";
};

// The per-operation rest-xml bindings Codec<Op> uses (found by argument-dependent lookup).
HttpRequest encode_rest_request(const CreateBucketRequest& r);
HttpRequest encode_rest_request(const HeadBucketRequest& r);
HttpRequest encode_rest_request(const ListBucketsRequest& r);
HttpRequest encode_rest_request(const PutBucketPolicyRequest& r);
core::Status decode_rest_request(const HttpRequest& in, CreateBucketRequest& out);
core::Status decode_rest_request(const HttpRequest& in, HeadBucketRequest& out);
core::Status decode_rest_request(const HttpRequest& in, ListBucketsRequest& out);
core::Status decode_rest_request(const HttpRequest& in, PutBucketPolicyRequest& out);
HttpResponse encode_rest_response(const CreateBucketResponse& r, std::string_view request_id);
HttpResponse encode_rest_response(const HeadBucketResponse& r, std::string_view request_id);
HttpResponse encode_rest_response(const ListBucketsResponse& r, std::string_view request_id);
HttpResponse encode_rest_response(const PutBucketPolicyResponse& r, std::string_view request_id);
core::Status decode_rest_response(const HttpResponse& in, CreateBucketResponse& out);
core::Status decode_rest_response(const HttpResponse& in, HeadBucketResponse& out);
core::Status decode_rest_response(const HttpResponse& in, ListBucketsResponse& out);
core::Status decode_rest_response(const HttpResponse& in, PutBucketPolicyResponse& out);

class S3Client {
 public:
  explicit S3Client(AwsClient client) : client_(std::move(client)) {}

  // Errors: conflict (BucketAlreadyExists: someone else's; BucketAlreadyOwnedByYou).
  core::Result<CreateBucketResponse> create_bucket(const CreateBucketRequest& r) const {
    return client_.call<CreateBucket>(r);
  }
  // Errors: not_found (NotFound, 404) when absent; forbidden (Forbidden, 403) when it is
  // someone else's.
  core::Result<HeadBucketResponse> head_bucket(const HeadBucketRequest& r) const {
    return client_.call<HeadBucket>(r);
  }
  core::Result<ListBucketsResponse> list_buckets(const ListBucketsRequest& r = {}) const {
    return client_.call<ListBuckets>(r);
  }
  core::Status put_bucket_policy(const PutBucketPolicyRequest& r) const {
    auto result = client_.call<PutBucketPolicy>(r);
    if (!result) return std::move(result).error();
    return {};
  }

 private:
  AwsClient client_;
};

}  // namespace aws::s3

namespace aws {
extern template struct Codec<s3::CreateBucket>;
extern template struct Codec<s3::HeadBucket>;
extern template struct Codec<s3::ListBuckets>;
extern template struct Codec<s3::PutBucketPolicy>;
}  // namespace aws
