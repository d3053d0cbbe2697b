#include "mcp/session.h"

#include <exception>
#include <mutex>
#include <unordered_map>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "mcp/json_rpc.h"
#include "mcp/methods.h"
#include "mcp/modern_era.h"
#include "mcp/outgoing_requests.h"
#include "mcp/params.h"
#include "mcp/protocol_version.h"
#include "mcp/utf8.h"

namespace mcp {
namespace {

namespace json = boost::json;
using jsonrpc::Message;

// Until the client sets a level, info and above are sent (debug only on request).
constexpr LogLevel kDefaultLogLevel = LogLevel::kInfo;

// The request methods that only read the server definition.
using MethodFn = json::value (*)(const methods::Request&);
const std::unordered_map<std::string_view, MethodFn>& DefinitionMethods() {
  static const std::unordered_map<std::string_view, MethodFn> table = {
      {"tools/list", methods::ListTools},
      {"tools/call", methods::CallTool},
      {"resources/list", methods::ListResources},
      {"resources/read", methods::ReadResource},
      {"resources/templates/list", methods::ListResourceTemplates},
      {"prompts/list", methods::ListPrompts},
      {"prompts/get", methods::GetPrompt},
      {"completion/complete", methods::Complete},
  };
  return table;
}

// The request's params as an object (absent or null: empty). MCP params are always objects.
const json::object& ParamsOf(const Message& m) {
  static const json::object kNone;
  if (!m.params || m.params->is_null()) return kNone;
  if (!m.params->is_object()) throw jsonrpc::Error(jsonrpc::kInvalidParams, "params must be an object");
  return m.params->get_object();
}

// params._meta.progressToken when it is a valid token (a string or an integer).
std::optional<json::value> ProgressTokenOf(const Message& m) {
  if (!m.params || !m.params->is_object()) return std::nullopt;
  const json::value* meta = m.params->get_object().if_contains("_meta");
  if (!meta || !meta->is_object()) return std::nullopt;
  const json::value* token = meta->get_object().if_contains("progressToken");
  if (!token || !(token->is_string() || token->is_int64() || token->is_uint64())) return std::nullopt;
  return *token;
}

std::string Serialize(const json::object& o) { return json::serialize(o); }

json::object ParseError(std::string_view text, const boost::system::error_code& ec) {
  const std::string why = IsValidUtf8(text) ? "the message is not valid JSON (" + ec.message() + ")"
                                            : "the message is not valid UTF-8";
  return jsonrpc::MakeError(nullptr, jsonrpc::kParseError, "Parse error: " + why);
}

MessageInfo Classify(const json::value& message) {
  MessageInfo info;
  info.valid_json = true;
  info.is_batch = message.is_array();
  const auto look_at = [&info](const json::value& item) {
    const json::object* o = item.if_object();
    if (!o) return;
    const json::value* method = o->if_contains("method");
    if (!method || !method->is_string()) return;
    if (!o->contains("id")) return;  // a notification
    info.has_requests = true;
    if (*method == "initialize") info.is_initialize = true;
  };
  if (info.is_batch) {
    for (const auto& item : message.get_array()) look_at(item);
    return info;
  }
  look_at(message);
  const json::object* o = message.if_object();
  const json::value* method = o ? o->if_contains("method") : nullptr;
  if (method && method->is_string()) info.method = method->get_string();
  if (const json::value* id = o ? o->if_contains("id") : nullptr) info.id_value = *id;
  const json::value* params = o ? o->if_contains("params") : nullptr;
  const json::object* p = params && params->is_object() ? &params->get_object() : nullptr;
  if (p && (info.method == "tools/call" || info.method == "prompts/get" || info.method == "resources/read")) {
    const json::value* name = p->if_contains(info.method == "resources/read" ? "uri" : "name");
    if (name && name->is_string()) info.name = name->get_string();
  }
  if (info.method == "tools/call") info.tool = info.name;
  info.modern_version = modern::DeclaredVersion(params).value_or("");
  if (info.has_requests) {
    info.id = json::serialize(o->at("id"));
    info.listen = info.method == "subscriptions/listen" && !info.modern_version.empty();
  }
  return info;
}

}  // namespace

class Session::Impl {
 public:
  Impl(const ServerDefinition& server, std::any principal, OutboundSink sink)
      : server_(server),
        principal_(std::move(principal)),
        sink_(std::move(sink)),
        min_log_level_(std::make_shared<std::atomic<LogLevel>>(kDefaultLogLevel)),
        listens_(std::make_shared<Listens>(server)) {}

