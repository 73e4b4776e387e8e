#include "saas/support_reference.h"

#include <cctype>

namespace saas {

namespace {

constexpr size_t kReferenceChars = 8;

bool in_alphabet(char c) { return kReferenceAlphabet.find(c) != std::string_view::npos; }

std::string formatted(std::string_view chars) {
  std::string out = "ML-";
  out.append(chars.substr(0, 4));
  out += '-';
  out.append(chars.substr(4, 4));
  return out;
}

}  // namespace

std::string make_support_reference(std::string_view random) {
  const size_t n = kReferenceAlphabet.size();
  // Bytes below the largest multiple of n map evenly; the rest are skipped while there are
  // bytes to spare.
  const unsigned limit = static_cast<unsigned>(256 - 256 % n);
  std::string chars;
  size_t i = 0;
  for (; i < random.size() && chars.size() < kReferenceChars; ++i) {
    const auto b = static_cast<unsigned char>(random[i]);
    const size_t left = random.size() - i;
    if (b >= limit && left > kReferenceChars - chars.size()) continue;
    chars += kReferenceAlphabet[b % n];
  }
  // Too few bytes: fill deterministically from what there was.
  for (size_t k = 0; chars.size() < kReferenceChars; ++k) {
    chars += kReferenceAlphabet[(k * 7 + chars.size()) % n];
  }
  return formatted(chars);
}

std::optional<std::string> normalize_support_reference(std::string_view text) {
  std::string chars;
  for (char c : text) {
    if (c == ' ' || c == '-' || c == '\t') continue;
    chars += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (chars.size() == kReferenceChars + 2 && chars.starts_with("ML")) chars.erase(0, 2);
  if (chars.size() != kReferenceChars) return std::nullopt;
  for (char c : chars) {
    if (!in_alphabet(c)) return std::nullopt;
  }
  return formatted(chars);
}

}  // namespace saas
