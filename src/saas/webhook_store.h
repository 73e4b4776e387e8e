// WebhookStore: the webhook tables (migration 0033_saas_webhooks.sql) behind typed functions.
// Private to src/saas: WebhookService decides, the store writes it down. Every function runs in a
// transaction opened by the caller and throws the database's exceptions, which
// db::Database::transact turns into errors or retries.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "saas/webhooks.h"

namespace saas {

struct EndpointRow {
  WebhookEndpoint endpoint;
  std::string secret_sealed;
};

class WebhookStore {
 public:
  static void insert_endpoint(db::Tx& tx, const EndpointRow& row);
  static std::vector<EndpointRow> endpoints(db::Tx& tx);
  static std::optional<EndpointRow> endpoint(db::Tx& tx, const std::string& id);
  // Deletes the endpoint, its deliveries and their attempts; false when there was none.
  static bool delete_endpoint(db::Tx& tx, const std::string& id);

  static void insert_delivery(db::Tx& tx, const WebhookDelivery& d);
  static std::optional<WebhookDelivery> delivery(db::Tx& tx, const std::string& id);
  // Newest first.
  static std::vector<WebhookDelivery> deliveries(db::Tx& tx, const std::string& endpoint_id,
                                                 int limit);
  static std::vector<DeliveryAttempt> attempts(db::Tx& tx, const std::string& delivery_id);
  // Records an attempt (ignored when that attempt number is recorded already: a job run twice)
  // and the delivery's new state.
  static void record_attempt(db::Tx& tx, const WebhookDelivery& after,
                             const DeliveryAttempt& attempt);

  static WebhookFigures figures(db::Tx& tx);
};

}  // namespace saas
