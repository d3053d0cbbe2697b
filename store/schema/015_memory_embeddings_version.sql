-- Migration 15: which version of each memory's vector is stored, readable without the
-- vector (issue 17). A hybrid search lists the vectors its caller may see and reads only
-- those its process does not already hold (tools/vector_cache.h); with this index the
-- list comes from index pages, not from rows whose 6 KiB vectors span overflow pages.
-- A vector's version: its content_hash and updated_at (set whenever it is replaced).
CREATE INDEX idx_memory_embeddings_version ON memory_embeddings(memory_id, model, content_hash, updated_at);
