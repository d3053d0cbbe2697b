// delete_memory, and the confirmation a person gives before a permanent delete.
//
// When the client declared form elicitation, `permanent: true` asks first:
//   - handshake era (2025-06-18 .. 2025-11-25): an elicitation/create request sent
//     through CallContext::request while the call waits for the answer;
//   - modern era (2026-07-28): an input_required result whose requestState is sealed
//     (tools/request_state.h); the client retries with inputResponses.confirm and the
//     state, which is checked (sealed, bound, unexpired, unused) before anything is done.
// Accept with confirm=true deletes; decline, cancel or confirm=false deletes nothing
// and says so in a normal result ("confirmation"). Without elicitation, and for a soft
// delete, nothing is asked. docs/PROTOCOL.md "Confirmations" has the whole flow.
#pragma once

#include <boost/json/object.hpp>

#include "mcp/call_context.h"
#include "mcp/tool.h"
#include "tools/memory_service.h"

namespace rm::tools {

mcp::ToolResult DeleteMemoryTool(MemoryService& service, const boost::json::object& args, mcp::CallContext& ctx);

}  // namespace rm::tools
