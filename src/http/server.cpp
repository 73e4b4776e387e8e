#include "http/server.h"

// Asio with GCC 12 in C++20 needs <utility> first.
#include <utility>

#include <fmt/format.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "core/log.h"

namespace http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

Headers security_headers() {
  return {
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"},
      {"X-Frame-Options", "DENY"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "same-origin"},
  };
}

namespace {

class Session;

bool sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' &&
        c != ':')
      return false;
  }
  return true;
}

constexpr int kMethods = static_cast<int>(Method::kOther) + 1;

// Request counts and latency per route, kept with atomics so that the hot path takes no lock.
// Slots: one per route, then one per method for unmatched paths, then one per method for
// unreadable requests.
class RequestStats {
 public:
  explicit RequestStats(const Router& router)
      : router_(router), slots_(router.routes().size() + size_t{2} * kMethods) {}

  static constexpr size_t kNoRoute = static_cast<size_t>(-1);

  void record(size_t route_index, bool unreadable, Method method, int status, double seconds) {
    const size_t slot = route_index != kNoRoute ? route_index
                        : unreadable
                            ? router_.routes().size() + kMethods + static_cast<size_t>(method)
                            : router_.routes().size() + static_cast<size_t>(method);
    Slot& s = slots_[slot];
    if (status >= 100 && status < 600)
      s.by_status[static_cast<size_t>(status)].fetch_add(1, std::memory_order_relaxed);
    const auto& buckets = core::Metrics::latency_buckets();
    const size_t b = static_cast<size_t>(std::lower_bound(buckets.begin(), buckets.end(), seconds) -
                                         buckets.begin());
    s.buckets[b].fetch_add(1, std::memory_order_relaxed);
    s.count.fetch_add(1, std::memory_order_relaxed);
    s.sum_ns.fetch_add(static_cast<unsigned long long>(seconds * 1e9), std::memory_order_relaxed);
  }

  void render(std::string& out) const {
    out += "# HELP marketlink_http_requests_total HTTP requests answered.\n";
    out += "# TYPE marketlink_http_requests_total counter\n";
    for_each_slot([&](const Slot& s, const std::string& method, const std::string& route) {
      for (int status = 100; status < 600; ++status) {
        const auto n = s.by_status[static_cast<size_t>(status)].load(std::memory_order_relaxed);
        if (n == 0) continue;
        out += fmt::format(
            "marketlink_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n",
            method, core::Metrics::escape_label_value(route), status, n);
      }
    });
    out +=
        "# HELP marketlink_http_request_duration_seconds Time from a request's first byte to its "
        "answer.\n";
    out += "# TYPE marketlink_http_request_duration_seconds histogram\n";
    const auto& buckets = core::Metrics::latency_buckets();
    for_each_slot([&](const Slot& s, const std::string& method, const std::string& route) {
      const auto count = s.count.load(std::memory_order_relaxed);
      if (count == 0) return;
      const std::string labels = fmt::format("method=\"{}\",route=\"{}\"", method,
                                             core::Metrics::escape_label_value(route));
      unsigned long long cumulative = 0;
      for (size_t i = 0; i < buckets.size(); ++i) {
        cumulative += s.buckets[i].load(std::memory_order_relaxed);
        out += fmt::format("marketlink_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n",
                           labels, core::Metrics::format_number(buckets[i]), cumulative);
      }
      out += fmt::format("marketlink_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n",
                         labels, count);
      out += fmt::format("marketlink_http_request_duration_seconds_sum{{{}}} {}\n", labels,
                         core::Metrics::format_number(static_cast<double>(s.sum_ns.load()) / 1e9));
      out +=
          fmt::format("marketlink_http_request_duration_seconds_count{{{}}} {}\n", labels, count);
    });
  }

 private:
  struct Slot {
    std::array<std::atomic<unsigned long long>, 600> by_status{};
    std::array<std::atomic<unsigned long long>, 16> buckets{};
    std::atomic<unsigned long long> count{0};
    std::atomic<unsigned long long> sum_ns{0};
  };

