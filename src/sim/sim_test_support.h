// Test support for the simulator's tests: an HttpTransport that hands requests straight to a
// Simulator (no sockets), and typed AWS clients for a simulator's accounts.
#pragma once

#include <string>

#include "aws/aws_client.h"
#include "aws/http_transport.h"
#include "aws/retry_policy.h"
#include "sim/simulator.h"

namespace sim {

class InProcessTransport final : public aws::HttpTransport {
 public:
  explicit InProcessTransport(Simulator& simulator) : simulator_(simulator) {}
  core::Result<aws::HttpResponse> send(std::string_view, const aws::HttpRequest& request,
                                       std::chrono::milliseconds) override {
    return simulator_.handle(request);
  }

 private:
  Simulator& simulator_;
};

// A sleeper that does not sleep (retries in tests run at once).
class NoSleep final : public aws::Sleeper {
 public:
  void sleep_for(std::chrono::milliseconds) override {}
};

inline aws::Credentials keys_of(const Json& account) {
  return {account.at("access_key_id").get<std::string>(),
          account.at("secret_access_key").get<std::string>(), "", std::nullopt};
}

inline aws::Credentials seller_keys() {
  return {std::string(kSellerAccessKeyId), std::string(kSellerSecretAccessKey), "", std::nullopt};
}

}  // namespace sim
