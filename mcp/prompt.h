// Prompts: templates a user picks in the client, filled in by a handler.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "mcp/call_context.h"
#include "mcp/completion.h"
#include "mcp/input_required.h"
#include "util/status.h"

namespace mcp {

struct PromptArgument {
  std::string name;
  std::string title;  // sent from 2025-06-18 on
  std::string description;
  bool required = false;
};

struct PromptMessage {
  std::string role;            // "user" or "assistant"
  boost::json::value content;  // a content block: {"type":"text","text":...}, ...

  // The usual case: a text block.
  static PromptMessage Text(std::string role, std::string_view text);
};

struct PromptResult {
  std::string description;  // optional
  std::vector<PromptMessage> messages;
  // Set: the prompt asks the client for input before it can be filled in
  // (mcp/input_required.h); description and messages are then unused.
  std::optional<InputRequired> input_required = std::nullopt;

  // A result asking the client for input (modern requests only; see InputRequired).
  static PromptResult NeedsInput(boost::json::object input_requests, std::string request_state);
};

using PromptArguments = std::map<std::string, std::string>;

struct Prompt {
  std::string name;
  std::string title;
  std::string description;
  std::vector<PromptArgument> arguments;
  // Fills the prompt in. Required arguments are checked before it runs.
  // InvalidArgument and NotFound → -32602 (the spec's code for bad prompt input);
  // anything else → -32603.
  std::function<rm::Result<PromptResult>(const PromptArguments& args, CallContext& ctx)> get;
  // Optional: suggestions for `argument` starting with `value`; `context` holds the
  // other arguments already chosen.
  std::function<Completion(const std::string& argument, const std::string& value,
                           const PromptArguments& context, CallContext& ctx)>
      complete;
};

// The server's prompts in registration order. Filled at start-up, then only read.
class PromptRegistry {
 public:
  // Throws std::invalid_argument for an empty or duplicate name or a missing `get`.
  void Add(Prompt prompt);
  const Prompt* Find(std::string_view name) const;
  const std::vector<Prompt>& All() const { return prompts_; }
  bool empty() const { return prompts_.empty(); }

 private:
  std::vector<Prompt> prompts_;
};

}  // namespace mcp
