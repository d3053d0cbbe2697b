#include "web/client_metadata_document.h"

#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>

#include "tools/provider_client.h"
#include "web/form.h"

namespace rm::web {
namespace {

namespace json = boost::json;

bool InternalV4(const boost::asio::ip::address_v4& a) {
  const auto v = a.to_uint();
  auto in = [v](std::uint32_t net, int bits) { return (v >> (32 - bits)) == (net >> (32 - bits)); };
  return in(0x00000000, 8) ||   // 0.0.0.0/8 "this network"
         in(0x0A000000, 8) ||   // 10/8
         in(0x64400000, 10) ||  // 100.64/10 carrier-grade NAT
         in(0x7F000000, 8) ||   // loopback
         in(0xA9FE0000, 16) ||  // 169.254/16 link-local (cloud metadata services)
         in(0xAC100000, 12) ||  // 172.16/12
         in(0xC0000000, 24) ||  // 192.0.0/24 protocol assignments
         in(0xC0A80000, 16) ||  // 192.168/16
         in(0xC6120000, 15) ||  // 198.18/15 benchmarking
         in(0xE0000000, 4) ||   // multicast
         in(0xF0000000, 4);     // reserved, broadcast
}

}  // namespace

bool PublicAddress(const std::string& ip, bool allow_loopback) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(ip, ec);
  if (ec) return false;
  if (address.is_loopback()) return allow_loopback;
  if (address.is_v6()) {
    const auto v6 = address.to_v6();
    if (v6.is_v4_mapped()) return !InternalV4(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6));
    const auto bytes = v6.to_bytes();
    const bool unique_local = (bytes[0] & 0xFE) == 0xFC;  // fc00::/7
    return !(v6.is_unspecified() || v6.is_link_local() || v6.is_site_local() || v6.is_multicast() || unique_local);
  }
  return !InternalV4(address.to_v4());
}

Result<store::OAuthClient> FetchClientMetadataDocument(const std::string& url, bool allow_loopback) {
  const auto parts = ParseAbsoluteUrl(url);
  if (!parts || parts->has_fragment || parts->has_userinfo) {
    return Status::InvalidArgument("client_id '" + url + "' is not a valid URL");
  }
  const bool plain_loopback = allow_loopback && parts->scheme == "http" && IsLoopbackHost(parts->host);
  if (parts->scheme != "https" && !plain_loopback) {
    return Status::InvalidArgument("a metadata document's client_id must be an https URL");
  }
  tools::DocumentRequest request;
  request.url = url;
  request.address_allowed = [allow_loopback](const std::string& ip) { return PublicAddress(ip, allow_loopback); };
  Result<std::string> body = tools::GetDocument(request);
  if (!body.ok()) return body.status();

  json::error_code ec;
  json::value document = json::parse(*body, ec);
  if (ec || !document.is_object()) return Status::InvalidArgument("the document at " + url + " is not a JSON object");
  const json::object& fields = document.get_object();
  const json::value* id = fields.if_contains("client_id");
  if (id == nullptr || !id->is_string() || id->get_string() != url) {
    return Status::InvalidArgument("the document's client_id does not equal its URL " + url);
  }
  store::OAuthClient client;
  client.client_id = url;
  client.metadata_document = true;
  if (const json::value* name = fields.if_contains("client_name"); name && name->is_string()) {
    client.client_name = std::string(name->get_string()).substr(0, 200);
  }
  // client_name is optional: the consent page then names the client by its document's host.
  if (client.client_name.empty()) client.client_name = parts->host;
  const json::value* uris = fields.if_contains("redirect_uris");
  if (uris == nullptr || !uris->is_array() || uris->get_array().empty()) {
    return Status::InvalidArgument("the document lists no redirect_uris");
  }
  for (const json::value& uri : uris->get_array()) {
    if (!uri.is_string()) return Status::InvalidArgument("the document's redirect_uris must be strings");
    client.redirect_uris.emplace_back(uri.get_string());
  }
  return client;
}

}  // namespace rm::web
