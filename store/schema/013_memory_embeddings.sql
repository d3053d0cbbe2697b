-- Migration 13: opt-in semantic search (issue 17 build 3, SPEC §11).
--
-- llm_keys.embedding_model: the embeddings model of an OpenAI-compatible
-- /v1/embeddings API at the key's base_url. NULL: semantic search is off for the
-- key's tenant (the user, or every member of the org without a key of their own).
--
-- memory_embeddings: one vector per memory, computed in the background after the
-- write commits (tools/embedding_worker.h), never in the write's transaction.
--   model              the embeddings model that made it; search compares only
--                      vectors of the caller's model with the query's;
--   content_hash       SHA-256 (hex) of what was embedded (title, tags, content;
--                      store/memory_vectors.h): a change to anything else (sharing,
--                      vendors) re-embeds nothing;
--   memory_updated_at  the memory's updated_at when it was read to be embedded: a
--                      memory whose updated_at differs is checked again (its hash
--                      decides whether the provider is asked);
--   vector             dims float32 values, little-endian.
-- Deleting a memory deletes its vector (ON DELETE CASCADE); a trashed memory keeps
-- it (a restore needs no provider) but no search reads it.
ALTER TABLE llm_keys ADD COLUMN embedding_model TEXT DEFAULT NULL;

CREATE TABLE memory_embeddings (
  memory_id TEXT NOT NULL PRIMARY KEY REFERENCES memories(id) ON DELETE CASCADE,
  model TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  memory_updated_at TEXT NOT NULL,
  dims INTEGER NOT NULL CHECK (dims > 0),
  vector BLOB NOT NULL CHECK (length(vector) = 4 * dims),
  updated_at TEXT NOT NULL
) STRICT;
