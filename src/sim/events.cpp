// Outgoing events: AWS Marketplace's SNS notifications (to HTTP endpoints or simulated SQS
// queues) and EventBridge agreement events (to API destinations or simulated SQS queues).
#include <fmt/format.h>

#include "aws/http_message.h"
#include "sim/sim_state.h"
#include "sim/sns_signer.h"

namespace sim {

namespace {

std::string uuid() {
  const std::string hex = random_chars(32, "0123456789abcdef");
  return fmt::format("{}-{}-4{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(13, 3),
                     hex.substr(16, 4), hex.substr(20, 12));
}

}  // namespace

std::string sns_topic_arn(std::string_view topic, std::string_view product_code) {
  return fmt::format("arn:aws:sns:us-east-1:{}:aws-mp-{}-notification-{}", kMarketplaceSnsAccountId,
                     topic, product_code);
}

// Builds a signed SNS message body. `type` is Notification or SubscriptionConfirmation.
std::string sns_message(State& st, const NotificationSubscription& sub, const std::string& type,
                        const std::string& message, const core::TimePoint now,
                        std::string& message_id) {
  message_id = uuid();
  std::vector<std::pair<std::string, std::string>> fields;
  fields.emplace_back("Type", type);
  fields.emplace_back("MessageId", message_id);
  if (type != "Notification") fields.emplace_back("Token", sub.token);
  fields.emplace_back("TopicArn", sub.topic_arn);
  fields.emplace_back("Message", message);
  if (type != "Notification") {
    fields.emplace_back("SubscribeURL",
                        fmt::format("{}/?Action=ConfirmSubscription&TopicArn={}&Token={}",
                                    st.base_url, aws::uri_encode(sub.topic_arn), sub.token));
  }
  fields.emplace_back("Timestamp", iso8601_millis(now));
  const std::string signature =
      st.signer->sign(sns_string_to_sign(type, fields), sub.signature_version);
  Json body = Json::object();
  for (const auto& [k, v] : fields) body[k] = v;
  body["SignatureVersion"] = sub.signature_version;
  body["Signature"] = signature;
  body["SigningCertURL"] = st.base_url + "/_sim/sns/SimpleNotificationService.pem";
  if (type == "Notification") {
    body["UnsubscribeURL"] = fmt::format("{}/?Action=Unsubscribe&SubscriptionArn={}", st.base_url,
                                         aws::uri_encode(sub.arn));
  }
  return body.dump();
}

void queue_sns_delivery(State& st, const NotificationSubscription& sub, const std::string& type,
                        const std::string& body, const std::string& message_id,
                        const std::string& summary) {
  Delivery d;
  d.id = "dlv-" + random_chars(16, "0123456789abcdef");
  d.kind = "sns";
  d.url = sub.endpoint;
  d.headers = {{"Content-Type", "text/plain; charset=UTF-8"},
               {"User-Agent", "Amazon Simple Notification Service Agent"},
               {"x-amz-sns-message-type", type},
               {"x-amz-sns-message-id", message_id},
               {"x-amz-sns-topic-arn", sub.topic_arn}};
  if (type == "Notification") d.headers.emplace_back("x-amz-sns-subscription-arn", sub.arn);
  d.body = body;
  st.outbox.push_back(d);
  st.delivery_log.push_back(DeliveryLog{d.id, "sns", d.url, message_id, summary, 0, 0, "pending"});
}

void publish_sns(Ctx& ctx, std::string_view topic, const std::string& product_code,
                 const Json& message, const std::string& summary) {
  const std::string text = message.dump();
  for (const auto& sub : ctx.st.notification_subscriptions) {
    if (sub.topic != topic || sub.product_code != product_code) continue;
    if (sub.status != "Confirmed") continue;
    std::string message_id;
    const std::string body =
        sns_message(ctx.st, sub, "Notification", text, ctx.event_time(), message_id);
    if (!sub.queue_key.empty()) {
      enqueue_message(ctx, sub.queue_key, body);
      ctx.st.delivery_log.push_back(DeliveryLog{"sqs-" + message_id, "sqs", sub.queue_key,
                                                message_id, summary, 1, 200, "delivered"});
    } else {
      queue_sns_delivery(ctx.st, sub, "Notification", body, message_id, summary);
    }
  }
}

void Ctx::publish_subscription_event(const Agreement& agreement, std::string_view action) {
  Json message = {{"action", action},
                  {"customer-identifier", agreement.customer_identifier},
                  {"product-code", agreement.product_code},
                  {"offer-identifier", agreement.offer_id},
                  {"isFreeTrialTermPresent", agreement.free_trial ? "true" : "false"}};
  publish_sns(*this, "subscription", agreement.product_code, message, std::string(action));
}

void Ctx::publish_entitlement_event(const Agreement& agreement) {
  Json message = {{"action", "entitlement-updated"},
                  {"customer-identifier", agreement.customer_identifier},
                  {"product-code", agreement.product_code}};
  publish_sns(*this, "entitlement", agreement.product_code, message, "entitlement-updated");
}

void Ctx::publish_agreement_event(const Agreement& agreement, std::string_view detail_type,
                                  std::string_view intent) {
  const auto product = st.products.find(agreement.product_code);
  if (product == st.products.end()) return;
  const std::string seller = product->second.seller_account_id;
  const bool ended = !agreement.end_reason.empty();
  if (intent.empty()) intent = ended ? "CANCEL" : "NEW";
  Json detail = {{"requestId", uuid()},
                 {"agreement",
                  {{"id", agreement.id},
                   {"intent", intent},
                   {"status", agreement_api_status(agreement)},
                   {"startTime", iso8601(agreement.created)},
                   {"endTime", iso8601(agreement.ends)}}},
                 {"acceptor", {{"accountId", agreement.buyer_account_id}}},
                 {"proposer", {{"accountId", seller}}},
                 {"offer", {{"id", agreement.offer_id}}},
                 {"product", {{"code", agreement.product_code}, {"id", product->second.id}}},
                 {"license", {{"arn", agreement.license_arn}}}};
  Json event = {{"version", "0"},
                {"id", uuid()},
                {"detail-type", detail_type},
                {"source", "aws.agreement-marketplace"},
                {"account", seller},
                {"time", iso8601(event_time())},
                {"region", "us-east-1"},
                {"resources",
                 {fmt::format("arn:aws:aws-marketplace:us-east-1:{}:AWSMarketplace/Agreement/{}",
                              seller, agreement.id)}},
                {"detail", detail}};
  const std::string body = event.dump();
  for (const auto& dest : st.event_destinations) {
    if (!dest.seller_account_id.empty() && dest.seller_account_id != seller) continue;
    if (!dest.queue_key.empty()) {
      // An SQS target: the event itself is the message body.
      enqueue_message(*this, dest.queue_key, body);
      st.delivery_log.push_back(DeliveryLog{"sqs-" + event["id"].get<std::string>(), "sqs",
                                            dest.queue_key, event["id"], std::string(detail_type),
                                            1, 200, "delivered"});
      continue;
    }
    Delivery d;
    d.id = "dlv-" + random_chars(16, "0123456789abcdef");
    d.kind = "eventbridge";
    d.url = dest.endpoint;
    d.headers = {{"Content-Type", "application/json"},
                 {"User-Agent", "Amazon/EventBridge/ApiDestinations"}};
    if (!dest.header_name.empty()) d.headers.emplace_back(dest.header_name, dest.header_value);
    d.body = body;
    st.outbox.push_back(d);
    st.delivery_log.push_back(DeliveryLog{d.id, "eventbridge", d.url, event["id"],
                                          std::string(detail_type), 0, 0, "pending"});
  }
}

// The confirmation SNS sends to a new HTTP subscription.
void queue_confirmation(Ctx& ctx, const NotificationSubscription& sub) {
  const std::string message = fmt::format(
      "You have chosen to subscribe to the topic {}.\nTo confirm the subscription, visit the "
      "SubscribeURL included in this message.",
      sub.topic_arn);
  std::string message_id;
  const std::string body =
      sns_message(ctx.st, sub, "SubscriptionConfirmation", message, ctx.now, message_id);
  queue_sns_delivery(ctx.st, sub, "SubscriptionConfirmation", body, message_id,
                     "SubscriptionConfirmation");
}

}  // namespace sim
