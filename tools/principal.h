// Who is calling a tool, and what that makes them (SPEC §2).
//
// The transport's authenticator (app/) builds a Principal per connection and
// hands it to mcp::Session, which passes it to every handler as
// CallContext::principal() (a std::any holding a tools::Principal). Handlers turn
// it into a Caller with ResolveCaller(), adding the client's name for the one
// case where the vendor is inferred.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tools/call_hooks.h"

namespace rm::tools {

struct Principal {
  enum class Transport { kStdio, kHttp, kInProcess /* CLI and tests */ };

  std::string user_id;
  // The vendor of the agent key used, if it was one (api_keys.vendor).
  std::optional<std::string> key_vendor;
  // --vendor / $REFLECT_VENDOR; the app refuses one that contradicts key_vendor.
  std::optional<std::string> configured_vendor;
  // stdio without $REFLECT_API_KEY: the local owner (local@localhost).
  bool local_owner = false;
  Transport transport = Transport::kStdio;
  // The API key's id (not secret), when a key was used: live-change listeners are capped
  // per key (tools/live_changes.h). Empty: the user and vendor stand for the key.
  std::string key_id = {};
};

// The effective identity of one call.
struct Caller {
  std::string user_id;
  // The vendor the call is made as. nullopt: an owner key, no vendor filter.
  // A caller with a vendor is an agent: it sees only memories that allow its
  // vendor, and changes only memories whose origin is its vendor.
  std::optional<std::string> vendor;
  // What a memory written by this caller records as `origin`, and what its usage
  // events record: the vendor, or "api" for an owner key (any transport).
  std::string origin;
  // How the MCP request behind this call follows it (tools/call_hooks.h); bound by
  // tools/tool_support.cc. They refer to that request: a Caller must not outlive it.
  CallHooks hooks = {};
};

// The origin written for callers without a vendor (owner keys).
inline constexpr std::string_view kOwnerOrigin = "api";

// SPEC §2, in order: the agent key's vendor; else (stdio) the configured vendor;
// else, for the local owner only, the vendor inferred from clientInfo.name; else
// none. Over HTTP only the key decides.
Caller ResolveCaller(const Principal& principal, std::string_view client_name);

// clientInfo.name → vendor: claude-ai, claude-code → claude; cursor-vscode, cursor →
// cursor; "Visual Studio Code" → copilot; openai-mcp, ChatGPT → chatgpt; else local.
// A convenience for labelling and filtering the local owner, never a credential.
std::string VendorFromClientName(std::string_view client_name);

}  // namespace rm::tools