  template <typename Fn>
  void for_each_slot(Fn&& fn) const {
    const auto& routes = router_.routes();
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (i < routes.size()) {
        fn(slots_[i], method_name(routes[i].method), routes[i].pattern);
      } else {
        const size_t rest = i - routes.size();
        fn(slots_[i], method_name(static_cast<Method>(rest % kMethods)),
           rest < kMethods ? "unmatched" : "unreadable");
      }
    }
  }

  const Router& router_;
  std::vector<Slot> slots_;
};

}  // namespace

// One I/O thread: a single-threaded io_context, the connections it serves and the sweep that
// enforces their deadlines. Everything in here is touched only from that thread (or after it
// stopped), so it needs no lock and connections need no strand.
struct IoThread {
  // Declared first so it outlives the context: handlers destroyed with the context end their
  // sessions, which remove themselves from this set.
  std::unordered_set<Session*> sessions;
  net::io_context context{1};
  net::steady_timer sweeper{context};
};

struct Server::State {
  ServerSettings settings;
  const Router& router;
  core::Metrics& metrics;
  core::IdGenerator& ids;
  ErrorPageRenderer error_page;

  std::vector<std::unique_ptr<IoThread>> io;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
  size_t next_io = 0;
  std::unique_ptr<tcp::acceptor> acceptor;
  RequestStats stats;
  std::unique_ptr<net::thread_pool> workers;
  std::vector<std::thread> io_threads;
  std::atomic<int> open_connections{0};
  std::atomic<bool> draining{false};
  std::atomic<bool> running{false};
  std::mutex stop_mutex;

  State(ServerSettings s, const Router& r, core::Metrics& m, core::IdGenerator& i,
        ErrorPageRenderer e)
      : settings(std::move(s)), router(r), metrics(m), ids(i), error_page(std::move(e)), stats(r) {
    const int n = std::max(1, settings.io_threads);
    for (int k = 0; k < n; ++k) io.push_back(std::make_unique<IoThread>());
    acceptor = std::make_unique<tcp::acceptor>(io[0]->context);
  }

  void do_accept();
  void sweep(IoThread& thread);
};

