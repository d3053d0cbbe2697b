// The Streamable HTTP transport: MCP at one endpoint, /mcp, over HTTP/1.1 (or HTTPS).
//
//   POST   /mcp   one JSON-RPC message (or a 2025-03-26 batch). Requests are answered with
//                 application/json, or with a text/event-stream when the server sends progress,
//                 log messages or its own requests before the response; notifications and
//                 responses get 202 Accepted.
//   GET    /mcp   with a session (2025 era): the session's own event stream, which carries
//                 notifications/resources/updated and list_changed for resources/subscribe.
//                 Without a session (and in the 2026-07-28 era, which has none): 405 —
//                 subscriptions/listen is a POST whose response stream stays open.
//   DELETE /mcp   ends the session (204).
//   GET /healthz  200 {"status":"ok"} (503 {"status":"unavailable"} while HttpOptions::healthy says
//                 the store cannot be reached), no key needed, any Host. GET /metrics: Prometheus text, to
//                 loopback peers only, with the same Host and Origin checks as /mcp (403).
//
// Every /mcp request needs `Authorization: Bearer <key>`; the application resolves keys
// through the Authenticator it injects (transports never open the database). Sessions
// (Mcp-Session-Id) are created by initialize and bound to the key that created them.
//
// Threads: `io_threads` run the sockets (a strand per connection); every JSON-RPC request
// runs on a pool of `worker_threads`, so a slow tool never stalls other connections.
#pragma once

#include <any>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mcp/server_definition.h"
#include "util/status.h"

namespace transports {

namespace http {
class SessionDirectory;  // session_directory.h
}  // namespace http

// Who a bearer key belongs to, as the application's authenticator resolved it.
struct Credential {
  std::any principal;  // handed to mcp::Session, and from there to every tool call
  std::string id;      // stable and not secret (the API key's id): binds sessions, keys the rate limit, logs
  std::string user_id;  // whom the key belongs to (caps sessions per user); empty: the key is its own user
  // False for an OAuth token granted without the write scope: a call to a tool that is not
  // read-only gets 403 insufficient_scope (RFC 6750 §3.1) before it runs.
  bool may_write = true;
};

// A page or endpoint besides /mcp that the application adds (OAuth, sign-in: web/). The
// transport stays ignorant of what it does: it checks the source, runs the handler on a
// worker thread (handlers may use the database) and sends what it returns.
struct HttpRouteRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // "/oauth/token" (no query)
  std::string query;   // what followed '?', undecoded
  std::string host;
  std::string origin;
  std::string cookie;
  std::string authorization;
  std::string content_type;
  std::string body;
  std::string peer_address;  // the client's IP address, for per-address limits
  bool from_loopback = false;
};
struct HttpRouteReply {
  int status = 200;
  std::string content_type;  // empty: no body
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};
struct HttpRoute {
  std::string path;     // matched exactly, or as a prefix when `prefix` ("/memories/" → /memories/ID)
  bool prefix = false;
  // Public endpoints that other sites' pages may call (OAuth metadata, token, registration):
  // any Origin is accepted and every reply carries Access-Control-Allow-Origin: *. They must
  // not rely on cookies. Others answer only this server's own origins (the 403 of /mcp).
  bool any_origin = false;
  std::function<HttpRouteReply(const HttpRouteRequest&)> handle;
  HttpRoute(std::string path_, bool any_origin_, std::function<HttpRouteReply(const HttpRouteRequest&)> handle_,
            bool prefix_ = false)
      : path(std::move(path_)), prefix(prefix_), any_origin(any_origin_), handle(std::move(handle_)) {}
};

// Resolves the token of `Authorization: Bearer <token>`: its credential, or nothing for an
// unknown or revoked key (401), or a failed Status (kUnavailable: its database cannot be
// reached now) when it cannot tell — the client then gets 503 with Retry-After, never a
// 401 that would make it throw its credential away, and the answer is not cached.
// Called from I/O threads at most once per key per `auth_cache_ttl` (the transport caches
// answers), so it may do a database lookup. Must be thread-safe.
using AuthAnswer = rm::Result<std::optional<Credential>>;
using Authenticator = std::function<AuthAnswer(std::string_view token)>;

struct HttpOptions {
  // Where to listen. Port 0 picks a free port (see HttpServer::port()).
  std::string host = "127.0.0.1";
  std::uint16_t port = 8765;

  // Threads for sockets; 0: one per core.
  unsigned io_threads = 0;
  // Threads that run JSON-RPC requests that may write (tool calls); 0: four per core,
  // because writes spend much of their time waiting for the database's group commit.
  unsigned worker_threads = 0;
  // Threads that run requests that only read (a read-only tool, a listing, ping); 0: one
  // per core, because reads compute rather than wait, and more threads only switch more.
  unsigned read_worker_threads = 0;

