// DeliveryWorker: a thread that sends the simulator's outgoing HTTP messages (SNS notifications
// and confirmations, EventBridge events) with libcurl, retrying failures with exponential
// backoff, and lets time-based state move on (Simulator::settle) even when no call arrives.
// Only loopback URLs are ever queued (the simulator refuses others), and proxies are never used.
// start() and stop() from the owning thread; stop() joins.
#pragma once

#include <atomic>
#include <functional>
#include <thread>

#include "sim/simulator.h"

namespace sim {

class DeliveryWorker {
 public:
  // `tick` runs about every 200 ms on the worker thread (e.g. to save the state file).
  DeliveryWorker(Simulator& simulator, std::function<void()> tick);
  ~DeliveryWorker();
  void start();
  void stop();

 private:
  void run();

  Simulator& simulator_;
  std::function<void()> tick_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// POSTs `delivery` once; returns the HTTP status, or 0 when no answer came.
int post_delivery(const Delivery& delivery, std::chrono::milliseconds timeout);

}  // namespace sim
