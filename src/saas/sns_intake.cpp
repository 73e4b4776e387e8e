#include "saas/sns_intake.h"

#include "aws/sigv4.h"
#include "aws/sns_message.h"

namespace saas {

namespace {

// A SubscribeURL is fetched only on a host its certificate could come from: the same check as
// for certificates, on the URL's scheme and authority with a ".pem" path.
core::Status check_subscribe_url(const std::string& url, const std::vector<std::string>& hosts) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return core::forbidden("The SubscribeURL is not a URL.", "sns_cert_url");
  }
  const size_t path = url.find_first_of("/?#", scheme_end + 3);
  const std::string origin = url.substr(0, path);
  return aws::sns::check_signing_cert_url(origin + "/x.pem", hosts);
}

// The SubscriptionArn of a ConfirmSubscription answer (XML); "" when it has none.
std::string subscription_arn_of(const std::string& answer) {
  const std::string open = "<SubscriptionArn>";
  const size_t start = answer.find(open);
  if (start == std::string::npos) return "";
  const size_t end = answer.find("</SubscriptionArn>", start);
  if (end == std::string::npos) return "";
  return answer.substr(start + open.size(), end - start - open.size());
}

core::Error refused(const core::Error& e, const char* slug) {
  return core::forbidden(e.message, e.slug.empty() ? slug : e.slug);
}

}  // namespace

SnsIntake::SnsIntake(LifecycleService& lifecycle, SaasService& saas, SnsWeb& web,
                     SnsSettings settings)
    : lifecycle_(lifecycle), saas_(saas), web_(web), settings_(std::move(settings)) {}

std::string SnsIntake::product_of_topic(const std::string& topic_arn) const {
  const std::string prefix =
      "arn:aws:sns:" + settings_.topic_region + ":" + settings_.topic_account + ":aws-mp-";
  if (!topic_arn.starts_with(prefix)) return "";
  std::string_view rest = std::string_view(topic_arn).substr(prefix.size());
  for (std::string_view kind : {"subscription-notification-", "entitlement-notification-"}) {
    if (rest.starts_with(kind)) return std::string(rest.substr(kind.size()));
  }
  return "";
}

core::Result<std::string> SnsIntake::certificate(const std::string& url) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = certificates_.find(url); it != certificates_.end()) return it->second;
  }
  auto fetched = web_.get(url);
  if (!fetched.ok()) {
    return core::unavailable("The SNS signing certificate could not be fetched.");
  }
  std::lock_guard lock(mutex_);
  certificates_[url] = *fetched;
  return *fetched;
}

core::Result<SnsResult> SnsIntake::handle(std::string_view body) {
  auto message = aws::sns::parse_sns_message(body);
  if (!message.ok()) return message.error();
  const std::string code = product_of_topic(message->topic_arn);
  if (code.empty() || !saas_.product(code).ok()) {
    return core::forbidden("The topic " + message->topic_arn + " is not one of our products'.",
                           "sns_topic");
  }
  if (auto checked =
          aws::sns::check_signing_cert_url(message->signing_cert_url, settings_.trusted_cert_hosts);
      !checked.ok()) {
    return refused(checked.error(), "sns_cert_url");
  }
  auto pem = certificate(message->signing_cert_url);
  if (!pem.ok()) return pem.error();
  if (auto verified = aws::sns::verify_sns_signature(*message, *pem); !verified.ok()) {
    return refused(verified.error(), "sns_signature");
  }

  if (message->type == aws::sns::kSubscriptionConfirmation) {
    if (auto checked = check_subscribe_url(message->subscribe_url, settings_.trusted_cert_hosts);
        !checked.ok()) {
      return refused(checked.error(), "sns_cert_url");
    }
    auto request =
        lifecycle_.sns_subscription_received(message->topic_arn, aws::sha256_hex(message->token));
    if (!request.ok()) return request.error();
    auto confirmed = web_.get(message->subscribe_url);
    if (!confirmed.ok()) {
      const std::string error = "ConfirmSubscription failed: " + confirmed.error().message;
      if (auto kept = lifecycle_.sns_subscription_failed(*request, error); !kept.ok()) {
        return kept.error();
      }
      return core::unavailable("The subscription could not be confirmed.");
    }
    if (auto kept =
            lifecycle_.sns_subscription_confirmed(*request, subscription_arn_of(*confirmed));
        !kept.ok()) {
      return kept.error();
    }
    return SnsResult{.outcome = SnsOutcome::kConfirmed, .event_id = ""};
  }
  if (message->type == aws::sns::kUnsubscribeConfirmation) {
    return SnsResult{.outcome = SnsOutcome::kUnsubscribeAcknowledged, .event_id = ""};
  }
  auto event = parse_sns_notification(message->message, message->message_id, message->time);
  if (!event.ok()) return event.error();
  if (event->product_code != code) {
    return core::forbidden("The notification names another product than its topic.", "sns_topic");
  }
  auto received = lifecycle_.receive(*event);
  if (!received.ok()) return received.error();
  return SnsResult{.outcome = received->duplicate ? SnsOutcome::kDuplicate : SnsOutcome::kReceived,
                   .event_id = received->event_id};
}

}  // namespace saas
