-- Reflect Memory v1 -- Canonical Schema, PostgreSQL 15 (migration 1)
--
-- /work/shared/reference/schema.sql (store/schema/001_canonical.sql on SQLite)
-- translated following its header's PostgreSQL notes. Same tables, columns,
-- CHECKs, foreign keys, indexes and names; what differs, and why:
-- - TEXT timestamps          -> TIMESTAMPTZ (created_at, updated_at, deleted_at,
--                               shared_at, last_used_at, revoked_at, expires_at,
--                               computed_at, installed_at, uninstalled_at)
-- - JSON TEXT columns        -> JSONB; CHECK(json_type(x) = 'array') becomes
--                               CHECK(jsonb_typeof(x) = 'array'), and JSONB itself
--                               refuses text that is not JSON (json_valid)
-- - INTEGER                  -> BIGINT: SQLite's INTEGER is 64-bit, so no value
--                               SQLite accepts overflows here
-- - BLOB                     -> BYTEA
-- - STRICT                   -> nothing: PostgreSQL columns are always typed
-- - PRAGMA foreign_keys = ON -> nothing: PostgreSQL always enforces them
-- - users.org_id/team_id reference orgs/teams, which reference users: PostgreSQL
--   checks that a referenced table exists, so those two foreign keys are added
--   by ALTER TABLE once orgs and teams exist (SQLite resolves them lazily).
-- - a PRIMARY KEY is NOT NULL here (SQLite lets `id TEXT PRIMARY KEY` hold NULL).
-- 'YYYY-MM' months (monthly_usage.month) and Slack's own ids (thread_ts) stay TEXT.
--
-- Not here yet (later steps of issue 14, each its own migration numbered like
-- SQLite's): full-text search — a weighted tsvector over memories(title, tags,
-- content) with a GIN index, where SQLite has FTS5 (its 002/005) — and
-- usage_events partitioned by month (see USAGE_EVENTS below).

