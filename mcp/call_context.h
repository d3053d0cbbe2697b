// CallContext: what a tool, resource or prompt handler may know about the call
// it is serving, and how it talks back to the client while it runs.
//
// The Session builds one per request. Handlers get it by reference and must not
// keep it after they return. Tests (and code that runs a handler directly) can
// build a detached one: CallContext(principal, "client-name").
#pragma once

#include <any>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "util/status.h"

namespace mcp {

// RFC 5424 severities, as MCP's logging/setLevel names them; ordered least to most severe.
enum class LogLevel { kDebug, kInfo, kNotice, kWarning, kError, kCritical, kAlert, kEmergency };

// "debug", "info", ..., "emergency".
std::string_view LogLevelName(LogLevel level);
// The level named `name`, or nothing if it is not one of the eight names.
std::optional<LogLevel> ParseLogLevel(std::string_view name);

// Sends one serialized JSON-RPC message to the client. Provided by the transport;
// must be safe to call from several threads at once.
using OutboundSink = std::function<void(std::string message)>;

class CallContext {
 public:
  // Everything a Session knows about the request; defaults describe a detached call.
  struct Params {
    std::any principal;
    std::string client_name;
    std::string protocol_version;
    // What the client declared it supports (initialize's, or a modern request's _meta).
    boost::json::object client_capabilities;
    // Set by notifications/cancelled for this request (null: never cancelled).
    std::shared_ptr<const std::atomic<bool>> cancelled;
    // The request's _meta.progressToken, when it sent one.
    std::optional<boost::json::value> progress_token;
    // Where progress and log notifications go (empty: dropped).
    OutboundSink sink;
    // The session's current minimum log level (null: nothing is logged).
    std::shared_ptr<const std::atomic<LogLevel>> min_log_level;
    // Sends a request to the client and waits for its result (empty: the client cannot be asked).
    std::function<rm::Result<boost::json::value>(std::string_view method, boost::json::object params,
                                                 std::chrono::milliseconds timeout)>
        send_request;
    // A modern retry of a multi-round-trip request (SEP-2322): params.inputResponses
    // (key -> the client's result for that key's input request) and params.requestState,
    // byte for byte. Empty / nullopt when the request carried none.
    boost::json::object input_responses;
    std::optional<std::string> request_state;
  };

  explicit CallContext(Params params);
  // A detached context: no client to notify, never cancelled. For tests and direct calls.
  explicit CallContext(std::any principal = {}, std::string client_name = {});

  // Who is calling, as the transport's authenticator resolved it; opaque to mcp/.
  const std::any& principal() const { return params_.principal; }
  // initialize.params.clientInfo.name ("claude-code", "openai-mcp", ...). Never a security input.
  const std::string& client_name() const { return params_.client_name; }
  // The negotiated protocol revision ("2025-11-25"), or the one a modern request carries ("2026-07-28").
  const std::string& protocol_version() const { return params_.protocol_version; }
  // The capabilities the client declared, e.g. {"elicitation":{}}.
  const boost::json::object& client_capabilities() const { return params_.client_capabilities; }
  // Unless the client declared `capability` ("sampling", "elicitation", "roots", ...),
  // throws jsonrpc::Error -32021 MissingRequiredClientCapability with
  // data.requiredCapabilities {capability:{}} (over HTTP: 400). For a handler that
  // cannot work without it; the capability is never inferred from earlier requests.
  // (A jsonrpc::Error a handler throws is the request's JSON-RPC error, in tools/call
  // too; the handshake era gets the same code, since no other says it.)
  void RequireClientCapability(std::string_view capability) const;
  // True for a modern (2026-07-28 and later) request: the server cannot send the client
  // requests; it asks through an input_required result instead.
  bool modern() const { return params_.protocol_version >= "2026-07-28"; }

  // What a modern retry answered to an input_required result (mcp::InputRequired):
  // params.inputResponses (empty when absent) and params.requestState (nullopt when
  // absent). Both come from the client: a handler must verify the state before it
  // trusts either. Always empty in the handshake era.
  const boost::json::object& input_responses() const { return params_.input_responses; }
  const std::optional<std::string>& request_state() const { return params_.request_state; }

  // True once the client cancelled this request. Long handlers should poll it and stop early;
  // whatever they return after a cancellation is not sent.
  bool cancelled() const;

  // Sends notifications/progress if the request asked for progress; otherwise does nothing.
  // `progress` must increase from call to call (the spec requires it); a call that does not
  // increase it is dropped.
  void progress(double progress, std::optional<double> total = std::nullopt,
                std::string_view message = {}) const;

  // Sends notifications/message if `level` is at or above the level the client set.
  void log(LogLevel level, std::string_view logger, boost::json::value data) const;
  // True if log(level, ...) would send something: lets a handler skip building a
  // message nobody receives.
  bool logs(LogLevel level) const;

  // Asks the client something while this request runs — "sampling/createMessage",
  // "elicitation/create", "roots/list" — and waits up to `timeout` for the result object.
  // Fails without asking when the client did not declare the matching capability or the
  // transport cannot reach it; fails when the client answers with an error, does not answer
  // in time, or this request is cancelled meanwhile.
  rm::Result<boost::json::value> request(std::string_view method, boost::json::object params,
                                         std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;

 private:
  Params params_;
  mutable std::atomic<double> last_progress_{-1e300};
};

}  // namespace mcp
