-- Migration 2: full-text search over memories (PostgreSQL; SQLite's 002 uses FTS5).
--
-- Where SQLite keeps an external-content FTS5 table in step with `memories` by
-- triggers, PostgreSQL keeps the search document ON the row: `search_vector`, a
-- STORED generated column, is recomputed by the server in the same statement as
-- every insert or update of title, content or tags, so search can never disagree
-- with a committed memory, and no trigger is needed. The GIN index serves
-- `search_vector @@ websearch_to_tsquery('english', ...)`.
--
-- Weights rank where a word was found (ts_rank): title A, tags B, content C.
-- The 'english' configuration folds case and stems ("supported groups" finds
-- "support group"), which SQLite gets only from its migration 12 (porter).
--
-- A generated column's expression must be IMMUTABLE. to_tsvector(regconfig, ...)
-- and setweight are, given the configuration as a constant ('english', not the
-- session's default_text_search_config: the one-argument to_tsvector is only
-- STABLE). Tags use to_tsvector(regconfig, jsonb), also IMMUTABLE, which indexes
-- the array's string values and not the JSON punctuation around them. title,
-- content and tags are NOT NULL; the coalesces only keep a NULL from ever
-- emptying the whole vector.
--
-- Adding the column rewrites the table once, computing the vector of every memory
-- written before this migration (SQLite's 'rebuild').
ALTER TABLE memories ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english', coalesce(title, '')), 'A')
  || setweight(to_tsvector('english', coalesce(tags, '[]'::jsonb)), 'B')
  || setweight(to_tsvector('english', coalesce(content, '')), 'C')
) STORED;

CREATE INDEX idx_memories_search_vector ON memories USING GIN (search_vector);
