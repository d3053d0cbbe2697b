// What an MCP client hears about a tool call besides its result: the CallHooks
// of the memory service bound to the request (cancellation, warnings), progress
// notifications while it runs, and a log line when it ends (SPEC §5, docs/TOOLS.md).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "mcp/call_context.h"
#include "tools/call_hooks.h"
#include "util/status.h"

namespace rm::tools {

// Hooks that stop the service once the client cancels `ctx`, and send its warnings
// as notifications/message at "warning". They refer to ctx: use them during the call only.
CallHooks HooksOf(const mcp::CallContext& ctx);

// notifications/progress for one tool call, sent only when the request carried
// _meta.progressToken: 0 when it starts, one step per stage the service reports,
// and a last step whose total is the number of steps (only then is it known).
class ToolProgress {
 public:
  explicit ToolProgress(const mcp::CallContext& ctx);  // sends "started"
  void Stage(std::string_view stage);
  void Done(const Status& outcome);

 private:
  const mcp::CallContext& ctx_;
  int steps_ = 0;
};

// The log lines of a finished tool call: at "debug", its tool, outcome ("ok" or
// the error code) and milliseconds; at "error" too when the server failed (an
// internal or I/O error), since the client cannot fix that by changing its input.
void LogToolOutcome(const mcp::CallContext& ctx, std::string_view tool, const Status& outcome,
                    std::chrono::steady_clock::duration elapsed);

}  // namespace rm::tools
