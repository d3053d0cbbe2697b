// The authorization server's back-channel endpoints: token (RFC 6749 §3.2 with OAuth 2.1's
// rules: PKCE, refresh rotation), Dynamic Client Registration (RFC 7591) and revocation
// (RFC 7009). Clients are public (PKCE, no secret): what a desktop app or a connector holds.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "store/oauth_grants.h"
#include "web/client_metadata_document.h"
#include "web/web_app.h"

namespace rm::web {
namespace {

namespace json = boost::json;

Response JsonResponse(int status, const json::object& body) {
  Response response;
  response.status = status;
  response.content_type = "application/json";
  response.body = json::serialize(body);
  response.headers = {{"Cache-Control", "no-store"}, {"Pragma", "no-cache"}};
  return response;
}

// RFC 6749 §5.2; invalid_client is a 401 (Claude registers again when it sees it).
Response OAuthError(std::string_view error, std::string_view description) {
  return JsonResponse(error == "invalid_client" ? 401 : 400,
                      {{"error", error}, {"error_description", description}});
}

bool IsForm(std::string_view content_type) {
  return content_type.rfind("application/x-www-form-urlencoded", 0) == 0;
}

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string joined;
  for (const std::string& s : scopes) joined += (joined.empty() ? "" : " ") + s;
  return joined;
}

Response Issued(const store::IssuedTokens& tokens) {
  return JsonResponse(200, {{"access_token", tokens.access_token},
                            {"token_type", "Bearer"},
                            {"expires_in", tokens.expires_in.count()},
                            {"refresh_token", tokens.refresh_token},
                            {"scope", JoinScopes(tokens.scopes)}});
}

Response FromTokenResult(const store::TokenResult<store::IssuedTokens>& result) {
  if (const auto* tokens = std::get_if<store::IssuedTokens>(&result)) return Issued(*tokens);
  if (const auto* failure = std::get_if<store::TokenFailure>(&result)) {
    switch (failure->error) {
      case store::TokenError::kInvalidClient: return OAuthError("invalid_client", failure->description);
      case store::TokenError::kInvalidRequest: return OAuthError("invalid_request", failure->description);
      case store::TokenError::kInvalidGrant: return OAuthError("invalid_grant", failure->description);
    }
  }
  spdlog::error("web: token request failed: {}", std::get<Status>(result).ToString());
  return JsonResponse(503, {{"error", "temporarily_unavailable"}, {"error_description", "the store is unavailable"}});
}

// A redirect URI a client may register: https, or http on a loopback address (apps on the
// person's machine, RFC 8252 §7.3), or a native app's private-use scheme in reverse-DNS form
// (com.example.app:/cb, RFC 8252 §7.1). Never a fragment or credentials.
std::optional<std::string> BadRedirectUri(const std::string& uri) {
  const auto url = ParseAbsoluteUrl(uri);
  if (!url) return "redirect_uri is not an absolute URI: " + uri;
  if (url->has_fragment) return "redirect_uri must not have a fragment: " + uri;
  if (url->has_userinfo) return "redirect_uri must not carry credentials: " + uri;
  if (url->scheme == "https") return std::nullopt;
  if (url->scheme == "http") {
    if (IsLoopbackHost(url->host)) return std::nullopt;
    return "redirect_uri must use https (http only on a loopback address): " + uri;
  }
  if (url->scheme.find('.') == std::string::npos) {
    return "redirect_uri must use https, http on a loopback address, or an app's reverse-DNS scheme: " + uri;
  }
  return std::nullopt;  // a native app's private-use scheme
}

}  // namespace

std::optional<store::OAuthClient> WebApp::ResolveClient(const std::string& client_id, std::string& why) {
  auto found = store::ReadValue<std::optional<store::OAuthClient>>(
      db_, [&](store::Connection& c) { return store::FindOAuthClient(c, client_id); });
  if (!found.ok()) {
    why = "the server could not look up the client; try again";
    return std::nullopt;
  }
  if (*found && !(*found)->metadata_document) return *found;
  if (client_id.rfind("https://", 0) == 0 || (options_.allow_loopback_metadata_documents && client_id.rfind("http://", 0) == 0)) {
    if (!metadata_fetches_.Take("all")) {
      why = "too many client metadata documents fetched in the last minute; try again shortly";
      return std::nullopt;
    }
    // A Client ID Metadata Document: fetched each time a person authorizes (so a changed
    // document takes effect), kept for token requests, which must not wait for a fetch.
    Result<store::OAuthClient> fetched = FetchClientMetadataDocument(client_id, options_.allow_loopback_metadata_documents);
    if (!fetched.ok()) {
      why = "the client's metadata document could not be used: " + fetched.status().message();
      return std::nullopt;
    }
    for (const std::string& uri : fetched->redirect_uris) {
      if (auto bad = BadRedirectUri(uri)) {
        why = "the client's metadata document lists a bad redirect URI: " + *bad;
        return std::nullopt;
      }
    }
    Status saved = db_.Write([&](store::Connection& c) { return store::SaveMetadataDocumentClient(c, *fetched); });
    if (!saved.ok()) {
      spdlog::error("web: could not record the metadata-document client {}: {}", client_id, saved.ToString());
      why = "the server could not record the client; try again";
      return std::nullopt;
    }
    return std::move(fetched).value();
  }
  why = "unknown client '" + client_id + "': register it first (or use a Client ID Metadata Document URL)";
  return std::nullopt;
}

