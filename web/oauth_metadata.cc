// RFC 9728 protected-resource metadata and RFC 8414 authorization-server metadata: how an MCP
// client that got a 401 from /mcp finds where to register and sign in.
#include <boost/json.hpp>

#include "web/web_app.h"

namespace rm::web {
namespace {

Response Json(const boost::json::object& body) {
  Response response;
  response.content_type = "application/json";
  response.body = boost::json::serialize(body);
  response.headers = {{"Cache-Control", "max-age=300"}};
  return response;
}

boost::json::array Scopes() { return {"mcp:read", "mcp:write"}; }

}  // namespace

Response WebApp::ProtectedResourceMetadata(const Request&) const {
  return Json({{"resource", options_.Resource()},
               {"authorization_servers", boost::json::array{options_.public_url}},
               {"scopes_supported", Scopes()},
               {"bearer_methods_supported", boost::json::array{"header"}},
               {"resource_name", "Reflect Memory"}});
}

Response WebApp::AuthorizationServerMetadata(const Request&) const {
  const std::string& base = options_.public_url;
  boost::json::object metadata{
      {"issuer", base},
      {"authorization_endpoint", base + "/oauth/authorize"},
      {"token_endpoint", base + "/oauth/token"},
      {"revocation_endpoint", base + "/oauth/revoke"},
      {"response_types_supported", boost::json::array{"code"}},
      {"response_modes_supported", boost::json::array{"query"}},
      {"grant_types_supported", boost::json::array{"authorization_code", "refresh_token"}},
      {"code_challenge_methods_supported", boost::json::array{"S256"}},
      // Public clients (connectors, desktop apps) prove themselves with PKCE, not a secret.
      {"token_endpoint_auth_methods_supported", boost::json::array{"none"}},
      {"revocation_endpoint_auth_methods_supported", boost::json::array{"none"}},
      {"scopes_supported", Scopes()},
      {"client_id_metadata_document_supported", true},
      {"authorization_response_iss_parameter_supported", true},
  };
  if (options_.registration_open) metadata["registration_endpoint"] = base + "/oauth/register";
  return Json(metadata);
}

}  // namespace rm::web
