-- Migration 14: handshake-era MCP sessions kept in the database (issue 14 build 5), so a
-- session created (initialize) by one server process works on another sharing the store.
--
-- Nothing here is usable on its own: a row holds hashes, never an Mcp-Session-Id nor a key.
--   id_hash              SHA-256 (hex) of the Mcp-Session-Id the client was given;
--   credential_hash      SHA-256 (hex) of the id of the credential (API key or OAuth grant)
--                        that created it: presented with any other, the session does not exist;
--   user_id              whose credential (caps sessions per user); the credential id when
--                        the key named no user, so no foreign key;
--   protocol_version     the revision initialize negotiated;
--   client_name          clientInfo.name from initialize ('' when none);
--   client_capabilities  the client's capabilities from initialize, a JSON object;
--   created_at, last_used_at  UTC; a session unused for the server's idle timeout is gone
--                        (every process judges by last_used_at, touched at most once a
--                        second per session and process).
CREATE TABLE mcp_sessions (
  id_hash TEXT NOT NULL PRIMARY KEY,
  credential_hash TEXT NOT NULL,
  user_id TEXT NOT NULL,
  protocol_version TEXT NOT NULL,
  client_name TEXT NOT NULL,
  client_capabilities TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_used_at TEXT NOT NULL
) STRICT;

CREATE INDEX idx_mcp_sessions_last_used ON mcp_sessions(last_used_at);
