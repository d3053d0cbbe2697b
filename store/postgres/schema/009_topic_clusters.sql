-- Migration 9: topic clusters' freshness, and the near-duplicate merge setting (issue 18).
-- SQLite's 009, translated; see that file and docs/SCHEMA.md "Topic clusters".
--
-- Counters per pool ("u:" user id, "o:" org id, "t:" team id), kept by triggers in
-- the transaction of every change to memories:
--   added   memories added to the pool (clusters are recomputed after N of them);
--   hidden  changes of tags, trash, vendors or sharing, and deletes (clusters
--           computed before one are never served again).
-- tag_cluster_state records, per (user, scope), both sums at the snapshot the
-- clusters were computed from.
--
-- Differences from SQLite:
-- - INTEGER is BIGINT, computed_at is TIMESTAMPTZ, no STRICT;
-- - a PostgreSQL trigger runs a function: one plpgsql function per trigger, each
--   named as its trigger, counting the same pools as SQLite's trigger body (the insert
--   trigger's three statements are one here: "u:", "o:" and "t:" pools never collide);
-- - SQLite's `old.x IS NOT new.x` is `IS DISTINCT FROM`. tags and allowed_vendors
--   are JSONB, so they compare as JSON values (SQLite compares their text);
-- - `INSERT ... SELECT ... WHERE true ON CONFLICT` needs no `WHERE true` here (SQLite
--   needs it to parse); the pools of one change are distinct (UNION), so ON CONFLICT
--   DO UPDATE never meets the same row twice in one statement, which PostgreSQL refuses.
-- Counting is safe under concurrency: INSERT ... ON CONFLICT DO UPDATE is atomic,
-- so two transactions adding to one pool both count.
CREATE TABLE tag_cluster_pool_changes (
  pool TEXT NOT NULL PRIMARY KEY,
  added BIGINT NOT NULL DEFAULT 0,
  hidden BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE tag_cluster_state (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  scope TEXT NOT NULL,
  org_id TEXT,   -- the user's org and team when the clusters were computed: after a
  team_id TEXT,  -- move they describe pools the user no longer belongs to
  computed_at TIMESTAMPTZ NOT NULL,
  added_seen BIGINT NOT NULL,
  hidden_seen BIGINT NOT NULL,
  PRIMARY KEY (user_id, scope)
);

CREATE FUNCTION tag_clusters_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tag_cluster_pool_changes AS c (pool, added)
    SELECT p, 1 FROM (SELECT 'u:' || NEW.user_id AS p
                      UNION SELECT 'o:' || NEW.shared_with_org_id WHERE NEW.shared_with_org_id IS NOT NULL
                      UNION SELECT 't:' || NEW.shared_with_team_id WHERE NEW.shared_with_team_id IS NOT NULL) pools
    ON CONFLICT (pool) DO UPDATE SET added = c.added + 1;
  RETURN NULL;
END;
$$;

CREATE TRIGGER tag_clusters_after_insert AFTER INSERT ON memories
  FOR EACH ROW EXECUTE FUNCTION tag_clusters_after_insert();

-- Every pool the memory was or is in.
CREATE FUNCTION tag_clusters_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tag_cluster_pool_changes AS c (pool, hidden)
    SELECT p, 1 FROM (SELECT 'u:' || OLD.user_id AS p
                      UNION SELECT 'o:' || OLD.shared_with_org_id WHERE OLD.shared_with_org_id IS NOT NULL
                      UNION SELECT 'o:' || NEW.shared_with_org_id WHERE NEW.shared_with_org_id IS NOT NULL
                      UNION SELECT 't:' || OLD.shared_with_team_id WHERE OLD.shared_with_team_id IS NOT NULL
                      UNION SELECT 't:' || NEW.shared_with_team_id WHERE NEW.shared_with_team_id IS NOT NULL) pools
    ON CONFLICT (pool) DO UPDATE SET hidden = c.hidden + 1;
  RETURN NULL;
END;
$$;

CREATE TRIGGER tag_clusters_after_update
AFTER UPDATE OF tags, deleted_at, allowed_vendors, shared_with_org_id, shared_with_team_id ON memories
FOR EACH ROW
WHEN (OLD.tags IS DISTINCT FROM NEW.tags OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at
  OR OLD.allowed_vendors IS DISTINCT FROM NEW.allowed_vendors
  OR OLD.shared_with_org_id IS DISTINCT FROM NEW.shared_with_org_id
  OR OLD.shared_with_team_id IS DISTINCT FROM NEW.shared_with_team_id)
EXECUTE FUNCTION tag_clusters_after_update();

CREATE FUNCTION tag_clusters_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tag_cluster_pool_changes AS c (pool, hidden)
    SELECT p, 1 FROM (SELECT 'u:' || OLD.user_id AS p
                      UNION SELECT 'o:' || OLD.shared_with_org_id WHERE OLD.shared_with_org_id IS NOT NULL
                      UNION SELECT 't:' || OLD.shared_with_team_id WHERE OLD.shared_with_team_id IS NOT NULL) pools
    ON CONFLICT (pool) DO UPDATE SET hidden = c.hidden + 1;
  RETURN NULL;
END;
$$;

CREATE TRIGGER tag_clusters_after_delete AFTER DELETE ON memories
  FOR EACH ROW EXECUTE FUNCTION tag_clusters_after_delete();

-- write_memory's merge_similar default for this user (reflect-memory user set
-- --merge-similar on|off): 1 merges a near-identical recent memory into a new version.
ALTER TABLE users ADD COLUMN merge_similar BIGINT NOT NULL DEFAULT 0 CHECK (merge_similar IN (0, 1));
