-- Migration 11: signing in to the web pages, and OAuth 2.1 for remote connectors (SPEC §8).
-- SQLite's 011, translated; see that file and docs/SCHEMA.md "Sign-in and OAuth".
--
-- Every secret a browser or a client holds is stored only as the lower-case hex
-- SHA-256 of the full value (64 chars), so a copy of the database signs nobody in.
--
-- Differences from SQLite:
-- - times (created_at, updated_at, expires_at, used_at, last_used_at, revoked_at) are
--   TIMESTAMPTZ, so "expired" is a timestamp comparison (SQLite compares ISO text);
-- - redirect_uris is JSONB with CHECK(jsonb_typeof(...) = 'array') (json_valid + json_type);
-- - INTEGER is BIGINT; no STRICT, no WITHOUT ROWID;
-- - GLOB patterns: '$argon2id$*' is starts_with(password_hash, '$argon2id$'); the
--   vendor rule is migration 3's regular expression.

-- An Argon2id encoded hash (util/password_hash.h) per user who has a password.
CREATE TABLE user_passwords (
  user_id TEXT NOT NULL PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  password_hash TEXT NOT NULL CHECK (starts_with(password_hash, '$argon2id$')),
  updated_at TIMESTAMPTZ NOT NULL
);

-- One-time sign-in links (`reflect-memory signin-link`): used_at is set on first use.
CREATE TABLE signin_links (
  token_hash TEXT NOT NULL PRIMARY KEY CHECK (length(token_hash) = 64),
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  used_at TIMESTAMPTZ DEFAULT NULL
);
CREATE INDEX idx_signin_links_user_id ON signin_links(user_id);
CREATE INDEX idx_signin_links_expires_at ON signin_links(expires_at);  -- the purge of old links

-- Browser sessions: the cookie is the id, kept as id_hash. csrf_token is not a credential
-- on its own (a form needs the cookie too), so it is kept as is and shown to the pages.
CREATE TABLE web_sessions (
  id_hash TEXT NOT NULL PRIMARY KEY CHECK (length(id_hash) = 64),
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL CHECK (length(csrf_token) = 64),
  created_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX idx_web_sessions_user_id ON web_sessions(user_id);
CREATE INDEX idx_web_sessions_expires_at ON web_sessions(expires_at);

-- OAuth clients: registered (RFC 7591; client_id "rmc_" + 32 hex) or known by a Client ID
-- Metadata Document (metadata_document = 1; client_id is its https URL). redirect_uris is a
-- JSON array of strings, matched exactly.
CREATE TABLE oauth_clients (
  client_id TEXT NOT NULL PRIMARY KEY,
  client_name TEXT NOT NULL,
  redirect_uris JSONB NOT NULL CHECK (jsonb_typeof(redirect_uris) = 'array'),
  metadata_document BIGINT NOT NULL DEFAULT 0 CHECK (metadata_document IN (0, 1)),
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);

-- What a person allowed one client: as which vendor (NULL: the owner, no vendor filter —
-- the same CHECK as api_keys.vendor, migration 3), with which scopes (space-separated) and
-- for which resource (RFC 8707 audience). A revoked grant's tokens all stop at once.
CREATE TABLE oauth_grants (
  id TEXT NOT NULL PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  client_id TEXT NOT NULL REFERENCES oauth_clients(client_id) ON DELETE CASCADE,
  vendor TEXT DEFAULT NULL CHECK (
    vendor IS NULL OR (
      length(vendor) BETWEEN 1 AND 32
      AND vendor ~ '^[a-z][a-z0-9_-]*$'
    )
  ),
  scopes TEXT NOT NULL,
  resource TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  last_used_at TIMESTAMPTZ DEFAULT NULL,
  revoked_at TIMESTAMPTZ DEFAULT NULL
);
CREATE INDEX idx_oauth_grants_user_id ON oauth_grants(user_id, created_at);
CREATE INDEX idx_oauth_grants_client_id ON oauth_grants(client_id);

-- Authorization codes (single use, PKCE S256). A used code keeps its row, and the grant it
-- produced (grant_id), until it is purged a day after it expired: a second use within that
-- time revokes the grant (replay detection, OAuth 2.1 §4.1.3).
CREATE TABLE oauth_codes (
  code_hash TEXT NOT NULL PRIMARY KEY CHECK (length(code_hash) = 64),
  client_id TEXT NOT NULL REFERENCES oauth_clients(client_id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  redirect_uri TEXT NOT NULL,
  code_challenge TEXT NOT NULL CHECK (length(code_challenge) = 43),
  vendor TEXT DEFAULT NULL CHECK (
    vendor IS NULL OR (
      length(vendor) BETWEEN 1 AND 32
      AND vendor ~ '^[a-z][a-z0-9_-]*$'
    )
  ),
  scopes TEXT NOT NULL,
  resource TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  used_at TIMESTAMPTZ DEFAULT NULL,
  grant_id TEXT DEFAULT NULL REFERENCES oauth_grants(id) ON DELETE CASCADE
);
CREATE INDEX idx_oauth_codes_expires_at ON oauth_codes(expires_at);
CREATE INDEX idx_oauth_codes_grant_id ON oauth_codes(grant_id);  -- the cascade from a grant
CREATE INDEX idx_oauth_codes_user_id ON oauth_codes(user_id);    -- the cascade from a user
CREATE INDEX idx_oauth_codes_client_id ON oauth_codes(client_id);

-- Access and refresh tokens of a grant. A refresh token is used once (used_at): presenting
-- it again revokes the grant. Expired rows of a grant are purged when it gets new tokens.
CREATE TABLE oauth_tokens (
  token_hash TEXT NOT NULL PRIMARY KEY CHECK (length(token_hash) = 64),
  grant_id TEXT NOT NULL REFERENCES oauth_grants(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
  created_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  used_at TIMESTAMPTZ DEFAULT NULL
);
CREATE INDEX idx_oauth_tokens_grant_id ON oauth_tokens(grant_id, expires_at);
