#include "core/ids.h"

#include <fmt/format.h>
#include <sys/random.h>

#include <cerrno>
#include <cstdlib>

namespace core {

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  size_t filled = 0;
  while (filled < n) {
    const ssize_t got = getrandom(out.data() + filled, n - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      std::abort();  // no randomness means no safe ids: stop rather than continue unsafely
    }
    filled += static_cast<size_t>(got);
  }
  return out;
}

std::string RandomIdGenerator::new_id() {
  // Random bytes fetched from the kernel in blocks, one block per thread: the same source, with
  // one system call per 256 ids instead of one per id.
  constexpr size_t kBlock = 4096;
  thread_local std::string block;
  thread_local size_t used = kBlock;
  if (used + 16 > block.size()) {
    block = random_bytes(kBlock);
    used = 0;
  }
  std::string_view id(block.data() + used, 16);
  used += 16;
  return base64url_encode(id);
}

std::string SequentialIdGenerator::new_id() { return fmt::format("{}-{:06}", prefix_, next_++); }

}  // namespace core
