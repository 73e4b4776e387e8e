#include "sim/delivery_worker.h"

#include <curl/curl.h>

#include <vector>

#include "core/log.h"

namespace sim {

namespace {

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

struct Pending {
  Delivery delivery;
  int attempts = 0;
  std::chrono::steady_clock::time_point due;
};

}  // namespace

int post_delivery(const Delivery& delivery, std::chrono::milliseconds timeout) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return 0;
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : delivery.headers)
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(curl, CURLOPT_URL, delivery.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROXY, "");
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, delivery.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(delivery.body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return static_cast<int>(status);
}

DeliveryWorker::DeliveryWorker(Simulator& simulator, std::function<void()> tick)
    : simulator_(simulator), tick_(std::move(tick)) {}

DeliveryWorker::~DeliveryWorker() { stop(); }

void DeliveryWorker::start() {
  stop_ = false;
  thread_ = std::thread([this] { run(); });
}

void DeliveryWorker::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void DeliveryWorker::run() {
  std::vector<Pending> pending;
  auto last_tick = std::chrono::steady_clock::now();
  while (!stop_) {
    simulator_.settle();
    for (auto& d : simulator_.take_deliveries())
      pending.push_back({std::move(d), 0, std::chrono::steady_clock::now()});
    const auto settings = simulator_.settings();
    for (size_t i = 0; i < pending.size() && !stop_;) {
      Pending& p = pending[i];
      if (p.due > std::chrono::steady_clock::now()) {
        ++i;
        continue;
      }
      const int status = post_delivery(p.delivery, std::chrono::milliseconds(5000));
      ++p.attempts;
      const bool ok = status >= 200 && status < 300;
      const bool last = !ok && p.attempts >= settings.delivery_attempts;
      simulator_.delivery_attempted(p.delivery.id, status, last);
      if (ok || last) {
        if (last) {
          core::log::warn("sim delivery gave up", {{"kind", p.delivery.kind},
                                                   {"url", p.delivery.url},
                                                   {"attempts", p.attempts},
                                                   {"status", status}});
        }
        pending.erase(pending.begin() + static_cast<long>(i));
        continue;
      }
      p.due = std::chrono::steady_clock::now() +
              settings.delivery_backoff * (1 << std::min(p.attempts - 1, 10));
      ++i;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_tick >= std::chrono::milliseconds(200)) {
      last_tick = now;
      if (tick_) tick_();
    }
    simulator_.wait_for_deliveries(std::chrono::milliseconds(pending.empty() ? 200 : 50));
  }
}

}  // namespace sim
