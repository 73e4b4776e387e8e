// Private to web/saas: the parts webhook_routes.cpp registers.
#pragma once

#include "core/result.h"
#include "http/router.h"
#include "saas/health.h"
#include "saas/webhooks.h"
#include "web/auth.h"
#include "web/pages.h"

namespace web {

// /api/v1/webhooks…  (webhook_api.cpp)
void add_webhook_api(http::Router& router, const Auth& auth, saas::WebhookService& webhooks);
// /operator/webhooks…  (webhook_pages.cpp)
void add_webhook_pages(http::Router& router, Pages& pages, const Auth& auth,
                       saas::WebhookService& webhooks);
// /operator/health…  (health_pages.cpp)
void add_health_pages(http::Router& router, Pages& pages, const Auth& auth,
                      saas::IntegrationHealth& health);

}  // namespace web
