// Test-only: drives a Router in-process the way a browser or an API client would, with a cookie
// jar, without sockets. Requests go through route matching and the real handlers.
#pragma once

#include <map>
#include <string>

#include "http/message.h"
#include "http/router.h"

namespace web::testing {

struct Reply {
  int status = 0;
  http::Headers headers;
  std::string body;
  std::string header(std::string_view name) const {
    http::Response r;
    r.headers = headers;
    const std::string* v = r.header(name);
    return v == nullptr ? "" : *v;
  }
  std::string location() const { return header("Location"); }
  // The value of the first hidden csrf_token field in an HTML page.
  std::string csrf() const {
    const std::string marker = "name=\"csrf_token\" value=\"";
    const auto pos = body.find(marker);
    if (pos == std::string::npos) return "";
    const auto start = pos + marker.size();
    return body.substr(start, body.find('"', start) - start);
  }
};

class TestClient {
 public:
  explicit TestClient(const http::Router& router, std::string ip = "192.0.2.10")
      : router_(router), ip_(std::move(ip)) {}

  Reply request(http::Method method, const std::string& target, const std::string& body = "",
                http::Headers headers = {}) {
    http::Request r;
    r.method = method;
    r.target = target;
    const auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query_string = target.substr(q + 1);
    r.headers = std::move(headers);
    std::string jar;
    for (const auto& [k, v] : cookies_) jar += (jar.empty() ? "" : "; ") + k + "=" + v;
    if (!jar.empty()) r.headers.emplace_back("cookie", jar);
    r.body = body;
    r.remote_ip = ip_;
    r.request_id = "test-request";
    auto match = router_.match(method, r.path);
    Reply reply;
    if (match.route == nullptr) {
      reply.status = 404;
      return reply;
    }
    r.route = match.route->pattern;
    r.params = match.params;
    http::Response res = match.route->handler(r);
    reply.status = res.status;
    reply.headers = res.headers;
    reply.body = res.body;
    for (const auto& [k, v] : res.headers) {
      if (k != "Set-Cookie") continue;
      const auto eq = v.find('=');
      const auto semi = v.find(';');
      const std::string name = v.substr(0, eq);
      const std::string value = v.substr(eq + 1, semi - eq - 1);
      if (v.find("Max-Age=0") != std::string::npos || value.empty()) {
        cookies_.erase(name);
      } else {
        cookies_[name] = value;
      }
    }
    return reply;
  }

  // A browser GET.
  Reply get(const std::string& target) {
    return request(http::Method::kGet, target, "", {{"accept", "text/html"}});
  }
  // A browser form POST. `fields` is sent as given (add csrf_token yourself).
  Reply post_form(const std::string& target,
                  const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string body;
    for (const auto& [k, v] : fields) {
      body += (body.empty() ? "" : "&") + http::url_encode(k) + "=" + http::url_encode(v);
    }
    return request(
        http::Method::kPost, target, body,
        {{"accept", "text/html"}, {"content-type", "application/x-www-form-urlencoded"}});
  }
  // An API call.
  Reply api(http::Method method, const std::string& target, const std::string& json = "",
            http::Headers extra = {}) {
    extra.emplace_back("accept", "application/json");
    if (!json.empty()) extra.emplace_back("content-type", "application/json");
    return request(method, target, json, std::move(extra));
  }

  std::map<std::string, std::string>& cookies() { return cookies_; }

 private:
  const http::Router& router_;
  std::string ip_;
  std::map<std::string, std::string> cookies_;
};

}  // namespace web::testing
