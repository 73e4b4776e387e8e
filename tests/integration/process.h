// Test support: runs `marketlink serve` as a child process on a free port and talks HTTP to it
// over raw sockets, so tests see exactly what a client sees.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace testing_support {

class ServerProcess {
 public:
  // Starts `marketlink serve --listen 127.0.0.1:0 --db DB` plus `extra` arguments and waits for
  // its "listening on" line. Returns nullopt (with `error`) when it does not come up in time.
  static std::optional<ServerProcess> start(const std::string& db, std::vector<std::string> extra,
                                            std::string& error);
  // Starts the binary with `args` (e.g. {"sim", "--listen", "127.0.0.1:0"}) and waits for a
  // "listening on http://127.0.0.1:PORT" line.
  static std::optional<ServerProcess> start_command(std::vector<std::string> args,
                                                    std::string& error);
  ServerProcess(ServerProcess&& other) noexcept;
  ~ServerProcess();

  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  void signal(int sig) const;
  // Waits for the process to exit; returns its exit status or nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  // Everything the process wrote to standard error so far.
  std::string stderr_text() const;
  // Waits until standard error contains `text` (log lines are flushed within a second).
  bool wait_for_log(const std::string& text,
                    std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

 private:
  ServerProcess() = default;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  std::string stderr_path_;
};

struct HttpReply {
  int status = 0;
  std::string head;
  std::string body;
  std::string header(const std::string& name) const;  // case-sensitive name as sent
};

// One connection: send raw bytes, read one Content-Length-framed reply.
class Connection {
 public:
  explicit Connection(unsigned short port);
  ~Connection();
  bool ok() const { return fd_ >= 0; }
  void send(const std::string& bytes);
  HttpReply read_reply(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // True when the peer closed the connection (read returns 0) within the timeout.
  bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  int fd_ = -1;
  std::string buffer_;
};

HttpReply http_get(unsigned short port, const std::string& path,
                   const std::string& extra_headers = "");

}  // namespace testing_support
