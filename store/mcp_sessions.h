// Handshake-era MCP sessions in the database (migration 14), so that a session one server
// process created works on every process sharing the store. Rows hold hashes only: the
// Mcp-Session-Id and the credential id are SHA-256'd by the caller (app/session_directory.h).
// A session unused since `idle_cutoff` is treated as gone by every function here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/connection.h"
#include "util/status.h"

namespace rm::store {

struct McpSessionRow {
  std::string id_hash;
  std::string credential_hash;
  std::string user_id;
  std::string protocol_version;
  std::string client_name;
  std::string client_capabilities_json;  // a JSON object
};

// Records a session (initialized just now), or replaces what a row with its id said.
Status SaveMcpSession(Connection& conn, const McpSessionRow& row, std::string_view now);

// The session `id_hash` if it was used after `idle_cutoff` (a UTC timestamp); nullopt otherwise.
Result<std::optional<McpSessionRow>> FindMcpSession(Connection& conn, std::string_view id_hash,
                                                     std::string_view idle_cutoff);

// Marks the session used at `now`; false when it is gone (deleted, or idle since `idle_cutoff`).
Result<bool> TouchMcpSession(Connection& conn, std::string_view id_hash, std::string_view now,
                             std::string_view idle_cutoff);

// Deletes the session; false when there was none.
Result<bool> DeleteMcpSession(Connection& conn, std::string_view id_hash);

// Deletes every session unused since `idle_cutoff`; how many.
Result<std::int64_t> DeleteIdleMcpSessions(Connection& conn, std::string_view idle_cutoff);

}  // namespace rm::store
