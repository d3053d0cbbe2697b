// input_required results, shared by tools/call and prompts/get (mcp/input_required.h).
#include <string>

#include "mcp/methods.h"

namespace mcp::methods {

namespace json = boost::json;

std::optional<std::string> InputRequiredProblem(const InputRequired& input, const CallContext& ctx) {
  if (!ctx.modern()) return "input_required is only allowed in protocol revision 2026-07-28 and later";
  if (input.input_requests.empty() && input.request_state.empty()) {
    return "input_required needs inputRequests or requestState";
  }
  for (const auto& entry : input.input_requests) {
    const json::object* request = entry.value().if_object();
    const json::value* method = request ? request->if_contains("method") : nullptr;
    if (method == nullptr || !method->is_string()) return "inputRequests." + std::string(entry.key()) + " has no method";
    std::string_view capability;
    if (*method == "elicitation/create") capability = "elicitation";
    else if (*method == "sampling/createMessage") capability = "sampling";
    else if (*method == "roots/list") capability = "roots";
    else return "inputRequests." + std::string(entry.key()) + ": a client cannot be asked " + std::string(method->get_string());
    if (!ctx.client_capabilities().contains(capability)) {
      return "inputRequests." + std::string(entry.key()) + ": the client did not declare '" + std::string(capability) + "'";
    }
  }
  return std::nullopt;
}

// No content, structuredContent, isError or messages: nothing a client validates against
// an outputSchema, nothing it could mistake for the finished result.
json::object ToInputRequiredResult(const InputRequired& input) {
  json::object out{{"resultType", "input_required"}};
  if (!input.input_requests.empty()) out["inputRequests"] = input.input_requests;
  if (!input.request_state.empty()) out["requestState"] = input.request_state;
  return out;
}

}  // namespace mcp::methods