  // `revision_at_receipt`: the negotiated revision when the message arrived (empty: before
  // initialize). The lifecycle rules are applied to it, not to the session's state now.
  std::optional<std::string> Handle(const json::value& message, std::string_view revision_at_receipt,
                                    const OutboundSink& request_sink, const ListenEnded& ended) {
    const OutboundSink& sink = request_sink ? request_sink : sink_;
    if (message.is_array()) return HandleBatch(message.get_array(), revision_at_receipt, sink);
    auto response = HandleOne(message, !revision_at_receipt.empty(), sink, ended);
    if (!response) return std::nullopt;
    return Serialize(*response);
  }

  bool initialized() const {
    std::lock_guard lock(mutex_);
    return initialized_;
  }
  std::string protocol_version() const {
    std::lock_guard lock(mutex_);
    return protocol_version_;
  }
  std::string client_name() const {
    std::lock_guard lock(mutex_);
    return client_name_;
  }
  SessionState state() const {
    std::lock_guard lock(mutex_);
    return SessionState{protocol_version_, client_name_, client_capabilities_};
  }
  void Restore(const SessionState& state) {
    std::lock_guard lock(mutex_);
    initialized_ = true;
    protocol_version_ = state.protocol_version;
    client_name_ = state.client_name;
    client_capabilities_ = state.client_capabilities;
  }
  void CancelAll() {
    {
      std::lock_guard lock(mutex_);
      for (auto& [id, cancelled] : in_flight_) cancelled->store(true, std::memory_order_release);
    }
    listens_->EndAll();
  }
  void Cancel(const std::string& key) {
    if (listens_->Cancel(key)) return;
    std::lock_guard lock(mutex_);
    if (auto it = in_flight_.find(key); it != in_flight_.end()) it->second->store(true, std::memory_order_release);
  }
  Listens& listens() { return *listens_; }
  bool OpenStream(OutboundSink sink, std::function<void()> ended) {
    CallContext ctx(ContextParams(nullptr, std::nullopt, sink_));
    return listens_->OpenStream(std::move(sink), std::move(ended), ctx);
  }
  std::size_t requests_in_flight() const {
    std::lock_guard lock(mutex_);
    return in_flight_.size();
  }

 private:
  // A JSON array: only the 2025-03-26 revision has batches.
  std::optional<std::string> HandleBatch(const json::array& batch, std::string_view version,
                                         const OutboundSink& sink) {
    if (!FeaturesOf(version).json_rpc_batches) {
      return Serialize(jsonrpc::MakeError(
          nullptr, jsonrpc::kInvalidRequest,
          "Invalid request: JSON-RPC batches are not supported " +
              (version.empty() ? std::string("before initialize")
                               : "in protocol revision " + std::string(version)) +
              "; send one message at a time"));
    }
    if (batch.empty()) {
      return Serialize(jsonrpc::MakeError(nullptr, jsonrpc::kInvalidRequest,
                                          "Invalid request: the batch is empty"));
    }
    json::array responses;
    for (const json::value& message : batch) {
      if (auto response = HandleOne(message, !version.empty(), sink, {})) responses.push_back(std::move(*response));
    }
    if (responses.empty()) return std::nullopt;
    return json::serialize(responses);
  }

  std::optional<json::object> HandleOne(const json::value& value, bool initialized_at_receipt,
                                       const OutboundSink& sink, const ListenEnded& ended) {
    Message message;
    try {
      message = jsonrpc::ReadMessage(value);
    } catch (const jsonrpc::Error& e) {
      return jsonrpc::MakeError(jsonrpc::ResponseIdOf(value), e.code(), e.what());
    }
    switch (message.kind) {
      case Message::Kind::kResponse:
        // The answer to a request a handler sent through CallContext::request.
        outgoing_->Deliver(message.id, value.get_object());
        return std::nullopt;
      case Message::Kind::kNotification:
        HandleNotification(message);
        return std::nullopt;
      case Message::Kind::kRequest:
        break;
    }
    return HandleRequest(message, initialized_at_receipt, sink, ended);
  }

