#include "transports/http/mcp_endpoint.h"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "mcp/json_rpc.h"
#include "mcp/utf8.h"
#include "mcp/modern_era.h"
#include "mcp/protocol_version.h"
#include "transports/http/mirrored_headers.h"
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

bool IsModernVersion(std::string_view version) {
  const auto& modern = mcp::modern::ModernProtocolVersions();
  return std::find(modern.begin(), modern.end(), version) != modern.end();
}

// A JSON-RPC error answering request `id` with an HTTP status (2026-07-28 errors the
// transport finds itself, before any session sees the message).
Reply ModernError(int status, const json::value& id, int code, std::string_view message) {
  return JsonReply(status, json::serialize(mcp::jsonrpc::MakeError(id, code, mcp::EscapeIfNotUtf8(message))));
}

// The HTTP status of a 2026-07-28 response (spec: basic/transports/streamable-http, "Status
// codes"): the errors the revision added and a missing or malformed _meta are the client's
// mistake (400); a method this revision does not have is 404, whose JSON-RPC body tells a
// modern client it reached a modern server (a legacy server's 404 has none). Any other
// answer, errors included (an unknown tool, a resource not found), is 200 as in the
// legacy era: the request was well formed and reached its method.
int ModernStatus(const std::string& response, const json::value& id) {
  // Nearly every response is a result, which the session serializes as
  // {"jsonrpc":"2.0","id":<id>,"result":...}: recognised by its first bytes, without
  // reading the rest. Anything else is parsed.
  const std::string result_start = "{\"jsonrpc\":\"2.0\",\"id\":" + json::serialize(id) + ",\"result\":";
  if (response.starts_with(result_start)) return 200;
  boost::system::error_code ec;
  const json::value parsed = json::parse(response, ec);
  const json::object* o = ec ? nullptr : parsed.if_object();
  const json::value* error = o ? o->if_contains("error") : nullptr;
  if (!error || !error->is_object()) return 200;
  const json::value* code = error->get_object().if_contains("code");
  if (!code || !code->is_int64()) return 200;
  switch (code->get_int64()) {
    case mcp::modern::kHeaderMismatch:
    case mcp::modern::kMissingRequiredClientCapability:
    case mcp::modern::kUnsupportedProtocolVersion:
      return 400;
    case mcp::jsonrpc::kMethodNotFound:
      return 404;
    case mcp::jsonrpc::kInvalidParams: {
      // Only -32602 about params._meta (mcp::modern::ReadRequestMeta) is a malformed
      // request; an unknown tool or a bad cursor is an answer from the method.
      const json::value* message = error->get_object().if_contains("message");
      return message && message->is_string() && message->get_string().starts_with("params._meta") ? 400 : 200;
    }
    default:
      return 200;
  }
}

}  // namespace

McpEndpoint::McpEndpoint(const mcp::ServerDefinition& server, SessionRegistry& sessions, Metrics* metrics,
                         Reply insufficient_scope)
    : server_(server), sessions_(sessions), insufficient_scope_(std::move(insufficient_scope)), metrics_(metrics) {}

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
  // A read-only grant (OAuth scope mcp:read alone) reads and lists, and never reaches a
  // tool that writes: refused here, before any session or tool sees the request.
  if (!caller.may_write && info.has_requests && !IsReadOnly(info)) return insufficient_scope_;
  if (metrics_ && info.has_requests) {
    if (info.is_batch) {
      CountRequests(request.body);
    } else {
      metrics_->CountRequest(info.method, info.tool);
    }
  }

  // The era is the message's own (docs/PROTOCOL.md): one whose params._meta names a
  // revision is served statelessly, whatever Mcp-Session-Id it carries.
  if (!info.modern_version.empty()) return PostModern(request, caller, std::move(message), info, accepts_sse);

  McpCall call;
  call.can_stream = accepts_sse && request.can_stream;
  call.read_only = IsReadOnly(info);
  call.listen = info.listen;
  if (auto refused = CheckListen(info, call)) return std::move(*refused);
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
    if (request.session_id.empty() && IsModernVersion(request.protocol_version)) {
      // A 2026-07-28 client (its header says so) that left out the _meta every request
      // of that revision must carry: answered as a modern-only server would.
      return ModernError(400, info.id_value, mcp::jsonrpc::kInvalidParams,
                         "params._meta[\"" + std::string(mcp::modern::kProtocolVersionKey) + "\"] and [\"" +
                             std::string(mcp::modern::kClientCapabilitiesKey) +
                             "\"] are required in every 2026-07-28 request (the MCP-Protocol-Version header says " +
                             std::string(request.protocol_version) + ")");
    }
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

