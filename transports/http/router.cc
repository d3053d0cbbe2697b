#include "transports/http/router.h"

#include "transports/http/replies.h"

namespace transports::http {
namespace {

Reply MethodNotAllowed(std::string_view allow, std::string_view why) {
  Reply reply = ErrorReply(405, kTransportError, why);
  reply.headers.emplace_back("Allow", std::string(allow));
  return reply;
}

// The answer to a CORS preflight: which methods and request headers a page may use.
Reply Preflight() {
  return Reply{204,
               "",
               "",
               {{"Access-Control-Allow-Methods", "GET, POST, DELETE"},
                {"Access-Control-Allow-Headers",
                 "Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Mcp-Method, Mcp-Name, "
                 "Last-Event-ID"},
                {"Access-Control-Max-Age", "600"}}};
}

// Lets a page from `origin` read the response, including the headers a client needs.
std::vector<Header> CorsHeaders(std::string_view origin) {
  return {{"Access-Control-Allow-Origin", std::string(origin)},
          {"Access-Control-Expose-Headers", "Mcp-Session-Id, WWW-Authenticate, Retry-After"},
          {"Vary", "Origin"}};
}

// The request as the application's route handlers see it (copies: the handler runs later,
// on a worker, after the connection's parsed request may have moved on).
HttpRouteRequest ForRoute(const Request& request, std::string_view path) {
  HttpRouteRequest out;
  out.method = request.method;
  out.path = path;
  if (const auto q = request.target.find('?'); q != std::string_view::npos) out.query = request.target.substr(q + 1);
  out.host = request.host;
  out.origin = request.origin;
  out.cookie = request.cookie;
  out.authorization = request.authorization;
  out.content_type = request.content_type;
  out.body = request.body;
  out.peer_address = request.peer_address;
  out.from_loopback = request.from_loopback;
  return out;
}

}  // namespace

Router::Router(const mcp::ServerDefinition& server, const HttpOptions& options, bool bound_to_loopback,
               SessionRegistry& sessions, Metrics* metrics)
    : routes_(options.routes),
      healthy_(options.healthy),
      guard_(options, bound_to_loopback), mcp_(server, sessions, metrics, guard_.InsufficientScope()), sessions_(sessions), metrics_(metrics) {}

Routed Router::Route(Request& request) {
  const std::string_view path = request.target.substr(0, request.target.find('?'));
  const bool get = request.method == "GET" || request.method == "HEAD";

  // The one public route: probes and load balancers reach it under any name, and it tells nothing.
  if (path == "/healthz") {
    if (!get) return {MethodNotAllowed("GET", "Method Not Allowed: use GET /healthz"), {}, {}};
    if (healthy_ && !healthy_()) {
      Reply reply = JsonReply(503, R"({"status":"unavailable"})");
      reply.headers.emplace_back("Retry-After", "1");
      return {std::move(reply), {}, {}};
    }
    return {JsonReply(200, R"({"status":"ok"})"), {}, {}};
  }
  // Public OAuth endpoints (metadata, token, registration) are called by other sites' pages
  // and servers: any Origin, but still only under this server's own names.
  const HttpRoute* route = FindRoute(path);
  if (route != nullptr && route->any_origin) {
    if (auto refused = guard_.CheckHost(request)) return {std::move(*refused), {}, {}};
    return RouteApplication(*route, request, path);
  }
  // Every other route answers only this server's own names and allowed origins: a page on a
  // rebinding domain (resolving to 127.0.0.1) must not reach /metrics any more than /mcp.
  if (auto refused = guard_.CheckSource(request)) return {std::move(*refused), {}, {}};
  if (route != nullptr) return RouteApplication(*route, request, path);
  if (path == "/mcp") return RouteMcp(request);
  // Metrics describe every user's traffic, so only the machine itself (or a proxy on it) may
  // read them — and under one of its own names even when the server listens on every address,
  // where CheckSource cannot check Host: a rebinding page's requests arrive from loopback too.
  if (path == "/metrics" && metrics_ && request.from_loopback && guard_.CalledByLocalName(request)) {
    if (!get) return {MethodNotAllowed("GET", "Method Not Allowed: use GET /metrics"), {}, {}};
    return {Reply{200, "text/plain; version=0.0.4", metrics_->Render(sessions_.size()), {}}, {}, {}};
  }
  return {ErrorReply(404, kTransportError, "Not Found: the MCP endpoint is /mcp"), {}, {}};
}

const HttpRoute* Router::FindRoute(std::string_view path) const {
  // An exact match wins over a prefix ("/memories" the list, "/memories/" + id a memory).
  const HttpRoute* by_prefix = nullptr;
  for (const HttpRoute& route : routes_) {
    if (route.path == path) return &route;
    if (route.prefix && path.starts_with(route.path) && (!by_prefix || route.path.size() > by_prefix->path.size())) {
      by_prefix = &route;
    }
  }
  return by_prefix;
}

Routed Router::RouteApplication(const HttpRoute& route, Request& request, std::string_view path) {
  Routed routed;
  if (route.any_origin) {
    routed.headers = {{"Access-Control-Allow-Origin", "*"}, {"Access-Control-Expose-Headers", "WWW-Authenticate"}};
    if (request.method == "OPTIONS") {
      routed.action = Reply{204,
                            "",
                            "",
                            {{"Access-Control-Allow-Methods", "GET, POST"},
                             {"Access-Control-Allow-Headers", "Authorization, Content-Type, MCP-Protocol-Version"},
                             {"Access-Control-Max-Age", "600"}}};
      return routed;
    }
  }
  routed.action = RouteCall{[handle = route.handle, call = ForRoute(request, path)] {
    HttpRouteReply out = handle(call);
    return Reply{out.status, std::move(out.content_type), std::move(out.body), std::move(out.headers)};
  }};
  return routed;
}

Routed Router::RouteMcp(Request& request) {
  Routed routed;
  if (request.method == "OPTIONS") {
    routed.action = Preflight();  // asks whether the real request may be sent; carries no key
  } else {
    routed = Admitted(request);
  }
  // The origin passed CheckSource: let the browser page read the response.
  if (!request.origin.empty()) routed.headers = CorsHeaders(request.origin);
  return routed;
}

Routed Router::Admitted(Request& request) {
  auto admitted = guard_.Admit(request);
  if (auto* reply = std::get_if<Reply>(&admitted)) return {std::move(*reply), {}, {}};
  const Credential& caller = std::get<Credential>(admitted);

  // The endpoint answers or hands back a call; either becomes the routed action.
  auto mcp = [&](std::variant<Reply, McpCall> outcome) {
    Routed routed;
    std::visit([&](auto&& action) { routed.action = std::move(action); }, std::move(outcome));
    routed.credential_id = caller.id;
    return routed;
  };
  if (request.method == "POST") return mcp(mcp_.Post(request, caller));
  // Without Mcp-Session-Id, GET and DELETE come from a 2026-07-28 client (or one probing
  // for the era): that revision has neither a GET stream nor sessions to end, and its
  // spec asks for 405. With a session id, the legacy era's answers stay as they were.
  if ((request.method == "GET" || request.method == "DELETE") && request.session_id.empty()) {
    return {MethodNotAllowed("POST",
                             "Method Not Allowed: without an Mcp-Session-Id, /mcp takes POST only "
                             "(protocol revision 2026-07-28 has no session to end and no GET stream)"),
            caller.id, {}};
  }
  if (request.method == "DELETE") return {mcp_.Delete(request, caller), caller.id, {}};
  if (request.method == "GET") return mcp(mcp_.Get(request, caller));
  return {MethodNotAllowed("GET, POST, DELETE", "Method Not Allowed: /mcp takes GET, POST and DELETE"), caller.id, {}};
}

}  // namespace transports::http
