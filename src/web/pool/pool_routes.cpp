#include "web/pool/pool_routes.h"

#include "web/pool/pool_shared.h"

namespace resources {
std::span<const core::EmbeddedFile> web_pool_templates();
std::span<const core::EmbeddedFile> web_pool_access_templates();
}  // namespace resources

namespace web {

core::Status add_pool_routes(http::Router& router, Pages& pages, const Auth& auth,
                             pool::Pool& pool) {
  if (auto added = pages.add_templates(resources::web_pool_templates()); !added.ok()) return added;
  pages.add_nav({.section = "Reselling",
                 .label = "Account pool",
                 .path = "/pool",
                 .kinds = {identity::OrgKind::kProvider}});
  add_pool_pages(router, pages, auth, pool);
  add_pool_api(router, auth, pool);
  return {};
}

core::Status add_pool_aws_access_routes(http::Router& router, Pages& pages, const Auth& auth,
                                        pool::AwsAccess& access) {
  if (auto added = pages.add_templates(resources::web_pool_access_templates()); !added.ok()) {
    return added;
  }
  add_aws_access_routes(router, pages, auth, access);
  return {};
}

}  // namespace web
