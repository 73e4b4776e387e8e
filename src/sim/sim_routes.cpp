// The AWS endpoint: turns the HTTP server's requests into wire-level AWS requests for
// Simulator::handle, and its answers back.
#include "sim/sim_routes.h"

#include "aws/http_message.h"

namespace sim {

namespace {

aws::HttpRequest to_aws(const http::Request& request) {
  aws::HttpRequest r;
  r.method = http::method_name(request.method);
  aws::split_target(request.target, r.path, r.query);
  r.headers.assign(request.headers.begin(), request.headers.end());
  r.body = request.body;
  return r;
}

http::Response to_http(aws::HttpResponse response) {
  http::Response r;
  r.status = response.status;
  for (auto& [name, value] : response.headers) r.headers.emplace_back(name, std::move(value));
  r.body = std::move(response.body);
  return r;
}

}  // namespace

void add_aws_routes(http::Router& router, Simulator& simulator) {
  auto handler = [&simulator](http::Request& request) {
    // A person opening the simulator's address in a browser gets the console.
    if (request.method == http::Method::kGet && request.path == "/" &&
        request.query_string.empty() && request.header("authorization") == nullptr &&
        request.wants_html()) {
      return http::Response::redirect("/console", 302);
    }
    return to_http(simulator.handle(to_aws(request)));
  };
  for (auto method : {http::Method::kGet, http::Method::kPost, http::Method::kPut,
                      http::Method::kDelete, http::Method::kPatch}) {
    router.add(method, "/", handler);
    router.add(method, "/{aws_path*}", handler);
  }
}

}  // namespace sim
