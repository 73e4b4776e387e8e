// Test-only: a raw HTTP/1.1 client on one real connection to an http::Server, so tests control
// the bytes, keep-alive and timing (partial headers, Expect: 100-continue, pipelining).
#pragma once

// Asio with GCC 12 in C++20 needs <utility> first.
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include <string>

namespace http::testing {

class RawClient {
 public:
  explicit RawClient(unsigned short port) : socket_(ioc_) {
    socket_.connect(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  }
  void send(const std::string& bytes) { boost::asio::write(socket_, boost::asio::buffer(bytes)); }

  struct Reply {
    int status = 0;
    std::string head;
    std::string body;
    bool has(const std::string& header_line) const {
      return head.find(header_line) != std::string::npos;
    }
  };
  // Reads one response (Content-Length framed; an interim 100 has none). status 0 when the
  // connection closed first.
  Reply read(bool head_request = false) {
    namespace net = boost::asio;
    Reply r;
    boost::system::error_code ec;
    const size_t n = net::read_until(socket_, net::dynamic_buffer(buf_), "\r\n\r\n", ec);
    if (ec) return r;
    r.head = buf_.substr(0, n);
    buf_.erase(0, n);
    r.status = std::stoi(r.head.substr(9, 3));
    size_t length = 0;
    const auto cl = r.head.find("Content-Length: ");
    if (cl != std::string::npos) length = std::stoul(r.head.substr(cl + 16));
    if (head_request) return r;
    if (buf_.size() < length)
      net::read(socket_, net::dynamic_buffer(buf_), net::transfer_exactly(length - buf_.size()),
                ec);
    r.body = buf_.substr(0, length);
    buf_.erase(0, length);
    return r;
  }
  // True when the server closed the connection without sending another byte.
  bool closed_by_peer() {
    boost::system::error_code ec;
    char c;
    socket_.read_some(boost::asio::buffer(&c, 1), ec);
    return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
  }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  std::string buf_;
};

}  // namespace http::testing
