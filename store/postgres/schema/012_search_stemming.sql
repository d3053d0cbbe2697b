-- Migration 12: search finds a word's other forms (issue 17). SQLite's 012, ported.
--
-- On SQLite this migration rebuilds memories_fts on FTS5's porter tokenizer, so
-- "supported groups" finds "support group". On PostgreSQL that has held since
-- migration 2: search_vector is built with the 'english' text search configuration,
-- whose Snowball stemmer already reduces "supported" and "groups" to "support" and
-- "group" (and websearch_to_tsquery('english', ...) stems the question the same
-- way). Nor is there an index of visibility tokens to rebuild (see migration 5).
--
-- So nothing changes here; the migration exists so that version 12 means the same
-- schema on both engines. Its one statement only documents that, on the column.
COMMENT ON COLUMN memories.search_vector IS
  'title (weight A), tags (B), content (C) under the ''english'' configuration, which stems words (migrations 2 and 12)';
