-- Migration 8: request states already acted on (issue 13). SQLite's 008, translated.
--
-- A sealed confirmation state carries a random id; the transaction that acts on it
-- inserts the id here first, so a second use fails on the primary key, in this
-- process or any other serving the database. Rows past expires_at are removed by
-- the next insert.
--
-- expires_at stays a number (unix seconds, BIGINT for SQLite's INTEGER), not
-- TIMESTAMPTZ: it is the expiry sealed inside the state (tools/request_state.h),
-- stored and compared as that same number on both engines.
CREATE TABLE used_request_states (
  state_id TEXT NOT NULL PRIMARY KEY CHECK (length(state_id) = 32),
  expires_at BIGINT NOT NULL
);

CREATE INDEX idx_used_request_states_expires_at ON used_request_states(expires_at);
