// What `serve` tells the web pages and the OAuth endpoints (SPEC §8).
#pragma once

#include <chrono>
#include <string>

#include "store/oauth_grants.h"

namespace rm::web {

struct WebOptions {
  // The server's canonical base, without a trailing '/': "https://memory.example.com". The MCP
  // resource is <public_url>/mcp, and the authorization server's issuer is <public_url>.
  std::string public_url;
  // Dynamic Client Registration (RFC 7591) is open to anyone (Claude and ChatGPT register
  // themselves) or closed (only Client ID Metadata Documents).
  bool registration_open = true;
  int registrations_per_hour = 100;  // the original's cap, across all callers
  store::TokenLifetimes lifetimes;
  std::chrono::seconds code_lifetime{60};
  std::chrono::seconds session_lifetime{std::chrono::hours(24 * 7)};
  // Wrong passwords allowed per account, and per client address, in `login_window`.
  int login_failures_per_account = 10;
  int login_failures_per_address = 50;
  std::chrono::seconds login_window{std::chrono::minutes(15)};
  // Tests only: Client ID Metadata Documents may be fetched from loopback addresses (and over
  // plain http there). Never in production: the fetch would reach the server's own network.
  bool allow_loopback_metadata_documents = false;

  std::string Resource() const { return public_url + "/mcp"; }
  bool Secure() const { return public_url.rfind("https://", 0) == 0; }
};

}  // namespace rm::web
