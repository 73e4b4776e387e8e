#include "app/sandbox_webhooks.h"

#include <nlohmann/json.hpp>

#include "app/settings_store.h"
#include "core/log.h"

namespace app {

namespace {

constexpr const char* kLoadedKey = "sandbox.webhooks";

}  // namespace

void add_sandbox_webhook_receiver(Platform& platform) {
  Platform* p = &platform;
  platform.router.post(kSandboxWebhookReceiverPath, [p](http::Request& r) {
    const std::string* signature = r.header(saas::kWebhookSignatureHeader);
    SettingsStore settings(p->database(), p->clock);
    auto sealed = settings.get(kSandboxWebhookSecretSetting);
    std::string secret;
    if (sealed.ok() && *sealed && p->secrets) {
      if (auto opened = p->secrets->open(**sealed); opened.ok()) secret = *opened;
    }
    const bool valid = signature != nullptr && !secret.empty() &&
                       saas::verify_webhook_signature(secret, *signature, r.body,
                                                      core::unix_seconds(p->clock.now()));
    const auto body = nlohmann::json::parse(r.body, nullptr, false);
    const auto text = [&](const char* key) {
      return body.is_object() && body.contains(key) && body[key].is_string()
                 ? body[key].get<std::string>()
                 : std::string();
    };
    core::log::info("sandbox webhook received", {{"type", text("type")},
                                                 {"event", text("id")},
                                                 {"org", text("org")},
                                                 {"signature", valid ? "valid" : "invalid"}});
    if (!valid) {
      return http::Response::json(
          401, R"({"error":{"code":"bad_signature","message":"The signature does not match."}})");
    }
    return http::Response::json(200, R"({"received":true})");
  });
}

core::Status load_sandbox_webhooks(Platform& platform, IdentityDomain& identity,
                                   WebhooksDomain& webhooks) {
  SettingsStore settings(platform.database(), platform.clock);
  auto loaded = settings.get(kLoadedKey);
  if (!loaded.ok()) return loaded.error();
  if (*loaded) return {};
  if (!platform.secrets) return {};
  if (platform.public_url.ends_with(":0")) {
    core::log::info("sandbox webhook endpoint not added: the port is chosen at start");
    return {};
  }
  auto operator_org = identity.service.find_organization("marketlink-operations");
  if (!operator_org.ok()) return operator_org.error();
  auto created = webhooks.service.create_endpoint(
      operator_org->id,
      {.url = platform.public_url + kSandboxWebhookReceiverPath,
       .events = {saas::OutboxEvent::kLinked, saas::OutboxEvent::kActive,
                  saas::OutboxEvent::kUnsubscribePending, saas::OutboxEvent::kCancelled,
                  saas::OutboxEvent::kEntitlementsChanged, saas::OutboxEvent::kMeteringFailed}},
      identity::Actor::system());
  if (!created.ok()) return created.error();
  if (auto s = settings.set(kSandboxWebhookSecretSetting, platform.secrets->seal(created->secret));
      !s.ok())
    return s;
  // Due once the hub listens (it starts right after the demo data is in).
  if (auto sent = webhooks.service.send_test(created->endpoint.id, std::chrono::seconds(2));
      !sent.ok()) {
    return sent.error();
  }
  return settings.set(kLoadedKey, "1");
}

}  // namespace app
