#include "aws/aws_client.h"

#include <fmt/format.h>

#include <cctype>
#include <optional>

#include "aws/sigv4.h"
#include "core/log.h"

namespace aws {

namespace {

struct ParsedUrl {
  std::string scheme;  // "http" or "https"
  std::string authority;
  std::string path;  // "" or "/prefix" (no trailing slash)
};

core::Result<ParsedUrl> parse_url(std::string_view url) {
  ParsedUrl out;
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) {
    return core::invalid(fmt::format("AWS endpoint '{}' is not a URL", url));
  }
  out.scheme = to_lower(url.substr(0, sep));
  if (out.scheme != "http" && out.scheme != "https") {
    return core::invalid(fmt::format("AWS endpoint '{}' must be http or https", url));
  }
  std::string_view rest = url.substr(sep + 3);
  const size_t slash = rest.find('/');
  out.authority = std::string(rest.substr(0, slash));
  if (out.authority.empty())
    return core::invalid(fmt::format("AWS endpoint '{}' has no host", url));
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    while (path.ends_with('/')) path.remove_suffix(1);
    out.path = std::string(path);
  }
  return out;
}

// The Host header botocore derives from a URL: lower-case host, port only when not the default.
std::string host_header(const ParsedUrl& url) {
  std::string host = to_lower(url.authority);
  const std::string default_port = url.scheme == "https" ? ":443" : ":80";
  if (host.ends_with(default_port)) host.resize(host.size() - default_port.size());
  return host;
}

// Bucket names that can be a host label under TLS: 3..63 of [a-z0-9-], alphanumeric at both
// ends. Names with dots stay path style (the certificate's wildcard would not match).
bool virtual_host_compatible(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (char c : bucket) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '-')) {
      return false;
    }
  }
  return bucket.front() != '-' && bucket.back() != '-';
}

}  // namespace

AwsClient::AwsClient(const ClientContext& context, std::shared_ptr<CredentialsProvider> credentials,
                     ClientSettings settings)
    : context_(context), credentials_(std::move(credentials)), settings_(std::move(settings)) {}

core::Result<AwsClient::Target> AwsClient::resolve(Service service, std::string_view path) const {
  const bool overridden = !settings_.endpoint.empty();
  auto url =
      parse_url(overridden ? settings_.endpoint : default_endpoint(service, settings_.region));
  if (!url) return std::move(url).error();
  Target target;
  target.path = url->path + std::string(path.empty() ? "/" : path);
  if (service == Service::kS3 && !overridden) {
    std::string_view rest = path;
    while (rest.starts_with('/')) rest.remove_prefix(1);
    const size_t slash = rest.find('/');
    const std::string_view bucket = rest.substr(0, slash);
    if (virtual_host_compatible(bucket)) {
      url->authority = std::string(bucket) + "." + url->authority;
      target.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    }
  }
  target.origin = url->scheme + "://" + url->authority;
  target.host = host_header(*url);
  return target;
}

core::Result<HttpResponse> AwsClient::send(Service service, HttpRequest request,
                                           std::string_view operation) const {
  auto target = resolve(service, request.path);
  if (!target) return std::move(target).error();
  request.path = target->path;
  request.set_header("Host", target->host);
  // Never signed (botocore leaves it out too); tells AWS support who is calling.
  if (!request.header("User-Agent")) request.headers.emplace_back("User-Agent", "marketlink");

  const ServiceInfo& info = service_info(service);
  const std::string region = signing_region(service, settings_.region);
  const RetryPolicy policy(settings_.retry, context_.clock, context_.sleeper, context_.random);
  std::optional<HttpResponse> success;
  std::optional<core::Error> fatal;

  const auto outcome = policy.run([&](int attempt) -> std::optional<AwsError> {
    auto credentials = credentials_->credentials();
    if (!credentials) {
      fatal = std::move(credentials).error();
      return std::nullopt;
    }
    HttpRequest signed_request = request;
    sign_request(signed_request, *credentials,
                 {.region = region,
                  .service = info.signing_name,
                  .time = context_.clock.now(),
                  .s3_rules = service == Service::kS3});
    auto response = context_.transport.send(target->origin, signed_request, settings_.call_timeout);
    AwsError error;
    if (!response) {
      if (response.error().code != core::ErrorCode::kUnavailable) {
        fatal = std::move(response).error();
        return std::nullopt;
      }
      error = AwsError{.code = std::string(kConnectionErrorCode),
                       .message = response.error().message,
                       .request_id = {},
                       .http_status = 0,
                       .retryable = true};
    } else if (response->status >= 200 && response->status < 300) {
      success = std::move(response).value();
      return std::nullopt;
    } else {
      error = parse_error(info.protocol, *response);
    }
    if (error.retryable) {
      core::log::warn("aws call failed", {{"service", info.name},
                                          {"operation", operation},
                                          {"attempt", attempt},
                                          {"code", error.code},
                                          {"status", error.http_status},
                                          {"request_id", error.request_id}});
    }
    return error;
  });

  if (fatal) return *std::move(fatal);
  if (outcome.error) return to_core_error(*outcome.error, operation);
  return *std::move(success);
}

}  // namespace aws
