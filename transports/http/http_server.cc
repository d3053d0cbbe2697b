#include "transports/http/http_server.h"

#include <algorithm>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include "transports/http/access_log.h"
#include "transports/http/connection.h"
#include "transports/http/connection_set.h"
#include "transports/http/listener.h"
#include "transports/http/metrics.h"
#include "transports/http/router.h"
#include "transports/http/session_registry.h"

namespace transports {

using namespace transports::http;  // NOLINT: this file is the glue of that namespace
namespace tcp = boost::asio::ip;

namespace {

unsigned Cores() { return std::max(1u, std::thread::hardware_concurrency()); }

unsigned IoThreads(const HttpOptions& options) { return options.io_threads ? options.io_threads : Cores(); }

// Writes mostly wait (for the database's group commit), and the more of them wait at once,
// the more one commit carries: write_memory 4,800/s with 2 workers, 6,500/s with 8. Reads
// never wait for a commit, and every thread beyond the cores only adds context switches:
// get_memory_by_id 31,500/s with 2 read workers, 25,600/s with 8 (2 cores, docs/BENCHMARKS.md).
unsigned WorkerThreads(const HttpOptions& options) {
  return options.worker_threads ? options.worker_threads : 4 * Cores();
}
unsigned ReadWorkerThreads(const HttpOptions& options) {
  return options.read_worker_threads ? options.read_worker_threads : Cores();
}

std::vector<std::string> ToolNames(const mcp::ServerDefinition& server) {
  std::vector<std::string> names;
  for (const auto& tool : server.tools.All()) names.push_back(tool.name);
  return names;
}

// TLS 1.2 and later only, with the given PEM files.
rm::Result<std::unique_ptr<net::ssl::context>> LoadTls(const HttpOptions& options) {
  auto tls = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
  tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                   net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1 |
                   net::ssl::context::single_dh_use);
  beast::error_code ec;
  tls->use_certificate_chain_file(options.tls_cert_file, ec);
  if (ec) {
    return rm::Status::InvalidArgument("cannot use TLS certificate '" + options.tls_cert_file + "': " + ec.message() +
                                       " (expected a PEM certificate chain)");
  }
  tls->use_private_key_file(options.tls_key_file, net::ssl::context::pem, ec);
  if (ec) {
    return rm::Status::InvalidArgument("cannot use TLS key '" + options.tls_key_file + "': " + ec.message() +
                                       " (expected the PEM private key of the certificate)");
  }
  return tls;
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(const mcp::ServerDefinition& server, HttpOptions options)
      : server_(server),
        options_(std::move(options)),
        sessions_({options_.max_sessions, options_.max_sessions_per_key, options_.max_sessions_per_user},
                  options_.session_idle_timeout, options_.session_directory),
        metrics_(options_.metrics ? std::make_unique<Metrics>(ToolNames(server)) : nullptr),
        access_log_(options_.access_log, options_.access_log_json),
        sweeper_(io_),
        workers_(WorkerThreads(options_)),
        read_workers_(ReadWorkerThreads(options_)) {}

  ~Impl() { Stop(); }

  rm::Status Start() {
    if (started_) return rm::Status::FailedPrecondition("the HTTP server is already started");
    if (!options_.authenticator) {
      return rm::Status::InvalidArgument("the HTTP transport needs an authenticator for bearer keys");
    }
    if (options_.tls_cert_file.empty() != options_.tls_key_file.empty()) {
      return rm::Status::InvalidArgument("TLS needs both a certificate (--tls-cert) and its key (--tls-key)");
    }
    if (!options_.tls_cert_file.empty()) {
      auto tls = LoadTls(options_);
      if (!tls.ok()) return tls.status();
      tls_ = std::move(tls.value());
    }

    auto acceptor = Listen();
    if (!acceptor.ok()) return acceptor.status();
    const tcp::tcp::endpoint bound = acceptor->local_endpoint();
    port_ = bound.port();

    router_.emplace(server_, options_, bound.address().is_loopback(), sessions_, metrics_.get());
    state_.emplace(ServerState{options_, *router_, metrics_.get(), access_log_, workers_, read_workers_,
                               connections_});
    listener_ = std::make_shared<Listener>(io_, std::move(acceptor.value()), *state_, tls_.get());
    listener_->Start();
    ScheduleSweep();

    const unsigned threads = IoThreads(options_);
    for (unsigned i = 0; i < threads; ++i) io_threads_.emplace_back([this] { io_.run(); });
    started_ = true;
    spdlog::info("http: serving MCP at {}://{}:{}/mcp ({} I/O, {} worker and {} read worker threads)",
                 tls_ ? "https" : "http", options_.host, port_, threads, WorkerThreads(options_),
                 ReadWorkerThreads(options_));
    return rm::Status::Ok();
  }