  void HandleNotification(const Message& message) {
    if (message.method != "notifications/cancelled") return;  // nothing else needs an action
    if (!message.params || !message.params->is_object()) return;
    const json::value* id = message.params->get_object().if_contains("requestId");
    if (!id) return;
    if (listens_->Cancel(json::serialize(*id))) return;  // a listen: it ends, nothing more is sent
    std::lock_guard lock(mutex_);
    // An unknown id is a request that already finished (or never was): nothing to stop.
    if (auto it = in_flight_.find(json::serialize(*id)); it != in_flight_.end()) {
      it->second->store(true, std::memory_order_release);
    }
  }

  // Registers the request as in flight while it runs, so it can be cancelled.
  class InFlight {
   public:
    InFlight(Impl& session, std::string key) : session_(session), key_(std::move(key)) {}
    ~InFlight() {
      std::lock_guard lock(session_.mutex_);
      session_.in_flight_.erase(key_);
    }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

   private:
    Impl& session_;
    std::string key_;
  };

  std::optional<json::object> HandleRequest(const Message& message, bool initialized_at_receipt,
                                            const OutboundSink& sink, const ListenEnded& ended) {
    // The era is the request's own: one carrying a modern revision in its _meta is
    // served statelessly, whether or not this connection ever sent initialize.
    if (modern::DeclaredVersion(message.params)) return HandleModernRequest(message, sink, ended);
    if (!initialized_at_receipt && message.method != "initialize" && message.method != "ping") {
      return jsonrpc::MakeError(message.id, jsonrpc::kInvalidRequest,
                                "Invalid request: the session is not initialized; send \"initialize\" first "
                                "(or, in protocol revision 2026-07-28, carry "
                                "params._meta[\"io.modelcontextprotocol/protocolVersion\"] in every request)");
    }
    auto cancelled = std::make_shared<std::atomic<bool>>(false);
    std::string key = json::serialize(message.id);
    {
      std::lock_guard lock(mutex_);
      if (!in_flight_.emplace(key, cancelled).second) {
        return jsonrpc::MakeError(message.id, jsonrpc::kInvalidRequest,
                                  "Invalid request: id " + key +
                                      " is already used by a request in progress");
      }
    }
    InFlight in_flight(*this, std::move(key));
    CallContext ctx(ContextParams(cancelled, ProgressTokenOf(message), sink));

    json::object response;
    try {
      response = jsonrpc::MakeResult(message.id, Dispatch(message, ctx, sink));
    } catch (const jsonrpc::Error& e) {
      response = jsonrpc::MakeError(message.id, e.code(), e.what(), e.data());
    } catch (const std::exception& e) {
      Report(std::string(message.method) + " failed: " + e.what());
      response = jsonrpc::MakeError(message.id, jsonrpc::kInternalError, "Internal error");
    }
    // A cancelled request gets no response (the client has forgotten it).
    if (cancelled->load(std::memory_order_acquire)) return std::nullopt;
    return response;
  }

