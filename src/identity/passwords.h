// Passwords: Argon2id hashes (libsodium's crypto_pwhash_str) and the rules a new password must
// meet. Safe for concurrent use.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace identity {

enum class PasswordCost;

inline constexpr size_t kMinPasswordLength = 12;
inline constexpr size_t kMaxPasswordLength = 256;

// Why `password` may not be used, as a sentence for the form; nullopt when it is acceptable.
// Rules: kMinPasswordLength..kMaxPasswordLength characters, not a commonly used password, not
// one character repeated, not the e-mail address.
std::optional<std::string> password_problem(std::string_view password, std::string_view email);

// An encoded Argon2id hash with its parameters and salt. internal when memory runs out.
core::Result<std::string> hash_password(std::string_view password, PasswordCost cost);
// True when `password` matches `hash`; false for a malformed or empty hash.
bool verify_password(const std::string& hash, std::string_view password);

}  // namespace identity
