-- Migration 3: the vendor an agent key is bound to (SPEC §2).
--
-- A key created with --vendor is an agent key: every call made with it is that
-- vendor. The canonical api_keys table has no place for it, so it is added here.
-- NULL means an owner key (no vendor). The CHECK mirrors the vendor-name rule
-- [a-z][a-z0-9_-]{0,31} (store/validation.h) so no other writer can store a bad name.
ALTER TABLE api_keys ADD COLUMN vendor TEXT DEFAULT NULL CHECK (
  vendor IS NULL OR (
    length(vendor) BETWEEN 1 AND 32
    AND vendor GLOB '[a-z]*'
    AND vendor NOT GLOB '*[^a-z0-9_-]*'
  )
);
