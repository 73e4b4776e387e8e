#include "web/saas/webhook_routes.h"

#include "web/saas/webhook_shared.h"

namespace resources {
std::span<const core::EmbeddedFile> web_saas_webhook_templates();
}  // namespace resources

namespace web {

core::Status add_webhook_routes(http::Router& router, Pages& pages, const Auth& auth,
                                saas::WebhookService& webhooks, saas::IntegrationHealth& health) {
  if (auto added = pages.add_templates(resources::web_saas_webhook_templates()); !added.ok()) {
    return added;
  }
  const std::vector<identity::OrgKind> operator_only = {identity::OrgKind::kOperator};
  pages.add_nav({.section = "Selling",
                 .label = "Webhooks",
                 .path = "/operator/webhooks",
                 .kinds = operator_only,
                 .site_path = true});
  pages.add_nav({.section = "Selling",
                 .label = "Integration health",
                 .path = "/operator/health",
                 .kinds = operator_only,
                 .site_path = true});
  add_webhook_pages(router, pages, auth, webhooks);
  add_health_pages(router, pages, auth, health);
  add_webhook_api(router, auth, webhooks);
  return {};
}

}  // namespace web
