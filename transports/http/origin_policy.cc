#include "transports/http/origin_policy.h"

#include <algorithm>
#include <cctype>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace transports::http {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// "host:port" → "host"; "[::1]:8765" → "[::1]". Lower case.
std::string HostNameOf(std::string_view authority) {
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    return Lower(close == std::string_view::npos ? authority : authority.substr(0, close + 1));
  }
  return Lower(authority.substr(0, authority.find(':')));
}

// "https://Example.com:8443/" → {"https://example.com:8443", "example.com"}; empty if malformed.
struct ParsedOrigin {
  std::string normalized;
  std::string host;
};
ParsedOrigin ParseOrigin(std::string_view origin) {
  const auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return {};
  std::string_view authority = origin.substr(scheme_end + 3);
  while (authority.ends_with('/')) authority.remove_suffix(1);
  if (authority.empty() || authority.find('/') != std::string_view::npos) return {};
  return {Lower(origin.substr(0, scheme_end + 3)) + Lower(authority), HostNameOf(authority)};
}

// "localhost", an IPv4 literal in 127.0.0.0/8, or the IPv6 literal ::1 (bare or bracketed).
// Literals are parsed, not matched by prefix: "127.evil.example" is a domain anyone can point anywhere.
bool IsLocalName(std::string_view host) {
  if (host == "localhost") return true;
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  const std::string text(host);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, text.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

}  // namespace

OriginPolicy::OriginPolicy(std::vector<std::string> allowed_origins, std::vector<std::string> allowed_hosts,
                           bool bound_to_loopback)
    : check_host_(bound_to_loopback) {
  for (const auto& origin : allowed_origins) {
    ParsedOrigin parsed = ParseOrigin(origin);
    if (parsed.normalized.empty()) continue;
    origins_.push_back(parsed.normalized);
    hosts_.push_back(parsed.host);  // a page served from an allowed origin may call us by its name
  }
  for (const auto& host : allowed_hosts) hosts_.push_back(HostNameOf(host));
}

bool OriginPolicy::OriginAllowed(std::string_view origin) const {
  if (origin.empty()) return true;
  const ParsedOrigin parsed = ParseOrigin(origin);
  if (parsed.normalized.empty()) return false;  // includes "null" (sandboxed frames, file://)
  const bool web_scheme = parsed.normalized.starts_with("http://") || parsed.normalized.starts_with("https://");
  if (web_scheme && IsLocalName(parsed.host)) return true;
  return std::find(origins_.begin(), origins_.end(), parsed.normalized) != origins_.end();
}

bool OriginPolicy::HostAllowed(std::string_view host) const {
  return !check_host_ || HostNamesThisMachine(host);
}

bool OriginPolicy::HostNamesThisMachine(std::string_view host) const {
  const std::string name = HostNameOf(host);
  if (name.empty()) return false;
  if (IsLocalName(name)) return true;
  return std::find(hosts_.begin(), hosts_.end(), name) != hosts_.end();
}

}  // namespace transports::http