  // Required. See Authenticator.
  Authenticator authenticator;
  // How long a key's answer is reused. Revoking a key takes effect within this time; at most 1 s.
  std::chrono::milliseconds auth_cache_ttl{1000};
  // Called on every authenticated request (cheap; on an I/O thread) with the credential id,
  // so the application can record "last used" in batches instead of writing per request.
  std::function<void(const std::string& credential_id)> on_authenticated;
  // Optional: whether the application can serve now (its database reachable). GET /healthz
  // answers 503 {"status":"unavailable"} while it says no, so a load balancer stops sending
  // traffic. Called on an I/O thread for every probe: must answer from memory (no I/O).
  std::function<bool()> healthy;

  // Browser origins allowed besides localhost ones (http(s)://localhost|127.0.0.1|[::1][:port]),
  // e.g. "https://app.example.com". A request with any other Origin gets 403.
  std::vector<std::string> allowed_origins;
  // When bound to a loopback address, the Host header must name localhost (DNS rebinding
  // defence) or one of these host names (e.g. a reverse proxy's public name); else 403.
  // Host names of allowed_origins are allowed too.
  std::vector<std::string> allowed_hosts;

  // Pages and endpoints besides /mcp, /healthz and /metrics (see HttpRoute).
  std::vector<HttpRoute> routes;
  // Set: every 401 and 403 of /mcp points clients to the protected-resource metadata (RFC 9728
  // §5.1: WWW-Authenticate: Bearer resource_metadata="...", scope="..."), as OAuth clients
  // such as Claude.ai need to find where to sign in.
  std::string resource_metadata_url;
  std::string oauth_scopes = "mcp:read mcp:write";

  // Sessions unused this long are closed; then their id gets 404.
  std::chrono::seconds session_idle_timeout{std::chrono::minutes(30)};
  // Set: sessions are kept there too, so that one created by another process sharing the
  // store works here (transports/http/session_directory.h). Its idle timeout should be this one.
  std::shared_ptr<http::SessionDirectory> session_directory;
  // More sessions than this: initialize gets 503.
  std::size_t max_sessions = 10000;
  // Sessions one key, and one user (all of its keys together), may hold; 0: no cap. At its cap,
  // a new initialize closes that key's (or user's) least recently used idle session, whose id
  // then gets 404 so its client initializes again; if all of them are running requests, the
  // initialize gets 429. So no credential can fill the table and lock other users out.
  // A client needs one session (a few while it reconnects): 64 per key leaves room for
  // clients that open one per thread or sub-agent; 256 per user covers four such keys
  // (one per tool), and filling the default table then takes 40 users.
  std::size_t max_sessions_per_key = 64;
  std::size_t max_sessions_per_user = 256;
  // More open connections than this: new ones are closed at once.
  std::size_t max_connections = 10000;

  // A request (head and body) must arrive within this time once it has started.
  std::chrono::milliseconds request_timeout{std::chrono::seconds(10)};
  // A kept-alive connection with no new request for this long is closed.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  // Each write to a client must complete within this time (slow readers are dropped).
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
  // Bigger bodies get 413; bigger heads get 431.
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;

  // Both set: serve HTTPS (TLS 1.2+) with this PEM certificate chain and private key.
  std::string tls_cert_file;
  std::string tls_key_file;

  // Per key: sustained requests per second and burst size. 0 requests_per_second: no limit.
  // Over the limit: 429 with Retry-After.
  double rate_limit_per_second = 100;
  double rate_limit_burst = 200;

  // GET /metrics (Prometheus text, answered to loopback clients only, Host and Origin checked).
  bool metrics = true;
  // One access-log line per request on stderr (spdlog logger "http"); as JSON objects if set.
  bool access_log = true;
  bool access_log_json = false;

  // How long Stop() waits for requests in flight before closing their connections.
  std::chrono::milliseconds drain_timeout{std::chrono::seconds(30)};
};

class HttpServer {
 public:
  // `server` must outlive this object. options.authenticator is required.
  HttpServer(const mcp::ServerDefinition& server, HttpOptions options);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, loads the TLS files, and starts the threads. Errors name what failed
  // (address in use, unreadable certificate, missing authenticator, ...).
  rm::Status Start();
  // The port bound by Start() (the chosen one when options.port was 0).
  std::uint16_t port() const;

  // Stops accepting, lets requests in flight finish (up to drain_timeout) and sends their
  // responses, closes idle connections, and joins the threads. Safe to call twice.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Serves until SIGTERM or SIGINT, then drains as Stop() does. Returns the process exit
// code: 0 after a clean stop, 1 if the server could not start (the reason is logged).
int RunHttp(const mcp::ServerDefinition& server, HttpOptions options);

}  // namespace transports
