-- Migration 14: handshake-era MCP sessions kept in the database (issue 14 build 5). SQLite's
-- 014, translated; see that file for what each column means.
--
-- Differences from SQLite: timestamps are TIMESTAMPTZ, no STRICT.
CREATE TABLE mcp_sessions (
  id_hash TEXT NOT NULL PRIMARY KEY,
  credential_hash TEXT NOT NULL,
  user_id TEXT NOT NULL,
  protocol_version TEXT NOT NULL,
  client_name TEXT NOT NULL,
  client_capabilities TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  last_used_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX idx_mcp_sessions_last_used ON mcp_sessions(last_used_at);
