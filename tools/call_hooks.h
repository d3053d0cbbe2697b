// CallHooks: how the memory service, which knows nothing about MCP, learns that
// the client gave up on a call and tells the client how the call is going.
//
// tools/tool_support.cc binds them to the MCP request (mcp::CallContext):
// cancellation, notifications/progress and notifications/message. Empty hooks
// are a call nobody watches (the CLI, benchmarks, tests of the service itself).
#pragma once

#include <functional>
#include <string_view>

namespace rm::tools {

struct CallHooks {
  // True once the client cancelled the call. Asked before any work starts (a
  // cancelled call writes nothing and is not metered) and, during a read, by
  // SQLite itself (store::Database::Read). A write that has begun runs to its end:
  // it shares its transaction with other callers' writes.
  std::function<bool()> should_stop;
  // The call reached a stage worth reporting, e.g. "searching: every word must match".
  std::function<void(std::string_view stage)> on_stage;
  // Something the user should hear though the call succeeded, e.g. a quota nearly used up.
  std::function<void(std::string_view warning)> on_warning;

  bool StopRequested() const { return should_stop && should_stop(); }
  void Stage(std::string_view stage) const {
    if (on_stage) on_stage(stage);
  }
  void Warn(std::string_view warning) const {
    if (on_warning) on_warning(warning);
  }
};

}  // namespace rm::tools
