#include "transports/http/guard.h"

#include <string>

#include "transports/http/replies.h"

namespace transports::http {
namespace {


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

Reply Unauthorized(std::string_view message, bool token_given, const std::string& challenge) {
  Reply reply = ErrorReply(401, kTransportError, message);
  // RFC 6750: name the error only when a token was presented.
  reply.headers.emplace_back("WWW-Authenticate",
                             "Bearer " + challenge + (token_given ? ", error=\"invalid_token\"" : ""));
  return reply;
}

// realm, and with OAuth on, where to find the authorization server (RFC 9728 §5.1) and
// which scopes to ask for.
std::string Challenge(const HttpOptions& options) {
  std::string challenge = "realm=\"reflect-memory\"";
  if (!options.resource_metadata_url.empty()) {
    challenge += ", resource_metadata=\"" + options.resource_metadata_url + "\"";
    if (!options.oauth_scopes.empty()) challenge += ", scope=\"" + options.oauth_scopes + "\"";
  }
  return challenge;
}

}  // namespace

Guard::Guard(const HttpOptions& options, bool bound_to_loopback)
    : origins_(options.allowed_origins, options.allowed_hosts, bound_to_loopback),
      keys_(options.authenticator, options.auth_cache_ttl),
      rate_(options.rate_limit_per_second, options.rate_limit_burst),
      on_authenticated_(options.on_authenticated),
      challenge_(Challenge(options)),
      scopes_(options.oauth_scopes) {}

std::optional<Reply> Guard::CheckHost(const Request& request) const {
  if (origins_.HostAllowed(request.host)) return std::nullopt;
  return ErrorReply(403, kTransportError,
                    "Forbidden: Host '" + std::string(request.host) +
                        "' is not a name of this server (it listens on a loopback address; "
                        "add the name to allowed hosts if a proxy forwards it)");
}

Reply Guard::InsufficientScope() const {
  Reply reply = ErrorReply(403, kTransportError,
                           "Forbidden: this connection was granted read access only (scope mcp:read); "
                           "writing needs scope mcp:write — sign in again and allow writing");
  reply.headers.emplace_back("WWW-Authenticate",
                             "Bearer " + challenge_ + ", error=\"insufficient_scope\"" +
                                 (challenge_.find("scope=") == std::string::npos ? ", scope=\"" + scopes_ + "\"" : ""));
  return reply;
}

std::optional<Reply> Guard::CheckSource(const Request& request) const {
  if (auto refused = CheckHost(request)) return refused;
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
        !request.authorization.empty(), challenge_);
  }
  AuthAnswer answer = keys_.Resolve(token);
  if (!answer.ok()) {
    // Whether the key is good cannot be told now; the client should retry, not re-authenticate.
    Reply reply = ErrorReply(503, kTransportError,
                             "Service Unavailable: the server cannot check credentials right now (" +
                                 std::string(answer.status().code_name()) + ": " + answer.status().message() +
                                 "); retry shortly");
    reply.headers.emplace_back("Retry-After", "1");
    return reply;
  }
  std::optional<Credential>& credential = *answer;
  if (!credential) {
    return Unauthorized("Unauthorized: the API key or access token is unknown, expired or revoked", true, challenge_);
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
