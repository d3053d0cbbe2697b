#include "transports/http/listener.h"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

namespace transports::http {
namespace {

bool IsLoopback(const net::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6()).is_loopback();
  }
  return address.is_loopback();
}

}  // namespace

Listener::Listener(net::io_context& io, net::ip::tcp::acceptor acceptor, ServerState& state, net::ssl::context* tls)
    : io_(io), acceptor_(std::move(acceptor)), backoff_(acceptor_.get_executor()), state_(state), tls_(tls) {}

void Listener::Start() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] { self->Accept(); });
}

void Listener::Stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ignored;
    self->acceptor_.close(ignored);
    self->backoff_.cancel();
  });
}

void Listener::Accept() {
  // Each connection gets its own strand: its handlers never run concurrently.
  acceptor_.async_accept(net::make_strand(io_), beast::bind_front_handler(&Listener::OnAccept, shared_from_this()));
}

void Listener::OnAccept(beast::error_code ec, net::ip::tcp::socket socket) {
  if (!acceptor_.is_open()) return;  // stopped
  if (ec) {
    // Out of file descriptors (or similar): wait a little instead of spinning on accept.
    spdlog::warn("http: accept failed: {}", ec.message());
    backoff_.expires_after(std::chrono::milliseconds(100));
    backoff_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec) self->Accept();
    });
    return;
  }
  if (state_.connections.size() >= state_.options.max_connections) {
    if (state_.metrics) state_.metrics->ConnectionRefused();
    beast::error_code ignored;
    socket.close(ignored);
    return Accept();
  }

  // Events of a stream go out as separate small writes: without this, Nagle's algorithm holds
  // each one back until the client's delayed ACK (40 ms a piece).
  beast::error_code ignored;
  socket.set_option(net::ip::tcp::no_delay(true), ignored);

  beast::error_code peer_ec;
  const auto peer = socket.remote_endpoint(peer_ec);
  const std::string remote = peer_ec ? "?" : peer.address().to_string();
  const bool loopback = !peer_ec && IsLoopback(peer.address());
  if (tls_) {
    auto connection = std::make_shared<TlsConnection>(state_, std::move(socket), *tls_, remote, loopback);
    state_.connections.Add(connection.get(), connection);
    connection->Start();
  } else {
    auto connection = std::make_shared<PlainConnection>(state_, std::move(socket), remote, loopback);
    state_.connections.Add(connection.get(), connection);
    connection->Start();
  }
  Accept();
}

}  // namespace transports::http
