#include "tools/call_feedback.h"

#include <string>

namespace rm::tools {

CallHooks HooksOf(const mcp::CallContext& ctx) {
  CallHooks hooks;
  hooks.should_stop = [&ctx] { return ctx.cancelled(); };
  return hooks;
}

ToolProgress::ToolProgress(const mcp::CallContext& ctx) : ctx_(ctx) { ctx_.progress(0, std::nullopt, "started"); }

void ToolProgress::Stage(std::string_view stage) { ctx_.progress(++steps_, std::nullopt, stage); }

void ToolProgress::Done(const Status& outcome) {
  ++steps_;
  ctx_.progress(steps_, steps_, outcome.ok() ? "done" : std::string("failed: ") + outcome.code_name());
}

}  // namespace rm::tools