  std::uint16_t port() const { return port_; }

  void Stop() {
    if (!started_ || stopped_) return;
    stopped_ = true;
    listener_->Stop();
    net::post(io_, [this] { sweeper_.cancel(); });
    connections_.DrainAll();
    if (!connections_.WaitUntilEmpty(options_.drain_timeout)) {
      spdlog::warn("http: {} connection(s) still busy after {} ms; cancelling their requests and closing them",
                   connections_.size(), options_.drain_timeout.count());
      sessions_.CancelAll();
      io_.stop();
    }
    // With no connection, listener or timer left, the I/O threads run out of work and return.
    for (auto& thread : io_threads_) thread.join();
    workers_.join();
    read_workers_.join();
    spdlog::info("http: stopped");
  }

 private:
  rm::Result<tcp::tcp::acceptor> Listen() {
    const std::string where = options_.host + ":" + std::to_string(options_.port);
    beast::error_code ec;
    tcp::tcp::resolver resolver(io_);
    const auto found = resolver.resolve(options_.host, std::to_string(options_.port),
                                        tcp::tcp::resolver::passive | tcp::tcp::resolver::numeric_service, ec);
    if (ec || found.empty()) {
      return rm::Status::InvalidArgument("cannot listen on " + where + ": unknown host (" + ec.message() + ")");
    }
    const tcp::tcp::endpoint endpoint = *found.begin();
    // On a strand: the listener's handlers and Stop() never touch the acceptor at once.
    tcp::tcp::acceptor acceptor(net::make_strand(io_));
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return rm::Status::IoError("cannot listen on " + where + ": " + ec.message());
    return acceptor;
  }

  // Closes idle sessions now and then, so their memory goes even if nobody asks for them again.
  void ScheduleSweep() {
    const auto period = std::clamp<std::chrono::steady_clock::duration>(options_.session_idle_timeout / 2,
                                                                        std::chrono::seconds(1), std::chrono::minutes(1));
    sweeper_.expires_after(period);
    sweeper_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      if (const std::size_t closed = sessions_.CloseIdle()) spdlog::debug("http: closed {} idle session(s)", closed);
      ScheduleSweep();
    });
  }

  const mcp::ServerDefinition& server_;
  const HttpOptions options_;
  SessionRegistry sessions_;
  std::unique_ptr<Metrics> metrics_;
  AccessLog access_log_;
  ConnectionSet connections_;
  std::optional<Router> router_;
  std::optional<ServerState> state_;
  std::unique_ptr<net::ssl::context> tls_;
  // Declared after everything a connection refers to: destroying the io_context destroys
  // the handlers (and so the connections) it still holds.
  net::io_context io_;
  net::steady_timer sweeper_;
  std::shared_ptr<Listener> listener_;
  // Declared last, destroyed first: queued work holds connections whose sockets use io_.
  net::thread_pool workers_;
  net::thread_pool read_workers_;
  std::vector<std::thread> io_threads_;
  std::uint16_t port_ = 0;
  bool started_ = false;
  bool stopped_ = false;
};

HttpServer::HttpServer(const mcp::ServerDefinition& server, HttpOptions options)
    : impl_(std::make_unique<Impl>(server, std::move(options))) {}
HttpServer::~HttpServer() = default;
rm::Status HttpServer::Start() { return impl_->Start(); }
std::uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace transports
