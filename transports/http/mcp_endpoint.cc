#include "transports/http/mcp_endpoint.h"

#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include "mcp/json_rpc.h"
#include "mcp/protocol_version.h"
#include "transports/http/replies.h"

namespace transports::http {
namespace {

namespace json = boost::json;

bool ContainsNoCase(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    bool match = true;
    for (std::size_t j = 0; j < needle.size() && match; ++j) {
      match = std::tolower(static_cast<unsigned char>(haystack[i + j])) == needle[j];
    }
    if (match) return true;
  }
  return false;
}

// Clients MUST list both types; we are lenient with clients that accept anything.
bool AcceptsJson(std::string_view accept) {
  return accept.empty() || ContainsNoCase(accept, "application/json") || ContainsNoCase(accept, "*/*") ||
         ContainsNoCase(accept, "application/*");
}
bool AcceptsEventStream(std::string_view accept) { return ContainsNoCase(accept, "text/event-stream"); }

// "2025-11-25, 2025-06-18, ..." for error messages.
// initialize refused for lack of room (SessionRegistry::Create).
Reply SessionRefused(SessionRegistry::Refused why, const Credential& caller) {
  if (why == SessionRegistry::Refused::kFull) {
    Reply reply = ErrorReply(503, kTransportError, "Service Unavailable: too many open sessions; retry later");
    reply.headers.emplace_back("Retry-After", "60");
    return reply;
  }
  // Only this key (or its user) is refused, and only while all of its sessions are busy.
  const bool key = why == SessionRegistry::Refused::kKeyAtCap;
  Reply reply = ErrorReply(
      429, kTransportError,
      std::string("Too many open sessions for this ") + (key ? "API key" : "user") +
          ", and every one is running a request; end sessions you no longer use (DELETE /mcp) or retry "
          "when a request finishes");
  reply.headers.emplace_back("Retry-After", "1");
  spdlog::warn("http: refused a new session for key {}: its {} is at its session cap with every session busy",
               caller.id, key ? "key" : "user");
  return reply;
}

std::string SupportedVersionsText() {
  std::string text;
  for (const std::string& version : mcp::SupportedProtocolVersions()) {
    if (!text.empty()) text += ", ";
    text += version;
  }
  return text;
}

}  // namespace

McpEndpoint::McpEndpoint(const mcp::ServerDefinition& server, SessionRegistry& sessions, Metrics* metrics)
    : server_(server), sessions_(sessions), metrics_(metrics) {}

std::variant<Reply, McpCall> McpEndpoint::Post(Request& request, const Credential& caller) {
  if (!ContainsNoCase(request.content_type, "application/json")) {
    return ErrorReply(415, kTransportError, "Unsupported Media Type: send the JSON-RPC message as application/json");
  }
  const bool accepts_sse = AcceptsEventStream(request.accept);
  if (!AcceptsJson(request.accept) && !accepts_sse) {
    return ErrorReply(406, kTransportError,
                      "Not Acceptable: the Accept header must list application/json and text/event-stream");
  }
  // Parsed once, here: the session (none yet for initialize) stamps it below.
  mcp::ReceivedMessage message = mcp::ParseMessage(request.body);
  const mcp::MessageInfo info = message.info();  // a copy: `message` is moved on below
  if (!info.valid_json) {
    return ErrorReply(400, mcp::jsonrpc::kParseError, "Parse error: the request body is not valid JSON");
  }
  if (metrics_ && info.has_requests) {
    if (info.is_batch) {
      CountRequests(request.body);
    } else {
      metrics_->CountRequest(info.method, info.tool);
    }
  }

  McpCall call;
  call.can_stream = accepts_sse && request.can_stream;
  call.read_only = IsReadOnly(info);
  call.listen = info.listen;
  if (auto refused = CheckListen(info, call)) return std::move(*refused);
  if (!info.modern_version.empty() && request.session_id.empty()) {
    return Sessionless(std::move(call), std::move(message), caller);
  }
  if (info.is_initialize) {
    if (info.is_batch) {
      return ErrorReply(400, mcp::jsonrpc::kInvalidRequest, "Invalid request: initialize must be sent alone, not in a batch");
    }
    // Messages the server sends outside any request would travel on a GET stream, which this
    // server does not open; everything it sends belongs to a request, so the session sink drops.
    auto created = sessions_.Create(caller.id, caller.user_id, [&] {
      return std::make_shared<mcp::Session>(server_, caller.principal, [](std::string) {});
    });
    if (auto* refused = std::get_if<SessionRegistry::Refused>(&created)) return SessionRefused(*refused, caller);
    auto& session = std::get<SessionRegistry::Created>(created);
    if (session.evicted != 0) {
      spdlog::debug("http: key {} is at its session cap; closed its {} least recently used idle session(s)",
                    caller.id, session.evicted);
    }
    call.session = std::move(session.session);
    call.session_id = std::move(session.id);
    call.new_session = true;
    call.credential_id = caller.id;
    call.headers.emplace_back("Mcp-Session-Id", call.session_id);
  } else {
    auto found = ExistingSession(request, caller);
    if (auto* reply = std::get_if<Reply>(&found)) return std::move(*reply);
    call.session = std::get<std::shared_ptr<mcp::Session>>(std::move(found));
    if (!info.has_requests) {
      // Notifications and responses are cheap (and a response may be what a busy worker is
      // waiting for), so they are handled right here. Anything answered is an invalid message.
      if (auto error = call.session->Handle(call.session->Receive(std::move(message)))) {
        return JsonReply(400, std::move(*error));
      }
      return Accepted();
    }
  }
  call.message = call.session->Receive(std::move(message));
  return call;
}

