// An OpenAI-compatible embeddings client (POST {base_url}/embeddings — OpenAI, Azure
// OpenAI, Ollama, vLLM, LM Studio, llama.cpp's server and TEI all speak it), over
// the bounded HTTP of tools/provider_client.h. Used for memories in the background
// (tools/embedding_worker.h) and for a query on the search path
// (tools/query_embedder.h). What it sends is the texts; the key goes only in the
// Authorization header and never into a log or an error.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "store/llm_keys.h"
#include "util/llm_key_cipher.h"
#include "util/status.h"

namespace rm::tools {

struct EmbeddingEndpoint {
  std::string url;    // .../embeddings
  std::string key;    // the provider key, in clear (never logged)
  std::string model;  // the embeddings model
};

// At most this many inputs per request (OpenAI accepts 2048; local servers less).
inline constexpr std::size_t kMaxEmbeddingBatch = 64;

// The endpoint of a stored key that has an embeddings model, its key opened with
// `cipher`. FailedPrecondition when the key has no embeddings model or does not open.
Result<EmbeddingEndpoint> EmbeddingEndpointOf(const LlmKeyCipher& cipher, const store::LlmKeyRow& row);

// One vector per input, in the inputs' order, all of one dimension. Errors: IoError
// (network, timeout), FailedPrecondition (the provider refused: HTTP status and the
// start of its answer), InvalidArgument (more than kMaxEmbeddingBatch inputs, or
// none), Internal (an answer that is not what the API promises: count, indexes,
// dimensions, numbers).
Result<std::vector<std::vector<float>>> Embed(const EmbeddingEndpoint& endpoint, const std::vector<std::string>& inputs,
                                              std::chrono::milliseconds timeout);

}  // namespace rm::tools
