// Random identifiers. Every id Marketlink makes (records, sessions, tokens, request ids) comes
// from an IdGenerator injected through constructors, so tests can make them predictable.
// Implementations are safe for concurrent use.
#pragma once

#include <atomic>
#include <string>

#include "core/text.h"

namespace core {

class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  // 128 random bits as 22 characters of URL-safe base64 without padding.
  virtual std::string new_id() = 0;
};

// Reads the operating system's cryptographic random source (getrandom).
class RandomIdGenerator final : public IdGenerator {
 public:
  std::string new_id() override;
};

// "prefix-000001", "prefix-000002", ... for tests that compare ids.
class SequentialIdGenerator final : public IdGenerator {
 public:
  explicit SequentialIdGenerator(std::string prefix = "id") : prefix_(std::move(prefix)) {}
  std::string new_id() override;

 private:
  std::string prefix_;
  std::atomic<unsigned long long> next_{1};
};

// `n` bytes from the operating system's cryptographic random source.
std::string random_bytes(size_t n);

}  // namespace core