std::variant<Reply, McpCall> McpEndpoint::PostModern(Request& request, const Credential& caller,
                                                      mcp::ReceivedMessage message, const mcp::MessageInfo& info,
                                                      bool accepts_sse) {
  if (auto mismatch = MirroredHeaderMismatch(request, info)) {
    return ModernError(400, info.id_value, mcp::modern::kHeaderMismatch, *mismatch);
  }
  // No Mcp-Session-Id is looked up or issued: the request gets a session of its own, bound to
  // the caller's credential (its principal decides the vendor, as for a legacy session) and
  // dropped with the call. Nothing outlives the request, so any server process can answer
  // any request. The session sink drops: whatever the request causes goes to its own stream.
  auto session = std::make_shared<mcp::Session>(server_, caller.principal, [](std::string) {});
  if (!info.has_requests) {
    // A notification (2026-07-28 defines none for HTTP) or a message that is not a request:
    // nothing to run. Anything answered is an invalid message.
    if (auto error = session->Handle(session->Receive(std::move(message)))) return JsonReply(400, std::move(*error));
    return Accepted();
  }
  McpCall call;
  call.can_stream = accepts_sse && request.can_stream;
  call.read_only = IsReadOnly(info);  // the same pools as the legacy era
  call.modern = true;
  call.listen = info.listen;  // subscriptions/listen: a stream that stays open (live_endpoint.cc)
  if (auto refused = CheckListen(info, call)) return std::move(*refused);
  call.credential_id = caller.id;
  call.message = session->Receive(std::move(message));
  call.session = std::move(session);
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
  if (call.modern) {
    const json::value id = call.message.info().id_value;  // the message is moved into the session
    result.message = call.session->Handle(std::move(call.message), sink, std::move(ended));
    result.listening = call.listen && !result.message;
    if (result.message) result.status = ModernStatus(*result.message, id);
    return result;
  }
  const json::value id = call.message.info().id_value;
  result.message = call.session->Handle(std::move(call.message), sink, std::move(ended));
  result.listening = call.listen && !result.message;
  if (call.new_session && !call.session->initialized()) {
    sessions_.Remove(call.session_id, call.credential_id);  // a failed initialize opens nothing
  } else if (call.new_session && !sessions_.Persist(call.session_id, call.credential_id)) {
    // Not kept for the other processes sharing the store (it is down): a session they would
    // not find, nor this process once it re-checks, is refused now rather than lost later.
    sessions_.Remove(call.session_id, call.credential_id);
    result.message = json::serialize(mcp::jsonrpc::MakeError(
        id, kTransportError, "Service Unavailable: the session could not be recorded (the store is unreachable); retry shortly"));
    result.status = 503;
    result.headers = {{"Retry-After", "1"}};  // like every other 503 here: a store outage is brief
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
                      "Bad Request: the Mcp-Session-Id header is required; send initialize first to get one "
                      "(or speak protocol revision 2026-07-28, which has no session: carry "
                      "params._meta[\"io.modelcontextprotocol/protocolVersion\"] and "
                      "[\"io.modelcontextprotocol/clientCapabilities\"] in every request, with the "
                      "MCP-Protocol-Version and Mcp-Method headers)");
  }
  // Another key's session is reported exactly like one that never existed.
  // One this process does not hold may have been initialized by another (session_directory.h).
  auto session = sessions_.Find(std::string(request.session_id), caller.id, SessionRegistry::Clock::now(),
                                [&](const mcp::SessionState& state) {
                                  return std::make_shared<mcp::Session>(server_, caller.principal,
                                                                        [](std::string) {}, state);
                                });
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
