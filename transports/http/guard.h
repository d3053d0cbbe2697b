// Guard: what every /mcp request must pass before MCP sees it, in this order:
//   Host (DNS rebinding, loopback servers only) and Origin → 403 (checked by the Router for
//   every path but /healthz, /metrics included),
//   Authorization: Bearer <key> → 401 with WWW-Authenticate,
//   the key's rate limit → 429 with Retry-After.
#pragma once

#include <variant>

#include "transports/http/auth_cache.h"
#include "transports/http/exchange.h"
#include "transports/http/http_server.h"
#include "transports/http/origin_policy.h"
#include "transports/http/rate_limiter.h"

namespace transports::http {

class Guard {
 public:
  Guard(const HttpOptions& options, bool bound_to_loopback);

  // 403 when the Host or Origin header is not allowed; nothing otherwise. Cheap, no key needed.
  std::optional<Reply> CheckSource(const Request& request) const;
  // CheckSource's Host half alone, for routes any origin may call.
  std::optional<Reply> CheckHost(const Request& request) const;

  // Whether the request calls this server by a local or allowed name, whatever the bind.
  bool CalledByLocalName(const Request& request) const { return origins_.HostNamesThisMachine(request.host); }

  // The caller's credential, or the 401/429 reply to send instead.
  std::variant<Credential, Reply> Admit(const Request& request);

  // 403 insufficient_scope, for a credential without the write scope calling a tool that writes.
  Reply InsufficientScope() const;

 private:
  OriginPolicy origins_;
  AuthCache keys_;
  RateLimiter rate_;
  std::function<void(const std::string&)> on_authenticated_;
  // The WWW-Authenticate challenge's parameters after "Bearer " (realm, resource_metadata, scope).
  std::string challenge_;
  std::string scopes_;
};

}  // namespace transports::http