-- =============================================================================
-- USERS
-- =============================================================================
CREATE TABLE users (
  id TEXT NOT NULL PRIMARY KEY, -- UUIDv4 (internal)
  clerk_id TEXT UNIQUE, -- Clerk user ID (NULL until Clerk integration)
  email TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL DEFAULT 'user'
    CHECK(role IN ('admin', 'private-alpha', 'user')),
  stripe_customer_id TEXT UNIQUE, -- Stripe customer ID (NULL until subscribed)
  plan TEXT NOT NULL DEFAULT 'free'
    CHECK(plan IN ('free', 'builder', 'pro', 'team', 'admin')),
  org_id TEXT, -- REFERENCES orgs(id), added below once orgs exists
  org_role TEXT DEFAULT NULL
    CHECK(org_role IS NULL OR org_role IN ('owner', 'admin', 'member')),
  team_id TEXT, -- REFERENCES teams(id), added below; sub-team within the org; NULLable
  first_name TEXT DEFAULT NULL,
  last_name TEXT DEFAULT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX idx_users_email ON users(email);
CREATE INDEX idx_users_clerk_id ON users(clerk_id);

-- =============================================================================
-- API_KEYS
-- =============================================================================
CREATE TABLE api_keys (
  id TEXT NOT NULL PRIMARY KEY, -- UUIDv4
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  key_hash TEXT NOT NULL UNIQUE, -- SHA-256 of the full key
  key_prefix TEXT NOT NULL, -- "rm_live_" + first 8 chars (for display)
  label TEXT NOT NULL DEFAULT 'Default',
  last_used_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL,
  revoked_at TIMESTAMPTZ -- NULL = active
);
CREATE INDEX idx_api_keys_user_id ON api_keys(user_id);
CREATE INDEX idx_api_keys_key_hash ON api_keys(key_hash) WHERE revoked_at IS NULL;

-- =============================================================================
-- ORGS
-- =============================================================================
CREATE TABLE orgs (
  id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  owner_id TEXT NOT NULL REFERENCES users(id),
  plan TEXT NOT NULL DEFAULT 'team',
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);

-- =============================================================================
-- TEAMS
-- =============================================================================
CREATE TABLE teams (
  id TEXT NOT NULL PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  UNIQUE (org_id, name)
);
CREATE INDEX idx_teams_org_id ON teams(org_id);

-- The two foreign keys of users that SQLite declares inline (see the header).
ALTER TABLE users ADD FOREIGN KEY (org_id) REFERENCES orgs(id);
ALTER TABLE users ADD FOREIGN KEY (team_id) REFERENCES teams(id);

-- =============================================================================
-- ORG_INVITES
-- =============================================================================
CREATE TABLE org_invites (
  id TEXT NOT NULL PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  email TEXT,
  token TEXT NOT NULL UNIQUE,
  invited_by TEXT NOT NULL REFERENCES users(id),
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK(status IN ('pending', 'accepted', 'expired')),
  target_team_id TEXT REFERENCES teams(id), -- optional pre-assignment
  created_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL
);

-- =============================================================================
-- MEMORIES
-- =============================================================================
-- Personal, org-shared or team-shared; the two share columns are mutually
-- exclusive (enforced at the app layer). Threading: parent_memory_id, single
-- level, cascaded by app code (no ON DELETE CASCADE) so events fire per child.
-- Full-text search (tsvector + GIN) is added to this table by a later migration.
CREATE TABLE memories (
  id TEXT NOT NULL PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  title TEXT NOT NULL,
  content TEXT NOT NULL,
  tags JSONB NOT NULL DEFAULT '[]'
    CHECK(jsonb_typeof(tags) = 'array'),
  origin TEXT NOT NULL DEFAULT 'user',
  allowed_vendors JSONB NOT NULL DEFAULT '["*"]'
    CHECK(jsonb_typeof(allowed_vendors) = 'array'),
  memory_type TEXT NOT NULL DEFAULT 'semantic'
    CHECK(memory_type IN ('semantic', 'episodic', 'procedural')),
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  deleted_at TIMESTAMPTZ,
  shared_with_org_id TEXT REFERENCES orgs(id),
  shared_with_team_id TEXT REFERENCES teams(id),
  shared_at TIMESTAMPTZ DEFAULT NULL,
  parent_memory_id TEXT REFERENCES memories(id),
  -- SQLite's implicit rowid, made explicit: the order memories were written in, which
  -- lists break ties on and list cursors carry. The repositories' SQL says m.rowid on both.
  rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE
);
CREATE INDEX idx_memories_user_id ON memories(user_id);
CREATE INDEX idx_memories_deleted_at ON memories(user_id, deleted_at);
CREATE INDEX idx_memories_user_created ON memories(user_id, created_at DESC);
CREATE INDEX idx_memories_parent_id ON memories(parent_memory_id) WHERE parent_memory_id IS NOT NULL;

-- =============================================================================
-- MEMORY_VERSIONS
-- =============================================================================
CREATE TABLE memory_versions (
  id TEXT NOT NULL PRIMARY KEY,
  memory_id TEXT NOT NULL REFERENCES memories(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  title TEXT NOT NULL,
  content TEXT NOT NULL,
  tags JSONB NOT NULL DEFAULT '[]'
    CHECK(jsonb_typeof(tags) = 'array'),
  memory_type TEXT NOT NULL DEFAULT 'semantic'
    CHECK(memory_type IN ('semantic', 'episodic', 'procedural')),
  origin TEXT NOT NULL,
  allowed_vendors JSONB NOT NULL DEFAULT '["*"]'
    CHECK(jsonb_typeof(allowed_vendors) = 'array'),
  version_number BIGINT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX idx_memory_versions_memory_id ON memory_versions(memory_id, version_number);

-- =============================================================================
-- USAGE_EVENTS
-- =============================================================================
-- Append-only operation log; request_id provides idempotency.
-- Partitioning by month (PARTITION BY RANGE (created_at)) comes in a later
-- migration: a partitioned table's unique keys must include the partition key,
-- so request_id's uniqueness then needs its own design.
CREATE TABLE usage_events (
  id TEXT NOT NULL PRIMARY KEY, -- UUIDv4
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  operation TEXT NOT NULL, -- 'memory_write' | 'memory_read' | 'query' | 'chat'
  origin TEXT NOT NULL, -- 'dashboard' | 'chatgpt' | 'cursor' | etc.
  request_id TEXT UNIQUE, -- idempotency key
  created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX idx_usage_events_user_id ON usage_events(user_id);
CREATE INDEX idx_usage_events_user_month ON usage_events(user_id, created_at);

-- =============================================================================
-- MONTHLY_USAGE
-- =============================================================================
CREATE TABLE monthly_usage (
  id TEXT NOT NULL PRIMARY KEY, -- UUIDv4
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  month TEXT NOT NULL, -- 'YYYY-MM'
  writes BIGINT NOT NULL DEFAULT 0,
  reads BIGINT NOT NULL DEFAULT 0,
  queries BIGINT NOT NULL DEFAULT 0,
  total_ops BIGINT NOT NULL DEFAULT 0,
  overage_ops BIGINT NOT NULL DEFAULT 0,
  synced_to_stripe BIGINT NOT NULL DEFAULT 0,
  UNIQUE(user_id, month)
);
CREATE INDEX idx_monthly_usage_user_month ON monthly_usage(user_id, month);

-- =============================================================================
-- WAITLIST + EARLY ACCESS
-- =============================================================================
CREATE TABLE waitlist (
  id TEXT NOT NULL PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  position BIGINT NOT NULL,
  notified BIGINT NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE early_access_requests (
  id TEXT NOT NULL PRIMARY KEY,
  email TEXT NOT NULL,
  linkedin TEXT,
  company TEXT,
  use_case TEXT,
  details TEXT,
  status TEXT NOT NULL DEFAULT 'pending',
  created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX idx_waitlist_email ON waitlist(email);
CREATE INDEX idx_waitlist_position ON waitlist(position);
CREATE INDEX idx_early_access_email ON early_access_requests(email);
CREATE INDEX idx_early_access_status ON early_access_requests(status);

-- =============================================================================
-- TAG_CLUSTER_CACHE
-- =============================================================================
CREATE TABLE tag_cluster_cache (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  scope TEXT NOT NULL,
  cluster_hash TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  tags JSONB NOT NULL CHECK(jsonb_typeof(tags) = 'array'),
  member_count BIGINT NOT NULL,
  computed_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (user_id, scope, cluster_hash)
);
CREATE INDEX idx_tag_cluster_cache_user_scope ON tag_cluster_cache(user_id, scope);

-- =============================================================================
-- LLM PROVIDER KEYS
-- =============================================================================
CREATE TABLE llm_keys (
  id TEXT PRIMARY KEY,
  org_id TEXT REFERENCES orgs(id) ON DELETE CASCADE,
  user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
  provider TEXT NOT NULL,
  key_encrypted BYTEA NOT NULL,
  key_nonce BYTEA NOT NULL,
  key_last4 TEXT NOT NULL,
  created_by_user_id TEXT REFERENCES users(id),
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  CHECK (
    (org_id IS NOT NULL AND user_id IS NULL) OR
    (org_id IS NULL AND user_id IS NOT NULL)
  )
);
CREATE UNIQUE INDEX idx_llm_keys_org_provider
  ON llm_keys(org_id, provider) WHERE org_id IS NOT NULL;
CREATE UNIQUE INDEX idx_llm_keys_user_provider
  ON llm_keys(user_id, provider) WHERE user_id IS NOT NULL;

-- =============================================================================
-- SLACK WORKSPACES
-- =============================================================================
CREATE TABLE slack_workspaces (
  id TEXT PRIMARY KEY,
  slack_team_id TEXT NOT NULL UNIQUE, -- Slack's workspace ID (T... prefix)
  slack_team_name TEXT NOT NULL,
  reflect_org_id TEXT REFERENCES orgs(id),
  reflect_user_id TEXT REFERENCES users(id),
  bot_user_id TEXT NOT NULL,
  bot_token_encrypted BYTEA NOT NULL,
  bot_token_nonce BYTEA NOT NULL,
  installed_by_user_id TEXT REFERENCES users(id),
  installed_at TIMESTAMPTZ NOT NULL,
  uninstalled_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  CHECK (
    (reflect_org_id IS NOT NULL AND reflect_user_id IS NULL) OR
    (reflect_org_id IS NULL AND reflect_user_id IS NOT NULL)
  )
);
CREATE INDEX idx_slack_workspaces_org ON slack_workspaces(reflect_org_id);
CREATE INDEX idx_slack_workspaces_user ON slack_workspaces(reflect_user_id);

-- =============================================================================
-- SLACK CONVERSATION STATE
-- =============================================================================
CREATE TABLE slack_conversation_state (
  id TEXT PRIMARY KEY,
  slack_workspace_id TEXT NOT NULL REFERENCES slack_workspaces(id) ON DELETE CASCADE,
  channel_id TEXT NOT NULL,
  thread_ts TEXT NOT NULL,
  messages_json JSONB NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  UNIQUE(slack_workspace_id, channel_id, thread_ts)
);
CREATE INDEX idx_slack_convo_expires ON slack_conversation_state(expires_at);

-- =============================================================================
-- SQLITE FUNCTIONS THE REPOSITORIES' SQL USES (store/ writes one SQL for both engines)
-- =============================================================================
-- json_each(array) AS t ... t.value, t.type: the elements of a JSON array — value as
-- text, type as SQLite names it ('text', 'integer', 'real', 'true', 'false', 'null',
-- 'array', 'object'). For a JSONB column, and for a parameter bound as text (an
-- unknown-typed parameter picks the text version: PostgreSQL prefers the string
-- category). PostgreSQL's own json_each(json) (an object's key/value pairs) is untouched.
CREATE FUNCTION json_each(j JSONB) RETURNS TABLE(value TEXT, type TEXT)
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT e #>> '{}',
           CASE jsonb_typeof(e)
             WHEN 'string' THEN 'text'
             WHEN 'number' THEN CASE WHEN e::text ~ '^-?[0-9]+$' THEN 'integer' ELSE 'real' END
             WHEN 'boolean' THEN e::text
             ELSE jsonb_typeof(e)
           END
    FROM jsonb_array_elements(j) AS e
  $$;
CREATE FUNCTION json_each(j TEXT) RETURNS TABLE(value TEXT, type TEXT)
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT * FROM json_each(j::jsonb) $$;
-- instr(haystack, needle): 1-based position of needle, 0 when absent (PostgreSQL's strpos).
CREATE FUNCTION instr(haystack TEXT, needle TEXT) RETURNS INTEGER
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT strpos(haystack, needle) $$;
