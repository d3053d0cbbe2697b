-- Migration 13: opt-in semantic search (issue 17 build 3, SPEC §11). SQLite's 013,
-- translated; see that file for what each column means.
--
-- Differences from SQLite: BLOB is BYTEA (length() is octet_length()), timestamps are
-- TIMESTAMPTZ, no STRICT.
ALTER TABLE llm_keys ADD COLUMN embedding_model TEXT DEFAULT NULL;

CREATE TABLE memory_embeddings (
  memory_id TEXT NOT NULL PRIMARY KEY REFERENCES memories(id) ON DELETE CASCADE,
  model TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  memory_updated_at TIMESTAMPTZ NOT NULL,
  dims INTEGER NOT NULL CHECK (dims > 0),
  vector BYTEA NOT NULL CHECK (octet_length(vector) = 4 * dims),
  updated_at TIMESTAMPTZ NOT NULL
);
