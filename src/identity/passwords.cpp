#include "identity/passwords.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <mutex>

#include "identity/identity_service.h"

namespace identity {

namespace {

// Frequently used passwords of at least kMinPasswordLength characters (from public breach
// statistics), compared lower-cased.
constexpr std::array<std::string_view, 60> kCommonPasswords = {
    "123456789012",
    "1234567890123",
    "12345678901234",
    "123456789123",
    "1q2w3e4r5t6y",
    "1qaz2wsx3edc",
    "password1234",
    "password12345",
    "password123456",
    "passwordpassword",
    "qwertyuiopasdf",
    "qwertyuiop12",
    "qwerty123456",
    "qwertyqwerty",
    "iloveyou1234",
    "letmein12345",
    "welcome12345",
    "welcome123456",
    "administrator",
    "admin1234567",
    "adminadmin12",
    "changeme1234",
    "changeme12345",
    "abcdefghijkl",
    "abcdef123456",
    "abc123456789",
    "111111111111",
    "000000000000",
    "123123123123",
    "987654321098",
    "monkey123456",
    "dragon123456",
    "football1234",
    "baseball1234",
    "sunshine1234",
    "princess1234",
    "trustno11234",
    "superman1234",
    "starwars1234",
    "whatever1234",
    "qazwsxedcrfv",
    "zaq12wsxcde3",
    "asdfghjkl123",
    "asdfasdfasdf",
    "passw0rd1234",
    "p@ssw0rd1234",
    "p@ssword1234",
    "password!234",
    "marketlink123",
    "marketlink1234",
    "internet1234",
    "computer1234",
    "secret123456",
    "mypassword12",
    "mypassword123",
    "1234qwerasdf",
    "qwer1234asdf",
    "1qazxsw23edc",
    "correcthorsebatterystaple",
    "thisisapassword",
};

void ensure_sodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // no working crypto: nothing here can be safe
  });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<std::string> password_problem(std::string_view password, std::string_view email) {
  if (password.size() < kMinPasswordLength) {
    return "Use at least 12 characters.";
  }
  if (password.size() > kMaxPasswordLength) {
    return "Use at most 256 characters.";
  }
  const std::string l = lower(password);
  if (std::all_of(l.begin(), l.end(), [&](char c) { return c == l.front(); })) {
    return "Use more than one repeated character.";
  }
  if (std::find(kCommonPasswords.begin(), kCommonPasswords.end(), l) != kCommonPasswords.end()) {
    return "This password is too common. Choose one that is harder to guess.";
  }
  if (!email.empty() && l == lower(email)) {
    return "Do not use your e-mail address as your password.";
  }
  return std::nullopt;
}

core::Result<std::string> hash_password(std::string_view password, PasswordCost cost) {
  ensure_sodium();
  const bool minimum = cost == PasswordCost::kMinimum;
  const unsigned long long ops =
      minimum ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
  const size_t mem = minimum ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops, mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return core::internal("The password could not be hashed.");
  }
  return std::string(out);
}

bool verify_password(const std::string& hash, std::string_view password) {
  ensure_sodium();
  if (hash.empty()) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace identity
