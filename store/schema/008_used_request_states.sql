-- Migration 8: request states already acted on (issue 13: multi-round-trip results).
--
-- A permanent delete asked in protocol 2026-07-28 is confirmed in two requests: the
-- first answers input_required with a sealed requestState (tools/request_state.h),
-- the retry carries it back with the person's answer. The state is sealed and
-- expires, but a sealed state could still be sent twice; each one carries a random
-- id, and the transaction that acts on a state inserts its id here first, so a
-- second use fails on the primary key, in this process or any other serving the
-- store. A row is needed only until its state expires (unix seconds); rows past
-- that are removed by the next insert.
CREATE TABLE used_request_states (
  state_id TEXT NOT NULL PRIMARY KEY CHECK (length(state_id) = 32),
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX idx_used_request_states_expires_at ON used_request_states(expires_at);
