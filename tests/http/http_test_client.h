// A blocking HTTP/1.1 client for the transport's tests: one connection (plain or TLS),
// requests sent one after another on it, so tests can see keep-alive, timeouts and
// closes the way a real client would.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>

namespace http_test {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  bool keep_alive = false;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
  boost::json::value json() const { return boost::json::parse(body); }
  // The JSON-RPC messages of a text/event-stream body, in order.
  std::vector<boost::json::value> events() const {
    std::vector<boost::json::value> out;
    std::size_t at = 0;
    while ((at = body.find("data: ", at)) != std::string::npos) {
      const std::size_t end = body.find('\n', at);
      out.push_back(boost::json::parse(body.substr(at + 6, end - at - 6)));
      at = end;
    }
    return out;
  }
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class Client {
 public:
  explicit Client(std::uint16_t port, bool tls = false) : tls_context_(net::ssl::context::tls_client) {
    tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
    if (tls) {
      tls_context_.set_verify_mode(net::ssl::verify_none);  // the tests' certificate is self-signed
      tls_stream_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io_, tls_context_);
      beast::get_lowest_layer(*tls_stream_).connect(endpoint);
      tls_stream_->handshake(net::ssl::stream_base::client);
    } else {
      plain_ = std::make_unique<beast::tcp_stream>(io_);
      plain_->connect(endpoint);
    }
  }

  // Sends one request and reads the whole response (for an event stream: until it ends).
  Response Send(const std::string& method, const std::string& target, const Headers& headers = {},
                const std::string& body = "") {
    bhttp::request<bhttp::string_body> request(bhttp::string_to_verb(method), target, 11);
    request.set(bhttp::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    if (!body.empty() || method == "POST") request.prepare_payload();
    return Exchange(request);
  }

  // Writes raw bytes (for malformed or slow requests).
  void WriteRaw(const std::string& bytes) {
    if (tls_stream_) {
      net::write(*tls_stream_, net::buffer(bytes));
    } else {
      net::write(plain_->socket(), net::buffer(bytes));
    }
  }

  // Reads one response after WriteRaw; nothing if the server closed the connection instead.
  std::optional<Response> ReadResponse() {
    bhttp::response<bhttp::string_body> response;
    beast::error_code ec;
    if (tls_stream_) {
      bhttp::read(*tls_stream_, buffer_, response, ec);
    } else {
      bhttp::read(*plain_, buffer_, response, ec);
    }
    if (ec) return std::nullopt;
    return Convert(response);
  }

  // Reads raw bytes until `marker` has arrived (or `wait` passes); returns all read so far.
  // For watching a stream while it is still open, which stays open after `wait` passes.
  // The reads are asynchronous because a blocking read ignores every deadline: a marker
  // that never comes would otherwise hang the test instead of failing it.
  std::string ReadUntil(const std::string& marker, std::chrono::milliseconds wait = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    auto& socket = tls_stream_ ? beast::get_lowest_layer(*tls_stream_).socket() : plain_->socket();
    while (raw_.find(marker) == std::string::npos) {
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) break;
      char chunk[4096];
      bool done = false;
      beast::error_code ec;
      std::size_t n = 0;
      auto on_read = [&](beast::error_code e, std::size_t got) { done = true, ec = e, n = got; };
      if (tls_stream_) {
        tls_stream_->async_read_some(net::buffer(chunk), on_read);
      } else {
        plain_->async_read_some(net::buffer(chunk), on_read);
      }
      io_.restart();
      io_.run_for(left);
      if (!done) {  // the deadline passed first: stop the read, leave the stream open
        socket.cancel();
        io_.restart();
        io_.run();
      }
      raw_.append(chunk, n);
      if (ec) break;
    }
    return raw_;
  }

  // True when the server has closed the connection (waits up to `wait` for it to happen).
  bool ClosedByServer(std::chrono::milliseconds wait) {
    auto& socket = tls_stream_ ? beast::get_lowest_layer(*tls_stream_).socket() : plain_->socket();
    const auto deadline = std::chrono::steady_clock::now() + wait;
    socket.non_blocking(true);
    char byte;
    while (std::chrono::steady_clock::now() < deadline) {
      beast::error_code ec;
      socket.receive(net::buffer(&byte, 1), 0, ec);
      if (ec == net::error::eof || ec == net::error::connection_reset) return true;
      if (ec && ec != net::error::would_block) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    socket.non_blocking(false);
    return false;
  }

 private:
  Response Exchange(bhttp::request<bhttp::string_body>& request) {
    bhttp::response<bhttp::string_body> response;
    if (tls_stream_) {
      bhttp::write(*tls_stream_, request);
      bhttp::read(*tls_stream_, buffer_, response);
    } else {
      bhttp::write(*plain_, request);
      bhttp::read(*plain_, buffer_, response);
    }
    return Convert(response);
  }

  static Response Convert(const bhttp::response<bhttp::string_body>& response) {
    Response out;
    out.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(field.value());
    }
    out.body = response.body();
    out.keep_alive = response.keep_alive();
    return out;
  }

  net::io_context io_;
  net::ssl::context tls_context_;
  std::unique_ptr<beast::tcp_stream> plain_;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls_stream_;
  beast::flat_buffer buffer_;
  std::string raw_;  // what ReadUntil has read
};

}  // namespace http_test
