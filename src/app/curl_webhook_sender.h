// CurlWebhookSender: saas::WebhookSender over libcurl (aws::CurlTransport, a pool of its own
// connections, TLS verified). POSTs once, follows no redirect, and keeps the answer's body. Safe
// for concurrent use; must not be destroyed while a post is in flight (the job queue stops
// first).
#pragma once

#include "aws/curl_transport.h"
#include "saas/webhooks.h"

namespace app {

class CurlWebhookSender final : public saas::WebhookSender {
 public:
  explicit CurlWebhookSender(aws::TransportSettings settings = {}) : transport_(settings) {}
  core::Result<saas::WebhookAnswer> post(const saas::WebhookPost& request) override;

 private:
  aws::CurlTransport transport_;
};

}  // namespace app
