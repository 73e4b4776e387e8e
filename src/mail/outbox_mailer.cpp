#include "mail/outbox_mailer.h"

#include <fmt/format.h>

#include <fstream>

#include "core/log.h"

namespace mail {

OutboxMailer::OutboxMailer(std::filesystem::path dir, Mailbox from, const core::Clock& clock,
                           core::IdGenerator& ids)
    : dir_(std::move(dir)), from_(std::move(from)), clock_(clock), ids_(ids) {}

core::Status OutboxMailer::send(const Message& message) {
  if (auto valid = validate(message); !valid.ok()) return valid;
  const core::TimePoint now = clock_.now();
  const std::string id = ids_.new_id();
  const std::string data = build_message(message, make_envelope(from_, now, id));

  // "2026-03-01T10:00:00.000Z" → "20260301T100000.000Z": sorts by time, no ':' in file names.
  std::string stamp = core::format_rfc3339(now);
  std::erase(stamp, '-');
  std::erase(stamp, ':');
  const auto final_path = dir_ / fmt::format("{}-{}.eml", stamp, id);
  const auto temp_path = dir_ / fmt::format(".{}-{}.eml.tmp", stamp, id);
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    return core::unavailable(
        fmt::format("The outbox folder {} could not be created: {}", dir_.string(), ec.message()));
  }
  {
    std::ofstream out(temp_path, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.close();
    if (!out) {
      std::filesystem::remove(temp_path, ec);
      return core::unavailable(
          fmt::format("The outbox file {} could not be written.", temp_path.string()));
    }
  }
  std::filesystem::rename(temp_path, final_path, ec);
  if (ec) {
    std::filesystem::remove(temp_path, ec);
    return core::unavailable(
        fmt::format("The outbox file {} could not be renamed into place.", final_path.string()));
  }
  core::log::info("mail written to the outbox", {{"file", final_path.string()}});
  return {};
}

}  // namespace mail
