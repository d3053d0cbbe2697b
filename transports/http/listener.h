// Listener: accepts connections and hands each, on its own strand, to a PlainConnection
// or a TlsConnection. Refuses connections beyond max_connections by closing them at once.
#pragma once

#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "transports/http/connection.h"

namespace transports::http {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // `acceptor` is open and listening, on a strand of `io`. `tls` null: plain HTTP.
  Listener(net::io_context& io, net::ip::tcp::acceptor acceptor, ServerState& state, net::ssl::context* tls);

  void Start();
  // Stops accepting (from any thread); connections already open are not touched.
  void Stop();

 private:
  void Accept();
  void OnAccept(beast::error_code ec, net::ip::tcp::socket socket);

  net::io_context& io_;
  net::ip::tcp::acceptor acceptor_;
  net::steady_timer backoff_;  // after accept fails for lack of descriptors
  ServerState& state_;
  net::ssl::context* tls_;
};

}  // namespace transports::http
