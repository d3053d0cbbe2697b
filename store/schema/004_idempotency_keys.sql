-- Migration 4: idempotent tool calls (SPEC §4).
--
-- A tool call may carry a request_id (1-128 chars). The first successful call
-- of a user with a given request_id is recorded here together with a hash of
-- what was asked (tool name + canonical arguments) and the result it returned.
-- A repeat by the SAME user returns that result and applies nothing again; a
-- repeat with different arguments is an `idempotency_conflict`. The key is
-- (user_id, request_id), so one user's request_id never affects another's.
--
-- Why not usage_events.request_id alone: that canonical column is UNIQUE across
-- all users and holds no result to replay. The service writes
-- `user_id || ':' || request_id` there (unique per user, so still a valid
-- idempotency key in the canonical sense), or NULL for calls without one.
CREATE TABLE idempotency_keys (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  request_id TEXT NOT NULL CHECK (length(request_id) BETWEEN 1 AND 128),
  request_hash TEXT NOT NULL,  -- SHA-256 hex of tool name + canonical JSON arguments
  result_json TEXT NOT NULL CHECK (json_valid(result_json)),
  created_at TEXT NOT NULL,
  PRIMARY KEY (user_id, request_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX idx_idempotency_keys_created ON idempotency_keys(created_at);
