// Calls to an LLM provider's OpenAI-compatible HTTP API (OpenAI, Azure OpenAI,
// Ollama, vLLM, LM Studio, llama.cpp's server, TEI all speak it), for features a
// user turns on with `reflect-memory llm-key set`: topic names now, embeddings later.
// Every call is bounded — one deadline for resolve, connect, TLS, request and
// response, and a cap on the response size — and fails with a Status, never hangs.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "util/status.h"

namespace rm::tools {

struct ProviderRequest {
  std::string url;           // http:// or https:// (TLS verified against the system's CAs)
  std::string bearer_token;  // the provider key; sent only in the Authorization header
  std::string json_body;
  std::chrono::milliseconds timeout{5000};
  std::size_t max_response_bytes = 1 << 20;
};

// The body of a 2xx response. IoError for a network failure or timeout,
// FailedPrecondition for another status (with the first 200 bytes of its body).
Result<std::string> PostJson(const ProviderRequest& request);

// A GET of a document from a URL someone else named (an OAuth client's metadata document):
// bounded like PostJson, and connected only to addresses `address_allowed` accepts (given the
// resolved IP as text) — the check is on the address actually dialled, so a name that
// resolves to an internal address cannot reach inside. PermissionDenied if none is allowed.
struct DocumentRequest {
  std::string url;
  std::string accept = "application/json";
  std::chrono::milliseconds timeout{5000};
  std::size_t max_response_bytes = 64 * 1024;
  std::function<bool(const std::string& ip)> address_allowed;
};
Result<std::string> GetDocument(const DocumentRequest& request);

}  // namespace rm::tools
