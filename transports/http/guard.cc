#include "transports/http/guard.h"

#include <string>

#include "transports/http/replies.h"

namespace transports::http {
namespace {

constexpr std::string_view kRealm = "Bearer realm=\"reflect-memory\"";

// The token of "Bearer <token>" (the scheme is case-insensitive, RFC 7235); empty if none.
std::string_view BearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return {};
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

Reply Unauthorized(std::string_view message, bool token_given) {
  Reply reply = ErrorReply(401, kTransportError, message);
  // RFC 6750: name the error only when a token was presented.
  reply.headers.emplace_back("WWW-Authenticate", token_given ? std::string(kRealm) + ", error=\"invalid_token\""
                                                             : std::string(kRealm));
  return reply;
}

}  // namespace

Guard::Guard(const HttpOptions& options, bool bound_to_loopback)
    : origins_(options.allowed_origins, options.allowed_hosts, bound_to_loopback),
      keys_(options.authenticator, options.auth_cache_ttl),
      rate_(options.rate_limit_per_second, options.rate_limit_burst),
      on_authenticated_(options.on_authenticated) {}

std::optional<Reply> Guard::CheckSource(const Request& request) const {
  if (!origins_.HostAllowed(request.host)) {
    return ErrorReply(403, kTransportError,
                      "Forbidden: Host '" + std::string(request.host) +
                          "' is not a name of this server (it listens on a loopback address; "
                          "add the name to allowed hosts if a proxy forwards it)");
  }
  if (!origins_.OriginAllowed(request.origin)) {
    return ErrorReply(403, kTransportError,
                      "Forbidden: Origin '" + std::string(request.origin) +
                          "' is not allowed (start the server with --allow-origin to allow it)");
  }
  return std::nullopt;
}

std::variant<Credential, Reply> Guard::Admit(const Request& request) {
  const std::string_view token = BearerToken(request.authorization);
  if (token.empty()) {
    return Unauthorized(
        "Unauthorized: send your API key as 'Authorization: Bearer rm_live_...' (create one with "
        "'reflect-memory key create --user EMAIL')",
        !request.authorization.empty());
  }
  std::optional<Credential> credential = keys_.Resolve(token);
  if (!credential) {
    return Unauthorized("Unauthorized: the API key is unknown or revoked", true);
  }
  if (auto wait = rate_.Take(credential->id)) {
    const auto seconds = (wait->count() + 999) / 1000;  // Retry-After is in whole seconds
    Reply reply = ErrorReply(429, kTransportError,
                             "Too many requests for this API key; retry after " + std::to_string(seconds) + " s");
    reply.headers.emplace_back("Retry-After", std::to_string(seconds));
    return reply;
  }
  if (on_authenticated_) on_authenticated_(credential->id);
  return std::move(*credential);
}

}  // namespace transports::http
