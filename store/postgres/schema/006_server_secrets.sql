-- Migration 6: secrets the server keeps for itself (issue 20). SQLite's 006, translated.
--
-- Page cursors are sealed (util/sealed_box.h) under a secret kept in the store, so
-- that every process serving one database opens the cursors the others sealed, also
-- after a restart. One row per purpose ("cursor", ...); the secret is 32 random
-- bytes as 64 hex characters. created_at is TIMESTAMPTZ; no STRICT, WITHOUT ROWID.
CREATE TABLE server_secrets (
  name TEXT NOT NULL PRIMARY KEY,
  secret TEXT NOT NULL CHECK (length(secret) = 64),
  created_at TIMESTAMPTZ NOT NULL
);
