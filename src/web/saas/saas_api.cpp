#include "web/saas/saas_shared.h"

namespace web {

void add_saas_api(http::Router&, const Auth&, saas::SaasService&) {}

}  // namespace web
