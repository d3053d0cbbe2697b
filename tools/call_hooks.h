// CallHooks: how the memory service, which knows nothing about MCP, tells the
// client how a call is going.
//
// tools/tool_support.cc binds them to the MCP request (mcp::CallContext):
// notifications/progress. Empty hooks are a call nobody watches (the CLI,
// benchmarks, tests of the service itself).
#pragma once

#include <functional>
#include <string_view>

namespace rm::tools {

struct CallHooks {
  // The call reached a stage worth reporting, e.g. "searching: every word must match".
  std::function<void(std::string_view stage)> on_stage;

  void Stage(std::string_view stage) const {
    if (on_stage) on_stage(stage);
  }
};

}  // namespace rm::tools
