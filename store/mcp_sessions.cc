#include "store/mcp_sessions.h"

namespace rm::store {

Status SaveMcpSession(Connection& conn, const McpSessionRow& row, std::string_view now) {
  Statement& s = conn.Prepare(
      "INSERT INTO mcp_sessions(id_hash, credential_hash, user_id, protocol_version, client_name, "
      "client_capabilities, created_at, last_used_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) "
      "ON CONFLICT(id_hash) DO UPDATE SET credential_hash = excluded.credential_hash, "
      "user_id = excluded.user_id, protocol_version = excluded.protocol_version, "
      "client_name = excluded.client_name, client_capabilities = excluded.client_capabilities, "
      "last_used_at = excluded.last_used_at");
  s.Bind(1, row.id_hash).Bind(2, row.credential_hash).Bind(3, row.user_id).Bind(4, row.protocol_version);
  s.Bind(5, row.client_name).Bind(6, row.client_capabilities_json).Bind(7, now);
  return s.Run();
}

Result<std::optional<McpSessionRow>> FindMcpSession(Connection& conn, std::string_view id_hash,
                                                     std::string_view idle_cutoff) {
  Statement& s = conn.Prepare(
      "SELECT credential_hash, user_id, protocol_version, client_name, client_capabilities FROM mcp_sessions "
      "WHERE id_hash = ? AND last_used_at > ?");
  s.Bind(1, id_hash).Bind(2, idle_cutoff);
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<McpSessionRow>();
  McpSessionRow found;
  found.id_hash = std::string(id_hash);
  found.credential_hash = s.Text(0);
  found.user_id = s.Text(1);
  found.protocol_version = s.Text(2);
  found.client_name = s.Text(3);
  found.client_capabilities_json = s.Text(4);
  s.Reset();
  return std::optional<McpSessionRow>(std::move(found));
}

Result<bool> TouchMcpSession(Connection& conn, std::string_view id_hash, std::string_view now,
                             std::string_view idle_cutoff) {
  Statement& s = conn.Prepare("UPDATE mcp_sessions SET last_used_at = ? WHERE id_hash = ? AND last_used_at > ?");
  s.Bind(1, now).Bind(2, id_hash).Bind(3, idle_cutoff);
  RM_RETURN_IF_ERROR(s.Run());
  return conn.Changes() > 0;
}

Result<bool> DeleteMcpSession(Connection& conn, std::string_view id_hash) {
  Statement& s = conn.Prepare("DELETE FROM mcp_sessions WHERE id_hash = ?");
  s.Bind(1, id_hash);
  RM_RETURN_IF_ERROR(s.Run());
  return conn.Changes() > 0;
}

Result<std::int64_t> DeleteIdleMcpSessions(Connection& conn, std::string_view idle_cutoff) {
  Statement& s = conn.Prepare("DELETE FROM mcp_sessions WHERE last_used_at <= ?");
  s.Bind(1, idle_cutoff);
  RM_RETURN_IF_ERROR(s.Run());
  return conn.Changes();
}

}  // namespace rm::store
