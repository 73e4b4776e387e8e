// Router: maps a method and a path to a handler. Patterns are literal segments and parameters:
// "/orgs/{org}/pool", and a last segment "{name*}" that takes the rest of the path
// ("/static/{file*}"). Literal segments win over parameters. Routes are added at start-up, before
// the server runs; matching is then read-only and safe from any thread.
#pragma once

#include <concepts>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "http/message.h"

namespace http {

using Handler = std::function<Response(Request&)>;

// A check that runs once a request's line and headers are in, before its body is read. It sees
// the request without a body (method, target, headers, route and path parameters) and returns
// the final answer when the request must not go on (e.g. 401 without credentials), or nullopt.
// The server runs it only for requests that wait for `100 Continue` (Expect: 100-continue): it
// answers them without reading the body. It may block (the database): it runs where the route's
// handler would. When it lets a request through, the handler still runs every check itself, so
// a check changes nothing beyond what that handler records anyway (e.g. a session's last use).
using HeaderCheck = std::function<std::optional<Response>(const Request&)>;

// What a route runs: the handler and, optionally, its header-phase check. Access wrappers
// (web::Auth) return one; any callable that fits a Handler converts to one with no check, so
// `router.get(path, [](Request&) { ... })` reads as it always did. It is itself a Handler (the
// check is then lost: pass it to the router to keep it).
struct RouteHandler {
  Handler handler;
  HeaderCheck header_check;  // may be empty

  RouteHandler() = default;
  RouteHandler(Handler h, HeaderCheck check)
      : handler(std::move(h)), header_check(std::move(check)) {}
  template <typename F>
  requires(!std::same_as<F, RouteHandler> && std::is_constructible_v<Handler, F>)
      RouteHandler(F h)  // NOLINT(google-explicit-constructor): a lambda is a route handler
      : handler(std::move(h)) {}

  Response operator()(Request& request) const { return handler(request); }
};

struct RouteOptions {
  // Run on the I/O thread instead of the worker pool. Only for handlers that never block
  // (no database, no network, no file system): health checks, metrics, static files.
  bool inline_io = false;
};

struct Route {
  Method method;
  std::string pattern;
  Handler handler;
  HeaderCheck header_check;  // empty: none (see HeaderCheck)
  RouteOptions options;
  std::vector<std::string> segments;
  size_t index = 0;  // position in the router, for per-route statistics
};

class Router {
 public:
  void add(Method method, std::string pattern, RouteHandler handler, RouteOptions options = {});
  void get(std::string pattern, RouteHandler h, RouteOptions o = {}) {
    add(Method::kGet, std::move(pattern), std::move(h), o);
  }
  void post(std::string pattern, RouteHandler h, RouteOptions o = {}) {
    add(Method::kPost, std::move(pattern), std::move(h), o);
  }
  void put(std::string pattern, RouteHandler h, RouteOptions o = {}) {
    add(Method::kPut, std::move(pattern), std::move(h), o);
  }
  void patch(std::string pattern, RouteHandler h, RouteOptions o = {}) {
    add(Method::kPatch, std::move(pattern), std::move(h), o);
  }
  void del(std::string pattern, RouteHandler h, RouteOptions o = {}) {
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
