#include "aws/s3.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include "aws/codec_internal.h"

namespace aws::detail {

using namespace aws::s3;

template <>
struct Shape<Bucket> {
  static constexpr auto kFields =
      std::make_tuple(field("Name", &Bucket::name), field("CreationDate", &Bucket::creation_date),
                      field("BucketRegion", &Bucket::bucket_region));
};

template <>
struct Shape<Owner> {
  static constexpr auto kFields =
      std::make_tuple(field("DisplayName", &Owner::display_name), field("ID", &Owner::id));
};

template <>
struct Shape<ListBucketsResponse> {
  static constexpr auto kFields =
      std::make_tuple(field("Buckets", &ListBucketsResponse::buckets, 0, "Bucket"),
                      field("Owner", &ListBucketsResponse::owner),
                      field("ContinuationToken", &ListBucketsResponse::continuation_token),
                      field("Prefix", &ListBucketsResponse::prefix));
};

}  // namespace aws::detail

namespace aws {

template struct Codec<s3::CreateBucket>;
template struct Codec<s3::HeadBucket>;
template struct Codec<s3::ListBuckets>;
template struct Codec<s3::PutBucketPolicy>;

namespace s3 {

namespace {

constexpr std::string_view kNamespace = "http://s3.amazonaws.com/doc/2006-03-01/";

std::string md5_base64(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_md5(), nullptr);
  return detail::base64_encode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

HttpRequest bucket_request(std::string method, std::string_view bucket) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = "/" + uri_encode(bucket);
  return r;
}

void put_header(HttpRequest& r, std::string_view name, const std::string& value) {
  if (!value.empty()) r.headers.emplace_back(std::string(name), value);
}

std::string header_or_empty(const auto& message, std::string_view name) {
  return std::string(message.header(name).value_or(""));
}

// The bucket of a path-style request: the first path segment, decoded.
core::Result<std::string> bucket_of(const HttpRequest& in) {
  std::string_view path = in.path;
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  const size_t slash = path.find('/');
  if (slash != std::string_view::npos && slash + 1 != path.size()) {
    return core::invalid("the path names an object, not a bucket");
  }
  std::string bucket = percent_decode(path.substr(0, slash), false);
  if (bucket.empty()) return core::invalid("the path names no bucket");
  return bucket;
}

HttpResponse empty_response(int status, std::string_view request_id) {
  HttpResponse r;
  r.status = status;
  r.headers = {{"x-amz-request-id", std::string(request_id)}};
  return r;
}

std::optional<bool> parse_bool_header(std::string_view value) {
  if (value == "true") return true;
  if (value == "false") return false;
  return std::nullopt;
}

}  // namespace

// ---- CreateBucket ----

HttpRequest encode_rest_request(const CreateBucketRequest& in) {
  HttpRequest r = bucket_request("PUT", in.bucket);
  put_header(r, "x-amz-acl", in.acl);
  put_header(r, "x-amz-object-ownership", in.object_ownership);
  if (!in.location_constraint.empty()) {
    xml::Writer w;
    w.open("CreateBucketConfiguration", kNamespace)
        .element("LocationConstraint", in.location_constraint)
        .close();
    r.body = w.str();
  }
  return r;
}

core::Status decode_rest_request(const HttpRequest& in, CreateBucketRequest& out) {
  auto bucket = bucket_of(in);
  if (!bucket) return std::move(bucket).error();
  out.bucket = std::move(*bucket);
  out.acl = header_or_empty(in, "x-amz-acl");
  out.object_ownership = header_or_empty(in, "x-amz-object-ownership");
  if (in.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    auto root = xml::parse(in.body);
    if (!root) return core::invalid("CreateBucket: " + root.error().message, "malformed_xml");
    out.location_constraint = root->child_text("LocationConstraint");
  }
  return {};
}

HttpResponse encode_rest_response(const CreateBucketResponse& in, std::string_view request_id) {
  HttpResponse r = empty_response(200, request_id);
  if (!in.location.empty()) r.headers.emplace_back("Location", in.location);
  return r;
}

core::Status decode_rest_response(const HttpResponse& in, CreateBucketResponse& out) {
  out.location = header_or_empty(in, "Location");
  return {};
}

// ---- HeadBucket ----

HttpRequest encode_rest_request(const HeadBucketRequest& in) {
  HttpRequest r = bucket_request("HEAD", in.bucket);
  put_header(r, "x-amz-expected-bucket-owner", in.expected_bucket_owner);
  return r;
}

core::Status decode_rest_request(const HttpRequest& in, HeadBucketRequest& out) {
  auto bucket = bucket_of(in);
  if (!bucket) return std::move(bucket).error();
  out.bucket = std::move(*bucket);
  out.expected_bucket_owner = header_or_empty(in, "x-amz-expected-bucket-owner");
  return {};
}

HttpResponse encode_rest_response(const HeadBucketResponse& in, std::string_view request_id) {
  HttpResponse r = empty_response(200, request_id);
  auto put = [&](std::string_view name, const std::string& value) {
    if (!value.empty()) r.headers.emplace_back(std::string(name), value);
  };
  put("x-amz-bucket-region", in.bucket_region);
  put("x-amz-bucket-location-type", in.bucket_location_type);
  put("x-amz-bucket-location-name", in.bucket_location_name);
  if (in.access_point_alias) {
    put("x-amz-access-point-alias", *in.access_point_alias ? "true" : "false");
  }
  return r;
}

core::Status decode_rest_response(const HttpResponse& in, HeadBucketResponse& out) {
  out.bucket_region = header_or_empty(in, "x-amz-bucket-region");
  out.bucket_location_type = header_or_empty(in, "x-amz-bucket-location-type");
  out.bucket_location_name = header_or_empty(in, "x-amz-bucket-location-name");
  out.access_point_alias = parse_bool_header(header_or_empty(in, "x-amz-access-point-alias"));
  return {};
}

// ---- ListBuckets ----

HttpRequest encode_rest_request(const ListBucketsRequest& in) {
  HttpRequest r;
  r.method = "GET";
  r.path = "/";
  if (in.max_buckets) r.query.emplace_back("max-buckets", std::to_string(*in.max_buckets));
  if (!in.continuation_token.empty())
    r.query.emplace_back("continuation-token", in.continuation_token);
  if (!in.prefix.empty()) r.query.emplace_back("prefix", in.prefix);
  if (!in.bucket_region.empty()) r.query.emplace_back("bucket-region", in.bucket_region);
  return r;
}

core::Status decode_rest_request(const HttpRequest& in, ListBucketsRequest& out) {
  for (const auto& [k, v] : in.query) {
    if (k == "max-buckets") {
      int n = 0;
      auto res = std::from_chars(v.data(), v.data() + v.size(), n);
      if (v.empty() || res.ec != std::errc() || res.ptr != v.data() + v.size()) {
        return core::invalid("ListBuckets: max-buckets must be an integer");
      }
      out.max_buckets = n;
    } else if (k == "continuation-token") {
      out.continuation_token = v;
    } else if (k == "prefix") {
      out.prefix = v;
    } else if (k == "bucket-region") {
      out.bucket_region = v;
    }
  }
  return {};
}

HttpResponse encode_rest_response(const ListBucketsResponse& in, std::string_view request_id) {
  xml::Writer w;
  w.declaration().open("ListAllMyBucketsResult", kNamespace);
  detail::to_xml(w, in);
  w.close();
  HttpResponse r = empty_response(200, request_id);
  r.headers.emplace_back("Content-Type", "application/xml");
  r.body = w.str();
  return r;
}

core::Status decode_rest_response(const HttpResponse& in, ListBucketsResponse& out) {
  auto root = xml::parse(in.body);
  if (!root) return std::move(root).error();
  detail::DecodeContext ctx;
  if (!detail::from_xml(*root, out, ctx)) return detail::decode_error("ListBuckets", ctx);
  return {};
}

// ---- PutBucketPolicy ----

HttpRequest encode_rest_request(const PutBucketPolicyRequest& in) {
  HttpRequest r = bucket_request("PUT", in.bucket);
  r.query = {{"policy", ""}};
  r.body = in.policy;
  // The model requires a checksum; botocore sends Content-MD5.
  r.headers.emplace_back("Content-MD5", md5_base64(in.policy));
  if (in.confirm_remove_self_bucket_access) {
    r.headers.emplace_back("x-amz-confirm-remove-self-bucket-access",
                           *in.confirm_remove_self_bucket_access ? "true" : "false");
  }
  put_header(r, "x-amz-expected-bucket-owner", in.expected_bucket_owner);
  return r;
}

core::Status decode_rest_request(const HttpRequest& in, PutBucketPolicyRequest& out) {
  auto bucket = bucket_of(in);
  if (!bucket) return std::move(bucket).error();
  out.bucket = std::move(*bucket);
  out.policy = in.body;
  if (out.policy.empty()) return core::invalid("PutBucketPolicy: the policy is empty");
  if (auto md5 = in.header("Content-MD5"); md5 && *md5 != md5_base64(in.body)) {
    return core::invalid("PutBucketPolicy: Content-MD5 does not match the body", "bad_digest");
  }
  out.confirm_remove_self_bucket_access =
      parse_bool_header(header_or_empty(in, "x-amz-confirm-remove-self-bucket-access"));
  out.expected_bucket_owner = header_or_empty(in, "x-amz-expected-bucket-owner");
  return {};
}

HttpResponse encode_rest_response(const PutBucketPolicyResponse&, std::string_view request_id) {
  return empty_response(204, request_id);
}

core::Status decode_rest_response(const HttpResponse&, PutBucketPolicyResponse&) { return {}; }

}  // namespace s3
}  // namespace aws
