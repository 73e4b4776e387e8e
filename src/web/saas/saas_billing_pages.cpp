#include "web/saas/saas_shared.h"

namespace web {

core::Status add_billing_pages(http::Router&, Pages&, const Auth&, saas::SaasService&,
                               const SaasWebSettings&) {
  return {};
}

}  // namespace web