  // A modern (2026-07-28) request: everything about the client comes from the request
  // itself; nothing is read from or written to the session's state.
  std::optional<json::object> HandleModernRequest(const Message& message, const OutboundSink& sink,
                                                  const ListenEnded& ended) {
    modern::RequestMeta meta;
    modern::InputResponses input;
    try {
      meta = modern::ReadRequestMeta(message.params->get_object());
      input = modern::ReadInputResponses(message.method, message.params->get_object());
    } catch (const jsonrpc::Error& e) {
      return jsonrpc::MakeError(message.id, e.code(), e.what(), e.data());
    }
    if (message.method == "subscriptions/listen") {
      // Long-lived: it returns at once and stays open (mcp/listen.h); no request slot is held.
      CallContext::Params p;
      p.principal = principal_;
      p.client_name = meta.client_name;
      p.protocol_version = meta.version;
      p.client_capabilities = std::move(meta.capabilities);
      CallContext ctx(std::move(p));
      {
        std::lock_guard lock(mutex_);
        if (in_flight_.count(json::serialize(message.id))) {
          return jsonrpc::MakeError(message.id, jsonrpc::kInvalidRequest,
                                    "Invalid request: id " + json::serialize(message.id) +
                                        " is already used by a request in progress");
        }
      }
      return listens_->Open(message.id, message.params->get_object(), ctx, sink, ended);
    }
    auto cancelled = std::make_shared<std::atomic<bool>>(false);
    std::string key = json::serialize(message.id);
    {
      std::lock_guard lock(mutex_);
      if (!in_flight_.emplace(key, cancelled).second) {
        return jsonrpc::MakeError(message.id, jsonrpc::kInvalidRequest,
                                  "Invalid request: id " + key + " is already used by a request in progress");
      }
    }
    InFlight in_flight(*this, std::move(key));
    CallContext::Params p;
    p.principal = principal_;
    p.client_name = meta.client_name;
    p.protocol_version = meta.version;
    p.client_capabilities = std::move(meta.capabilities);
    p.cancelled = cancelled;
    p.progress_token = ProgressTokenOf(message);
    p.sink = sink;
    // Log messages only when this request asked for them, at the level it named.
    if (meta.log_level) p.min_log_level = std::make_shared<std::atomic<LogLevel>>(*meta.log_level);
    // A retry of an input_required result: the handler judges what the client answered.
    p.input_responses = std::move(input.responses);
    p.request_state = std::move(input.request_state);
    // No send_request: the modern revision forbids requests to the client; a handler
    // asks through an input_required result instead.
    CallContext ctx(std::move(p));

    json::object response;
    try {
      json::value result = DispatchModern(message, ctx);
      modern::CompleteResult(message.method, result, server_.info);
      response = jsonrpc::MakeResult(message.id, std::move(result));
    } catch (const jsonrpc::Error& e) {
      response = jsonrpc::MakeError(message.id, modern::ModernErrorCode(e.code()), e.what(), e.data());
    } catch (const std::exception& e) {
      Report(std::string(message.method) + " failed: " + e.what());
      response = jsonrpc::MakeError(message.id, jsonrpc::kInternalError, "Internal error");
    }
    if (cancelled->load(std::memory_order_acquire)) return std::nullopt;
    return response;
  }

  json::value DispatchModern(const Message& message, CallContext& ctx) {
    const json::object& params = ParamsOf(message);
    if (message.method == "server/discover") {
      std::string instructions = server_.instructions ? server_.instructions(ctx) : std::string();
      return modern::DiscoverResult(Capabilities(FeaturesOf(ctx.protocol_version())), instructions);
    }
    if (modern::IsLegacyOnlyMethod(message.method)) {
      throw jsonrpc::Error(jsonrpc::kMethodNotFound,
                           "Method not found: " + std::string(message.method) +
                               " does not exist in protocol revision " + ctx.protocol_version() +
                               (message.method == "initialize"
                                    ? " (send initialize without _meta[\"io.modelcontextprotocol/protocolVersion\"] "
                                      "to use 2025-11-25 or older)"
                                    : ""));
    }
    const auto& table = DefinitionMethods();
    if (auto it = table.find(message.method); it != table.end()) {
      return it->second(methods::Request{server_, params, ctx, FeaturesOf(ctx.protocol_version())});
    }
    throw jsonrpc::Error(jsonrpc::kMethodNotFound, "Method not found: " + std::string(message.method));
  }

  CallContext::Params ContextParams(std::shared_ptr<const std::atomic<bool>> cancelled,
                                    std::optional<json::value> progress_token,
                                    const OutboundSink& sink) const {
    CallContext::Params p;
    p.principal = principal_;
    {
      std::lock_guard lock(mutex_);
      p.client_name = client_name_;
      p.protocol_version = protocol_version_;
      p.client_capabilities = client_capabilities_;
    }
    p.send_request = [this, cancelled, sink](std::string_view method, json::object params,
                                             std::chrono::milliseconds timeout) -> rm::Result<json::value> {
      if (auto missing = MissingCapability(method)) return *missing;
      return outgoing_->Send(method, std::move(params), timeout, sink, cancelled);
    };
    p.cancelled = std::move(cancelled);
    p.progress_token = std::move(progress_token);
    p.sink = sink;
    p.min_log_level = min_log_level_;
    return p;
  }

