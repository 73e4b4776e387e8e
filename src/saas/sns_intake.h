// SnsIntake: AWS Marketplace's SNS notifications (legacy listings), as POSTed to /aws/sns or
// read from an SQS queue. Every message is verified before anything else happens:
//   1. it parses (aws/sns_message.h);                                   invalid / sns_malformed
//   2. its topic is one of ours: arn:aws:sns:us-east-1:287250355862:
//      aws-mp-{subscription|entitlement}-notification-<code>, <code> a  forbidden / sns_topic
//      registered product;
//   3. its SigningCertURL is https, ends in .pem, on SNS's hosts or one forbidden / sns_cert_url
//      of SnsSettings::trusted_cert_hosts;
//   4. its signature verifies (versions 1 and 2) with that certificate forbidden / sns_signature
//      (fetched through SnsWeb, kept in memory by URL).
// Then a SubscriptionConfirmation is stored (LifecycleService::sns_subscription_received: topic
// and token digest, once however often it comes) and confirmed (GET its SubscribeURL, which must
// be on a trusted host too; the outcome is stored, for the health page), an UnsubscribeConfirmation
// is only acknowledged, and a Notification becomes a LifecycleEvent given to
// LifecycleService::receive (stored once per MessageId). A fetch that fails is unavailable (SNS
// delivers again). Nothing is stored for a refused message. Thread safety: safe for concurrent use.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "saas/lifecycle.h"
#include "saas/saas.h"

namespace saas {

// GETs a URL (a signing certificate, a SubscribeURL) and answers the body of a 2xx answer;
// unavailable otherwise. Implemented in src/app with libcurl.
class SnsWeb {
 public:
  virtual ~SnsWeb() = default;
  virtual core::Result<std::string> get(const std::string& url) = 0;
};

struct SnsSettings {
  // Extra hosts trusted for certificates and SubscribeURLs (MARKETLINK_SNS_TRUSTED_CERT_HOSTS):
  // "host:port", or "http://host:port" for a local simulator. AWS's own hosts always are.
  std::vector<std::string> trusted_cert_hosts;
  std::string topic_region = "us-east-1";
  std::string topic_account = "287250355862";
};

enum class SnsOutcome { kReceived, kDuplicate, kConfirmed, kUnsubscribeAcknowledged };

struct SnsResult {
  SnsOutcome outcome = SnsOutcome::kReceived;
  std::string event_id;  // notifications
};

class SnsIntake {
 public:
  SnsIntake(LifecycleService& lifecycle, SaasService& saas, SnsWeb& web, SnsSettings settings);
  core::Result<SnsResult> handle(std::string_view body);
  // The product code of one of our topics; "" when `topic_arn` is not of that form.
  std::string product_of_topic(const std::string& topic_arn) const;

 private:
  core::Result<std::string> certificate(const std::string& url);

  LifecycleService& lifecycle_;
  SaasService& saas_;
  SnsWeb& web_;
  SnsSettings settings_;
  std::mutex mutex_;
  std::map<std::string, std::string> certificates_;
};

}  // namespace saas