namespace {

// Deadlines are checked by a sweep every kSweepInterval instead of a timer per read and write:
// arming a timer costs a system call, and a connection does a read and a write per request.
constexpr auto kSweepInterval = std::chrono::milliseconds(250);
// The most a connection waiting for a request reads at once (what Beast's own reads take).
constexpr std::size_t kReadSize = 65536;

// The transfer codings of a request, in order, from every Transfer-Encoding field (RFC 9110
// lists: comma-separated, optional whitespace, empty elements ignored). nullopt: no such field.
std::optional<std::vector<std::string_view>> transfer_codings(
    const bhttp::request<bhttp::string_body>& head) {
  std::optional<std::vector<std::string_view>> codings;
  for (const auto& field : head) {
    if (field.name() != bhttp::field::transfer_encoding) continue;
    if (!codings) codings.emplace();
    std::string_view rest(field.value().data(), field.value().size());
    while (true) {
      const auto comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      if (!item.empty()) codings->push_back(item);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return codings;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::State& state, IoThread& thread)
      : socket_(std::move(socket)), state_(state), thread_(thread) {
    beast::error_code ec;
    const auto endpoint = socket_.remote_endpoint(ec);
    if (!ec) remote_ip_ = endpoint.address().to_string();
    ++state_.open_connections;
  }

  ~Session() {
    thread_.sessions.erase(this);
    --state_.open_connections;
  }

  // Runs on the connection's own thread.
  void start() {
    thread_.sessions.insert(this);
    read_header();
  }

  // On shutdown: a connection waiting for its next request is closed now; one with a request in
  // flight finishes it first. Called on the connection's thread.
  void close_if_idle() {
    if (idle_) close();
  }

  // Called by the sweep on the connection's thread.
  void check_deadline(Clock::time_point now) {
    if (deadline_ != Clock::time_point::max() && now >= deadline_) {
      timed_out_ = true;
      deadline_ = Clock::time_point::max();
      beast::error_code ec;
      socket_.cancel(ec);
    }
  }

 private:
  void arm(std::chrono::seconds timeout) { deadline_ = Clock::now() + timeout; }
  void disarm() { deadline_ = Clock::time_point::max(); }

  // Waits for the next request. Until its first byte arrives the connection is idle (closed
  // silently after idle_timeout); from that byte on, the request timeout covers the headers and
  // the body alike, so a client cannot hold a connection by sending its headers slowly.
  void read_header() {
    idle_ = true;
    timed_out_ = false;
    route_index_ = RequestStats::kNoRoute;
    if (state_.draining) return close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_.settings.max_header_bytes));
    parser_->body_limit(static_cast<std::uint64_t>(state_.settings.max_body_bytes));
    if (buffer_.size() > 0) return on_request_started();  // pipelined
    arm(state_.settings.idle_timeout);
    socket_.async_read_some(buffer_.prepare(beast::read_size(buffer_, kReadSize)),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->buffer_.commit(n);
                              if (ec) return self->on_read_error(ec);
                              self->on_request_started();
                            });
  }

  void on_request_started() {
    idle_ = false;
    started_ = Clock::now();
    arm(state_.settings.request_timeout);
    bhttp::async_read_header(socket_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    if (refuse_unframable_body()) return;
    const auto& head = parser_->get();
    const auto expect = head.find(bhttp::field::expect);
    if (expect != head.end() && beast::iequals(expect->value(), "100-continue") &&
        !parser_->is_done()) {
      return before_continue();
    }
    read_body();
  }

  // Only `chunked`, alone, frames a request body here: Beast would read `gzip, chunked` as
  // chunked and hand over a body that is still gzipped, and take `gzip` with a Content-Length
  // by its length. Anything else cannot be read, so it is refused before its body (501, or 400
  // in HTTP/1.0, where Transfer-Encoding does not exist) and the connection is closed. Both
  // Transfer-Encoding: chunked and Content-Length never get here: Beast rejects them (400).
  bool refuse_unframable_body() {
    const auto& head = parser_->get();
    const auto codings = transfer_codings(head);
    if (!codings) return false;
    int status = 0;
    std::string message;
    if (head.version() < 11) {
      status = 400;
      message = "Transfer-Encoding is not allowed in an HTTP/1.0 request.";
    } else if (codings->size() != 1 || !beast::iequals((*codings)[0], "chunked") ||
               !parser_->chunked()) {
      status = 501;
      message = "The only transfer coding this server accepts is chunked, alone.";
    } else {
      return false;
    }
    Request request = request_from(head);
    request.route = "unreadable";
    keep_alive_ = false;
    Response r = error_response(request, status,
                                status == 501 ? core::invalid(message, "not_implemented")
                                              : core::invalid(message, "bad_request"),
                                state_.error_page);
    finish(request, std::move(r));
    return true;
  }

  // Expect: 100-continue: the client waits for a go-ahead before it sends the body. When the
  // request can be refused from its headers alone (no such route, or the route's header check
  // answers), that answer is sent instead, the body is never read and the connection is closed.
  void before_continue() {
    Request request = request_from(parser_->get());
    auto match = state_.router.match(request.method, request.path);
    if (match.route == nullptr) {
      keep_alive_ = false;
      Response r = unmatched(request, match);
      return finish(request, std::move(r));
    }
    const Route* route = match.route;
    if (!route->header_check) return send_continue();
    request.route = route->pattern;
    request.params = std::move(match.params);
    // The check is the server's time (it may wait for the database), not the client's.
    disarm();
    if (route->options.inline_io) {
      auto refusal = check(*route, request);
      return after_check(route, request, std::move(refusal));
    }
    net::post(*state_.workers,
              [self = shared_from_this(), route, request = std::move(request)]() mutable {
                auto refusal = self->check(*route, request);
                net::post(self->socket_.get_executor(), [self, route, request = std::move(request),
                                                         refusal = std::move(refusal)]() mutable {
                  self->after_check(route, request, std::move(refusal));
                });
              });
  }

  void after_check(const Route* route, const Request& request, std::optional<Response> refusal) {
    if (!refusal) return send_continue();
    route_index_ = route->index;
    keep_alive_ = false;
    finish(request, std::move(*refusal));
  }

  std::optional<Response> check(const Route& route, const Request& request) {
    try {
      return route.header_check(request);
    } catch (const std::exception& e) {
      core::log::error(
          "header check failed",
          {{"route", route.pattern}, {"request_id", request.request_id}, {"error", e.what()}});
    } catch (...) {
      core::log::error("header check failed",
                       {{"route", route.pattern}, {"request_id", request.request_id}});
    }
    return error_response(request, core::internal("Something went wrong on our side."),
                          state_.error_page);
  }

  // The body's time starts with the go-ahead: the client was asked to wait for it.
  void send_continue() {
    arm(state_.settings.request_timeout);
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    net::async_write(socket_, net::buffer(kContinue.data(), kContinue.size()),
                     [self = shared_from_this()](beast::error_code wec, std::size_t) {
                       if (wec) return self->close();
                       self->read_body();
                     });
  }

  void read_body() {
    bhttp::async_read(socket_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read_error(beast::error_code ec) {
    const bool timeout = timed_out_ && ec == net::error::operation_aborted;
    if (!timeout && (ec == bhttp::error::end_of_stream || ec == net::error::eof ||
                     ec == net::error::operation_aborted || ec == net::error::connection_reset ||
                     ec == net::error::bad_descriptor)) {
      return close();
    }
    if (timeout && idle_) return close();
    // The request is unusable: answer once, then close.
    int status = 400;
    std::string message = "The request could not be read.";
    if (ec == bhttp::error::body_limit) {
      status = 413;
      message =
          fmt::format("The request body is larger than {} bytes.", state_.settings.max_body_bytes);
    } else if (ec == bhttp::error::header_limit) {
      status = 431;
      message = "The request headers are too large.";
    } else if (ec == bhttp::error::bad_content_length ||
               ec == bhttp::error::bad_transfer_encoding) {
      // E.g. Content-Length with Transfer-Encoding: chunked, or two different lengths: a body
      // whose end two parsers could see in two places (request smuggling).
      message =
          "The request's length is not clear: send one Content-Length or Transfer-Encoding: "
          "chunked, not both.";
    } else if (timeout) {
      status = 408;
      message = "The request took too long to arrive.";
    }
    if (started_ == Clock::time_point{}) started_ = Clock::now();
    Request request;
    request.remote_ip = remote_ip_;
    request.request_id = state_.ids.new_id();
    request.route = "unreadable";
    if (parser_ && parser_->is_header_done()) {
      request.method = parse_method(std::string_view(parser_->get().method_string()));
      request.target = std::string(parser_->get().target());
    }
    keep_alive_ = false;
    finish(request, error_response(request, status, core::invalid(message, "bad_request")));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    // The handler may take its time (the database); the request timeout covers receiving only.
    disarm();
    auto message = parser_->release();
    Request request = request_from(message);
    request.body = std::move(message.body());
    keep_alive_ = message.keep_alive();
    dispatch(std::move(request));
  }

  // Everything of a request but its body.
  Request request_from(const bhttp::request<bhttp::string_body>& message) {
    Request request;
    request.method = parse_method(std::string_view(message.method_string()));
    request.target = std::string(message.target());
    const auto q = request.target.find('?');
    request.path = request.target.substr(0, q);
    if (q != std::string::npos) request.query_string = request.target.substr(q + 1);
    for (const auto& field : message) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.remote_ip = remote_ip_;
    const std::string* incoming_id = request.header("x-request-id");
    request.request_id =
        incoming_id && sane_request_id(*incoming_id) ? *incoming_id : state_.ids.new_id();
    return request;
  }

  // 405 when the path exists for other methods, else 404.
  Response unmatched(Request& request, const Router::Match& match) {
    request.route = "unmatched";
    if (match.path_exists) {
      Response r = error_response(
          request, 405, core::invalid("This method is not allowed here.", "method_not_allowed"),
          state_.error_page);
      std::string allow;
      for (const auto& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
      r.set_header("Allow", allow);
      return r;
    }
    return error_response(request, core::not_found("There is nothing at this address."),
                          state_.error_page);
  }

  void dispatch(Request request) {
    auto match = state_.router.match(request.method, request.path);
    if (match.route == nullptr) {
      Response r = unmatched(request, match);
      return finish(request, std::move(r));
    }
    const Route* route = match.route;
    route_index_ = route->index;
    request.route = route->pattern;
    request.params = std::move(match.params);
    if (route->options.inline_io) {
      Response r = invoke(*route, request);
      return finish(request, std::move(r));
    }
    net::post(*state_.workers,
              [self = shared_from_this(), route, request = std::move(request)]() mutable {
                Response r = self->invoke(*route, request);
                net::post(self->socket_.get_executor(),
                          [self, request = std::move(request), r = std::move(r)]() mutable {
                            self->finish(request, std::move(r));
                          });
              });
  }

  Response invoke(const Route& route, Request& request) {
    try {
      return route.handler(request);
    } catch (const std::exception& e) {
      core::log::error(
          "handler failed",
          {{"route", route.pattern}, {"request_id", request.request_id}, {"error", e.what()}});
    } catch (...) {
      core::log::error("handler failed",
                       {{"route", route.pattern}, {"request_id", request.request_id}});
    }
    return error_response(request, core::internal("Something went wrong on our side."),
                          state_.error_page);
  }

  void finish(const Request& request, Response response) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(response.status));
    for (const auto& [name, value] : state_.settings.default_headers) {
      if (response.header(name) == nullptr) res->insert(name, value);
    }
    for (const auto& [name, value] : response.headers) res->insert(name, value);
    res->set(bhttp::field::server, "marketlink");
    res->set("X-Request-Id", request.request_id);
    const bool keep = keep_alive_ && !state_.draining;
    res->keep_alive(keep);
    const size_t size = response.body.size();
    if (request.method == Method::kHead) {
      res->content_length(size);
    } else {
      res->body() = std::move(response.body);
      res->prepare_payload();
    }

    const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    state_.stats.record(route_index_, request.route == "unreadable", request.method,
                        response.status, seconds);
    const auto q = request.target.find('?');
    core::log::info("request", {{"method", method_name(request.method)},
                                {"path", std::string_view(request.target).substr(0, q)},
                                {"route", request.route},
                                {"status", response.status},
                                {"duration_ms", seconds * 1000.0},
                                {"bytes", static_cast<long long>(size)},
                                {"request_id", request.request_id},
                                {"remote", remote_ip_}});

    arm(state_.settings.request_timeout);
    bhttp::async_write(socket_, *res,
                       [self = shared_from_this(), res, keep](beast::error_code ec, std::size_t) {
                         self->disarm();
                         if (ec || !keep) return self->close();
                         self->read_header();
                       });
  }

  void close() {
    disarm();
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

  tcp::socket socket_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Server::State& state_;
  IoThread& thread_;
  std::string remote_ip_;
  bool idle_ = true;
  bool keep_alive_ = true;
  bool timed_out_ = false;
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point started_{};
  size_t route_index_ = RequestStats::kNoRoute;
};

}  // namespace

void Server::State::do_accept() {
  IoThread& target = *io[next_io];
  next_io = (next_io + 1) % io.size();
  acceptor->async_accept(target.context, [this, &target](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
      core::log::warn("accept failed", {{"error", ec.message()}});
    } else if (draining) {
      return;
    } else {
      auto session = std::make_shared<Session>(std::move(socket), *this, target);
      net::post(target.context, [session] { session->start(); });
    }
    do_accept();
  });
}