  json::value Dispatch(const Message& message, CallContext& ctx, const OutboundSink& sink) {
    const json::object& params = ParamsOf(message);
    if (message.method == "ping") return json::object{};
    if (message.method == "initialize") return Initialize(params, sink);
    if (message.method == "logging/setLevel") return SetLogLevel(params);
    if (message.method == "resources/subscribe") return listens_->Subscribe(params, ctx, sink_);
    if (message.method == "resources/unsubscribe") return listens_->Unsubscribe(params);
    const auto& table = DefinitionMethods();
    if (auto it = table.find(message.method); it != table.end()) {
      return it->second(methods::Request{server_, params, ctx, FeaturesOf(ctx.protocol_version())});
    }
    throw jsonrpc::Error(jsonrpc::kMethodNotFound,
                         "Method not found: " + std::string(message.method));
  }

  json::value Initialize(const json::object& params, const OutboundSink& sink) {
    const std::string requested = params::RequiredString(params, "protocolVersion");
    std::string client;
    if (const json::object* info = params::OptionalObject(params, "clientInfo")) {
      client = params::OptionalString(*info, "name", "params.clientInfo").value_or("");
    }
    const json::object* capabilities = params::OptionalObject(params, "capabilities");
    const std::string version = NegotiateProtocolVersion(requested);
    {
      std::lock_guard lock(mutex_);
      if (initialized_) {
        throw jsonrpc::Error(jsonrpc::kInvalidRequest,
                             "Invalid request: the session is already initialized");
      }
      initialized_ = true;
      protocol_version_ = version;
      client_name_ = std::move(client);
      if (capabilities) client_capabilities_ = *capabilities;
    }
    const RevisionFeatures features = FeaturesOf(version);
    json::object server_info{{"name", server_.info.name}, {"version", server_.info.version}};
    if (features.titles && !server_.info.title.empty()) server_info["title"] = server_.info.title;

    json::object result{{"protocolVersion", version},
                        {"capabilities", Capabilities(features)},
                        {"serverInfo", std::move(server_info)}};
    if (server_.instructions) {
      // Computed for this caller, now that its client and revision are known.
      CallContext ctx(ContextParams(nullptr, std::nullopt, sink));
      std::string instructions = server_.instructions(ctx);
      if (!instructions.empty()) result["instructions"] = std::move(instructions);
    }
    return result;
  }

  // Only what this server implements; nothing here changes while it runs.
  json::object Capabilities(const RevisionFeatures& features) const {
    json::object caps{{"logging", json::object{}}};
    if (!server_.tools.empty()) caps["tools"] = json::object{{"listChanged", false}};
    if (!server_.prompts.empty()) caps["prompts"] = json::object{{"listChanged", false}};
    if (server_.resources) {
      const bool live = server_.resources->SupportsListening();
      caps["resources"] = json::object{{"subscribe", live}, {"listChanged", live}};
    }
    if (features.completions && (!server_.prompts.empty() || server_.resources)) {
      caps["completions"] = json::object{};
    }
    return caps;
  }

  json::value SetLogLevel(const json::object& params) {
    const std::string name = params::RequiredString(params, "level");
    const auto level = ParseLogLevel(name);
    if (!level) {
      throw jsonrpc::Error(jsonrpc::kInvalidParams,
                           "params.level must be one of debug, info, notice, warning, error, "
                           "critical, alert, emergency (got \"" + name + "\")");
    }
    min_log_level_->store(*level);
    return json::object{};
  }

  // Why the client cannot be sent `method`: it did not declare the capability the method
  // belongs to in initialize (the spec forbids sending it then). Nothing when it can.
  std::optional<rm::Status> MissingCapability(std::string_view method) const {
    static const std::unordered_map<std::string_view, std::string_view> kCapabilityOf = {
        {"sampling/createMessage", "sampling"}, {"elicitation/create", "elicitation"}, {"roots/list", "roots"}};
    auto it = kCapabilityOf.find(method);
    if (it == kCapabilityOf.end()) return std::nullopt;
    std::lock_guard lock(mutex_);
    if (client_capabilities_.contains(it->second)) return std::nullopt;
    return rm::Status::FailedPrecondition("the client did not declare the '" + std::string(it->second) +
                                          "' capability, so it cannot be sent " + std::string(method));
  }

