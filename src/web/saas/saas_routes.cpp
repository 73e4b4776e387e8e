#include "web/saas/saas_routes.h"

#include "web/saas/saas_shared.h"

namespace web {

core::Status add_saas_routes(http::Router& router, Pages& pages, const Auth& auth,
                             saas::SaasService& saas, const SaasWebSettings& settings) {
  if (auto added = add_onboarding_routes(router, pages, auth, saas, settings); !added.ok()) {
    return added;
  }
  if (auto added = add_operator_pages(router, pages, auth, saas); !added.ok()) return added;
  if (auto added = add_billing_pages(router, pages, auth, saas, settings); !added.ok()) {
    return added;
  }
  add_saas_api(router, auth, saas, settings.metering);
  return {};
}

}  // namespace web
