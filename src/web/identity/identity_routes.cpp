#include "web/identity/identity_routes.h"

#include "web/identity/identity_api.h"
#include "web/identity/identity_pages.h"

namespace resources {
std::span<const core::EmbeddedFile> web_identity_templates();
}

namespace web {

core::Status add_identity_routes(http::Router& router, Pages& pages, const Auth& auth,
                                 identity::AuditLog& audit) {
  if (auto added = pages.add_templates(resources::web_identity_templates()); !added.ok()) {
    return added;
  }
  pages.add_nav({.section = "Organization", .label = "Overview", .path = ""});
  pages.add_nav({.section = "Organization", .label = "Members", .path = "/members"});
  pages.add_nav(
      {.section = "Organization", .label = "API tokens", .path = "/tokens", .admin_only = true});
  pages.add_nav(
      {.section = "Organization", .label = "Audit log", .path = "/audit", .admin_only = true});
  IdentityPages{pages, auth, audit, auth.identity()}.add_routes(router);
  IdentityApi{auth, audit, auth.identity()}.add_routes(router);
  return {};
}

}  // namespace web
