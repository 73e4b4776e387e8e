#include "app/curl_webhook_sender.h"

#include <string_view>

#include "aws/http_message.h"

namespace app {

core::Result<saas::WebhookAnswer> CurlWebhookSender::post(const saas::WebhookPost& request) {
  const std::string_view url = request.url;
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return core::invalid("The URL has no scheme.");
  const size_t path_start = url.find_first_of("/?#", scheme_end + 3);
  const std::string_view origin = url.substr(0, path_start);
  std::string_view target = path_start == std::string_view::npos ? "/" : url.substr(path_start);
  if (const size_t hash = target.find('#'); hash != std::string_view::npos) {
    target = target.substr(0, hash);
  }
  std::string with_slash;
  if (target.empty() || target.front() != '/') {
    with_slash = "/" + std::string(target);
    target = with_slash;
  }
  aws::HttpRequest http{.method = "POST", .body = request.body};
  aws::split_target(target, http.path, http.query);
  http.headers.emplace_back("Host", std::string(origin.substr(scheme_end + 3)));
  for (const auto& [name, value] : request.headers) http.headers.emplace_back(name, value);
  auto answer = transport_.send(origin, http, request.timeout);
  if (!answer.ok()) {
    // The transport's message starts with the request line's target, whose path and query may
    // carry the receiver's own credentials: the reason alone goes into logs and delivery logs.
    core::Error e = answer.error();
    const std::string prefix = "POST " + std::string(origin);
    if (e.message.starts_with(prefix)) {
      if (const size_t colon = e.message.find(": ", prefix.size()); colon != std::string::npos) {
        e.message = e.message.substr(colon + 2);
      }
    }
    return e;
  }
  return saas::WebhookAnswer{.status = answer->status, .body = std::move(answer->body)};
}

}  // namespace app