Reply McpEndpoint::Delete(const Request& request, const Credential& caller) {
  auto found = ExistingSession(request, caller);
  if (auto* reply = std::get_if<Reply>(&found)) return std::move(*reply);
  sessions_.Remove(std::string(request.session_id), caller.id);
  return Reply{204, "", "", {}};
}

McpResult McpEndpoint::Run(McpCall& call, const mcp::OutboundSink& sink, mcp::ListenEnded ended) {
  McpResult result;
  result.message = call.session->Handle(std::move(call.message), sink, std::move(ended));
  result.listening = call.listen && !result.message;
  if (call.new_session && !call.session->initialized()) {
    sessions_.Remove(call.session_id, call.credential_id);  // a failed initialize opens nothing
  } else {
    result.headers = call.headers;
  }
  return result;
}

// Only the scheduling depends on this, never what a caller may do: a tool's
// readOnlyHint is declared by the server itself (mcp/tool.h).
bool McpEndpoint::IsReadOnly(const mcp::MessageInfo& info) const {
  if (info.is_batch) return false;
  if (info.method != "tools/call") return true;  // lifecycle, listings, resources, prompts
  const mcp::Tool* tool = server_.tools.Find(info.tool);
  return tool != nullptr && tool->annotations.read_only_hint;
}

std::variant<std::shared_ptr<mcp::Session>, Reply> McpEndpoint::ExistingSession(const Request& request,
                                                                                const Credential& caller) {
  if (request.session_id.empty()) {
    return ErrorReply(400, kTransportError,
                      "Bad Request: the Mcp-Session-Id header is required; send initialize first to get one");
  }
  // Another key's session is reported exactly like one that never existed.
  auto session = sessions_.Find(std::string(request.session_id), caller.id);
  if (!session) {
    return ErrorReply(404, kSessionNotFound,
                      "Session not found: it expired or was closed; send initialize to start a new one");
  }
  if (!request.protocol_version.empty() && !mcp::IsSupportedProtocolVersion(request.protocol_version)) {
    return ErrorReply(400, kTransportError,
                      "Bad Request: unsupported MCP-Protocol-Version '" + std::string(request.protocol_version) +
                          "'; this server speaks " + SupportedVersionsText());
  }
  return session;
}

void McpEndpoint::CountRequests(std::string_view body) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(body, ec);
  if (ec) return;
  const auto count = [this](const json::value& item) {
    const json::object* message = item.if_object();
    if (!message || !message->contains("id")) return;
    const json::value* method = message->if_contains("method");
    if (!method || !method->is_string()) return;
    std::string_view tool;
    if (*method == "tools/call") {
      if (const json::value* params = message->if_contains("params"); params && params->is_object()) {
        if (const json::value* name = params->get_object().if_contains("name"); name && name->is_string()) {
          tool = name->get_string();
        }
      }
    }
    metrics_->CountRequest(method->get_string(), tool);
  };
  if (parsed.is_array()) {
    for (const json::value& item : parsed.get_array()) count(item);
  } else {
    count(parsed);
  }
}

}  // namespace transports::http
