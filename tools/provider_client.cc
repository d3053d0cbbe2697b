#include "tools/provider_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <optional>
#include <vector>

namespace rm::tools {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct Url {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;
};

std::optional<Url> ParseUrl(const std::string& text) {
  Url url;
  std::string rest;
  if (text.rfind("https://", 0) == 0) {
    url.tls = true;
    rest = text.substr(8);
  } else if (text.rfind("http://", 0) == 0) {
    rest = text.substr(7);
  } else {
    return std::nullopt;
  }
  const std::size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  url.target = slash == std::string::npos ? "/" : rest.substr(slash);
  const std::size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    url.port = authority.substr(colon + 1);
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return std::nullopt;
  url.host = authority;
  if (url.port.empty()) url.port = url.tls ? "443" : "80";
  return url;
}

// Runs one exchange on `stream` (plain or TLS) within the deadline already set on
// its lowest layer; what went wrong ends up in `ec`.
template <typename Stream>
void Exchange(Stream& stream, const http::request<http::string_body>& request,
              http::response_parser<http::string_body>& parser, beast::flat_buffer& buffer, beast::error_code& ec) {
  http::async_write(stream, request, [&](beast::error_code e, std::size_t) {
    if (e) {
      ec = e;
      return;
    }
    http::async_read(stream, buffer, parser, [&](beast::error_code e2, std::size_t) { ec = e2; });
  });
}

struct Outbound {
  std::string url;
  http::verb method = http::verb::get;
  std::string bearer_token;  // empty: no Authorization header
  std::string accept;
  std::string json_body;     // POST only
  std::chrono::milliseconds timeout{5000};
  std::size_t max_response_bytes = 1 << 20;
  std::function<bool(const std::string&)> address_allowed;  // empty: any
  std::string what = "provider";  // for messages: "provider at HOST ..."
};

Result<std::string> Send(const Outbound& request);

}  // namespace

Result<std::string> PostJson(const ProviderRequest& request) {
  Outbound outbound;
  outbound.url = request.url;
  outbound.method = http::verb::post;
  outbound.bearer_token = request.bearer_token;
  outbound.json_body = request.json_body;
  outbound.timeout = request.timeout;
  outbound.max_response_bytes = request.max_response_bytes;
  return Send(outbound);
}

Result<std::string> GetDocument(const DocumentRequest& request) {
  Outbound outbound;
  outbound.url = request.url;
  outbound.accept = request.accept;
  outbound.timeout = request.timeout;
  outbound.max_response_bytes = request.max_response_bytes;
  outbound.address_allowed = request.address_allowed;
  outbound.what = "document";
  return Send(outbound);
}

namespace {

Result<std::string> Send(const Outbound& request) {
  std::optional<Url> url = ParseUrl(request.url);
  if (!url) return Status::InvalidArgument(request.what + " URL '" + request.url + "' is not an http:// or https:// URL");

  asio::io_context io;
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_default_verify_paths();
  tls.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> tls_stream(io, tls);
  beast::tcp_stream plain_stream(io);
  beast::tcp_stream& socket = url->tls ? beast::get_lowest_layer(tls_stream) : plain_stream;

  http::request<http::string_body> message{request.method, url->target, 11};
  message.set(http::field::host, url->host);
  if (!request.bearer_token.empty()) message.set(http::field::authorization, "Bearer " + request.bearer_token);
  if (!request.accept.empty()) message.set(http::field::accept, request.accept);
  message.set(http::field::user_agent, "reflect-memory");
  if (request.method == http::verb::post) {
    message.set(http::field::content_type, "application/json");
    message.body() = request.json_body;
  }
  message.prepare_payload();
  bool refused_address = false;

  http::response_parser<http::string_body> parser;
  parser.body_limit(request.max_response_bytes);
  beast::flat_buffer buffer;
  beast::error_code ec;
  bool connected = false;

  tcp::resolver resolver(io);
  socket.expires_after(request.timeout);  // one deadline for everything below
  std::vector<tcp::endpoint> allowed;
  resolver.async_resolve(url->host, url->port, [&](beast::error_code e, tcp::resolver::results_type endpoints) {
    if (e) {
      ec = e;
      return;
    }
    for (const auto& entry : endpoints) {
      if (!request.address_allowed || request.address_allowed(entry.endpoint().address().to_string())) {
        allowed.push_back(entry.endpoint());
      }
    }
    if (allowed.empty()) {
      refused_address = true;
      return;
    }
    socket.async_connect(allowed, [&](beast::error_code e2, const tcp::endpoint&) {
      if (e2) {
        ec = e2;
        return;
      }
      connected = true;
      if (!url->tls) {
        Exchange(plain_stream, message, parser, buffer, ec);
        return;
      }
      if (!SSL_set_tlsext_host_name(tls_stream.native_handle(), url->host.c_str())) {
        ec = beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
        return;
      }
      tls_stream.set_verify_callback(asio::ssl::host_name_verification(url->host));
      tls_stream.async_handshake(asio::ssl::stream_base::client, [&](beast::error_code e3) {
        if (e3) {
          ec = e3;
          return;
        }
        Exchange(tls_stream, message, parser, buffer, ec);
      });
    });
  });
  // The resolver has no deadline of its own: bound the whole run as well.
  io.run_for(request.timeout + std::chrono::milliseconds(100));
  if (refused_address) {
    return Status::PermissionDenied(url->host + " resolves only to addresses this server may not fetch from "
                                    "(loopback, private, link-local)");
  }
  if (!io.stopped()) {
    io.stop();
    return Status::IoError(request.what + " at " + url->host + " did not answer within " +
                               std::to_string(request.timeout.count()) + " ms");
  }
  if (ec) {
    const bool timed_out = ec == beast::error::timeout;
    return Status::IoError(request.what + " at " + url->host + (connected ? "" : " unreachable") + ": " +
                               (timed_out ? "no answer within " + std::to_string(request.timeout.count()) + " ms"
                                          : ec.message()));
  }
  const http::response<http::string_body>& response = parser.get();
  if (response.result_int() / 100 != 2) {
    // The start of the provider's answer says why; a provider may echo the key it was
    // sent ("invalid key sk-…"), which is blanked out before the answer is cut, so no
    // part of it reaches a message or a log.
    std::string answer = response.body();
    if (!request.bearer_token.empty()) {
      for (auto at = answer.find(request.bearer_token); at != std::string::npos;
           at = answer.find(request.bearer_token, at)) {
        answer.replace(at, request.bearer_token.size(), "[key]");
      }
    }
    return Status::FailedPrecondition(request.what + " at " + url->host + " answered HTTP " +
                                      std::to_string(response.result_int()) + ": " + answer.substr(0, 200));
  }
  return response.body();
}

}  // namespace
}  // namespace rm::tools
