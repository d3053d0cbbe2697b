-- Migration 5: search that knows who may see what (SPEC §3, §5). SQLite's 005, ported.
--
-- On SQLite this migration rebuilds the FTS5 index with a fourth column of
-- "visibility tokens" (author, org, team, trash, type, vendors, exact tags), so that
-- the MATCH itself keeps only what the caller may see and FTS5 can stop after the
-- newest K visible hits; a view (memories_fts_source) and four triggers feed it.
-- None of that has a PostgreSQL counterpart, because none is needed: here search is
-- one SQL query, and visibility is the same SQL predicate as listing
-- (store/memory_visibility.h) in its WHERE clause, next to
-- `search_vector @@ query`. The planner combines the GIN index of migration 2 with
-- the row filters and the indexes below; no tokens, no view, no triggers.
--
-- What does carry over: the two indexes SQLite's 005 adds on memories, which list
-- queries of org and team pools walk newest-first (memories of one user already
-- have idx_memories_user_created).
CREATE INDEX idx_memories_org_created ON memories(shared_with_org_id, created_at)
  WHERE shared_with_org_id IS NOT NULL;
CREATE INDEX idx_memories_team_created ON memories(shared_with_team_id, created_at)
  WHERE shared_with_team_id IS NOT NULL;
