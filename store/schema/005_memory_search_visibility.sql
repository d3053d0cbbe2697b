-- Migration 5: search that knows who may see what (SPEC §3, §5).
--
-- Replaces migration 2's index with one that has a fourth column, `vis`, holding
-- "visibility tokens" computed from the memory row. A search then restricts to
-- the caller's pools, vendor and trash state INSIDE the FTS5 MATCH, so FTS5 can
-- walk its doclists newest-first and stop after the first K visible matches
-- (tools/ ranks only those; see docs/SCHEMA.md "Search"). The SQL visibility
-- predicate (store/memory_visibility.h) is still applied to every row returned:
-- the tokens make search fast, the predicate makes it correct.
--
-- Tokens (alphanumeric only, so the unicode61 tokenizer keeps each one whole;
-- ids, vendors and tags are hex-encoded):
--   xu<hex user_id>        the author
--   xo<hex org id>         shared with that org
--   xt<hex team id>        shared with that team
--   xshared                shared with an org or a team
--   xtrash                 soft-deleted
--   xk<memory_type>        xksemantic, xkepisodic, xkprocedural
--   xrestricted            allowed_vendors has no "*"; then also, per entry,
--   xv<hex vendor>         (a vendor-bound caller v sees a memory unless it is
--                           xrestricted and lacks xv<hex v>)
--   xg<hex lower(tag)>     one per tag, for exact tag filters
-- Dense facts ("live", "allows *", "personal") are deliberately NOT tokens:
-- intersecting with a doclist that holds nearly every row costs ~1 ms at 1M rows,
-- so the query excludes the rare opposite instead (NOT xtrash, NOT xshared, ...).
--
-- Arrays are walked with a recursive CTE over json_extract, not json_each: FTS5
-- reads this view from inside its own 'rebuild'/'integrity-check', and SQLite
-- 3.40 fails ("SQL logic error") when that read opens another virtual table.
--
-- The tokens are defined ONCE, in the view below; the index reads its content
-- through the view (external content), and the triggers feed the index from it.
-- Because the view is a pure function of the row, the 'delete' a trigger sends
-- carries exactly the values that were indexed.

DROP TRIGGER IF EXISTS memories_fts_after_insert;
DROP TRIGGER IF EXISTS memories_fts_after_delete;
DROP TRIGGER IF EXISTS memories_fts_after_update;
DROP TABLE IF EXISTS memories_fts;

CREATE VIEW memories_fts_source AS
SELECT
  m.rowid AS rid,
  m.title AS title,
  m.content AS content,
  m.tags AS tags,
  'xu' || hex(m.user_id)
  || CASE WHEN m.shared_with_org_id IS NOT NULL THEN ' xo' || hex(m.shared_with_org_id) ELSE '' END
  || CASE WHEN m.shared_with_team_id IS NOT NULL THEN ' xt' || hex(m.shared_with_team_id) ELSE '' END
  || CASE WHEN m.shared_with_org_id IS NOT NULL OR m.shared_with_team_id IS NOT NULL
          THEN ' xshared' ELSE '' END
  || CASE WHEN m.deleted_at IS NOT NULL THEN ' xtrash' ELSE '' END
  || ' xk' || m.memory_type
  || CASE WHEN EXISTS (
            WITH RECURSIVE i(n) AS (
              SELECT 0 WHERE json_array_length(m.allowed_vendors) > 0
              UNION ALL SELECT n + 1 FROM i WHERE n + 1 < json_array_length(m.allowed_vendors))
            SELECT 1 FROM i WHERE json_extract(m.allowed_vendors, '$[' || n || ']') = '*')
          THEN ''
          ELSE ' xrestricted' || coalesce((
            WITH RECURSIVE i(n) AS (
              SELECT 0 WHERE json_array_length(m.allowed_vendors) > 0
              UNION ALL SELECT n + 1 FROM i WHERE n + 1 < json_array_length(m.allowed_vendors))
            SELECT group_concat(' xv' || hex(json_extract(m.allowed_vendors, '$[' || n || ']')), '')
            FROM i), '')
     END
  || coalesce((
       WITH RECURSIVE i(n) AS (
         SELECT 0 WHERE json_array_length(m.tags) > 0
         UNION ALL SELECT n + 1 FROM i WHERE n + 1 < json_array_length(m.tags))
       SELECT group_concat(' xg' || hex(lower(json_extract(m.tags, '$[' || n || ']'))), '')
       FROM i), '')
  AS vis
FROM memories m;

CREATE VIRTUAL TABLE memories_fts USING fts5(
  title,
  content,
  tags,
  vis,
  content = 'memories_fts_source',
  content_rowid = 'rid',
  tokenize = 'unicode61 remove_diacritics 2'
);

-- The columns the view reads; a change to any other column leaves the index alone.
CREATE TRIGGER memories_fts_before_update
BEFORE UPDATE OF title, content, tags, user_id, allowed_vendors, memory_type, deleted_at,
                 shared_with_org_id, shared_with_team_id ON memories BEGIN
  INSERT INTO memories_fts(memories_fts, rowid, title, content, tags, vis)
  SELECT 'delete', rid, title, content, tags, vis FROM memories_fts_source WHERE rid = old.rowid;
END;

CREATE TRIGGER memories_fts_after_update
AFTER UPDATE OF title, content, tags, user_id, allowed_vendors, memory_type, deleted_at,
                shared_with_org_id, shared_with_team_id ON memories BEGIN
  INSERT INTO memories_fts(rowid, title, content, tags, vis)
  SELECT rid, title, content, tags, vis FROM memories_fts_source WHERE rid = new.rowid;
END;

CREATE TRIGGER memories_fts_before_delete BEFORE DELETE ON memories BEGIN
  INSERT INTO memories_fts(memories_fts, rowid, title, content, tags, vis)
  SELECT 'delete', rid, title, content, tags, vis FROM memories_fts_source WHERE rid = old.rowid;
END;

CREATE TRIGGER memories_fts_after_insert AFTER INSERT ON memories BEGIN
  INSERT INTO memories_fts(rowid, title, content, tags, vis)
  SELECT rid, title, content, tags, vis FROM memories_fts_source WHERE rid = new.rowid;
END;

-- List queries of org and team pools walk these newest-first (memories of one
-- user already have idx_memories_user_created).
CREATE INDEX idx_memories_org_created ON memories(shared_with_org_id, created_at)
  WHERE shared_with_org_id IS NOT NULL;
CREATE INDEX idx_memories_team_created ON memories(shared_with_team_id, created_at)
  WHERE shared_with_team_id IS NOT NULL;

-- Index the memories that existed before this migration.
INSERT INTO memories_fts(memories_fts) VALUES ('rebuild');
