// OAuth clients (SPEC §8): the connectors that may ask a person for access — registered by
// Dynamic Client Registration (RFC 7591: Claude, ChatGPT) or known by a Client ID Metadata
// Document (an HTTPS URL that is the client_id; web/ fetches and validates it, the store keeps
// what it said so a token refresh needs no fetch).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/connection.h"
#include "util/status.h"

namespace rm::store {

struct OAuthClient {
  std::string client_id;  // "rmc_" + 32 hex chars (registered), or the metadata document's URL
  std::string client_name;
  std::vector<std::string> redirect_uris;  // matched exactly
  bool metadata_document = false;          // true: client_id is the URL of its metadata document
  std::string created_at;
};

// Registers a client (RFC 7591). The caller (web/) has validated the name and redirect URIs.
Result<OAuthClient> RegisterOAuthClient(Connection& conn, std::string_view client_name,
                                        const std::vector<std::string>& redirect_uris);

// Records (or refreshes) what a Client ID Metadata Document said; client_id is its URL.
Status SaveMetadataDocumentClient(Connection& conn, const OAuthClient& client);

// The client, or nullopt if unknown. Works on a read connection.
Result<std::optional<OAuthClient>> FindOAuthClient(Connection& conn, std::string_view client_id);

}  // namespace rm::store