void Server::State::sweep(IoThread& thread) {
  thread.sweeper.expires_after(kSweepInterval);
  thread.sweeper.async_wait([this, &thread](beast::error_code ec) {
    if (ec) return;
    const auto now = Clock::now();
    // check_deadline may end a session, which removes it from the set: iterate over a copy.
    std::vector<std::shared_ptr<Session>> live;
    for (Session* s : thread.sessions) {
      if (auto p = s->weak_from_this().lock()) live.push_back(std::move(p));
    }
    for (auto& p : live) p->check_deadline(now);
    sweep(thread);
  });
}

Server::Server(ServerSettings settings, const Router& router, core::Metrics& metrics,
               core::IdGenerator& ids, ErrorPageRenderer error_page)
    : state_(std::make_unique<State>(std::move(settings), router, metrics, ids,
                                     std::move(error_page))) {}

Server::~Server() { shutdown(); }

core::Result<unsigned short> Server::start() {
  State& s = *state_;
  beast::error_code ec;
  const auto address = net::ip::make_address(s.settings.host, ec);
  if (ec)
    return core::invalid(fmt::format("\"{}\" is not an IP address to listen on.", s.settings.host));
  const tcp::endpoint endpoint(address, s.settings.port);
  s.acceptor->open(endpoint.protocol(), ec);
  if (!ec) s.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor->bind(endpoint, ec);
  if (!ec) s.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return core::unavailable(
        fmt::format("Cannot listen on {}:{}: {}", s.settings.host, s.settings.port, ec.message()));
  }
  const unsigned short port = s.acceptor->local_endpoint().port();
  s.metrics.add_gauge("marketlink_http_connections_open", "Open client connections.",
                      [&s] { return static_cast<double>(s.open_connections.load()); });
  s.workers = std::make_unique<net::thread_pool>(
      static_cast<size_t>(std::max(1, s.settings.worker_threads)));
  s.metrics.add_collector("http_requests", [&s](std::string& out) { s.stats.render(out); });
  for (auto& t : s.io) {
    s.work.push_back(net::make_work_guard(t->context));
    s.sweep(*t);
  }
  s.do_accept();
  s.running = true;
  for (auto& t : s.io) {
    s.io_threads.emplace_back([c = &t->context] { c->run(); });
  }
  return port;
}