  void Report(const std::string& what) const {
    if (server_.report_internal_error) server_.report_internal_error(what);
  }

  const ServerDefinition& server_;
  const std::any principal_;
  const OutboundSink sink_;
  const std::shared_ptr<std::atomic<LogLevel>> min_log_level_;
  const std::shared_ptr<OutgoingRequests> outgoing_ = std::make_shared<OutgoingRequests>();

  mutable std::mutex mutex_;  // guards the members below
  bool initialized_ = false;
  std::string protocol_version_;
  std::string client_name_;
  json::object client_capabilities_;  // from initialize
  // Requests being handled, by serialized id, with the flag that cancels them.
  std::unordered_map<std::string, std::shared_ptr<std::atomic<bool>>> in_flight_;
  // Open listens and the handshake-era subscriptions (last: its channels may use the above).
  const std::shared_ptr<Listens> listens_;
};

MessageInfo ClassifyMessage(std::string_view text) {
  boost::system::error_code ec;
  const json::value message = json::parse(text, ec);
  if (ec) return MessageInfo{};
  return Classify(message);
}

Session::Session(const ServerDefinition& server, std::any principal, OutboundSink sink)
    : impl_(std::make_unique<Impl>(server, std::move(principal), std::move(sink))) {}
Session::Session(const ServerDefinition& server, std::any principal, OutboundSink sink, const SessionState& state)
    : Session(server, std::move(principal), std::move(sink)) {
  impl_->Restore(state);
}
Session::~Session() = default;

ReceivedMessage ParseMessage(std::string_view text) {
  ReceivedMessage received;
  boost::system::error_code ec;
  received.parsed_ = json::parse(text, ec);
  if (ec) {
    received.parse_error_ = Serialize(ParseError(text, ec));
    return received;  // info_.valid_json stays false
  }
  received.info_ = Classify(received.parsed_);
  return received;
}

ReceivedMessage Session::Receive(std::string_view text) const { return Receive(ParseMessage(text)); }

ReceivedMessage Session::Receive(ReceivedMessage parsed) const {
  // initialize sets the revision, so an empty one means "not initialized".
  if (parsed.info_.valid_json) parsed.revision_at_receipt_ = impl_->protocol_version();
  return parsed;
}

std::optional<std::string> Session::Handle(ReceivedMessage message, const OutboundSink& request_sink) {
  return Handle(std::move(message), request_sink, ListenEnded{});
}
std::optional<std::string> Session::Handle(ReceivedMessage message, const OutboundSink& request_sink,
                                           ListenEnded ended) {
  if (!message.info_.valid_json) return std::move(message.parse_error_);
  return impl_->Handle(message.parsed_, message.revision_at_receipt_, request_sink, ended);
}
std::optional<std::string> Session::Handle(std::string_view message) { return Handle(Receive(message)); }
std::optional<std::string> Session::Handle(std::string_view message, const OutboundSink& request_sink) {
  return Handle(Receive(message), request_sink);
}
bool Session::initialized() const { return impl_->initialized(); }
std::string Session::protocol_version() const { return impl_->protocol_version(); }
std::string Session::client_name() const { return impl_->client_name(); }
SessionState Session::state() const { return impl_->state(); }
void Session::CancelAll() { impl_->CancelAll(); }
void Session::Cancel(const std::string& id) { impl_->Cancel(id); }
void Session::EndListens() { impl_->listens().EndAll(); }
std::size_t Session::listens_open() const { return impl_->listens().open(); }
bool Session::OpenStream(OutboundSink sink, std::function<void()> ended) {
  return impl_->OpenStream(std::move(sink), std::move(ended));
}
void Session::CloseStream() { impl_->listens().CloseStream(); }
std::size_t Session::requests_in_flight() const { return impl_->requests_in_flight(); }

}  // namespace mcp
