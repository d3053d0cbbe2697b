// A multi-round-trip result (SEP-2322, protocol 2026-07-28): a handler needs answers
// from the client before it can finish. tools/call (ToolResult::NeedsInput) and
// prompts/get (PromptResult::NeedsInput) may answer with one; it is sent as
// {"resultType":"input_required","inputRequests":..,"requestState":..} instead of the
// method's own result. The client sends the same request again with params.inputResponses
// (same keys) and params.requestState echoed (CallContext::input_responses /
// request_state).
//
// Only a modern request may get one, and only input requests for capabilities the
// client declared in it; the method turns anything else into an internal error (the
// handler's bug, never the client's).
#pragma once

#include <string>

#include <boost/json/object.hpp>

namespace mcp {

struct InputRequired {
  // key -> {"method":"elicitation/create"|"sampling/createMessage"|"roots/list","params":{..}}
  boost::json::object input_requests;
  // Opaque to the client; empty: none. The client holds it, so a handler that trusts it
  // must seal it (util/sealed_box.h) and bind it to the caller and the request.
  std::string request_state;
};

}  // namespace mcp
