#include "core/metrics.h"

#include <fmt/format.h>

#include <algorithm>

namespace core {

namespace {

std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string label_text(const Labels& labels, const std::string& extra_key = {},
                       const std::string& extra_value = {}) {
  std::string out;
  for (const auto& [k, v] : labels) {
    out += out.empty() ? "" : ",";
    out += fmt::format("{}=\"{}\"", k, escape_label(v));
  }
  if (!extra_key.empty()) {
    out += out.empty() ? "" : ",";
    out += fmt::format("{}=\"{}\"", extra_key, extra_value);
  }
  return out.empty() ? "" : "{" + out + "}";
}

std::string number(double v) {
  if (v == static_cast<double>(static_cast<long long>(v)))
    return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{}", v);
}

}  // namespace

const std::vector<double>& Metrics::latency_buckets() {
  static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

void Metrics::increment(const std::string& name, const Labels& labels, double by) {
  std::lock_guard lock(mutex_);
  Family& f = families_[name];
  if (f.type.empty()) f.type = "counter";
  f.values[labels] += by;
}

void Metrics::observe(const std::string& name, const Labels& labels, double value) {
  const auto& buckets = latency_buckets();
  const size_t index = static_cast<size_t>(std::lower_bound(buckets.begin(), buckets.end(), value) -
                                           buckets.begin());
  std::lock_guard lock(mutex_);
  Family& f = families_[name];
  if (f.type.empty()) f.type = "histogram";
  Histogram& h = f.histograms[labels];
  if (h.counts.empty()) h.counts.assign(buckets.size() + 1, 0);
  ++h.counts[index];
  ++h.total;
  h.sum += value;
}

void Metrics::add_gauge(const std::string& name, const std::string& help,
                        std::function<double()> read) {
  std::lock_guard lock(mutex_);
  Family& f = families_[name];
  f.type = "gauge";
  f.help = help;
  f.gauge = std::move(read);
}

void Metrics::add_collector(const std::string& key, std::function<void(std::string&)> collect) {
  std::lock_guard lock(mutex_);
  collectors_[key] = std::move(collect);
}

std::string Metrics::format_number(double v) { return number(v); }
std::string Metrics::escape_label_value(const std::string& v) { return escape_label(v); }

void Metrics::describe(const std::string& name, const std::string& type, const std::string& help) {
  std::lock_guard lock(mutex_);
  Family& f = families_[name];
  f.type = type;
  f.help = help;
}

std::string Metrics::render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  const auto& buckets = latency_buckets();
  for (const auto& [name, f] : families_) {
    if (!f.help.empty()) out += fmt::format("# HELP {} {}\n", name, f.help);
    out += fmt::format("# TYPE {} {}\n", name, f.type);
    if (f.gauge) {
      out += fmt::format("{} {}\n", name, number(f.gauge()));
      continue;
    }
    for (const auto& [labels, v] : f.values)
      out += fmt::format("{}{} {}\n", name, label_text(labels), number(v));
    for (const auto& [labels, h] : f.histograms) {
      unsigned long long cumulative = 0;
      for (size_t i = 0; i < buckets.size(); ++i) {
        cumulative += h.counts[i];
        out += fmt::format("{}_bucket{} {}\n", name, label_text(labels, "le", number(buckets[i])),
                           cumulative);
      }
      out += fmt::format("{}_bucket{} {}\n", name, label_text(labels, "le", "+Inf"), h.total);
      out += fmt::format("{}_sum{} {}\n", name, label_text(labels), h.sum);
      out += fmt::format("{}_count{} {}\n", name, label_text(labels), h.total);
    }
  }
  for (const auto& [key, collect] : collectors_) collect(out);
  return out;
}

}  // namespace core
