// A stored LLM key (store/llm_keys.h) made usable by a background feature: opened
// with the master key's cipher, and the URL of an endpoint of its OpenAI-compatible
// API. One place for both, shared by topic names and semantic search.
#pragma once

#include <string>
#include <string_view>

#include "store/llm_keys.h"
#include "util/llm_key_cipher.h"
#include "util/status.h"

namespace rm::tools {

// The key in clear (never log it). FailedPrecondition when it does not open:
// another master key, or a row changed or copied to another tenant.
Result<std::string> OpenProviderKey(const LlmKeyCipher& cipher, const store::LlmKeyRow& row);

// `path` ("/embeddings") under a key's base URL; no base URL: OpenAI's API.
std::string ProviderUrl(const std::string& base_url, std::string_view path);

}  // namespace rm::tools
