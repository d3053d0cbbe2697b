#include "tools/call_feedback.h"

#include <cstdio>

#include <boost/json/object.hpp>

namespace rm::tools {
namespace json = boost::json;

namespace {
constexpr std::string_view kToolsLogger = "tools";
constexpr std::string_view kQuotaLogger = "quota";

bool IsServerFailure(const Status& status) {
  return status.code() == Status::Code::kInternal || status.code() == Status::Code::kIoError ||
         status.code() == Status::Code::kUnavailable;
}
}  // namespace

CallHooks HooksOf(const mcp::CallContext& ctx) {
  CallHooks hooks;
  hooks.should_stop = [&ctx] { return ctx.cancelled(); };
  hooks.on_warning = [&ctx](std::string_view warning) {
    ctx.log(mcp::LogLevel::kWarning, kQuotaLogger, json::object{{"message", warning}});
  };
  return hooks;
}

ToolProgress::ToolProgress(const mcp::CallContext& ctx) : ctx_(ctx) { ctx_.progress(0, std::nullopt, "started"); }

void ToolProgress::Stage(std::string_view stage) { ctx_.progress(++steps_, std::nullopt, stage); }

void ToolProgress::Done(const Status& outcome) {
  ++steps_;
  ctx_.progress(steps_, steps_, outcome.ok() ? "done" : std::string("failed: ") + outcome.code_name());
}

void LogToolOutcome(const mcp::CallContext& ctx, std::string_view tool, const Status& outcome,
                    std::chrono::steady_clock::duration elapsed) {
  if (ctx.logs(mcp::LogLevel::kDebug)) {
    const double ms = std::chrono::duration<double, std::milli>(elapsed).count();
    const std::string result = outcome.ok() ? "ok" : outcome.code_name();
    char line[64];
    std::snprintf(line, sizeof line, " in %.1f ms", ms);
    ctx.log(mcp::LogLevel::kDebug, kToolsLogger,
            json::object{{"message", std::string(tool) + ": " + result + line},
                         {"tool", tool},
                         {"outcome", result},
                         {"ms", ms}});
  }
  if (IsServerFailure(outcome)) {
    ctx.log(mcp::LogLevel::kError, kToolsLogger,
            json::object{{"message", std::string(tool) + " failed: " + outcome.ToString()}, {"tool", tool}});
  }
}

}  // namespace rm::tools
