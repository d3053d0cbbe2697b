-- Migration 10: what an LLM provider key is used with (SPEC §1 `llm-key set --model
-- MODEL [--base-url URL]`, issue 17). The canonical llm_keys row has the provider and
-- the encrypted key but not the model to call, nor the address of an
-- OpenAI-compatible server (Azure OpenAI, Ollama, vLLM, LM Studio, llama.cpp, TEI).
-- NULL base_url: the provider's public API.
ALTER TABLE llm_keys ADD COLUMN model TEXT NOT NULL DEFAULT '';
ALTER TABLE llm_keys ADD COLUMN base_url TEXT DEFAULT NULL;
