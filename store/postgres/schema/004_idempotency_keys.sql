-- Migration 4: idempotent tool calls (SPEC §4). SQLite's 004, translated.
--
-- The first successful call of a user with a given request_id is recorded with a
-- hash of what was asked and the result it returned; a repeat by the same user
-- returns that result (see store/schema/004_idempotency_keys.sql and docs/SCHEMA.md
-- "Idempotency"). Key (user_id, request_id).
--
-- Differences from SQLite:
-- - result_json is JSON, not JSONB: it is replayed to the client as it was first
--   sent, and JSONB would reorder its keys and drop duplicate ones. JSON keeps the
--   text exactly and still refuses text that is not JSON (SQLite's json_valid CHECK).
-- - created_at is TIMESTAMPTZ; STRICT, WITHOUT ROWID have no counterpart (the
--   primary key is a B-tree index on a heap table).
CREATE TABLE idempotency_keys (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  request_id TEXT NOT NULL CHECK (length(request_id) BETWEEN 1 AND 128),
  request_hash TEXT NOT NULL,  -- SHA-256 hex of tool name + canonical JSON arguments
  result_json JSON NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (user_id, request_id)
);

CREATE INDEX idx_idempotency_keys_created ON idempotency_keys(created_at);
