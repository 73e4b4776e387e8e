// `marketlink secrets rotate`: every stored secret sealed again under the first secret key, so
// that an older key can then be dropped (docs/security.md, "Rotating the secret key").
#include <fmt/format.h>

#include <vector>

#include "app/commands.h"
#include "app/sandbox_webhooks.h"
#include "app/settings_store.h"
#include "app/wiring.h"
#include "core/log.h"
#include "identity/sealed_secrets.h"
#include "orgs/aws_organizations.h"
#include "pool/aws_access.h"
#include "saas/webhooks.h"

namespace app {

std::vector<identity::SealedColumn> sealed_columns() {
  return {pool::sealed_aws_secrets(), orgs::sealed_organization_secrets(),
          saas::sealed_webhook_secrets(),
          sealed_setting("the sandbox's webhook secret", kSandboxWebhookSecretSetting)};
}

int rotate_secrets(const core::Config& config) {
  if (config.log_level == "info") core::log::set_level("warn");
  auto platform = Platform::open(
      config, config.public_url.empty() ? std::string("http://127.0.0.1:8080") : config.public_url);
  if (!platform) return 1;
  if (!platform->secrets) {
    fmt::print(stderr,
               "marketlink: no secret key is configured: set MARKETLINK_SECRET_KEY (or "
               "MARKETLINK_SECRET_KEY_FILE) to the new key, then the old one, separated by a "
               "comma.\n");
    return 1;
  }
  const identity::SecretBox& box = *platform->secrets;
  const std::vector<std::string> ids = box.key_ids();
  fmt::print("Sealing under key {}", ids.front());
  if (ids.size() > 1) {
    fmt::print("; also opening with {}", fmt::join(ids.begin() + 1, ids.end(), ", "));
  }
  fmt::print(".\n");
  long long unreadable = 0;
  for (const identity::SealedColumn& column : sealed_columns()) {
    auto count = identity::reseal_column(platform->database(), box, column);
    if (!count.ok()) {
      fmt::print(stderr, "marketlink: {}: {}\n", column.what, count.error().message);
      return 1;
    }
    fmt::print("  {}: {} re-sealed, {} already under key {}", column.what, count->resealed,
               count->current, ids.front());
    if (!count->unreadable.empty()) {
      fmt::print(", {} sealed under none of the keys given ({})", count->unreadable.size(),
                 fmt::join(count->unreadable, ", "));
    }
    fmt::print("\n");
    unreadable += static_cast<long long>(count->unreadable.size());
  }
  if (unreadable > 0) {
    fmt::print(stderr,
               "marketlink: {} secrets could not be opened: add the key that sealed them and run "
               "again, or enter them again. Keep the old key until then.\n",
               unreadable);
    return 1;
  }
  fmt::print("Every stored secret is sealed under key {}; older keys can now be dropped.\n",
             ids.front());
  return 0;
}

}  // namespace app
