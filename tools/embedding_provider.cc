#include "tools/embedding_provider.h"

#include <boost/json.hpp>

#include "tools/provider_client.h"
#include "tools/provider_keys.h"

namespace rm::tools {
namespace json = boost::json;
namespace {

// The provider's answers hold up to 64 vectors of a few thousand numbers: 64 × 3072
// dimensions written as text is about 4 MB.
constexpr std::size_t kMaxResponseBytes = 16 << 20;
constexpr std::size_t kMaxDimensions = 16384;

Status BadAnswer(const std::string& what) {
  return Status::Internal("the embeddings provider's answer is not an OpenAI embeddings response: " + what);
}

Result<std::vector<float>> VectorOf(const json::value& embedding) {
  const json::array* values = embedding.if_array();
  if (!values || values->empty()) return BadAnswer("an embedding is not a non-empty array");
  if (values->size() > kMaxDimensions) return BadAnswer("an embedding has more than 16384 dimensions");
  std::vector<float> vector;
  vector.reserve(values->size());
  for (const json::value& v : *values) {
    if (v.is_double()) {
      vector.push_back(static_cast<float>(v.get_double()));
    } else if (v.is_int64()) {
      vector.push_back(static_cast<float>(v.get_int64()));
    } else if (v.is_uint64()) {
      vector.push_back(static_cast<float>(v.get_uint64()));
    } else {
      return BadAnswer("an embedding holds a value that is not a number");
    }
  }
  return vector;
}

}  // namespace

Result<EmbeddingEndpoint> EmbeddingEndpointOf(const LlmKeyCipher& cipher, const store::LlmKeyRow& row) {
  if (!row.embedding_model) {
    return Status::FailedPrecondition("LLM key " + row.id + " has no embeddings model (llm-key set --embedding-model)");
  }
  Result<std::string> key = OpenProviderKey(cipher, row);
  if (!key.ok()) return Status::FailedPrecondition("LLM key " + row.id + " is not usable: " + key.status().message());
  return EmbeddingEndpoint{ProviderUrl(row.base_url.value_or(""), "/embeddings"), std::move(*key),
                           *row.embedding_model};
}

Result<std::vector<std::vector<float>>> Embed(const EmbeddingEndpoint& endpoint, const std::vector<std::string>& inputs,
                                              std::chrono::milliseconds timeout) {
  if (inputs.empty() || inputs.size() > kMaxEmbeddingBatch) {
    return Status::InvalidArgument("an embeddings request holds 1 to 64 inputs");
  }
  json::array input;
  for (const std::string& text : inputs) input.emplace_back(text);
  const json::object body{{"model", endpoint.model}, {"input", std::move(input)}, {"encoding_format", "float"}};
  Result<std::string> answer =
      PostJson({endpoint.url, endpoint.key, json::serialize(body), timeout, kMaxResponseBytes});
  if (!answer.ok()) return answer.status();  // never holds the key (PostJson blanks it out)

  boost::system::error_code ec;
  json::value response = json::parse(*answer, ec);
  if (ec || !response.is_object()) return BadAnswer("not a JSON object");
  const json::value* data = response.as_object().if_contains("data");
  if (!data || !data->is_array()) return BadAnswer("no \"data\" array");
  if (data->as_array().size() != inputs.size()) {
    return BadAnswer(std::to_string(data->as_array().size()) + " embeddings for " + std::to_string(inputs.size()) +
                     " inputs");
  }
  std::vector<std::vector<float>> vectors(inputs.size());
  std::size_t position = 0;
  for (const json::value& item : data->as_array()) {
    const json::object* o = item.if_object();
    if (!o) return BadAnswer("a \"data\" item is not an object");
    // "index" says which input an embedding is for; without it, the order of "data".
    std::size_t index = position++;
    if (const json::value* i = o->if_contains("index")) {
      if (!i->is_int64() || i->get_int64() < 0 || static_cast<std::size_t>(i->get_int64()) >= inputs.size()) {
        return BadAnswer("an \"index\" out of range");
      }
      index = static_cast<std::size_t>(i->get_int64());
    }
    if (!vectors[index].empty()) return BadAnswer("two embeddings for input " + std::to_string(index));
    const json::value* embedding = o->if_contains("embedding");
    if (!embedding) return BadAnswer("a \"data\" item has no \"embedding\"");
    Result<std::vector<float>> vector = VectorOf(*embedding);
    if (!vector.ok()) return vector.status();
    if (!vectors.front().empty() && vector->size() != vectors.front().size()) {
      return BadAnswer("embeddings of different dimensions in one answer");
    }
    vectors[index] = std::move(*vector);
  }
  const std::size_t dims = vectors.front().size();
  for (const auto& v : vectors) {
    if (v.size() != dims) return BadAnswer("embeddings of different dimensions in one answer");
  }
  return vectors;
}

}  // namespace rm::tools
