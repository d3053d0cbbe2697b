// prompts/list and prompts/get.
#include <stdexcept>

#include "mcp/json_rpc.h"
#include "mcp/methods.h"
#include "mcp/pagination.h"
#include "mcp/params.h"

namespace mcp::methods {
namespace {

namespace json = boost::json;

const PromptRegistry& Prompts(const Request& request) {
  // Without prompts the capability is not declared: the methods do not exist.
  if (request.server.prompts.empty()) {
    throw jsonrpc::Error(jsonrpc::kMethodNotFound, "this server has no prompts");
  }
  return request.server.prompts;
}

json::object DescribePrompt(const Prompt& prompt, const RevisionFeatures& features) {
  json::object out{{"name", prompt.name}};
  if (features.titles && !prompt.title.empty()) out["title"] = prompt.title;
  if (!prompt.description.empty()) out["description"] = prompt.description;
  json::array arguments;
  for (const PromptArgument& a : prompt.arguments) {
    json::object arg{{"name", a.name}, {"required", a.required}};
    if (features.titles && !a.title.empty()) arg["title"] = a.title;
    if (!a.description.empty()) arg["description"] = a.description;
    arguments.push_back(std::move(arg));
  }
  out["arguments"] = std::move(arguments);
  return out;
}

// params.arguments as name → value; every value must be a string.
PromptArguments ReadArguments(const json::object* arguments) {
  PromptArguments out;
  if (!arguments) return out;
  for (const auto& [name, value] : *arguments) {
    if (!value.is_string()) {
      throw jsonrpc::Error(jsonrpc::kInvalidParams,
                           "params.arguments." + std::string(name) + " must be a string");
    }
    out.emplace(name, value.get_string());
  }
  return out;
}

}  // namespace

json::value ListPrompts(const Request& request) {
  return ListPage("prompts", Prompts(request).All(), request.server.page_size,
                  params::OptionalString(request.params, "cursor"),
                  [&](const Prompt& prompt) { return DescribePrompt(prompt, request.features); });
}

json::value GetPrompt(const Request& request) {
  const std::string name = params::RequiredString(request.params, "name");
  const Prompt* prompt = Prompts(request).Find(name);
  if (!prompt) throw jsonrpc::Error(jsonrpc::kInvalidParams, "unknown prompt '" + name + "'");

  const PromptArguments arguments =
      ReadArguments(params::OptionalObject(request.params, "arguments"));
  for (const PromptArgument& declared : prompt->arguments) {
    if (declared.required && !arguments.count(declared.name)) {
      throw jsonrpc::Error(jsonrpc::kInvalidParams, "prompt '" + name +
                                                        "' needs the argument '" + declared.name + "'");
    }
  }
  auto filled = prompt->get(arguments, request.ctx);
  if (!filled.ok()) params::ThrowStatus(filled.status(), jsonrpc::kInvalidParams);
  if (filled->input_required) {
    if (auto problem = InputRequiredProblem(*filled->input_required, request.ctx)) {
      // A handler's bug, never the client's: answered as for a handler that threw.
      throw std::logic_error("prompt '" + name + "': " + *problem);
    }
    return ToInputRequiredResult(*filled->input_required);
  }

  json::array messages;
  for (const PromptMessage& m : filled->messages) {
    messages.push_back(json::object{{"role", m.role}, {"content", m.content}});
  }
  json::object result{{"messages", std::move(messages)}};
  if (!filled->description.empty()) result["description"] = filled->description;
  return result;
}

}  // namespace mcp::methods
