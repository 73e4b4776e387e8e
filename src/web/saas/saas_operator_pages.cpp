#include "web/saas/saas_shared.h"

namespace web {

core::Status add_operator_pages(http::Router&, Pages&, const Auth&, saas::SaasService&) {
  return {};
}

}  // namespace web
