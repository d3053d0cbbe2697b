// Which browser origins and Host headers the server answers: the transport's defence
// against cross-site requests and DNS rebinding (a hostile page whose domain resolves
// to 127.0.0.1 reaching a local server).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace transports::http {

class OriginPolicy {
 public:
  // `allowed_origins`: "scheme://host[:port]" allowed besides localhost ones.
  // `allowed_hosts`: Host names accepted on a loopback-bound server besides localhost ones.
  // `bound_to_loopback`: whether the listening address is a loopback one (only then is
  // the Host header checked; a public server is reached under names it cannot know).
  OriginPolicy(std::vector<std::string> allowed_origins, std::vector<std::string> allowed_hosts,
               bool bound_to_loopback);

  // An absent Origin (not a browser) is fine; "null" and unlisted origins are not.
  bool OriginAllowed(std::string_view origin) const;
  // The Host header ("name[:port]", "[v6]:port").
  bool HostAllowed(std::string_view host) const;
  // Whether the Host header names this machine (a local name) or an allowed host, whatever
  // the bind: what /metrics asks even of a server listening on every address.
  bool HostNamesThisMachine(std::string_view host) const;

 private:
  std::vector<std::string> origins_;  // normalized: lower case, no trailing slash
  std::vector<std::string> hosts_;    // lower-case host names
  bool check_host_;
};

}  // namespace transports::http
