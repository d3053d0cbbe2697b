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
         in(0xC0000200, 24) ||  // 192.0.2/24 TEST-NET-1
         in(0xC6336400, 24) ||  // 198.51.100/24 TEST-NET-2
         in(0xCB007100, 24) ||  // 203.0.113/24 TEST-NET-3
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
    // Addresses that carry an IPv4 address inside, which a gateway would dial: judge that one.
    auto embedded = [&bytes](std::size_t at) {
      return boost::asio::ip::address_v4(boost::asio::ip::address_v4::bytes_type{bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]});
    };
    const bool nat64 = bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b;  // 64:ff9b::/96
    if (nat64) return !InternalV4(embedded(12));
    if (bytes[0] == 0x20 && bytes[1] == 0x02) return !InternalV4(embedded(2));  // 6to4 2002::/16
    bool v4_compatible = true;  // ::a.b.c.d (deprecated)
    for (int i = 0; i < 12; ++i) v4_compatible = v4_compatible && bytes[i] == 0;
    if (v4_compatible) return false;
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
  // The draft: an https URL with a path, and no "." or ".." segments (one document, one URL).
  const auto path_at = url.find('/', url.find("//") + 2);
  const std::string path = path_at == std::string::npos ? "" : url.substr(path_at);
  if (path.size() < 2 || path.find("/./") != std::string::npos || path.find("/../") != std::string::npos ||
      path.ends_with("/.") || path.ends_with("/..")) {
    return Status::InvalidArgument("a metadata document's URL must have a path without . or .. segments");
  }
  const bool plain_loopback = allow_loopback && parts->scheme == "http" && IsLoopbackHost(parts->host);
  if (parts->scheme != "https" && !plain_loopback) {
    return Status::InvalidArgument("a metadata document's client_id must be an https URL");
  }
  tools::DocumentRequest request;
  request.url = url;
  request.address_allowed = [allow_loopback](const std::string& ip) { return PublicAddress(ip, allow_loopback); };
  Result<std::string> body = tools::GetDocument(request);
  if (!body.ok()) {
    // Said to whoever named the URL: what went wrong, never the remote server's own words.
    return Status(body.status().code() == Status::Code::kPermissionDenied
                      ? body.status()
                      : Status::IoError("the document at " + url + " could not be fetched (" +
                                        std::string(body.status().code_name()) + ")"));
  }

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
