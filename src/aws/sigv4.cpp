#include "aws/sigv4.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>

namespace aws {

namespace {

// Headers botocore never signs; Authorization is the signature itself.
bool never_signed(std::string_view lower_name) {
  return lower_name == "authorization" || lower_name == "expect" || lower_name == "user-agent" ||
         lower_name == "x-amzn-trace-id";
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Python's ' '.join(value.split()): trims and collapses every run of whitespace to one space.
std::string trim_all(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

// RFC 3986 §5.2.4 plus collapsing of repeated slashes, as botocore's remove_dot_segments.
std::string remove_dot_segments(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string_view::npos ? path.size() : slash;
    const std::string_view seg = path.substr(start, end - start);
    if (!seg.empty() && seg != ".") {
      if (seg == "..") {
        if (!out.empty()) out.pop_back();
      } else {
        out.push_back(seg);
      }
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string result = path.front() == '/' ? "/" : "";
  for (size_t i = 0; i < out.size(); ++i) {
    if (i > 0) result.push_back('/');
    result.append(out[i]);
  }
  if (path.back() == '/' && !out.empty()) result.push_back('/');
  return result;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t pos = text.find(sep, start);
    parts.push_back(text.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

SigV4Verdict fail(SigV4Verdict verdict, SigV4Failure failure, std::string message) {
  verdict.failure = failure;
  verdict.message = std::move(message);
  return verdict;
}

}  // namespace

std::string hex_encode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xF]);
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &len);
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::string format_amz_date(core::TimePoint time) {
  // "2015-08-30T12:36:00.000Z" → "20150830T123600Z"
  const std::string t = core::format_rfc3339(time);
  return t.substr(0, 4) + t.substr(5, 2) + t.substr(8, 2) + "T" + t.substr(11, 2) +
         t.substr(14, 2) + t.substr(17, 2) + "Z";
}

std::optional<core::TimePoint> parse_amz_date(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  for (size_t i = 0; i < 15; ++i) {
    if (i != 8 && !std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
  }
  const std::string rfc =
      fmt::format("{}-{}-{}T{}:{}:{}Z", s.substr(0, 4), s.substr(4, 2), s.substr(6, 2),
                  s.substr(9, 2), s.substr(11, 2), s.substr(13, 2));
  return core::parse_rfc3339(rfc);
}

std::vector<std::string> headers_to_sign(const HttpRequest& request) {
  std::vector<std::string> names;
  for (const auto& [name, value] : request.headers) {
    std::string lower = to_lower(trim(name));
    if (!never_signed(lower)) names.push_back(std::move(lower));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::string canonical_uri(std::string_view wire_path, bool s3_rules) {
  if (s3_rules) return wire_path.empty() ? "/" : std::string(wire_path);
  return uri_encode(remove_dot_segments(wire_path), /*keep_slash=*/true);
}

std::string canonical_query(const std::vector<QueryParam>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [k, v] : query) encoded.emplace_back(uri_encode(k), uri_encode(v));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += k;
    out.push_back('=');
    out += v;
  }
  return out;
}

std::string payload_hash(const HttpRequest& request) {
  if (auto h = request.header("x-amz-content-sha256")) return std::string(*h);
  return sha256_hex(request.body);
}

std::string canonical_request(const HttpRequest& request,
                              const std::vector<std::string>& signed_headers,
                              std::string_view payload, bool s3_rules) {
  std::string out;
  for (char c : request.method) out.push_back(static_cast<char>(std::toupper(c)));
  out.push_back('\n');
  out += canonical_uri(request.path, s3_rules);
  out.push_back('\n');
  out += canonical_query(request.query);
  out.push_back('\n');
  for (const auto& name : signed_headers) {
    out += name;
    out.push_back(':');
    bool first = true;
    for (const auto& [k, v] : request.headers) {
      if (!iequals(trim(k), name)) continue;
      if (!first) out.push_back(',');
      out += trim_all(v);
      first = false;
    }
    out.push_back('\n');
  }
  out.push_back('\n');
  for (size_t i = 0; i < signed_headers.size(); ++i) {
    if (i > 0) out.push_back(';');
    out += signed_headers[i];
  }
  out.push_back('\n');
  out += payload;
  return out;
}

std::string credential_scope(std::string_view date, std::string_view region,
                             std::string_view service) {
  return fmt::format("{}/{}/{}/aws4_request", date, region, service);
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical) {
  return fmt::format("{}\n{}\n{}\n{}", kSigV4Algorithm, amz_date, scope, sha256_hex(canonical));
}

std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service) {
  const std::string k_date = hmac_sha256("AWS4" + std::string(secret), date);
  const std::string k_region = hmac_sha256(k_date, region);
  const std::string k_service = hmac_sha256(k_region, service);
  return hmac_sha256(k_service, "aws4_request");
}

SigningResult sign_request(HttpRequest& request, const Credentials& credentials,
                           const SigningParams& params) {
  const std::string amz_date = format_amz_date(params.time);
  const std::string date = amz_date.substr(0, 8);
  request.remove_header("Authorization");
  request.set_header("X-Amz-Date", amz_date);
  if (!credentials.session_token.empty()) {
    request.set_header("X-Amz-Security-Token", credentials.session_token);
  }
  if (params.s3_rules) {
    request.set_header("x-amz-content-sha256", params.unsigned_payload
                                                   ? std::string(kUnsignedPayload)
                                                   : sha256_hex(request.body));
  }
  const auto names = headers_to_sign(request);
  SigningResult result;
  result.canonical_request =
      canonical_request(request, names, payload_hash(request), params.s3_rules);
  const std::string scope = credential_scope(date, params.region, params.service);
  result.string_to_sign = string_to_sign(amz_date, scope, result.canonical_request);
  result.signature = hex_encode(
      hmac_sha256(signing_key(credentials.secret_access_key, date, params.region, params.service),
                  result.string_to_sign));
  std::string signed_list;
  for (const auto& n : names) {
    if (!signed_list.empty()) signed_list.push_back(';');
    signed_list += n;
  }
  result.authorization =
      fmt::format("{} Credential={}/{}, SignedHeaders={}, Signature={}", kSigV4Algorithm,
                  credentials.access_key_id, scope, signed_list, result.signature);
  request.set_header("Authorization", result.authorization);
  return result;
}

core::Result<SigV4Authorization> parse_authorization(std::string_view header) {
  header = trim(header);
  const size_t space = header.find(' ');
  const std::string_view algorithm = header.substr(0, space);
  if (algorithm != kSigV4Algorithm) {
    return core::invalid(fmt::format("Unsupported AWS 'algorithm': '{}'", algorithm));
  }
  if (space == std::string_view::npos) {
    return core::invalid("Authorization header requires 'Credential' parameter.");
  }
  std::optional<std::string_view> credential, signed_headers, signature;
  for (std::string_view part : split(header.substr(space + 1), ',')) {
    part = trim(part);
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      return core::invalid(fmt::format(
          "Authorization header requires each component to be of the form name=value: '{}'", part));
    }
    const std::string_view name = trim(part.substr(0, eq));
    const std::string_view value = trim(part.substr(eq + 1));
    if (name == "Credential")
      credential = value;
    else if (name == "SignedHeaders")
      signed_headers = value;
    else if (name == "Signature")
      signature = value;
  }
  for (auto [value, name] :
       {std::pair{credential, "Credential"}, std::pair{signed_headers, "SignedHeaders"},
        std::pair{signature, "Signature"}}) {
    if (!value) {
      return core::invalid(fmt::format("Authorization header requires '{}' parameter.", name));
    }
  }
  const auto scope = split(*credential, '/');
  if (scope.size() != 5 || scope[4] != "aws4_request" || scope[0].empty() || scope[1].size() != 8 ||
      scope[2].empty() || scope[3].empty()) {
    return core::invalid(fmt::format(
        "Credential should be of the form <key>/<yyyymmdd>/<region>/<service>/aws4_request, "
        "got '{}'",
        *credential));
  }
  SigV4Authorization auth;
  auth.access_key_id = std::string(scope[0]);
  auth.date = std::string(scope[1]);
  auth.region = std::string(scope[2]);
  auth.service = std::string(scope[3]);
  for (std::string_view h : split(*signed_headers, ';')) {
    if (h.empty()) return core::invalid("SignedHeaders must not contain empty names.");
    auth.signed_headers.push_back(to_lower(h));
  }
  auth.signature = std::string(*signature);
  if (auth.signature.size() != 64 ||
      !std::all_of(auth.signature.begin(), auth.signature.end(),
                   [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) {
    return core::invalid("Signature must be 64 hexadecimal characters.");
  }
  return auth;
}

SigV4Verdict verify_request(const HttpRequest& request, const VerifyParams& params,
                            const KeyLookup& lookup) {
  SigV4Verdict verdict;
  const auto header = request.header("Authorization");
  if (!header) {
    return fail(std::move(verdict), SigV4Failure::kMissingAuthentication,
                "Request is missing Authentication Token");
  }
  auto parsed = parse_authorization(*header);
  if (!parsed) {
    return fail(std::move(verdict), SigV4Failure::kMalformed, parsed.error().message);
  }
  verdict.authorization = std::move(parsed.value());
  const SigV4Authorization& auth = verdict.authorization;

  if (std::find(auth.signed_headers.begin(), auth.signed_headers.end(), "host") ==
      auth.signed_headers.end()) {
    return fail(std::move(verdict), SigV4Failure::kMalformed,
                "'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }
  const auto amz_date_text = request.header("X-Amz-Date");
  if (!amz_date_text) {
    return fail(std::move(verdict), SigV4Failure::kMalformed,
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
                "header.");
  }
  const auto request_time = parse_amz_date(*amz_date_text);
  if (!request_time) {
    return fail(
        std::move(verdict), SigV4Failure::kMalformed,
        fmt::format("X-Amz-Date must be in ISO 8601 basic format, got '{}'.", *amz_date_text));
  }
  if (!params.service.empty() && auth.service != params.service) {
    return fail(
        std::move(verdict), SigV4Failure::kWrongService,
        fmt::format("Credential should be scoped to correct service: '{}'.", params.service));
  }
  if (!params.region.empty() && auth.region != params.region) {
    return fail(std::move(verdict), SigV4Failure::kWrongScope,
                fmt::format("Credential should be scoped to a valid region, not '{}'. Expecting "
                            "'{}'.",
                            auth.region, params.region));
  }
  if (auth.date != amz_date_text->substr(0, 8)) {
    return fail(std::move(verdict), SigV4Failure::kWrongScope,
                fmt::format("Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                            "version of date from HTTP: '{}' != '{}', from '{}'.",
                            auth.date, amz_date_text->substr(0, 8), *amz_date_text));
  }

  const auto key = lookup(auth.access_key_id);
  if (!key) {
    return fail(std::move(verdict), SigV4Failure::kUnknownAccessKey,
                "The security token included in the request is invalid.");
  }
  const auto token = request.header("X-Amz-Security-Token");
  if (key->session_token.empty() ? token.has_value() : (!token || *token != key->session_token)) {
    return fail(std::move(verdict), SigV4Failure::kInvalidSessionToken,
                "The security token included in the request is invalid.");
  }

  const auto skew = *request_time - params.now;
  if (skew < -params.max_skew) {
    return fail(std::move(verdict), SigV4Failure::kRequestExpired,
                fmt::format("Signature expired: {} is now earlier than {} ({} - {} min.)",
                            *amz_date_text, format_amz_date(params.now - params.max_skew),
                            format_amz_date(params.now), params.max_skew.count() / 60));
  }
  if (skew > params.max_skew) {
    return fail(std::move(verdict), SigV4Failure::kRequestExpired,
                fmt::format("Signature not yet current: {} is still later than {} ({} + {} min.)",
                            *amz_date_text, format_amz_date(params.now + params.max_skew),
                            format_amz_date(params.now), params.max_skew.count() / 60));
  }

  verdict.canonical_request =
      canonical_request(request, auth.signed_headers, payload_hash(request), params.s3_rules);
  verdict.string_to_sign =
      string_to_sign(*amz_date_text, credential_scope(auth.date, auth.region, auth.service),
                     verdict.canonical_request);
  const std::string expected = hex_encode(
      hmac_sha256(signing_key(key->secret_access_key, auth.date, auth.region, auth.service),
                  verdict.string_to_sign));
  const std::string given = to_lower(auth.signature);
  if (given.size() != expected.size() ||
      CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    return fail(std::move(verdict), SigV4Failure::kSignatureMismatch,
                "The request signature we calculated does not match the signature you provided. "
                "Check your AWS Secret Access Key and signing method. Consult the service "
                "documentation for details.");
  }

  if (params.s3_rules) {
    const auto declared = request.header("x-amz-content-sha256");
    if (!declared) {
      return fail(std::move(verdict), SigV4Failure::kMalformed,
                  "Missing required header for this request: x-amz-content-sha256");
    }
    // Streaming uploads sign each chunk; their chunk signatures are not checked here.
    const bool unchecked = *declared == kUnsignedPayload || declared->starts_with("STREAMING-");
    if (!unchecked && *declared != sha256_hex(request.body)) {
      return fail(std::move(verdict), SigV4Failure::kContentSha256Mismatch,
                  "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
  }
  return verdict;
}

SigV4ErrorReply sigv4_error_reply(SigV4Failure failure, Protocol protocol) {
  if (protocol == Protocol::kRestXml) {
    switch (failure) {
      case SigV4Failure::kNone: return {"", 200};
      case SigV4Failure::kMissingAuthentication: return {"AccessDenied", 403};
      case SigV4Failure::kMalformed:
      case SigV4Failure::kWrongService:
      case SigV4Failure::kWrongScope: return {"AuthorizationHeaderMalformed", 400};
      case SigV4Failure::kUnknownAccessKey: return {"InvalidAccessKeyId", 403};
      case SigV4Failure::kInvalidSessionToken: return {"InvalidToken", 400};
      case SigV4Failure::kRequestExpired: return {"RequestTimeTooSkewed", 403};
      case SigV4Failure::kSignatureMismatch: return {"SignatureDoesNotMatch", 403};
      case SigV4Failure::kContentSha256Mismatch: return {"XAmzContentSHA256Mismatch", 400};
    }
  } else if (protocol == Protocol::kQuery) {
    switch (failure) {
      case SigV4Failure::kNone: return {"", 200};
      case SigV4Failure::kMissingAuthentication: return {"MissingAuthenticationToken", 403};
      case SigV4Failure::kMalformed: return {"IncompleteSignature", 400};
      case SigV4Failure::kUnknownAccessKey:
      case SigV4Failure::kInvalidSessionToken: return {"InvalidClientTokenId", 403};
      case SigV4Failure::kWrongService:
      case SigV4Failure::kWrongScope:
      case SigV4Failure::kSignatureMismatch:
      case SigV4Failure::kContentSha256Mismatch: return {"SignatureDoesNotMatch", 403};
      case SigV4Failure::kRequestExpired: return {"RequestExpired", 400};
    }
  } else {
    switch (failure) {
      case SigV4Failure::kNone: return {"", 200};
      case SigV4Failure::kMissingAuthentication:
        return {"MissingAuthenticationTokenException", 403};
      case SigV4Failure::kMalformed: return {"IncompleteSignatureException", 400};
      case SigV4Failure::kUnknownAccessKey:
      case SigV4Failure::kInvalidSessionToken: return {"UnrecognizedClientException", 403};
      case SigV4Failure::kWrongService:
      case SigV4Failure::kWrongScope:
      case SigV4Failure::kSignatureMismatch:
      case SigV4Failure::kContentSha256Mismatch:
      case SigV4Failure::kRequestExpired: return {"InvalidSignatureException", 403};
    }
  }
  return {"InternalFailure", 500};
}

}  // namespace aws
