// Router: maps a method and a path to a handler. Patterns are literal segments and parameters:
// "/orgs/{org}/pool", and a last segment "{name*}" that takes the rest of the path
// ("/static/{file*}"). Literal segments win over parameters. Routes are added at start-up, before
// the server runs; matching is then read-only and safe from any thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/message.h"

namespace http {

using Handler = std::function<Response(Request&)>;

struct RouteOptions {
  // Run on the I/O thread instead of the worker pool. Only for handlers that never block
  // (no database, no network, no file system): health checks, metrics, static files.
  bool inline_io = false;
};

struct Route {
  Method method;
  std::string pattern;
  Handler handler;
  RouteOptions options;
  std::vector<std::string> segments;
  size_t index = 0;  // position in the router, for per-route statistics
};

class Router {
 public:
  void add(Method method, std::string pattern, Handler handler, RouteOptions options = {});
  void get(std::string pattern, Handler h, RouteOptions o = {}) {
    add(Method::kGet, std::move(pattern), std::move(h), o);
  }
  void post(std::string pattern, Handler h, RouteOptions o = {}) {
    add(Method::kPost, std::move(pattern), std::move(h), o);
  }
  void put(std::string pattern, Handler h, RouteOptions o = {}) {
    add(Method::kPut, std::move(pattern), std::move(h), o);
  }
  void patch(std::string pattern, Handler h, RouteOptions o = {}) {
    add(Method::kPatch, std::move(pattern), std::move(h), o);
  }
  void del(std::string pattern, Handler h, RouteOptions o = {}) {
    add(Method::kDelete, std::move(pattern), std::move(h), o);
  }

  struct Match {
    const Route* route = nullptr;  // null: no route for this method
    bool path_exists = false;      // some route has this path under another method (405)
    std::vector<std::string> allowed;
    std::map<std::string, std::string> params;
  };
  // HEAD falls back to the GET route.
  Match match(Method method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace http
