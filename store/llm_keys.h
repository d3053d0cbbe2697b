// LLM provider keys (canonical table llm_keys, migration 10): one per (user or org,
// provider), the key sealed by util/llm_key_cipher.h — this file stores and reads
// the sealed bytes and never sees a key in clear.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/connection.h"
#include "util/status.h"

namespace rm::store {

struct LlmKeyRow {
  std::string id;
  std::optional<std::string> org_id;   // exactly one of org_id and user_id
  std::optional<std::string> user_id;
  std::string provider;
  std::string model;
  std::optional<std::string> base_url;
  // The embeddings model (migration 13); nullopt: semantic search is off for this tenant.
  std::optional<std::string> embedding_model;
  std::string key_encrypted;  // ciphertext || tag
  std::string key_nonce;
  std::string key_last4;
  std::optional<std::string> created_by_user_id;
  std::string created_at;
  std::string updated_at;

  const std::string& tenant_id() const { return org_id ? *org_id : *user_id; }
};

// Stores `row` as the key of its tenant for its provider, replacing the one there
// (which keeps its id and created_at). Returns the row as stored.
Result<LlmKeyRow> PutLlmKey(Connection& conn, LlmKeyRow row);

// Every stored key, oldest first.
Result<std::vector<LlmKeyRow>> ListLlmKeys(Connection& conn);

// The key a user's features use for `provider` (nullopt: any provider, the oldest):
// the user's own, else their org's. nullopt if neither has one.
Result<std::optional<LlmKeyRow>> FindLlmKey(Connection& conn, std::string_view user_id,
                                            const std::optional<std::string>& org_id,
                                            const std::optional<std::string>& provider = std::nullopt);

// The key a user's semantic search uses: the user's own key with an embeddings
// model, else their org's. nullopt: semantic search is off for the user.
Result<std::optional<LlmKeyRow>> FindEmbeddingKey(Connection& conn, std::string_view user_id,
                                                  const std::optional<std::string>& org_id);

// Removes key `id`; NotFound if there is none.
Status RemoveLlmKey(Connection& conn, std::string_view id);

}  // namespace rm::store
