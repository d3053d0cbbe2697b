// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, the MCP
// 2026-07-28 authorization spec's preferred registration): the client_id is an HTTPS URL
// whose JSON document names the client and its redirect URIs.
#pragma once

#include <string>
#include <string_view>

#include "store/oauth_clients.h"
#include "util/status.h"

namespace rm::web {

// Fetches and checks the document at `url` (5 s, 64 KiB): its client_id must equal `url`
// exactly and it must list redirect_uris. Never fetched from loopback, private, link-local or
// otherwise internal addresses — unless `allow_loopback` (tests only), which also allows
// plain http to a loopback address.
Result<store::OAuthClient> FetchClientMetadataDocument(const std::string& url, bool allow_loopback);

// Whether an outbound fetch may dial `ip`: a public unicast address (and loopback if allowed).
bool PublicAddress(const std::string& ip, bool allow_loopback);

}  // namespace rm::web
