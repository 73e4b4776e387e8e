#include "core/metrics.h"

#include <gtest/gtest.h>

namespace core {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Metrics, RendersCountersGaugesAndHistograms) {
  Metrics m;
  m.describe("requests_total", "counter", "Requests served.");
  m.increment("requests_total", {{"route", "/a"}, {"status", "200"}});
  m.increment("requests_total", {{"route", "/a"}, {"status", "200"}});
  m.increment("requests_total", {{"route", "/b\"x"}, {"status", "404"}});
  int in_use = 3;
  m.add_gauge("pool_in_use", "Connections in use.", [&] { return in_use; });
  m.observe("latency_seconds", {{"route", "/a"}}, 0.0007);
  m.observe("latency_seconds", {{"route", "/a"}}, 3.0);

  const std::string text = m.render();
  EXPECT_TRUE(contains(text, "# TYPE requests_total counter\n"));
  EXPECT_TRUE(contains(text, "requests_total{route=\"/a\",status=\"200\"} 2\n"));
  EXPECT_TRUE(contains(text, "requests_total{route=\"/b\\\"x\",status=\"404\"} 1\n"));
  EXPECT_TRUE(contains(text, "pool_in_use 3\n"));
  EXPECT_TRUE(contains(text, "latency_seconds_bucket{route=\"/a\",le=\"0.0005\"} 0\n"));
  EXPECT_TRUE(contains(text, "latency_seconds_bucket{route=\"/a\",le=\"0.001\"} 1\n"));
  EXPECT_TRUE(contains(text, "latency_seconds_bucket{route=\"/a\",le=\"2.5\"} 1\n"));
  EXPECT_TRUE(contains(text, "latency_seconds_bucket{route=\"/a\",le=\"5\"} 2\n"));
  EXPECT_TRUE(contains(text, "latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 2\n"));
  EXPECT_TRUE(contains(text, "latency_seconds_count{route=\"/a\"} 2\n"));
  in_use = 5;
  EXPECT_TRUE(contains(m.render(), "pool_in_use 5\n"));
}

}  // namespace
}  // namespace core
