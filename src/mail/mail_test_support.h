// Test-only: reads back the messages this module writes, as a mail client would, so tests check
// what arrives rather than how it was built. Handles what build_message() and aiosmtpd's Maildir
// produce: folded headers, RFC 2047 encoded words, one level of multipart, quoted-printable.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mail::testing {

struct ParsedMessage {
  std::map<std::string, std::string> headers;  // lower-case names, unfolded raw values
  std::string text;                            // decoded text/plain part
  std::string html;                            // decoded text/html part
  std::string content_type;                    // of the whole message, e.g. multipart/alternative
  // Decoded value of a header (encoded words decoded), empty when absent.
  std::string header(const std::string& lower_case_name) const;
};

// nullopt, with the reason in `error`, when the text is not a well-formed message.
std::optional<ParsedMessage> parse_message(std::string_view raw, std::string& error);

std::string decode_quoted_printable(std::string_view text);
std::string decode_encoded_words(std::string_view text);

// The first message in `maildir`/new whose decoded subject is `subject`, polling until `timeout`.
std::optional<ParsedMessage> wait_for_message(const std::filesystem::path& maildir,
                                              const std::string& subject,
                                              std::chrono::milliseconds timeout);

// Every *.eml file in `dir`, sorted by name.
std::vector<std::filesystem::path> eml_files(const std::filesystem::path& dir);

}  // namespace mail::testing
