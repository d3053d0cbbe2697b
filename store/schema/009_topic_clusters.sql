-- Migration 9: topic clusters' freshness, and the near-duplicate merge setting (issue 18).
--
-- tag_cluster_cache (migration 1) holds a caller's clusters, one row per cluster.
-- Its `scope` key is the pool ("all", "personal", "org", "team") and, for an agent
-- key, "@" and its vendor ("all@cursor"): a vendor's clusters are built only from the
-- memories that vendor may see, so each vendor has its own.
--
-- Freshness is decided by counters, one row per pool ("u:" user id, "o:" org id,
-- "t:" team id), kept by triggers inside the transaction of every change:
--   added   memories added to the pool — they can only ADD tags to what anyone sees,
--           so clusters are recomputed after N of them (or after 24 h);
--   hidden  changes of tags, trash, vendors or sharing — they may HIDE a tag, so
--           clusters computed before one are never served again (a cluster must not
--           name a tag, or count a memory, its reader can no longer see).
-- tag_cluster_state records, per (user, scope), the sums of both counters over the
-- scope's pools at the snapshot the clusters were computed from; comparing them
-- with the sums now says "fresh", "aged by n additions" or "unusable". A background
-- refresh that raced a hiding change is discarded by the same comparison.
CREATE TABLE tag_cluster_pool_changes (
  pool TEXT NOT NULL PRIMARY KEY,
  added INTEGER NOT NULL DEFAULT 0,
  hidden INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE tag_cluster_state (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  scope TEXT NOT NULL,
  org_id TEXT,   -- the user's org and team when the clusters were computed: after a
  team_id TEXT,  -- move they describe pools the user no longer belongs to
  computed_at TEXT NOT NULL,
  added_seen INTEGER NOT NULL,
  hidden_seen INTEGER NOT NULL,
  PRIMARY KEY (user_id, scope)
) STRICT;

CREATE TRIGGER tag_clusters_after_insert AFTER INSERT ON memories BEGIN
  INSERT INTO tag_cluster_pool_changes(pool, added) SELECT 'u:' || new.user_id, 1 WHERE true
    ON CONFLICT(pool) DO UPDATE SET added = added + 1;
  INSERT INTO tag_cluster_pool_changes(pool, added)
    SELECT 'o:' || new.shared_with_org_id, 1 WHERE new.shared_with_org_id IS NOT NULL
    ON CONFLICT(pool) DO UPDATE SET added = added + 1;
  INSERT INTO tag_cluster_pool_changes(pool, added)
    SELECT 't:' || new.shared_with_team_id, 1 WHERE new.shared_with_team_id IS NOT NULL
    ON CONFLICT(pool) DO UPDATE SET added = added + 1;
END;

-- Every pool the memory was or is in.
CREATE TRIGGER tag_clusters_after_update
AFTER UPDATE OF tags, deleted_at, allowed_vendors, shared_with_org_id, shared_with_team_id ON memories
WHEN old.tags IS NOT new.tags OR old.deleted_at IS NOT new.deleted_at
  OR old.allowed_vendors IS NOT new.allowed_vendors
  OR old.shared_with_org_id IS NOT new.shared_with_org_id
  OR old.shared_with_team_id IS NOT new.shared_with_team_id
BEGIN
  INSERT INTO tag_cluster_pool_changes(pool, hidden)
    SELECT p, 1 FROM (SELECT 'u:' || old.user_id AS p
                      UNION SELECT 'o:' || old.shared_with_org_id WHERE old.shared_with_org_id IS NOT NULL
                      UNION SELECT 'o:' || new.shared_with_org_id WHERE new.shared_with_org_id IS NOT NULL
                      UNION SELECT 't:' || old.shared_with_team_id WHERE old.shared_with_team_id IS NOT NULL
                      UNION SELECT 't:' || new.shared_with_team_id WHERE new.shared_with_team_id IS NOT NULL)
    WHERE true
    ON CONFLICT(pool) DO UPDATE SET hidden = hidden + 1;
END;

CREATE TRIGGER tag_clusters_after_delete AFTER DELETE ON memories BEGIN
  INSERT INTO tag_cluster_pool_changes(pool, hidden)
    SELECT p, 1 FROM (SELECT 'u:' || old.user_id AS p
                      UNION SELECT 'o:' || old.shared_with_org_id WHERE old.shared_with_org_id IS NOT NULL
                      UNION SELECT 't:' || old.shared_with_team_id WHERE old.shared_with_team_id IS NOT NULL)
    WHERE true
    ON CONFLICT(pool) DO UPDATE SET hidden = hidden + 1;
END;

-- write_memory's merge_similar default for this user (reflect-memory user set
-- --merge-similar on|off): 1 merges a near-identical recent memory into a new version.
ALTER TABLE users ADD COLUMN merge_similar INTEGER NOT NULL DEFAULT 0 CHECK (merge_similar IN (0, 1));