Response WebApp::Token(const Request& request) {
  if (request.method != "POST") return OAuthError("invalid_request", "use POST");
  if (!IsForm(request.content_type)) {
    return OAuthError("invalid_request", "send the parameters as application/x-www-form-urlencoded");
  }
  const std::optional<Form> form = ParseForm(request.body);
  if (!form) return OAuthError("invalid_request", "the form body is malformed");
  if (!form->repeated.empty()) return OAuthError("invalid_request", "parameter repeated: " + form->repeated.front());
  const std::string client_id = form->Get("client_id");
  if (client_id.empty()) return OAuthError("invalid_client", "client_id is required (clients here are public: no secret)");
  auto client = store::ReadValue<std::optional<store::OAuthClient>>(
      db_, [&](store::Connection& c) { return store::FindOAuthClient(c, client_id); });
  if (!client.ok()) return FromTokenResult(client.status());
  if (!*client) return OAuthError("invalid_client", "unknown client: register again");

  const std::string grant_type = form->Get("grant_type");
  store::TokenResult<store::IssuedTokens> result = Status::Internal("not run");
  if (grant_type == "authorization_code") {
    store::CodeExchange exchange;
    exchange.code = form->Get("code");
    exchange.client_id = client_id;
    exchange.redirect_uri = form->Get("redirect_uri");
    exchange.code_verifier = form->Get("code_verifier");
    if (form->Has("resource")) exchange.resource = form->Get("resource");
    if (exchange.code.empty() || exchange.code_verifier.empty() || exchange.redirect_uri.empty()) {
      return OAuthError("invalid_request", "code, code_verifier and redirect_uri are required");
    }
    if (exchange.resource && *exchange.resource != options_.Resource()) {
      return OAuthError("invalid_target", "this server issues tokens only for resource " + options_.Resource());
    }
    // The exchange's outcome is kept even when it is a refusal: a reused code revokes its
    // grant, and that must commit.
    Status s = db_.Write([&](store::Connection& c) {
      result = store::ExchangeAuthorizationCode(c, exchange, options_.lifetimes);
      if (const auto* failed = std::get_if<Status>(&result)) return *failed;
      return Status::Ok();
    });
    if (!s.ok()) result = s;
  } else if (grant_type == "refresh_token") {
    const std::string refresh = form->Get("refresh_token");
    if (refresh.empty()) return OAuthError("invalid_request", "refresh_token is required");
    if (form->Has("resource") && form->Get("resource") != options_.Resource()) {
      return OAuthError("invalid_target", "this server issues tokens only for resource " + options_.Resource());
    }
    Status s = db_.Write([&](store::Connection& c) {
      result = store::RefreshTokens(c, refresh, client_id, options_.lifetimes);
      if (const auto* failed = std::get_if<Status>(&result)) return *failed;
      return Status::Ok();
    });
    if (!s.ok()) result = s;
  } else {
    return OAuthError("unsupported_grant_type", "grant_type must be authorization_code or refresh_token");
  }
  return FromTokenResult(result);
}

bool WebApp::TakeRegistration(const std::string& address) {
  // The address first: a caller over its own share does not use up everyone's.
  return registrations_by_address_.Take(address) && registrations_.Take("all");
}

