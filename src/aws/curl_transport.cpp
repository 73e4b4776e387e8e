#include "aws/curl_transport.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <mutex>
#include <vector>

namespace aws {

namespace {

size_t on_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::vector<Header>*>(user);
  std::string_view line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    headers->clear();  // a new response (after 100 Continue): start over
  } else if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    headers->emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return size * count;
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

struct CurlTransport::Pool {
  std::mutex mu;
  std::vector<CURL*> idle;
  size_t max_idle = 0;

  CURL* take() {
    {
      std::lock_guard lock(mu);
      if (!idle.empty()) {
        CURL* h = idle.back();
        idle.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }

  void give(CURL* h) {
    {
      std::lock_guard lock(mu);
      if (idle.size() < max_idle) {
        idle.push_back(h);
        return;
      }
    }
    curl_easy_cleanup(h);
  }

  ~Pool() {
    for (CURL* h : idle) curl_easy_cleanup(h);
  }
};

CurlTransport::CurlTransport(TransportSettings settings)
    : settings_(std::move(settings)), pool_(std::make_unique<Pool>()) {
  // curl_global_init is not called here: it must run before any thread starts, which only main
  // can promise (app/main.cpp, unit_test_main.cpp).
  pool_->max_idle = settings_.max_idle_handles;
}

CurlTransport::~CurlTransport() = default;

core::Result<HttpResponse> CurlTransport::send(std::string_view origin, const HttpRequest& request,
                                               std::chrono::milliseconds timeout) {
  if (!origin.starts_with("http://") && !origin.starts_with("https://")) {
    return core::invalid(fmt::format("AWS endpoint '{}' is not an http(s) URL", origin));
  }
  while (origin.ends_with('/')) origin.remove_suffix(1);
  const std::string url = std::string(origin) + request.target();

  CURL* h = pool_->take();
  if (h == nullptr) return core::internal("curl_easy_init failed");
  curl_easy_reset(h);  // keeps the handle's live connections for reuse

  HttpResponse response;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(settings_.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, settings_.verify_tls ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, settings_.verify_tls ? 2L : 0L);
  if (!settings_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, settings_.ca_file.c_str());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &response.headers);

  if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (request.method == "GET" && request.body.empty()) {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    if (request.method != "POST") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }

  // Only the request's own headers go out: libcurl's defaults (Accept, Expect, a form
  // Content-Type for bodies) are switched off.
  curl_slist* list = nullptr;
  bool has_content_type = false;
  for (const auto& [name, value] : request.headers) {
    if (iequals(name, "Content-Type")) has_content_type = true;
    const std::string line = value.empty() ? name + ";" : name + ": " + value;
    list = curl_slist_append(list, line.c_str());
  }
  list = curl_slist_append(list, "Accept:");
  list = curl_slist_append(list, "Expect:");
  if (!has_content_type) list = curl_slist_append(list, "Content-Type:");
  std::unique_ptr<curl_slist, SlistDeleter> headers(list);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());

  const CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  // The pool must not keep pointers into this call's buffers.
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  pool_->give(h);

  if (rc != CURLE_OK) {
    const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
    const std::string message =
        fmt::format("{} {}{}: {}", request.method, origin, request.path, detail);
    if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) {
      return core::invalid(message);
    }
    return core::unavailable(message);
  }
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace aws
