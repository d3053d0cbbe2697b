#include "app/http_identity.h"

#include <algorithm>

#include "store/api_keys.h"
#include "store/oauth_grants.h"
#include "tools/principal.h"

namespace rm::app {

Result<transports::Credential> ResolveHttpCredential(store::Connection& conn, std::string_view token,
                                                     const std::string& resource) {
  tools::Principal principal;
  principal.transport = tools::Principal::Transport::kHttp;
  if (token.rfind(store::kAccessTokenPrefix, 0) == 0) {
    Result<store::ResolvedAccessToken> grant = store::ResolveAccessToken(conn, token);
    if (!grant.ok()) return grant.status();
    if (grant->resource != resource) {
      return Status::Unauthenticated("the access token was issued for another resource");
    }
    principal.user_id = grant->user_id;
    principal.key_vendor = grant->vendor;  // the vendor the person consented to, or none (owner)
    principal.key_id = grant->grant_id;    // live streams re-check the grant by this id
    transports::Credential credential{std::any(std::move(principal)), grant->grant_id, grant->user_id};
    credential.may_write = std::find(grant->scopes.begin(), grant->scopes.end(), "mcp:write") != grant->scopes.end();
    return credential;
  }
  Result<store::ResolvedApiKey> key = store::ResolveApiKey(conn, token);
  if (!key.ok()) return key.status();
  principal.user_id = key->user_id;
  principal.key_vendor = key->vendor;
  principal.key_id = key->key_id;
  return transports::Credential{std::any(std::move(principal)), key->key_id, key->user_id};
}

}  // namespace rm::app
