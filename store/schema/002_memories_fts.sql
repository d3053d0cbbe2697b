-- Migration 2: full-text search over memories (SQLite FTS5).
--
-- An external-content FTS5 table: the text lives once, in `memories`; the index
-- refers to memories by rowid. Triggers keep the index in step with every insert,
-- update and delete, inside the same transaction as the change, so search can never
-- disagree with a committed memory.
--
-- Caution: `memories` has a TEXT primary key, so its rowid is implicit. VACUUM may
-- renumber implicit rowids, which would desynchronise this index. Never VACUUM this
-- database without running `INSERT INTO memories_fts(memories_fts) VALUES('rebuild')`
-- afterwards; `reflect-memory check` detects a desynchronised index.
CREATE VIRTUAL TABLE memories_fts USING fts5(
  title,
  content,
  tags,
  content = 'memories',
  content_rowid = 'rowid',
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER memories_fts_after_insert AFTER INSERT ON memories BEGIN
  INSERT INTO memories_fts(rowid, title, content, tags)
  VALUES (new.rowid, new.title, new.content, new.tags);
END;

CREATE TRIGGER memories_fts_after_delete AFTER DELETE ON memories BEGIN
  INSERT INTO memories_fts(memories_fts, rowid, title, content, tags)
  VALUES ('delete', old.rowid, old.title, old.content, old.tags);
END;

-- Only the indexed columns: soft delete, sharing and restore do not touch the index.
CREATE TRIGGER memories_fts_after_update AFTER UPDATE OF title, content, tags ON memories BEGIN
  INSERT INTO memories_fts(memories_fts, rowid, title, content, tags)
  VALUES ('delete', old.rowid, old.title, old.content, old.tags);
  INSERT INTO memories_fts(rowid, title, content, tags)
  VALUES (new.rowid, new.title, new.content, new.tags);
END;

-- Index memories written before this migration (none on a new database).
INSERT INTO memories_fts(memories_fts) VALUES ('rebuild');
