#include "mcp/prompt.h"

#include <stdexcept>

#include <boost/json/object.hpp>

namespace mcp {

PromptMessage PromptMessage::Text(std::string role, std::string_view text) {
  return {std::move(role), boost::json::object{{"type", "text"}, {"text", text}}};
}

PromptResult PromptResult::NeedsInput(boost::json::object input_requests, std::string request_state) {
  PromptResult result;
  result.input_required = InputRequired{std::move(input_requests), std::move(request_state)};
  return result;
}

void PromptRegistry::Add(Prompt prompt) {
  if (prompt.name.empty()) throw std::invalid_argument("prompt name is empty");
  if (Find(prompt.name)) {
    throw std::invalid_argument("prompt '" + prompt.name + "' is registered twice");
  }
  if (!prompt.get) throw std::invalid_argument("prompt '" + prompt.name + "' has no get handler");
  prompts_.push_back(std::move(prompt));
}

const Prompt* PromptRegistry::Find(std::string_view name) const {
  for (const auto& prompt : prompts_) {
    if (prompt.name == name) return &prompt;
  }
  return nullptr;
}

}  // namespace mcp
