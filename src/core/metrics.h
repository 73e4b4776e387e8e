// Metrics: counters, gauges and histograms rendered in Prometheus text format (version 0.0.4).
// Modules register what they measure; the HTTP layer serves render() at /metrics.
// Thread safe. Label values are escaped; keep label cardinality small (route patterns, not paths).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace core {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  // Adds `by` to a counter (created at first use).
  void increment(const std::string& name, const Labels& labels = {}, double by = 1);
  // Records one observation in a histogram with the default latency buckets (seconds).
  void observe(const std::string& name, const Labels& labels, double value);
  // A gauge read when rendered, e.g. connections in use.
  void add_gauge(const std::string& name, const std::string& help, std::function<double()> read);
  void describe(const std::string& name, const std::string& type, const std::string& help);

  std::string render() const;

  static const std::vector<double>& latency_buckets();

 private:
  struct Histogram {
    std::vector<unsigned long long> counts;  // per bucket, not cumulative
    unsigned long long total = 0;
    double sum = 0;
  };
  struct Family {
    std::string type;
    std::string help;
    std::map<Labels, double> values;
    std::map<Labels, Histogram> histograms;
    std::function<double()> gauge;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

}  // namespace core
