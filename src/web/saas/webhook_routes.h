// Outbound webhooks and integration health on the web (docs/api.md, "Webhooks" and "Integration
// health"), for the platform operator only:
//  - pages /operator/webhooks… (endpoints, the signing secret shown once, deliveries with their
//    answers, replay, test event, delete) and /operator/health (dead jobs with retry and discard,
//    and every figure the providers report);
//  - API /api/v1/webhooks….
// Operator members read; operator admins change. Registers its templates and navigation. Call
// once at start-up; everything referenced must outlive the router.
#pragma once

#include "core/result.h"
#include "http/router.h"
#include "saas/health.h"
#include "saas/webhooks.h"
#include "web/auth.h"
#include "web/pages.h"

namespace web {

core::Status add_webhook_routes(http::Router& router, Pages& pages, const Auth& auth,
                                saas::WebhookService& webhooks, saas::IntegrationHealth& health);

}  // namespace web
