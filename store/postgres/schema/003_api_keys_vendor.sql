-- Migration 3: the vendor an agent key is bound to (SPEC §2). SQLite's 003, translated.
--
-- A key created with --vendor is an agent key: every call made with it is that
-- vendor. NULL means an owner key (no vendor). The CHECK is the vendor-name rule
-- [a-z][a-z0-9_-]{0,31} (store/validation.h). SQLite spells it with GLOB (first
-- character a-z, no character outside a-z 0-9 _ -); here it is the same rule as a
-- regular expression (PostgreSQL's bracket ranges compare code points, and `$` is
-- the end of the string: no trailing newline slips through).
ALTER TABLE api_keys ADD COLUMN vendor TEXT DEFAULT NULL CHECK (
  vendor IS NULL OR (
    length(vendor) BETWEEN 1 AND 32
    AND vendor ~ '^[a-z][a-z0-9_-]*$'
  )
);
