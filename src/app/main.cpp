#include <curl/curl.h>

#include <cstdio>

#include "app/cli.h"

int main(int argc, char** argv) {
  // libcurl (aws::CurlTransport, mail::SmtpMailer) is initialized here, once for the process and
  // before any thread starts, as curl_global_init asks: it must not run while other threads do,
  // and the first transport or mailer is only made once the server's threads are running. It is
  // never cleaned up: the process ends soon after, and threads may still be winding down.
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    std::fputs("marketlink: libcurl could not be initialized\n", stderr);
    return 1;
  }
  return app::run_cli(argc, argv);
}
