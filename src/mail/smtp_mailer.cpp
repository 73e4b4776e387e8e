#include "mail/smtp_mailer.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cstring>
#include <memory>

#include "core/log.h"

namespace mail {

namespace {

struct Upload {
  std::string_view data;
  size_t offset = 0;
};

size_t read_upload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// curl reports a refused command as "RCPT failed: 550" and the like; only a permanent refusal
// of the recipient says the message itself can never be delivered.
core::Error classify(CURLcode code, long smtp_code, const char* detail) {
  const std::string what = detail[0] != '\0' ? detail : curl_easy_strerror(code);
  if (smtp_code >= 500 && smtp_code < 600 && std::strstr(detail, "RCPT") != nullptr) {
    return core::invalid(fmt::format("The mail server refused the recipient for good ({}).", what));
  }
  return core::unavailable(fmt::format("The mail server could not take the message ({}).", what));
}

}  // namespace

SmtpMailer::SmtpMailer(MailerSettings settings, Mailbox from, const core::Clock& clock,
                       core::IdGenerator& ids)
    : settings_(std::move(settings)), from_(std::move(from)), clock_(clock), ids_(ids) {
  // curl_global_init is not called here: it must run before any thread starts, which only main
  // can promise (app/main.cpp, unit_test_main.cpp).
}

core::Status SmtpMailer::send(const Message& message) {
  if (auto valid = validate(message); !valid.ok()) return valid;
  const Envelope envelope = make_envelope(from_, clock_.now(), ids_.new_id());
  const std::string data = build_message(message, envelope);

  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return core::unavailable("The mail client could not start (out of memory).");
  CURL* c = curl.get();
  const std::string mail_from = "<" + from_.address + ">";
  const std::string rcpt = "<" + message.to + ">";
  std::unique_ptr<curl_slist, SlistDeleter> recipients(curl_slist_append(nullptr, rcpt.c_str()));
  Upload upload{.data = data};
  char error[CURL_ERROR_SIZE] = {};

  curl_easy_setopt(c, CURLOPT_URL, settings_.smtp_url.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(settings_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.send_timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  if (settings_.starttls) curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!settings_.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, settings_.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, settings_.password.c_str());
  }

  const CURLcode code = curl_easy_perform(c);
  if (code == CURLE_OK) {
    core::log::debug("mail sent", {{"message_id", envelope.message_id}});
    return {};
  }
  long smtp_code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &smtp_code);
  return classify(code, smtp_code, error);
}

}  // namespace mail
