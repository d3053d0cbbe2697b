#include "mcp/call_context.h"

#include <array>
#include <cmath>
#include <cstdint>

#include <boost/json/serialize.hpp>

#include "mcp/json_rpc.h"
#include "mcp/modern_era.h"
#include "mcp/protocol_version.h"

namespace mcp {
namespace {

constexpr std::array<std::string_view, 8> kLevelNames = {
    "debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"};

// Whole numbers as JSON integers ("3", not Boost.JSON's "3E0" for a double).
boost::json::value Number(double d) {
  if (std::trunc(d) == d && std::fabs(d) < 9e15) return static_cast<std::int64_t>(d);
  return d;
}

}  // namespace

std::string_view LogLevelName(LogLevel level) { return kLevelNames[static_cast<size_t>(level)]; }

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
  for (size_t i = 0; i < kLevelNames.size(); ++i) {
    if (kLevelNames[i] == name) return static_cast<LogLevel>(i);
  }
  return std::nullopt;
}

void CallContext::RequireClientCapability(std::string_view capability) const {
  if (params_.client_capabilities.contains(capability)) return;
  throw jsonrpc::Error(modern::kMissingRequiredClientCapability,
                       "Missing required client capability: this request needs '" + std::string(capability) +
                           "', which the client did not declare in its capabilities",
                       boost::json::object{
                           {"requiredCapabilities", boost::json::object{{capability, boost::json::object{}}}}});
}

CallContext::CallContext(Params params) : params_(std::move(params)) {}

CallContext::CallContext(std::any principal, std::string client_name) {
  params_.principal = std::move(principal);
  params_.client_name = std::move(client_name);
  params_.protocol_version = std::string(kLatestProtocolVersion);
}

bool CallContext::cancelled() const {
  return params_.cancelled && params_.cancelled->load(std::memory_order_acquire);
}

void CallContext::progress(double progress, std::optional<double> total,
                           std::string_view message) const {
  if (!params_.progress_token || !params_.sink || cancelled()) return;
  // The spec requires progress to increase with every notification.
  double last = last_progress_.load();
  do {
    if (progress <= last) return;
  } while (!last_progress_.compare_exchange_weak(last, progress));

  boost::json::object body{{"progressToken", *params_.progress_token}, {"progress", Number(progress)}};
  if (total) body["total"] = Number(*total);
  if (!message.empty() && FeaturesOf(params_.protocol_version).progress_message) {
    body["message"] = message;
  }
  params_.sink(boost::json::serialize(
      jsonrpc::MakeNotification("notifications/progress", std::move(body))));
}

rm::Result<boost::json::value> CallContext::request(std::string_view method, boost::json::object params,
                                                    std::chrono::milliseconds timeout) const {
  if (!params_.send_request) {
    return rm::Status::FailedPrecondition("this call has no client to ask (" + std::string(method) + ")");
  }
  return params_.send_request(method, std::move(params), timeout);
}

bool CallContext::logs(LogLevel level) const {
  return params_.sink && params_.min_log_level && level >= params_.min_log_level->load();
}

void CallContext::log(LogLevel level, std::string_view logger, boost::json::value data) const {
  if (!logs(level)) return;
  boost::json::object body{{"level", LogLevelName(level)}, {"data", std::move(data)}};
  if (!logger.empty()) body["logger"] = logger;
  params_.sink(boost::json::serialize(
      jsonrpc::MakeNotification("notifications/message", std::move(body))));
}

}  // namespace mcp