Response WebApp::Register(const Request& request) {
  auto invalid = [](std::string_view error, std::string_view description) {
    return JsonResponse(400, {{"error", error}, {"error_description", description}});
  };
  if (!options_.registration_open) {
    return JsonResponse(403, {{"error", "access_denied"},
                              {"error_description",
                               "registration is closed on this server; use a Client ID Metadata Document"}});
  }
  if (request.method != "POST") return invalid("invalid_request", "use POST");
  json::error_code ec;
  json::value body = json::parse(request.body, ec);
  if (ec || !body.is_object()) return invalid("invalid_client_metadata", "the body must be a JSON object");
  const json::object& metadata = body.get_object();

  std::vector<std::string> redirect_uris;
  const json::value* uris = metadata.if_contains("redirect_uris");
  if (uris == nullptr || !uris->is_array() || uris->get_array().empty() || uris->get_array().size() > 10) {
    return invalid("invalid_redirect_uri", "redirect_uris must be an array of 1 to 10 URIs");
  }
  for (const json::value& uri : uris->get_array()) {
    if (!uri.is_string() || uri.get_string().size() > 2000) return invalid("invalid_redirect_uri", "each redirect URI must be a string");
    std::string text(uri.get_string());
    if (auto bad = BadRedirectUri(text)) return invalid("invalid_redirect_uri", *bad);
    redirect_uris.push_back(std::move(text));
  }
  std::string name;
  if (const json::value* n = metadata.if_contains("client_name")) {
    if (!n->is_string() || n->get_string().size() > 200) return invalid("invalid_client_metadata", "client_name must be a string of at most 200 characters");
    name = std::string(n->get_string());
  }
  if (const json::value* method = metadata.if_contains("token_endpoint_auth_method")) {
    // Public clients only; a client asking for a secret is told it gets none (RFC 7591 §3.2.1
    // lets the server replace requested values) and proves itself with PKCE instead.
    if (!method->is_string()) return invalid("invalid_client_metadata", "token_endpoint_auth_method must be a string");
  }
  if (const json::value* grants = metadata.if_contains("grant_types"); grants && grants->is_array()) {
    for (const json::value& g : grants->get_array()) {
      if (!g.is_string() || (g.get_string() != "authorization_code" && g.get_string() != "refresh_token")) {
        return invalid("invalid_client_metadata", "grant_types may list authorization_code and refresh_token only");
      }
    }
  }
  // client_name is optional (RFC 7591): without one, the consent page names the client by
  // where it sends the person back.
  if (name.empty()) name = ParseAbsoluteUrl(redirect_uris.front()).value_or(UrlParts{}).host;
  if (name.empty()) name = "Unnamed client";
  if (!TakeRegistration(request.peer_address)) {
    Response busy = JsonResponse(429, {{"error", "temporarily_unavailable"},
                                       {"error_description", "too many clients registered this hour; try later"}});
    busy.headers.emplace_back("Retry-After", "3600");
    return busy;
  }
  auto client = store::WriteValue<store::OAuthClient>(
      db_, [&](store::Connection& c) { return store::RegisterOAuthClient(c, name, redirect_uris); });
  if (!client.ok() && client.status().code() == Status::Code::kInvalidArgument) {
    return invalid("invalid_client_metadata", client.status().message());
  }
  if (!client.ok()) {
    spdlog::error("web: client registration failed: {}", client.status().ToString());
    return JsonResponse(503, {{"error", "temporarily_unavailable"}, {"error_description", "try again"}});
  }
  json::array uris_out;
  for (const std::string& uri : client->redirect_uris) uris_out.emplace_back(uri);
  return JsonResponse(201, {{"client_id", client->client_id},
                            {"client_id_issued_at", std::time(nullptr)},
                            {"client_name", client->client_name},
                            {"redirect_uris", uris_out},
                            {"grant_types", json::array{"authorization_code", "refresh_token"}},
                            {"response_types", json::array{"code"}},
                            {"token_endpoint_auth_method", "none"},
                            {"scope", "mcp:read mcp:write"}});
}

Response WebApp::Revoke(const Request& request) {
  if (request.method != "POST") return OAuthError("invalid_request", "use POST");
  if (!IsForm(request.content_type)) {
    return OAuthError("invalid_request", "send the parameters as application/x-www-form-urlencoded");
  }
  const std::optional<Form> form = ParseForm(request.body);
  if (!form || form->Get("token").empty()) return OAuthError("invalid_request", "token is required");
  const std::string client_id = form->Get("client_id");
  if (client_id.empty()) return OAuthError("invalid_client", "client_id is required");
  Status s = db_.Write([&](store::Connection& c) { return store::RevokeOAuthToken(c, form->Get("token"), client_id); });
  if (!s.ok()) {
    spdlog::error("web: revocation failed: {}", s.ToString());
    return JsonResponse(503, {{"error", "temporarily_unavailable"}, {"error_description", "try again"}});
  }
  // RFC 7009 §2.2: 200 whether or not the token was valid.
  return JsonResponse(200, {});
}

}  // namespace rm::web
