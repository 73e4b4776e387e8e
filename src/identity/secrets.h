// Secrets identity hands out (session ids, e-mail links, API tokens) and how they are stored:
// 256 random bits, URL-safe, kept in the database only as a SHA-256 hash.
#pragma once

#include <string>
#include <string_view>

namespace identity {

// 32 random bytes as URL-safe base64 (43 characters), with an optional prefix ("mlk_").
std::string new_secret(std::string_view prefix = {});
// Lower-case hex SHA-256 of `secret`.
std::string secret_hash(std::string_view secret);
// Compares two strings in time independent of where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace identity
