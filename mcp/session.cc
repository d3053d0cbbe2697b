#include "mcp/session.h"

namespace mcp {

// Implemented in the next commit; this placeholder only lets dependants compile.
struct Session::State {
  const ServerDefinition& server;
  std::any principal;
  OutboundSink sink;
};

MessageInfo ClassifyMessage(std::string_view) { return {}; }

Session::Session(const ServerDefinition& server, std::any principal, OutboundSink sink)
    : state_(new State{server, std::move(principal), std::move(sink)}) {}
Session::~Session() = default;
std::optional<std::string> Session::Handle(std::string_view message) { return Handle(message, {}); }
std::optional<std::string> Session::Handle(std::string_view, const OutboundSink&) { return {}; }
bool Session::initialized() const { return false; }
std::string Session::protocol_version() const { return {}; }
std::string Session::client_name() const { return {}; }
void Session::CancelAll() {}
std::size_t Session::requests_in_flight() const { return 0; }

}  // namespace mcp
