#include "process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace testing_support {

namespace {

bool read_line_with_timeout(int fd, std::string& line, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  line.clear();
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char c;
    const ssize_t n = ::read(fd, &c, 1);
    if (n <= 0) return false;
    if (c == '\n') return true;
    line += c;
  }
  return false;
}

}  // namespace

std::optional<ServerProcess> ServerProcess::start(const std::string& db,
                                                  std::vector<std::string> extra,
                                                  std::string& error) {
  std::vector<std::string> args = {"serve", "--listen", "127.0.0.1:0", "--db", db};
  for (auto& a : extra) args.push_back(std::move(a));
  return start_command(std::move(args), error);
}

std::optional<ServerProcess> ServerProcess::start_command(std::vector<std::string> command,
                                                          std::string& error) {
  int out_pipe[2];
  if (pipe(out_pipe) != 0) {
    error = "pipe failed";
    return std::nullopt;
  }
  char stderr_template[] = "/tmp/marketlink-stderr-XXXXXX";
  const int err_fd = mkstemp(stderr_template);
  ServerProcess p;
  p.stderr_path_ = stderr_template;

  std::vector<std::string> args = {MARKETLINK_BINARY_PATH};
  for (auto& a : command) args.push_back(std::move(a));
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  const int rc = posix_spawn(&p.pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_fd);
  if (rc != 0) {
    close(out_pipe[0]);
    error = "cannot start " + std::string(argv[0]);
    return std::nullopt;
  }
  std::string line;
  const std::string marker = "listening on http://127.0.0.1:";
  while (read_line_with_timeout(out_pipe[0], line, std::chrono::seconds(30))) {
    const auto at = line.find(marker);
    if (at != std::string::npos) {
      p.port_ = static_cast<unsigned short>(std::stoi(line.substr(at + marker.size())));
      break;
    }
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  std::thread([fd = out_pipe[0]] {
    char buf[4096];
    while (::read(fd, buf, sizeof buf) > 0) {
    }
    close(fd);
  }).detach();
  if (p.port_ == 0) {
    error = "the server did not report a port; stderr: " + p.stderr_text();
    return std::nullopt;
  }
  return p;
}

ServerProcess::ServerProcess(ServerProcess&& other) noexcept
    : pid_(other.pid_), port_(other.port_), stderr_path_(std::move(other.stderr_path_)) {
  other.pid_ = -1;
  other.stderr_path_.clear();
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (!stderr_path_.empty()) unlink(stderr_path_.c_str());
}

void ServerProcess::signal(int sig) const { ::kill(pid_, sig); }

std::optional<int> ServerProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

std::string ServerProcess::stderr_text() const {
  std::ifstream in(stderr_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool ServerProcess::wait_for_log(const std::string& text, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (stderr_text().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string HttpReply::header(const std::string& name) const {
  const std::string key = "\r\n" + name + ": ";
  const auto at = head.find(key);
  if (at == std::string::npos) return "";
  const auto end = head.find("\r\n", at + key.size());
  return head.substr(at + key.size(), end - at - key.size());
}

Connection::Connection(unsigned short port) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd_);
    fd_ = -1;
  }
}

Connection::~Connection() {
  if (fd_ >= 0) close(fd_);
}

void Connection::send(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

HttpReply Connection::read_reply(std::chrono::milliseconds timeout) {
  HttpReply r;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto fill = [&]() -> bool {
    pollfd p{fd_, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[8192];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  };
  size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return r;
  }
  r.head = buffer_.substr(0, head_end + 4);
  r.status = std::stoi(r.head.substr(9, 3));
  const std::string length = r.header("Content-Length");
  const size_t body_size = length.empty() ? 0 : std::stoul(length);
  while (buffer_.size() < head_end + 4 + body_size) {
    if (!fill()) break;
  }
  r.body = buffer_.substr(head_end + 4, body_size);
  buffer_.erase(0, head_end + 4 + body_size);
  return r;
}

bool Connection::closed_by_peer(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
  char c;
  return ::recv(fd_, &c, 1, 0) <= 0;
}

HttpReply http_get(unsigned short port, const std::string& path, const std::string& extra_headers) {
  Connection c(port);
  c.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers +
         "Connection: close\r\n\r\n");
  return c.read_reply();
}

}  // namespace testing_support
