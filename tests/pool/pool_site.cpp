#include "pool_site.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "core/ids.h"

extern char** environ;

namespace pool_site {

namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string last_word(const std::string& text) {
  std::istringstream words(text);
  std::string last;
  for (std::string w; words >> w;) last = w;
  return last;
}

}  // namespace

CliRun run_cli(const std::vector<std::string>& args, const std::string& input) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("marketlink-cli-" + core::RandomIdGenerator().new_id());
  std::filesystem::create_directories(dir);
  const auto in = dir / "in", out = dir / "out", err = dir / "err";
  std::ofstream(in) << input;

  std::vector<std::string> all = {MARKETLINK_BINARY_PATH};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = -1;
  CliRun r;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read_all(out);
    r.err = read_all(err);
  } else {
    r.err = "cannot start " + all[0];
  }
  posix_spawn_file_actions_destroy(&actions);
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return r;
}

std::optional<Identity> bootstrap(const std::string& db,
                                  const std::vector<std::string>& marketplaces,
                                  std::string& error) {
  const std::string email = "ops@pool.test";
  std::vector<std::vector<std::string>> commands = {
      {"migrate", "--db", db},
      {"user", "create", "--email", email, "--password-stdin", "--verified", "--db", db},
      {"org", "create", "--name", "Provider", "--kind", "provider", "--admin", email, "--db", db},
  };
  for (const auto& m : marketplaces) {
    commands.push_back({"org", "create", "--name", "Marketplace " + m, "--kind", "marketplace",
                        "--marketplace-id", m, "--admin", email, "--db", db});
  }
  for (const auto& c : commands) {
    const CliRun r = run_cli(c, "a long operator passphrase\n");
    if (r.exit_code != 0) {
      error = fmt::format("marketlink {} failed ({}): {}{}", c[0], r.exit_code, r.out, r.err);
      return std::nullopt;
    }
  }
  Identity identity;
  const CliRun token = run_cli({"token", "create", "--email", email, "--org", identity.provider,
                                "--name", "pool", "--db", db});
  identity.token = last_word(token.out);
  if (token.exit_code != 0 || !identity.token.starts_with("mlk_")) {
    error = "marketlink token create failed: " + token.out + token.err;
    return std::nullopt;
  }
  return identity;
}

std::vector<testing_support::ServerProcess> start_servers(const std::string& db, int count,
                                                          std::string& error) {
  std::vector<testing_support::ServerProcess> servers;
  for (int i = 0; i < count; ++i) {
    auto p = testing_support::ServerProcess::start(db, {}, error);
    if (!p) return {};
    servers.push_back(std::move(*p));
  }
  return servers;
}

TakeClient::TakeClient(unsigned short port, Identity identity)
    : identity_(std::move(identity)),
      connection_(std::make_unique<testing_support::Connection>(port)) {}

testing_support::HttpReply TakeClient::request(const std::string& method, const std::string& path,
                                               const std::string& content_type,
                                               const std::string& body) {
  std::string head =
      fmt::format("{} {} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\n", method, path,
                  identity_.token);
  if (!content_type.empty()) head += "Content-Type: " + content_type + "\r\n";
  if (!body.empty() || method != "GET") head += fmt::format("Content-Length: {}\r\n", body.size());
  connection_->send(head + "\r\n" + body);
  return connection_->read_reply(std::chrono::seconds(30));
}

TakeClient::Take TakeClient::take(const std::string& marketplace_id, const std::string& order_ref) {
  const std::string body =
      nlohmann::json{{"marketplace_id", marketplace_id}, {"order_ref", order_ref}}.dump();
  Take t;
  t.sent = Clock::now();
  const auto reply = request("POST", "/api/v1/orgs/" + identity_.provider + "/pool/allocations",
                             "application/json", body);
  t.received = Clock::now();
  t.status = reply.status;
  t.body = reply.body;
  const auto parsed = nlohmann::json::parse(reply.body, nullptr, false);
  if (!parsed.is_object()) return t;
  if (t.status == 201) {
    t.account_id = parsed.value("account_id", "");
    t.marketplace_id = parsed.value("marketplace_id", "");
    t.account_status = parsed.value("status", "");
    if (parsed.contains("order_id") && parsed["order_id"].is_string()) {
      t.order_id = parsed["order_id"].get<std::string>();
    }
  } else if (parsed.contains("error") && parsed["error"].is_object()) {
    t.error_code = parsed["error"].value("code", "");
  }
  return t;
}

std::vector<std::string> account_ids(int count, long long first, unsigned seed) {
  std::vector<long long> numbers(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) numbers[static_cast<size_t>(i)] = first + 7LL * i;
  std::mt19937 random(seed);
  std::shuffle(numbers.begin(), numbers.end(), random);
  std::vector<std::string> ids;
  ids.reserve(numbers.size());
  for (long long n : numbers) ids.push_back(fmt::format("{:012}", n));
  return ids;
}

std::string csv_for(const std::vector<std::string>& ids, const std::string& marketplace_id) {
  std::string csv = "account_id;marketplace_id;account_model\n";
  for (const auto& id : ids) csv += id + ";" + marketplace_id + ";SPAM\n";
  return csv;
}

std::optional<std::vector<Listed>> list_accounts(TakeClient& client, const std::string& provider,
                                                 const std::string& marketplace_id,
                                                 const std::string& status) {
  std::vector<Listed> all;
  std::string cursor;
  do {
    std::string path = fmt::format("/api/v1/orgs/{}/pool/accounts?limit=500&marketplace_id={}",
                                   provider, marketplace_id);
    if (!status.empty()) path += "&status=" + status;
    if (!cursor.empty()) path += "&cursor=" + cursor;
    const auto reply = client.request("GET", path);
    if (reply.status != 200) return std::nullopt;
    const auto page = nlohmann::json::parse(reply.body, nullptr, false);
    if (!page.is_object() || !page.contains("accounts")) return std::nullopt;
    for (const auto& a : page["accounts"]) {
      all.push_back({a.value("account_id", ""), a.value("created_at", "")});
    }
    cursor = page.contains("next_cursor") && page["next_cursor"].is_string()
                 ? page["next_cursor"].get<std::string>()
                 : "";
  } while (!cursor.empty());
  return all;
}

}  // namespace pool_site
