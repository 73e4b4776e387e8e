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
  // A hot-path component that keeps its own lock-free counts registers a function appending its
  // families in Prometheus text format. Registering the same key again replaces the function.
  void add_collector(const std::string& key, std::function<void(std::string& out)> collect);

  std::string render() const;

  static const std::vector<double>& latency_buckets();
  // Helpers for collectors: a Prometheus number and an escaped label value.
  static std::string format_number(double v);
  static std::string escape_label_value(const std::string& v);

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
  std::map<std::string, std::function<void(std::string&)>> collectors_;
};

}  // namespace core
