// credential_bench: what resolving a bearer credential costs, uncached — an API key against an
// OAuth access token (issue 15's "token check cost"). Over HTTP the transport reuses each
// answer for 0.5 s, so this is the cost paid twice a second per credential; measuring it here,
// without the HTTP server's noise, shows whether a token costs more than a key.
//
//   credential_bench [--dir /tmp/cred] [--calls 200000] [--others 10000]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/http_identity.h"
#include "store/api_keys.h"
#include "store/database.h"
#include "store/oauth_clients.h"
#include "store/oauth_grants.h"
#include "store/users.h"
#include "util/pkce.h"

namespace {

using Clock = std::chrono::steady_clock;

// p50/p99 in microseconds of `calls` resolutions of `token`, each in its own read.
void Measure(rm::store::Database& db, const char* name, const std::string& token, int calls, const std::string& resource) {
  std::vector<double> us;
  us.reserve(calls);
  for (int i = 0; i < calls; ++i) {
    const auto start = Clock::now();
    rm::Status s = db.Read([&](rm::store::Connection& c) { return rm::app::ResolveHttpCredential(c, token, resource).status(); });
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    if (!s.ok()) {
      std::fprintf(stderr, "%s: %s\n", name, s.ToString().c_str());
      return;
    }
  }
  std::sort(us.begin(), us.end());
  std::printf("%-14s p50 %6.1f us   p99 %6.1f us   (%d calls)\n", name, us[us.size() / 2], us[us.size() * 99 / 100], calls);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Cost of resolving an API key vs an OAuth access token, uncached"};
  std::string dir = "/tmp/credential_bench";
  int calls = 200000;
  int others = 10000;
  app.add_option("--dir", dir, "Scratch folder (emptied)");
  app.add_option("--calls", calls, "Resolutions per credential");
  app.add_option("--others", others, "Other users, each with a key and a grant, so the indexes are not trivial");
  CLI11_PARSE(app, argc, argv);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto db = std::move(rm::store::Database::Open(dir + "/m.db")).value();
  const std::string resource = "https://memory.example.com/mcp";
  const std::string verifier(50, 'v');

  std::string key, token;
  rm::Status filled = db->Write([&](rm::store::Connection& c) -> rm::Status {
    auto client = rm::store::RegisterOAuthClient(c, "bench", {"https://claude.ai/cb"});
    if (!client.ok()) return client.status();
    for (int i = 0; i <= others; ++i) {
      auto user = rm::store::InsertUser(c, {"u" + std::to_string(i) + "@example.com", "admin", "user"});
      if (!user.ok()) return user.status();
      auto made = rm::store::CreateApiKey(c, {user->id, "k", std::string("claude")});
      if (!made.ok()) return made.status();
      auto code = rm::store::CreateAuthorizationCode(
          c, {user->id, client->client_id, "https://claude.ai/cb", rm::PkceS256Challenge(verifier), "claude", {"mcp:read", "mcp:write"}, resource},
          std::chrono::seconds(60));
      if (!code.ok()) return code.status();
      auto issued = rm::store::ExchangeAuthorizationCode(c, {*code, client->client_id, "https://claude.ai/cb", verifier, std::nullopt}, {});
      auto* tokens = std::get_if<rm::store::IssuedTokens>(&issued);
      if (tokens == nullptr) return rm::Status::Internal("exchange failed");
      key = made->secret;
      token = tokens->access_token;
    }
    return rm::Status::Ok();
  });
  if (!filled.ok()) {
    std::fprintf(stderr, "fill: %s\n", filled.ToString().c_str());
    return 1;
  }
  for (int round = 0; round < 2; ++round) {  // alternated, twice: both see the same machine
    Measure(*db, "api key", key, calls, resource);
    Measure(*db, "oauth token", token, calls, resource);
  }
  return 0;
}
