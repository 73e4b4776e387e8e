#include "web/saas/saas_shared.h"

namespace web {

core::Status add_onboarding_routes(http::Router&, Pages&, const Auth&, saas::SaasService&,
                                   const SaasWebSettings&) {
  return {};
}

}  // namespace web
