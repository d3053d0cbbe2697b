// completion/complete: suggestions for a prompt argument or a resource template variable.
#include <algorithm>

#include "mcp/json_rpc.h"
#include "mcp/methods.h"
#include "mcp/params.h"

namespace mcp::methods {
namespace {

namespace json = boost::json;

// The spec caps one completion answer at 100 values.
constexpr std::size_t kMaxCompletionValues = 100;

PromptArguments ContextArguments(const json::object& params) {
  PromptArguments out;
  const json::object* context = params::OptionalObject(params, "context");
  if (!context) return out;
  const json::object* arguments = params::OptionalObject(*context, "arguments", "params.context");
  if (!arguments) return out;
  for (const auto& [name, value] : *arguments) {
    if (value.is_string()) out.emplace(name, value.get_string());
  }
  return out;
}

Completion CompletePrompt(const Request& request, const json::object& ref,
                          const std::string& argument, const std::string& value,
                          const PromptArguments& context) {
  const std::string name = params::RequiredString(ref, "name", "params.ref");
  const Prompt* prompt = request.server.prompts.Find(name);
  if (!prompt) throw jsonrpc::Error(jsonrpc::kInvalidParams, "unknown prompt '" + name + "'");
  const bool declared = std::any_of(prompt->arguments.begin(), prompt->arguments.end(),
                                    [&](const PromptArgument& a) { return a.name == argument; });
  if (!declared) {
    throw jsonrpc::Error(jsonrpc::kInvalidParams,
                         "prompt '" + name + "' has no argument '" + argument + "'");
  }
  if (!prompt->complete) return {};
  return prompt->complete(argument, value, context, request.ctx);
}

Completion CompleteTemplate(const Request& request, const json::object& ref,
                            const std::string& argument, const std::string& value,
                            const PromptArguments& context) {
  const std::string uri = params::RequiredString(ref, "uri", "params.ref");
  if (!request.server.resources) {
    throw jsonrpc::Error(jsonrpc::kInvalidParams, "this server has no resource templates");
  }
  const auto templates = request.server.resources->Templates();
  const bool known = std::any_of(templates.begin(), templates.end(),
                                 [&](const ResourceTemplate& t) { return t.uri_template == uri; });
  if (!known) throw jsonrpc::Error(jsonrpc::kInvalidParams, "unknown resource template '" + uri + "'");
  return request.server.resources->Complete(uri, argument, value, context, request.ctx);
}

}  // namespace

json::value Complete(const Request& request) {
  if (request.server.prompts.empty() && !request.server.resources) {
    throw jsonrpc::Error(jsonrpc::kMethodNotFound, "this server has nothing to complete");
  }
  const json::object* ref = params::OptionalObject(request.params, "ref");
  const json::object* argument = params::OptionalObject(request.params, "argument");
  if (!ref) throw jsonrpc::Error(jsonrpc::kInvalidParams, "params.ref is required");
  if (!argument) throw jsonrpc::Error(jsonrpc::kInvalidParams, "params.argument is required");
  const std::string type = params::RequiredString(*ref, "type", "params.ref");
  const std::string argument_name = params::RequiredString(*argument, "name", "params.argument");
  const std::string value = params::RequiredString(*argument, "value", "params.argument");
  const PromptArguments context = ContextArguments(request.params);

  Completion completion;
  if (type == "ref/prompt") {
    completion = CompletePrompt(request, *ref, argument_name, value, context);
  } else if (type == "ref/resource") {
    completion = CompleteTemplate(request, *ref, argument_name, value, context);
  } else {
    throw jsonrpc::Error(jsonrpc::kInvalidParams,
                         "params.ref.type must be \"ref/prompt\" or \"ref/resource\"");
  }

  json::array values;
  for (std::size_t i = 0; i < completion.values.size() && i < kMaxCompletionValues; ++i) {
    values.push_back(json::string(completion.values[i]));
  }
  const bool truncated = completion.values.size() > kMaxCompletionValues;
  json::object out{{"values", std::move(values)}, {"hasMore", completion.has_more || truncated}};
  if (completion.total) {
    out["total"] = *completion.total;
  } else if (truncated) {
    out["total"] = completion.values.size();
  }
  return json::object{{"completion", std::move(out)}};
}

}  // namespace mcp::methods
