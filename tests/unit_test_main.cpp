// main() of marketlink_unit_tests. Like the marketlink binary's main (app/main.cpp), it
// initializes libcurl once, before any test (and so any thread) runs: aws::CurlTransport and
// mail::SmtpMailer rely on it and no longer do it themselves.
#include <curl/curl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

std::atomic<int> g_curl_allocations{0};

void* counting_malloc(size_t size) {
  ++g_curl_allocations;
  return std::malloc(size);
}
void counting_free(void* p) { std::free(p); }
void* counting_realloc(void* p, size_t size) {
  ++g_curl_allocations;
  return std::realloc(p, size);
}
char* counting_strdup(const char* s) {
  ++g_curl_allocations;
  return ::strdup(s);
}
void* counting_calloc(size_t count, size_t size) {
  ++g_curl_allocations;
  return std::calloc(count, size);
}

// curl_global_init_mem installs its allocator only when libcurl is not initialized yet; on an
// initialized libcurl it only counts one more initialization. So when no allocation goes through
// the counting functions, libcurl had been initialized before this test: by main.
TEST(UnitTestMain, InitializesLibcurlBeforeAnyTestRuns) {
  ASSERT_EQ(curl_global_init_mem(CURL_GLOBAL_DEFAULT, counting_malloc, counting_free,
                                 counting_realloc, counting_strdup, counting_calloc),
            CURLE_OK);
  CURL* handle = curl_easy_init();
  ASSERT_NE(handle, nullptr);
  curl_easy_cleanup(handle);
  curl_global_cleanup();  // the initialization above; main's stays
  EXPECT_EQ(g_curl_allocations.load(), 0) << "libcurl was first initialized by this test";
}

}  // namespace

int main(int argc, char** argv) {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    std::fputs("marketlink_unit_tests: libcurl could not be initialized\n", stderr);
    return 1;
  }
  testing::InitGoogleMock(&argc, argv);
  return RUN_ALL_TESTS();
}
