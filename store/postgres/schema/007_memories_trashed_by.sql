-- Migration 7: which delete put a memory in the trash (SPEC §3 "Trash", issue 20).
-- SQLite's 007, translated (the same SQL: nothing in it is SQLite's own).
--
-- trashed_by_memory_id is the id of the memory whose delete_memory trashed this
-- row: the row itself (deleted on its own) or its parent (trashed by the parent's
-- cascade). Restoring a memory restores it and only the replies its own delete
-- trashed. NULL while live. Like SQLite's, it has no foreign key: the parent is
-- memories.parent_memory_id's business.
ALTER TABLE memories ADD COLUMN trashed_by_memory_id TEXT DEFAULT NULL
  CHECK (trashed_by_memory_id IS NULL OR deleted_at IS NOT NULL);

-- Rows already in the trash: a trashed reply whose parent is trashed too counts as
-- trashed by the parent (what restore did before this migration); any other
-- trashed row was deleted on its own.
UPDATE memories SET trashed_by_memory_id = CASE
    WHEN parent_memory_id IS NOT NULL AND EXISTS (
      SELECT 1 FROM memories p WHERE p.id = memories.parent_memory_id AND p.deleted_at IS NOT NULL)
    THEN parent_memory_id
    ELSE id
  END
WHERE deleted_at IS NOT NULL;
