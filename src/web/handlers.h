// How a domain's routes name their handlers: each domain's pages and API are a small struct of
// references to the services they call (`PoolPages`, `IdentityApi`, …) with one method per route,
// and a flat table registers them, one line per route:
//
//   const PoolPages p{…};
//   router.get("/orgs/{org}/pool", auth.member(to(p, &PoolPages::list), kProviderOrgs));
//
// to() gives the route a copy of the struct (references only: cheap, and safe from any worker
// thread as long as the services outlive the router).
#pragma once

#include "http/message.h"
#include "web/auth.h"
#include "web/request_context.h"

namespace web {

template <typename Handlers>
ContextHandler to(const Handlers& handlers,
                  http::Response (Handlers::*method)(http::Request&, RequestContext&) const) {
  return [handlers, method](http::Request& r, RequestContext& ctx) {
    return (handlers.*method)(r, ctx);
  };
}

}  // namespace web
