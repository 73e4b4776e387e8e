// Amazon S3 (rest-xml, path-style "/{bucket}"): CreateBucket, HeadBucket, ListBuckets and
// bucket policies. Bucket names are unique across the whole simulator, as across AWS.
#include <fmt/format.h>

#include <regex>

#include "aws/sigv4.h"
#include "sim/sim_state.h"

namespace sim {

namespace {

constexpr std::string_view kXmlns = "http://s3.amazonaws.com/doc/2006-03-01/";

std::string bucket_of(const aws::HttpRequest& req) {
  std::string path = aws::percent_decode(req.path, false);
  if (path.starts_with('/')) path.erase(0, 1);
  const auto slash = path.find('/');
  return slash == std::string::npos ? path : path.substr(0, slash);
}

bool has_query(const aws::HttpRequest& req, std::string_view name) {
  for (const auto& [k, v] : req.query) {
    if (k == name) return true;
  }
  return false;
}

[[noreturn]] void s3_error(int status, std::string code, std::string message,
                           const std::string& bucket) {
  AwsError e{status, std::move(code), std::move(message), Json::object()};
  if (!bucket.empty()) e.extra["BucketName"] = bucket;
  throw e;
}

Bucket& owned_bucket(Ctx& ctx, const Call& call, const std::string& name) {
  auto it = ctx.st.buckets.find(name);
  if (it == ctx.st.buckets.end())
    s3_error(404, "NoSuchBucket", "The specified bucket does not exist", name);
  if (it->second.owner_account_id != call.caller.account_id)
    s3_error(403, "AccessDenied", "Access Denied", "");
  return it->second;
}

std::string canonical_owner_id(const std::string& account_id) {
  return aws::sha256_hex("marketlink-sim-owner-" + account_id);
}

aws::HttpResponse create_bucket(Ctx& ctx, const Call& call, const std::string& name) {
  static const std::regex kName(R"([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])");
  if (!std::regex_match(name, kName) || name.find("..") != std::string::npos) {
    s3_error(400, "InvalidBucketName", "The specified bucket is not valid.", name);
  }
  std::string region = "us-east-1";
  static const std::regex kLocation(R"(<LocationConstraint>([a-z0-9-]+)</LocationConstraint>)");
  std::smatch m;
  if (std::regex_search(call.http.body, m, kLocation)) region = m[1];
  auto it = ctx.st.buckets.find(name);
  if (it != ctx.st.buckets.end()) {
    if (it->second.owner_account_id != call.caller.account_id) {
      s3_error(409, "BucketAlreadyExists",
               "The requested bucket name is not available. The bucket namespace is shared by all "
               "users of the system. Please select a different name and try again.",
               name);
    }
    s3_error(409, "BucketAlreadyOwnedByYou",
             "Your previous request to create the named bucket succeeded and you already own it.",
             name);
  }
  ctx.st.buckets[name] = Bucket{name, call.caller.account_id, region, ctx.now, ""};
  aws::HttpResponse r = xml_reply(200, "", call.request_id);
  r.body.clear();
  r.headers.erase(
      std::remove_if(r.headers.begin(), r.headers.end(),
                     [](const auto& h) { return aws::iequals(h.first, "Content-Type"); }),
      r.headers.end());
  r.set_header("Location", "/" + name);
  return r;
}

aws::HttpResponse list_buckets(Ctx& ctx, const Call& call) {
  const std::string& owner = call.caller.account_id;
  std::string x = fmt::format("<ListAllMyBucketsResult xmlns=\"{}\"><Owner>", kXmlns);
  xml_element(x, "ID", canonical_owner_id(owner));
  xml_element(x, "DisplayName", "account-" + owner);
  x += "</Owner><Buckets>";
  for (const auto& [name, b] : ctx.st.buckets) {
    if (b.owner_account_id != owner) continue;
    x += "<Bucket>";
    xml_element(x, "Name", name);
    xml_element(x, "CreationDate", iso8601_millis(b.created));
    x += "</Bucket>";
  }
  x += "</Buckets></ListAllMyBucketsResult>";
  return xml_reply(200, x, call.request_id);
}

aws::HttpResponse no_content(const Call& call) {
  aws::HttpResponse r;
  r.status = 204;
  r.set_header("x-amz-request-id", call.request_id);
  r.set_header("x-amz-id-2", call.request_id);
  return r;
}

}  // namespace

std::string s3_operation_name(const aws::HttpRequest& req) {
  const std::string bucket = bucket_of(req);
  if (bucket.empty()) return req.method == "GET" ? "ListBuckets" : "Unknown";
  if (has_query(req, "policy")) {
    if (req.method == "PUT") return "PutBucketPolicy";
    if (req.method == "GET") return "GetBucketPolicy";
    if (req.method == "DELETE") return "DeleteBucketPolicy";
  }
  if (has_query(req, "location") && req.method == "GET") return "GetBucketLocation";
  if (req.method == "PUT" && req.query.empty()) return "CreateBucket";
  if (req.method == "HEAD") return "HeadBucket";
  return "Unknown";
}

aws::HttpResponse s3_call(Ctx& ctx, const Call& call) {
  const std::string name = bucket_of(call.http);
  const std::string& op = call.operation;
  if (op == "ListBuckets") return list_buckets(ctx, call);
  if (op == "CreateBucket") return create_bucket(ctx, call, name);
  if (op == "HeadBucket") {
    const Bucket& b = owned_bucket(ctx, call, name);
    aws::HttpResponse r;
    r.status = 200;
    r.set_header("x-amz-request-id", call.request_id);
    r.set_header("x-amz-id-2", call.request_id);
    r.set_header("x-amz-bucket-region", b.region);
    return r;
  }
  if (op == "PutBucketPolicy") {
    Bucket& b = owned_bucket(ctx, call, name);
    const Json policy = Json::parse(call.http.body, nullptr, false);
    if (policy.is_discarded() || !policy.is_object() || !policy.contains("Statement")) {
      s3_error(400, "MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'",
               "");
    }
    b.policy = call.http.body;
    return no_content(call);
  }
  if (op == "GetBucketPolicy") {
    const Bucket& b = owned_bucket(ctx, call, name);
    if (b.policy.empty())
      s3_error(404, "NoSuchBucketPolicy", "The bucket policy does not exist", name);
    aws::HttpResponse r;
    r.status = 200;
    r.set_header("Content-Type", "application/json");
    r.set_header("x-amz-request-id", call.request_id);
    r.body = b.policy;
    return r;
  }
  if (op == "DeleteBucketPolicy") {
    owned_bucket(ctx, call, name).policy.clear();
    return no_content(call);
  }
  if (op == "GetBucketLocation") {
    const Bucket& b = owned_bucket(ctx, call, name);
    std::string x = fmt::format("<LocationConstraint xmlns=\"{}\">{}</LocationConstraint>", kXmlns,
                                b.region == "us-east-1" ? "" : b.region);
    return xml_reply(200, x, call.request_id);
  }
  s3_error(501, "NotImplemented",
           "A header or query you provided implies functionality that is not implemented.", "");
}

}  // namespace sim
