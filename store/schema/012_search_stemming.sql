-- Migration 12: search finds a word's other forms (issue 17).
--
-- The index now stems: FTS5's porter tokenizer over unicode61, so "support", "supports",
-- "supported" and "supporting" are one index term and a question asked in one form finds
-- a memory written in another. Everything else is migration 5's index unchanged: the same
-- columns, the same content view (memories_fts_source), the same triggers.
--
-- The visibility tokens of the vis column go through the stemmer too. They stay distinct:
-- ids, vendors and tags are hex of even length, and the only porter rules hex letters can
-- meet (a final "e", "ed", "eed") shorten a token to odd length or need a last byte (0xed)
-- no UTF-8 text ends with; the fixed words (xshared, xtrash, xrestricted, xk<type>) stem
-- to different stems. And as before, the SQL predicate checks every row search returns.

DROP TRIGGER IF EXISTS memories_fts_before_update;
DROP TRIGGER IF EXISTS memories_fts_after_update;
DROP TRIGGER IF EXISTS memories_fts_before_delete;
DROP TRIGGER IF EXISTS memories_fts_after_insert;
DROP TABLE IF EXISTS memories_fts;

CREATE VIRTUAL TABLE memories_fts USING fts5(
  title,
  content,
  tags,
  vis,
  content = 'memories_fts_source',
  content_rowid = 'rid',
  tokenize = 'porter unicode61 remove_diacritics 2'
);

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

INSERT INTO memories_fts(memories_fts) VALUES ('rebuild');