void Server::shutdown() {
  State& s = *state_;
  std::lock_guard stop_lock(s.stop_mutex);
  if (!s.running) return;
  s.draining = true;
  net::post(s.acceptor->get_executor(), [&s] {
    beast::error_code ec;
    s.acceptor->close(ec);
  });
  const auto deadline = Clock::now() + s.settings.shutdown_grace;
  while (s.open_connections.load() > 0 && Clock::now() < deadline) {
    for (auto& t : s.io) {
      net::post(t->context, [thread = t.get()] {
        std::vector<std::shared_ptr<Session>> live;
        for (Session* session : thread->sessions) {
          if (auto p = session->weak_from_this().lock()) live.push_back(std::move(p));
        }
        for (auto& p : live) p->close_if_idle();
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (s.open_connections.load() > 0) {
    core::log::warn("shutdown grace period ended with requests in flight",
                    {{"connections", s.open_connections.load()}});
  }
  for (auto& t : s.io) {
    net::post(t->context, [thread = t.get()] { thread->sweeper.cancel(); });
  }
  s.work.clear();
  for (auto& t : s.io) t->context.stop();
  for (auto& t : s.io_threads) t.join();
  s.io_threads.clear();
  s.workers->join();
  s.metrics.add_gauge("marketlink_http_connections_open", "Open client connections.",
                      [] { return 0.0; });
  s.running = false;
}

}  // namespace http
