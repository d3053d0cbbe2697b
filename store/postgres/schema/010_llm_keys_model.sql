-- Migration 10: what an LLM provider key is used with (SPEC §1 `llm-key set --model
-- MODEL [--base-url URL]`, issue 17). SQLite's 010, the same SQL.
-- NULL base_url: the provider's public API.
ALTER TABLE llm_keys ADD COLUMN model TEXT NOT NULL DEFAULT '';
ALTER TABLE llm_keys ADD COLUMN base_url TEXT DEFAULT NULL;
