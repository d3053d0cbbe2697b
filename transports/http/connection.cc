#include "transports/http/connection.h"

#include <poll.h>

#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "mcp/json_rpc.h"
#include "transports/http/replies.h"

namespace transports::http {
namespace {

constexpr std::size_t kReadChunk = 4096;

// How long, and how much, a refused client may go on sending before the connection closes.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 16 * 1024 * 1024;

// What may wait for a live stream's client (a listen, or GET /mcp) before it counts as
// too slow and is dropped: the connection closes and the listen ends. A client reading
// its stream keeps this near zero; one that stopped reading fills its socket buffers,
// then this, and is gone — it never makes the server hold more.
constexpr std::size_t kMaxQueuedEvents = 1024;
constexpr std::size_t kMaxQueuedBytes = 1024 * 1024;
// Bytes a client may send on a connection carrying a live stream (it should send none).
constexpr std::size_t kMaxBytesDuringStream = 64 * 1024;

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }

// One Server-Sent Event carrying a JSON-RPC message. Serialized JSON has no raw line
// breaks, but a message is split on them anyway so no input could end the event early.
std::string EventOf(std::string_view message) {
  std::string event = "event: message\n";
  std::size_t start = 0;
  while (true) {
    const std::size_t end = message.find('\n', start);
    event += "data: ";
    event += message.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    event += '\n';
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  event += '\n';
  return event;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Connection<Derived>

template <class Derived>
Connection<Derived>::Connection(ServerState& state, std::string remote, bool remote_is_loopback)
    : state_(state), remote_(std::move(remote)), remote_is_loopback_(remote_is_loopback) {
  if (state_.metrics) state_.metrics->ConnectionOpened();
}

template <class Derived>
Connection<Derived>::~Connection() {
  state_.connections.Remove(this);
  if (state_.metrics) state_.metrics->ConnectionClosed();
}

template <class Derived>
void Connection<Derived>::Drain() {
  net::post(derived().stream().get_executor(), [self = derived().shared_from_this()] {
    self->draining_ = true;
    // A connection waiting for its next request has nothing to finish. One that is reading,
    // running or writing a request closes when its response is out.
    if (self->phase_ == Phase::kWaitingForRequest) self->Close(/*abrupt=*/true);
    // A live stream would never finish on its own: end it as the server (final result).
    if (self->listening_) {
      if (self->standalone_) {
        self->OnListenEnded(std::nullopt);
      } else if (self->listen_session_) {
        self->listen_session_->EndListens();
      }
    }
  });
}

template <class Derived>
void Connection<Derived>::StartReading() {
  if (draining_) return Close(false);
  parser_.emplace();
  parser_->body_limit(state_.options.max_body_bytes);
  parser_->header_limit(static_cast<std::uint32_t>(state_.options.max_header_bytes));
  if (buffer_.size() > 0) return ReadRequest();  // the client sent its next request already

  // A new connection must start its request within the request timeout; a kept-alive one
  // may stay silent for the idle timeout.
  phase_ = Phase::kWaitingForRequest;
  lowest().expires_after(requests_served_ == 0 ? state_.options.request_timeout : state_.options.idle_timeout);
  derived().stream().async_read_some(
      buffer_.prepare(kReadChunk),
      beast::bind_front_handler(&Connection::OnFirstBytes, derived().shared_from_this()));
}

template <class Derived>
void Connection<Derived>::OnFirstBytes(beast::error_code ec, std::size_t bytes) {
  if (ec) return Close(true);  // idle timeout, client gone, or drained
  buffer_.commit(bytes);
  ReadRequest();
}

template <class Derived>
void Connection<Derived>::ReadRequest() {
  // Once a request has begun, all of it must arrive within the request timeout, however
  // slowly it trickles in (slowloris).
  phase_ = Phase::kReadingRequest;
  lowest().expires_after(state_.options.request_timeout);
  bhttp::async_read_header(derived().stream(), buffer_, *parser_,
                           beast::bind_front_handler(&Connection::OnHead, derived().shared_from_this()));
}

template <class Derived>
void Connection<Derived>::OnHead(beast::error_code ec, std::size_t) {
  if (ec) return OnReadFailed(ec);  // a too large declared body is refused here, unread
  if (!beast::iequals(parser_->get()[bhttp::field::expect], "100-continue")) return ReadBody();
  // The client (curl, for bodies over 1 KiB) waits for this before sending the body.
  auto go_on = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
  bhttp::async_write(derived().stream(), *go_on,
                     [self = derived().shared_from_this(), go_on](beast::error_code write_ec, std::size_t) {
                       if (write_ec) return self->Close(true);
                       self->ReadBody();
                     });
}

template <class Derived>
void Connection<Derived>::ReadBody() {
  bhttp::async_read(derived().stream(), buffer_, *parser_,
                    beast::bind_front_handler(&Connection::OnRequest, derived().shared_from_this()));
}

template <class Derived>
void Connection<Derived>::OnRequest(beast::error_code ec, std::size_t) {
  if (ec) return OnReadFailed(ec);
  request_started_ = std::chrono::steady_clock::now();
  credential_id_.clear();
  response_headers_.clear();
  request_ = parser_->release();
  Dispatch();
}

template <class Derived>
void Connection<Derived>::OnReadFailed(beast::error_code ec) {
  request_started_ = std::chrono::steady_clock::now();
  credential_id_.clear();
  response_headers_.clear();
  request_ = parser_->release();  // whatever was parsed, for the access log
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message || ec == beast::error::timeout ||
      ec == net::error::operation_aborted) {
    return Close(true);  // the client left, or was too slow: nobody to answer
  }
  input_left_unread_ = true;
  if (ec == bhttp::error::body_limit) {
    return SendReply(ErrorReply(413, kTransportError,
                                "Payload Too Large: the body exceeds " +
                                    std::to_string(state_.options.max_body_bytes) + " bytes"),
                     true);
  }
  if (ec == bhttp::error::header_limit) {
    return SendReply(ErrorReply(431, kTransportError, "Request Header Fields Too Large"), true);
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
    return SendReply(ErrorReply(400, kTransportError, "Bad Request: malformed HTTP (" + ec.message() + ")"), true);
  }
  Close(true);  // the socket failed
}

template <class Derived>
void Connection<Derived>::Dispatch() {
  phase_ = Phase::kBusy;
  Request request;
  request.method = View(request_.method_string());
  request.target = View(request_.target());
  request.host = View(request_[bhttp::field::host]);
  request.origin = View(request_[bhttp::field::origin]);
  request.authorization = View(request_[bhttp::field::authorization]);
  request.session_id = View(request_["Mcp-Session-Id"]);
  request.protocol_version = View(request_["MCP-Protocol-Version"]);
  request.mcp_method = View(request_["Mcp-Method"]);
  request.mcp_name = View(request_["Mcp-Name"]);
  request.accept = View(request_[bhttp::field::accept]);
  request.content_type = View(request_[bhttp::field::content_type]);
  request.cookie = View(request_[bhttp::field::cookie]);
  request.body = std::move(request_.body());
  request.peer_address = remote_;
  request.from_loopback = remote_is_loopback_;
  request.can_stream = request_.version() >= 11;

  Routed routed;
  try {
    routed = state_.router.Route(request);
  } catch (const std::exception& e) {
    // E.g. the application's authenticator could not reach its database.
    spdlog::error("http: {} {} failed: {}", request.method, RedactedTarget(request.target), e.what());
    return SendReply(ErrorReply(500, mcp::jsonrpc::kInternalError, "Internal error; the server logged the cause"),
                     true);
  }
  credential_id_ = std::move(routed.credential_id);
  response_headers_ = std::move(routed.headers);
  if (auto* reply = std::get_if<Reply>(&routed.action)) return SendReply(std::move(*reply), false);
  if (auto* route = std::get_if<RouteCall>(&routed.action)) return RunRoute(std::move(*route));
  RunCall(std::get<McpCall>(std::move(routed.action)));
}

template <class Derived>
void Connection<Derived>::RunRoute(RouteCall call) {
  // A page or an OAuth endpoint: it may wait for the database, so it runs on the workers
  // like a tool call, and its reply comes back to this connection's strand.
  lowest().expires_never();
  auto self = derived().shared_from_this();
  auto work = net::make_work_guard(derived().stream().get_executor());
  net::post(state_.workers, [self, work = std::move(work), call = std::move(call)]() mutable {
    const auto executor = self->derived().stream().get_executor();
    Reply reply;
    try {
      reply = call.run();
    } catch (const std::exception& e) {
      spdlog::error("http: {} failed: {}", RedactedTarget(View(self->request_.target())), e.what());
      reply = ErrorReply(500, mcp::jsonrpc::kInternalError, "Internal error; the server logged the cause");
    }
    net::post(executor, [self, reply = std::move(reply)]() mutable {
      if (self->phase_ == Phase::kBusy) self->SendReply(std::move(reply), false);
    });
  });
}

template <class Derived>
void Connection<Derived>::SendReply(Reply reply, bool close) {
  phase_ = Phase::kBusy;
  auto response = std::make_shared<bhttp::response<bhttp::string_body>>(
      static_cast<bhttp::status>(reply.status), request_.version() ? request_.version() : 11);
  response->set(bhttp::field::server, "reflect-memory");
  if (!reply.content_type.empty()) response->set(bhttp::field::content_type, reply.content_type);
  // insert, not set: a reply may carry a header twice (two Set-Cookie lines).
  for (auto& [name, value] : reply.headers) response->insert(name, value);
  for (const auto& [name, value] : response_headers_) response->set(name, value);
  response->body() = std::move(reply.body);
  response->keep_alive(!close && !draining_ && request_.keep_alive());
  body_bytes_ = response->body().size();
  if (request_.method() == bhttp::verb::head) {
    response->body().clear();  // the length of what GET would send, and no body
    response->content_length(body_bytes_);
  } else {
    response->prepare_payload();
  }
  status_ = reply.status;

  lowest().expires_after(state_.options.write_timeout);
  bhttp::async_write(derived().stream(), *response,
                     [self = derived().shared_from_this(), response](beast::error_code ec, std::size_t) {
                       self->OnReplyWritten(ec, !response->keep_alive());
                     });
}

template <class Derived>
void Connection<Derived>::OnReplyWritten(beast::error_code ec, bool close) {
  DoneWithRequest();
  if (!ec && input_left_unread_) return LingerThenClose();
  if (ec || close) return Close(static_cast<bool>(ec));
  StartReading();
}

template <class Derived>
void Connection<Derived>::LingerThenClose() {
  lowest().expires_after(kLingerTime);
  derived().EndOutput();
  DiscardThenClose();
}

template <class Derived>
void Connection<Derived>::DiscardThenClose() {
  buffer_.clear();
  derived().stream().async_read_some(
      buffer_.prepare(kReadChunk), beast::bind_front_handler(&Connection::OnDiscarded, derived().shared_from_this()));
}

template <class Derived>
void Connection<Derived>::OnDiscarded(beast::error_code ec, std::size_t bytes) {
  discarded_bytes_ += bytes;
  // The client closed, or went on too long: either way it has had its chance to read the refusal.
  if (ec || discarded_bytes_ >= kLingerBytes) return Close(false);
  DiscardThenClose();
}

template <class Derived>
void Connection<Derived>::RunCall(McpCall call) {
  if (call.standalone_stream) return OpenStandalone(std::move(call));
  can_stream_ = call.can_stream;
  call_headers_ = call.headers;
  result_arrived_ = false;
  live_stream_ = call.listen;
  if (call.listen) {
    listen_session_ = call.session;
    listen_id_ = call.message.info().id;
  }
  // The tool may take as long as it needs; the client is not expected to send anything meanwhile.
  lowest().expires_never();

  ++calls_started_;
  cancel_on_close_.reset();
  if (call.modern) cancel_on_close_ = call.session;
  const bool watch = call.modern;

  auto self = derived().shared_from_this();
  // Keeps the I/O threads running while the worker has the request (a draining server waits for it).
  auto work = net::make_work_guard(derived().stream().get_executor());
  net::thread_pool& pool = call.read_only ? state_.read_workers : state_.workers;
  net::post(pool, [self, work = std::move(work), call = std::move(call)]() mutable {
    const auto executor = self->derived().stream().get_executor();
    mcp::OutboundSink sink = [self, executor](std::string message) {
      net::post(executor, [self, message = std::move(message)]() mutable {
        self->OnServerMessage(std::move(message));
      });
    };
    mcp::ListenEnded ended = [self, executor](std::optional<std::string> final_message) {
      net::post(executor, [self, final_message = std::move(final_message)]() mutable {
        self->OnListenEnded(std::move(final_message));
      });
    };
    std::optional<McpResult> result;
    try {
      result = self->state_.router.Run(call, sink, std::move(ended));
    } catch (const std::exception& e) {
      spdlog::error("http: an MCP request failed outside the protocol layer: {}", e.what());
    }
    net::post(executor, [self, result = std::move(result)]() mutable { self->OnResult(std::move(result)); });
  });
  if (watch) WatchForHangUp(calls_started_);
}

template <class Derived>
void Connection<Derived>::WatchForHangUp(std::uint64_t call) {
  // A wait, not a read: any bytes stay in the socket for the next request's parser. Asio
  // parks it with one epoll_ctl, which also reports a hang-up that came before it was
  // armed (re-arming an edge-triggered descriptor reports its present state). It
  // completes at the client's hang-up, or with the next request's first bytes long after
  // this call ended: that completion is ignored without a system call.
  lowest().socket().async_wait(net::socket_base::wait_read,
                               [self = derived().shared_from_this(), call](beast::error_code ec) {
                                 self->OnReadable(ec, call);
                               });
}

template <class Derived>
void Connection<Derived>::OnReadable(beast::error_code ec, std::uint64_t call) {
  if (call != calls_started_ || !cancel_on_close_ || phase_ != Phase::kBusy) return;  // answered meanwhile
  if (ec == net::error::operation_aborted) return;
  // Readable while the call runs: the end of the stream, or bytes (a pipelined request,
  // TLS records such as close_notify) with perhaps the end behind them. Waiting again with
  // those bytes unread would wake at once, over and over; so look for the hang-up now (it
  // usually follows close_notify at once) and otherwise stop watching this call, which
  // still ends when it writes to a closed connection.
  if (!ec && !PeerHungUp()) return;
  spdlog::debug("http: {} closed the connection while its request ran; cancelling the request", remote_);
  Close(true);  // cancels the request (Close)
}

// The peer shut down its side (or the socket failed). POLLRDHUP reports it even while
// unread bytes (a pipelined request, a TLS close_notify) sit before the end of the stream.
// A client that half-closes and still waits for its answer is taken as gone: HTTP/1.1
// clients do not do that, and MCP says closing the stream is the cancellation.
template <class Derived>
bool Connection<Derived>::PeerHungUp() {
  pollfd fd{lowest().socket().native_handle(), POLLRDHUP, 0};
  return ::poll(&fd, 1, 0) == 1 && (fd.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

template <class Derived>
void Connection<Derived>::OnServerMessage(std::string message) {
  // Too late (the response went out) or nowhere to put it (the client takes JSON only: it
  // then gets the response without the progress and log messages that preceded it).
  if (phase_ != Phase::kBusy || result_arrived_ || !can_stream_) return;
  if (live_stream_ && (chunks_.size() >= kMaxQueuedEvents || queued_bytes_ >= kMaxQueuedBytes)) {
    spdlog::warn("http: dropped a live stream of {} whose client stopped reading ({} events, {} bytes waiting)",
                 credential_id_, chunks_.size(), queued_bytes_);
    if (state_.metrics) state_.metrics->CountResponse(200, std::chrono::steady_clock::now() - request_started_);
    return Close(true);
  }
  if (!stream_head_) StartStream();
  Enqueue(Chunk{EventOf(message)});
}

template <class Derived>
void Connection<Derived>::OnResult(std::optional<McpResult> result) {
  if (phase_ != Phase::kBusy) return;  // the connection failed meanwhile
  if (result && result->listening) {
    call_headers_ = std::move(result->headers);
    StartListening();
    if (early_end_) OnListenEnded(*std::exchange(early_end_, std::nullopt));
    return;
  }
  ReleaseListen();  // a refused listen: nothing stays open
  result_arrived_ = true;
  cancel_on_close_.reset();
  if (!result) {
    if (stream_head_) return EndStream();
    return SendReply(ErrorReply(500, mcp::jsonrpc::kInternalError, "Internal error"), false);
  }
  if (stream_head_) {
    if (result->message) Enqueue(Chunk{EventOf(*result->message)});
    return EndStream();
  }
  if (!result->message) {
    // A request the client cancelled: it expects no response any more.
    Reply accepted = Accepted();
    accepted.headers = std::move(result->headers);
    return SendReply(std::move(accepted), false);
  }
  Reply reply = JsonReply(result->status, std::move(*result->message));
  reply.headers = std::move(result->headers);
  SendReply(std::move(reply), false);
}

template <class Derived>
void Connection<Derived>::StartStream() {
  stream_head_.emplace(bhttp::status::ok, request_.version());
  stream_head_->set(bhttp::field::server, "reflect-memory");
  stream_head_->set(bhttp::field::content_type, "text/event-stream");
  stream_head_->set(bhttp::field::cache_control, "no-cache");
  stream_head_->set("X-Accel-Buffering", "no");
  for (const auto& [name, value] : call_headers_) stream_head_->set(name, value);
  for (const auto& [name, value] : response_headers_) stream_head_->set(name, value);
  stream_head_->keep_alive(!draining_ && request_.keep_alive());
  stream_head_->chunked(true);
  stream_serializer_.emplace(*stream_head_);
  status_ = 200;
  body_bytes_ = 0;

  writing_ = true;
  lowest().expires_after(state_.options.write_timeout);
  bhttp::async_write_header(derived().stream(), *stream_serializer_,
                            [self = derived().shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->Close(true);
                              self->writing_ = false;
                              self->WriteNext();
                            });
}

template <class Derived>
void Connection<Derived>::Enqueue(Chunk chunk) {
  queued_bytes_ += chunk.data.size();
  chunks_.push_back(std::move(chunk));
  if (!writing_) WriteNext();
}

template <class Derived>
void Connection<Derived>::WriteNext() {
  if (chunks_.empty() || phase_ != Phase::kBusy) {
    // Between events the tool may run for long: no write is pending, so no deadline either.
    lowest().expires_never();
    return;
  }
  writing_ = true;
  lowest().expires_after(state_.options.write_timeout);
  auto on_written = beast::bind_front_handler(&Connection::OnChunkWritten, derived().shared_from_this());
  const Chunk& chunk = chunks_.front();  // stays put until OnChunkWritten: deque keeps references
  if (chunk.last) {
    net::async_write(derived().stream(), bhttp::make_chunk_last(), std::move(on_written));
  } else {
    body_bytes_ += chunk.data.size();
    net::async_write(derived().stream(), bhttp::make_chunk(net::buffer(chunk.data)), std::move(on_written));
  }
}

template <class Derived>
void Connection<Derived>::OnChunkWritten(beast::error_code ec, std::size_t) {
  writing_ = false;
  if (ec) {
    Close(true);  // the client went away; what the tool still sends is dropped
    chunks_.clear();
    return;
  }
  const bool was_last = chunks_.front().last;
  queued_bytes_ -= chunks_.front().data.size();
  chunks_.pop_front();
  if (!was_last) return WriteNext();

  DoneWithRequest();
  // A live stream's connection has a read outstanding (WatchPeer): it is not reused.
  const bool keep_alive = stream_head_->keep_alive() && !draining_ && !close_after_stream_;
  stream_serializer_.reset();
  stream_head_.reset();
  if (!keep_alive) return Close(false);
  StartReading();
}

template <class Derived>
void Connection<Derived>::EndStream() {
  Enqueue(Chunk{"", true});
}

template <class Derived>
void Connection<Derived>::DoneWithRequest() {
  ++requests_served_;
  const auto latency = std::chrono::steady_clock::now() - request_started_;
  if (state_.metrics) state_.metrics->CountResponse(status_, latency);
  if (state_.access_log.enabled()) {
    state_.access_log.Write(AccessRecord{remote_, View(request_.method_string()), View(request_.target()), status_,
                                         body_bytes_, latency, credential_id_, View(request_["Mcp-Session-Id"]),
                                         stream_head_.has_value()});
  }
}

template <class Derived>
void Connection<Derived>::Close(bool abrupt) {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  ReleaseListen();  // the client left, or was dropped: the session sends nothing more
  // A chunk being written stays until its write completes (aborted): the write reads it.
  while (chunks_.size() > (writing_ ? 1u : 0u)) chunks_.pop_back();
  queued_bytes_ = 0;
  // A 2026-07-28 request still running: the client can no longer get its answer, and the
  // closing is its cancellation. The worker's result is dropped (OnResult).
  if (cancel_on_close_) {
    cancel_on_close_->CancelAll();
    cancel_on_close_.reset();
  }
  derived().DoClose(abrupt);
}

template <class Derived>
void Connection<Derived>::OpenStandalone(McpCall call) {
  can_stream_ = true;
  call_headers_ = call.headers;
  result_arrived_ = false;
  live_stream_ = true;
  standalone_ = true;
  lowest().expires_never();
  auto self = derived().shared_from_this();
  const auto executor = derived().stream().get_executor();
  mcp::OutboundSink sink = [self, executor](std::string message) {
    net::post(executor, [self, message = std::move(message)]() mutable { self->OnServerMessage(std::move(message)); });
  };
  std::function<void()> ended = [self, executor] {
    net::post(executor, [self] { self->OnListenEnded(std::nullopt); });
  };
  if (std::optional<Reply> refused = state_.router.OpenStream(call, sink, std::move(ended))) {
    live_stream_ = standalone_ = false;
    return SendReply(std::move(*refused), false);
  }
  listen_session_ = call.session;
  StartListening();
}

template <class Derived>
void Connection<Derived>::StartListening() {
  listening_ = true;
  close_after_stream_ = true;
  if (!stream_head_) StartStream();  // the headers go out now, before any event
  WatchPeer();
}

template <class Derived>
void Connection<Derived>::WatchPeer() {
  if (buffer_.size() > kMaxBytesDuringStream) return Close(true);
  derived().stream().async_read_some(buffer_.prepare(kReadChunk),
                                     beast::bind_front_handler(&Connection::OnPeerRead, derived().shared_from_this()));
}

template <class Derived>
void Connection<Derived>::OnPeerRead(beast::error_code ec, std::size_t bytes) {
  if (phase_ == Phase::kClosed) return;
  if (ec) {
    // The client closed its stream: that ends the listen (HTTP has no notifications/cancelled).
    if (listening_) return Close(true);
    return;  // the stream ended meanwhile and the connection is closing
  }
  buffer_.commit(bytes);
  WatchPeer();
}

template <class Derived>
void Connection<Derived>::OnListenEnded(std::optional<std::string> final_message) {
  if (phase_ != Phase::kBusy) return;
  if (!listening_) {
    if (live_stream_ && !result_arrived_) early_end_ = std::move(final_message);  // before its OnResult
    return;
  }
  listening_ = false;
  auto session = std::move(listen_session_);
  if (standalone_ && session) session->CloseStream();
  result_arrived_ = true;
  if (final_message) Enqueue(Chunk{EventOf(*final_message)});
  EndStream();
}

template <class Derived>
void Connection<Derived>::ReleaseListen() {
  auto session = std::move(listen_session_);
  listening_ = false;
  if (!session) return;
  if (standalone_) {
    session->CloseStream();
  } else {
    session->Cancel(listen_id_);
  }
}

// ---------------------------------------------------------------------------------------
// PlainConnection

PlainConnection::PlainConnection(ServerState& state, net::ip::tcp::socket&& socket, std::string remote,
                                 bool remote_is_loopback)
    : Connection(state, std::move(remote), remote_is_loopback), stream_(std::move(socket)) {}

void PlainConnection::Start() {
  // On the connection's strand from the start, like every later step.
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->StartReading(); });
}

void PlainConnection::EndOutput() {
  beast::error_code ignored;  // the client may be gone already; Close() follows either way
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
}

void PlainConnection::DoClose(bool) {
  EndOutput();
  beast::error_code ignored;
  stream_.socket().close(ignored);
}

// ---------------------------------------------------------------------------------------
// TlsConnection

TlsConnection::TlsConnection(ServerState& state, net::ip::tcp::socket&& socket, net::ssl::context& tls,
                             std::string remote, bool remote_is_loopback)
    : Connection(state, std::move(remote), remote_is_loopback), stream_(std::move(socket), tls) {}

void TlsConnection::Start() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    beast::get_lowest_layer(self->stream_).expires_after(self->state().options.request_timeout);
    self->stream_.async_handshake(net::ssl::stream_base::server, [self](beast::error_code ec) {
      if (ec) return self->DoClose(true);  // not TLS, or too slow: nothing to answer
      self->StartReading();
    });
  });
}

void TlsConnection::DoClose(bool abrupt) {
  auto& tcp = beast::get_lowest_layer(stream_);
  if (abrupt) {
    tcp.close();
    return;
  }
  // Say close_notify, but never wait long for the peer's.
  tcp.expires_after(std::chrono::seconds(2));
  stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
    beast::get_lowest_layer(self->stream_).close();
  });
}

template class Connection<PlainConnection>;
template class Connection<TlsConnection>;

}  // namespace transports::http
