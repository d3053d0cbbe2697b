#include "store/oauth_clients.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "util/clock.h"
#include "util/crypto.h"

namespace rm::store {
namespace {

constexpr std::string_view kRegisteredClientPrefix = "rmc_";

Status CheckRedirectUris(const std::vector<std::string>& uris) {
  if (uris.empty()) return Status::InvalidArgument("an OAuth client needs at least one redirect URI");
  for (const std::string& uri : uris) {
    if (uri.empty()) return Status::InvalidArgument("an OAuth client's redirect URI is empty");
  }
  return Status::Ok();
}

std::string UrisToJson(const std::vector<std::string>& uris) {
  boost::json::array list;
  for (const std::string& uri : uris) list.emplace_back(uri);
  return boost::json::serialize(list);
}

// The column was written by UrisToJson (and its CHECK says it is an array), so anything
// else in it is skipped rather than trusted.
std::vector<std::string> UrisFromJson(std::string_view text) {
  std::vector<std::string> uris;
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(text, ec);
  if (ec || !parsed.is_array()) return uris;
  for (const boost::json::value& v : parsed.as_array()) {
    if (v.is_string()) uris.emplace_back(v.as_string());
  }
  return uris;
}

}  // namespace

Result<OAuthClient> RegisterOAuthClient(Connection& conn, std::string_view client_name,
                                        const std::vector<std::string>& redirect_uris) {
  if (client_name.empty()) return Status::InvalidArgument("an OAuth client needs a name");
  RM_RETURN_IF_ERROR(CheckRedirectUris(redirect_uris));
  OAuthClient client{std::string(kRegisteredClientPrefix) + RandomHex(16), std::string(client_name), redirect_uris,
                     false, NowUtc()};
  Statement& insert = conn.Prepare(
      "INSERT INTO oauth_clients(client_id, client_name, redirect_uris, metadata_document, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, 0, ?4, ?4)");
  insert.Bind(1, client.client_id).Bind(2, client.client_name).Bind(3, UrisToJson(redirect_uris));
  insert.Bind(4, client.created_at);
  RM_RETURN_IF_ERROR(insert.Run());
  return client;
}

Status SaveMetadataDocumentClient(Connection& conn, const OAuthClient& client) {
  // Registered ids start with "rmc_", documents are URLs: the two never collide, and the
  // WHERE below keeps a document from ever overwriting a registered client. Which URLs may be
  // fetched (https; plain http on loopback for tests only) is web/'s decision, made before.
  if (client.client_id.rfind("https://", 0) != 0 && client.client_id.rfind("http://", 0) != 0) {
    return Status::InvalidArgument("a Client ID Metadata Document's client_id must be its URL, not '" +
                                   client.client_id + "'");
  }
  if (client.client_name.empty()) return Status::InvalidArgument("an OAuth client needs a name");
  RM_RETURN_IF_ERROR(CheckRedirectUris(client.redirect_uris));
  Statement& upsert = conn.Prepare(
      "INSERT INTO oauth_clients(client_id, client_name, redirect_uris, metadata_document, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, 1, ?4, ?4) "
      "ON CONFLICT(client_id) DO UPDATE SET client_name = excluded.client_name, "
      "redirect_uris = excluded.redirect_uris, updated_at = excluded.updated_at "
      "WHERE oauth_clients.metadata_document = 1");
  upsert.Bind(1, client.client_id).Bind(2, client.client_name).Bind(3, UrisToJson(client.redirect_uris));
  upsert.Bind(4, NowUtc());
  return upsert.Run();
}

Result<std::optional<OAuthClient>> FindOAuthClient(Connection& conn, std::string_view client_id) {
  Statement& s = conn.Prepare(
      "SELECT client_id, client_name, redirect_uris, metadata_document, created_at FROM oauth_clients "
      "WHERE client_id = ?");
  s.Bind(1, client_id);
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<OAuthClient>();
  return std::optional<OAuthClient>(
      OAuthClient{s.Text(0), s.Text(1), UrisFromJson(s.Text(2)), s.Int64(3) != 0, s.Text(4)});
}

}  // namespace rm::store
