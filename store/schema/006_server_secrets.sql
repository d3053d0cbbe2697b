-- Migration 6: secrets the server keeps for itself (issue 20, review item 1).
--
-- Page cursors are sealed (util/sealed_box.h) so that a client can neither read
-- nor alter them. The secret they are sealed under lives in the store, not in the
-- process: cursors then survive a restart, and every process serving one store
-- opens the cursors the others sealed. One row per purpose ("cursor", ...); the
-- secret is 32 random bytes as 64 hex characters.
CREATE TABLE server_secrets (
  name TEXT NOT NULL PRIMARY KEY,
  secret TEXT NOT NULL CHECK (length(secret) = 64),
  created_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
