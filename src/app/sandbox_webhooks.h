// The sandbox's webhook demo: a receiver inside the hub, POST /sandbox/webhook-receiver, which
// checks each delivery's signature as a seller's application would and logs what it got
// ("sandbox webhook received"), and, once per database, an endpoint of the operator's pointing at
// it for every event, followed by a test event, so that /operator/webhooks shows deliveries and
// their answers from the first start. The endpoint's secret is kept sealed in app_settings for
// the receiver. Sandbox only.
#pragma once

#include <string>

#include "app/wiring.h"
#include "core/result.h"

namespace app {

inline constexpr const char* kSandboxWebhookReceiverPath = "/sandbox/webhook-receiver";
// The setting holding the demo endpoint's signing secret, sealed.
inline constexpr const char* kSandboxWebhookSecretSetting = "sandbox.webhook_secret";

void add_sandbox_webhook_receiver(Platform& platform);
core::Status load_sandbox_webhooks(Platform& platform, IdentityDomain& identity,
                                   WebhooksDomain& webhooks);

}  // namespace app
