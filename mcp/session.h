// Session: one client connection's view of the server.
//
// A transport builds one per connection (stdio: one for the process; HTTP: one per
// Mcp-Session-Id), then hands it each message it receives as text and writes back
// whatever Handle returns. All per-connection state (negotiated revision, client
// name, log level, requests in flight) lives here, in one object, so a future
// stateless revision can build a short-lived Session per request.
//
// Thread safety: Handle may be called from several threads at once, so a slow tool
// call never blocks a ping or the cancellation aimed at it. Responses to concurrent
// requests come back in the order they finish.
#pragma once

#include <any>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "mcp/call_context.h"
#include "mcp/listen.h"
#include "mcp/server_definition.h"

namespace mcp {

// What a raw message is, without handling it: the HTTP transport needs this to decide
// between 202 Accepted and a response, and whether a new session starts.
struct MessageInfo {
  bool valid_json = false;     // false: handling it yields a parse error
  bool is_batch = false;       // a JSON array
  bool is_initialize = false;  // an "initialize" request (or a batch containing one)
  bool has_requests = false;   // at least one message with a method and an id, so a response follows
  std::string method;          // the method of a single request or notification; empty otherwise
  std::string tool;            // the tool a single tools/call request names; empty otherwise
  // The modern era (mcp/modern_era.h): the revision a single message's params._meta
  // names ("2026-07-28"), empty for a legacy message; and what the HTTP Mcp-Name
  // header must repeat: params.name (tools/call, prompts/get) or params.uri (resources/read).
  std::string modern_version;
  std::string name;
  // A single modern subscriptions/listen request: Handle returns nothing and the listen
  // stays open after it returns (see Session::Handle).
  bool listen = false;
  // The id of a single request, serialized ("1", "\"a\""); empty otherwise. Session::Cancel takes it.
  std::string id;
  // A single message's id (null when it has none), for the errors a transport answers
  // itself before the session sees the message (HTTP's -32020 header mismatch).
  boost::json::value id_value;
};
MessageInfo ClassifyMessage(std::string_view text);

class ReceivedMessage;
// Parses and classifies `text` without a session (HTTP must know whether a message is
// initialize before it has one). Session::Receive then stamps it.
ReceivedMessage ParseMessage(std::string_view text);

// A message as a transport received it: parsed once, classified, and stamped with the
// session's lifecycle state at that moment (see Session::Receive). It may be handled
// later, on another thread.
class ReceivedMessage {
 public:
  // What the message is, for the transport's scheduling.
  const MessageInfo& info() const { return info_; }

 private:
  friend class Session;
  friend ReceivedMessage ParseMessage(std::string_view text);
  MessageInfo info_;
  boost::json::value parsed_;  // null when the text is not JSON
  std::string parse_error_;    // the response to text that is not JSON
  // The revision the session had negotiated when the message arrived; empty: not yet initialized.
  std::string revision_at_receipt_;
};

// What an initialized session carries from one request to the next, and so what another
// process needs to go on with it (transports/http/session_directory.h): what initialize
// negotiated. Not kept: the log level (logging/setLevel applies to the process that got it;
// another starts at the default) and requests in flight.
struct SessionState {
  std::string protocol_version;
  std::string client_name;
  boost::json::object client_capabilities;
};

class Session {
 public:
  // `server` must outlive the session. `principal` is whoever the transport authenticated
  // (opaque here, handed to handlers via CallContext). `sink` receives notifications the
  // server sends outside a response (progress, log messages); it must be thread-safe.
  Session(const ServerDefinition& server, std::any principal, OutboundSink sink);
  // A session initialized elsewhere (another process), as `state` says; initialize is not sent again.
  Session(const ServerDefinition& server, std::any principal, OutboundSink sink, const SessionState& state);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // A request is judged against the lifecycle as it stood when it arrived, not when a
  // thread gets round to it: tools/list sent just before initialize is refused even if
  // initialize finishes first. So a transport that runs messages on several threads
  // calls Receive on the thread that reads them, in the order they arrive, and hands
  // the result to Handle on any thread.
  ReceivedMessage Receive(std::string_view message) const;
  // The same for a message already parsed by ParseMessage: it is parsed once.
  ReceivedMessage Receive(ReceivedMessage parsed) const;

  // Handles one message (an object, or a batch array where the revision allows it) and
  // returns the serialized response, or nothing when none is due (notifications,
  // responses, cancelled requests, batches of notifications only). Notifications caused
  // by this message go to `request_sink` when given (HTTP: the SSE stream of this POST),
  // else to the session's sink.
  std::optional<std::string> Handle(ReceivedMessage message, const OutboundSink& request_sink = {});
  // The same, for a message that may be a subscriptions/listen request (info().listen).
  // An accepted listen returns nothing at once and stays open: its acknowledgement and
  // notifications go to `request_sink` (or the session's sink), and `ended` is called
  // once when it ends — with the final response when the server ends it, with nothing
  // when the client did (Cancel). A refused listen returns its error and never calls
  // `ended`. Empty `ended`: the final response goes to the sink too (stdio).
  std::optional<std::string> Handle(ReceivedMessage message, const OutboundSink& request_sink, ListenEnded ended);
  // Receive and Handle in one step, for callers that handle messages in arrival order.
  std::optional<std::string> Handle(std::string_view message);
  std::optional<std::string> Handle(std::string_view message, const OutboundSink& request_sink);

  // True once an initialize request succeeded.
  bool initialized() const;
  // The negotiated revision; empty before initialize.
  std::string protocol_version() const;
  // clientInfo.name from initialize; empty before.
  std::string client_name() const;
  // What initialize negotiated (empty fields before).
  SessionState state() const;

  // Marks every request in flight as cancelled (the transport is closing the session);
  // their responses will not be produced. Open listens end gracefully (EndListens).
  void CancelAll();
  // The client (or its transport) ended request `id` (MessageInfo::id): a listen ends and
  // sends nothing more; another request is cancelled as by notifications/cancelled.
  void Cancel(const std::string& id);
  // Ends every open listen with its final result, and the standalone stream.
  void EndListens();
  // Open modern listens.
  std::size_t listens_open() const;

  // Handshake era, HTTP: the standalone stream of GET /mcp. While it is open, resource
  // notifications (resources/subscribe, list_changed) go to `sink`; `ended` is called if
  // the server ends it. False: one is open already. Throws jsonrpc::Error when refused
  // (too many listeners for the credential; the server offers no subscriptions).
  bool OpenStream(OutboundSink sink, std::function<void()> ended);
  void CloseStream();
  // How many requests are being handled right now.
  std::size_t requests_in_flight() const;

 private:
  class Impl;  // session.cc
  std::unique_ptr<Impl> impl_;
};

}  // namespace mcp
