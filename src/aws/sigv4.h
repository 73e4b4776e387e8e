// AWS Signature Version 4: signing requests (client side) and verifying them (simulator side).
//
// Canonicalization follows botocore, checked against the official SigV4 test suite:
// - Canonical URI: the wire path with dot segments and repeated slashes removed, then
//   percent-encoded again (so "%20" on the wire signs as "%2520"). With S3 rules the wire path
//   is used as it is.
// - Canonical query: names and values encoded with only A-Za-z0-9-_.~ left alone, sorted by
//   encoded name, then by encoded value; "k=" for empty values.
// - Canonical headers: every header except Authorization, Expect, User-Agent and X-Amzn-Trace-Id
//   is signed; names lower-cased and sorted, values trimmed with inner whitespace collapsed,
//   repeats joined with ','.
// - Payload hash: the x-amz-content-sha256 header when present, else hex SHA-256 of the body.
//
// Every function is pure (no I/O, no global state) and safe from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "aws/http_message.h"
#include "aws/service.h"
#include "core/clock.h"
#include "core/result.h"

namespace aws {

inline constexpr std::string_view kSigV4Algorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct SigningParams {
  std::string_view region;   // e.g. "us-east-1"
  std::string_view service;  // the signing name, e.g. "iam", "aws-marketplace"
  core::TimePoint time;      // the request time (X-Amz-Date)
  // S3: sign the path as sent, and send the payload hash in x-amz-content-sha256.
  bool s3_rules = false;
  // S3 only: x-amz-content-sha256 is UNSIGNED-PAYLOAD instead of the body's hash.
  bool unsigned_payload = false;
};

// What signing computed; the canonical request and string to sign help debug a mismatch.
struct SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // lower-case hex
  std::string authorization;  // the Authorization header value
};

// Signs `request` in place. Precondition: it carries a Host header. Sets X-Amz-Date (replacing
// any), X-Amz-Security-Token when the credentials have a session token (signed),
// x-amz-content-sha256 under S3 rules, and Authorization (any previous one is dropped first).
SigningResult sign_request(HttpRequest& request, const Credentials& credentials,
                           const SigningParams& params);

// ---- Building blocks -----------------------------------------------------------------------

// The lower-cased, sorted, de-duplicated names of the headers `request` would sign.
std::vector<std::string> headers_to_sign(const HttpRequest& request);
std::string canonical_uri(std::string_view wire_path, bool s3_rules);
std::string canonical_query(const std::vector<QueryParam>& query);
// `signed_headers` lower-case and sorted; `payload_hash` as it goes in the last line.
std::string canonical_request(const HttpRequest& request,
                              const std::vector<std::string>& signed_headers,
                              std::string_view payload_hash, bool s3_rules);
// The payload hash a request is signed with: its x-amz-content-sha256 header, or the body's hash.
std::string payload_hash(const HttpRequest& request);
std::string credential_scope(std::string_view date, std::string_view region,
                             std::string_view service);
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);
// The binary signing key: HMAC chain "AWS4"+secret → date → region → service → "aws4_request".
std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service);

// "20150830T123600Z" (UTC, whole seconds).
std::string format_amz_date(core::TimePoint time);
std::optional<core::TimePoint> parse_amz_date(std::string_view text);
std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // binary
std::string hex_encode(std::string_view bytes);                        // lower-case

// ---- Verification --------------------------------------------------------------------------

// A parsed "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…" header.
struct SigV4Authorization {
  std::string access_key_id;
  std::string date;  // yyyymmdd from the scope
  std::string region;
  std::string service;
  std::vector<std::string> signed_headers;
  std::string signature;
};

// Invalid (with a message in AWS's words) when the header is not a well-formed SigV4 header.
core::Result<SigV4Authorization> parse_authorization(std::string_view header);

// What is wrong with a request's signature, precise enough to pick AWS's error code.
enum class SigV4Failure {
  kNone,
  kMissingAuthentication,  // no Authorization header at all
  kMalformed,              // Authorization or X-Amz-Date present but not well formed
  kUnknownAccessKey,       // the key lookup does not know the access key id
  kInvalidSessionToken,    // the session token is missing, unexpected or wrong for the key
  kWrongService,           // the credential scope names another service
  kWrongScope,             // the scope's region or date does not fit the request
  kRequestExpired,         // X-Amz-Date further than the allowed skew from now
  kSignatureMismatch,      // the recomputed signature differs
  kContentSha256Mismatch,  // S3: x-amz-content-sha256 does not match the body
};

// The secret (and, for temporary keys, the session token) the verifier checks a key against.
struct VerificationKey {
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
};
// Looks an access key id up; nullopt when unknown. Called at most once per verification.
using KeyLookup = std::function<std::optional<VerificationKey>(std::string_view access_key_id)>;

struct VerifyParams {
  std::string_view service;  // the expected signing name; empty accepts any
  std::string_view region;   // the expected region; empty accepts any
  core::TimePoint now;
  std::chrono::seconds max_skew{15 * 60};
  bool s3_rules = false;
};

struct SigV4Verdict {
  SigV4Failure failure = SigV4Failure::kNone;
  std::string message;               // what is wrong, for the error response
  SigV4Authorization authorization;  // filled once the header parsed
  std::string canonical_request;     // filled once the signature was recomputed
  std::string string_to_sign;
  bool ok() const { return failure == SigV4Failure::kNone; }
};

// Recomputes the signature of a received request (path as received on the wire). Checks, in
// order: the Authorization header's form (Host must be signed), X-Amz-Date, the scope's service,
// region and date, the key (through `lookup`) and its session token, the clock skew, the
// signature, and under S3 rules x-amz-content-sha256 against the body (not for
// UNSIGNED-PAYLOAD or STREAMING-* payloads, whose chunk signatures are not checked).
// Only header authorization is understood: a presigned URL counts as missing authentication.
SigV4Verdict verify_request(const HttpRequest& request, const VerifyParams& params,
                            const KeyLookup& lookup);

// The error code and HTTP status AWS answers a failure with, per protocol (json services say
// InvalidSignatureException, query services SignatureDoesNotMatch, S3 its own codes).
struct SigV4ErrorReply {
  std::string_view code;
  int http_status;
};
SigV4ErrorReply sigv4_error_reply(SigV4Failure failure, Protocol protocol);

}  // namespace aws
