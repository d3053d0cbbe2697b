// Connection: one client's TCP (or TLS) connection, after the model of Boost.Beast's
// advanced_server: every step is an async operation on the connection's strand, so one
// connection never runs on two threads at once and needs no lock.
//
//   wait for a request (idle timeout) → read it (request timeout, size limits)
//   → Router decides → a Reply is written at once, or an McpCall runs on the worker pool
//   → its response is written as JSON, or — when the server sends messages first and the
//     client accepts it — as a text/event-stream of chunks → next request (keep-alive).
//
// The two kinds, plain and TLS, differ only in their stream and how they start and close
// (CRTP, like advanced_server_flex).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "transports/http/access_log.h"
#include "transports/http/connection_set.h"
#include "transports/http/exchange.h"
#include "transports/http/http_server.h"
#include "transports/http/metrics.h"
#include "transports/http/router.h"

namespace transports::http {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace bhttp = boost::beast::http;

// What every connection of one server shares. Outlives the connections.
struct ServerState {
  const HttpOptions& options;
  Router& router;
  Metrics* metrics;  // null when metrics are off
  const AccessLog& access_log;
  net::thread_pool& workers;       // requests that may write
  net::thread_pool& read_workers;  // requests that only read (McpCall::read_only)
  ConnectionSet& connections;
};

template <class Derived>
class Connection : public Drainable {
 public:
  ~Connection() override;
  void Drain() override;

 protected:
  Connection(ServerState& state, std::string remote, bool remote_is_loopback);

  // Called by Derived once the stream is ready (after the TLS handshake).
  void StartReading();
  // Called by Derived when it is done closing.
  ServerState& state() { return state_; }

 private:
  enum class Phase { kWaitingForRequest, kReadingRequest, kBusy, kClosed };
  struct Chunk {
    std::string data;
    bool last = false;  // the terminating zero-length chunk
  };

  Derived& derived() { return static_cast<Derived&>(*this); }
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(derived().stream()); }

  void OnFirstBytes(beast::error_code ec, std::size_t bytes);
  void ReadRequest();
  void OnHead(beast::error_code ec, std::size_t bytes);
  void ReadBody();
  void OnRequest(beast::error_code ec, std::size_t bytes);
  // Answers (or just closes on) a failed read; the request is what was parsed of it.
  void OnReadFailed(beast::error_code ec);
  void Dispatch();

  void SendReply(Reply reply, bool close);
  void OnReplyWritten(beast::error_code ec, bool close);
  // After refusing a request whose body was left unread (413, 431, 400): ends our side
  // (a client reading to the end sees it at once), then reads and drops what the client
  // is still sending before closing, so the kernel does not answer the unread bytes with
  // a reset that destroys the refusal before the client reads it.
  void LingerThenClose();
  void DiscardThenClose();
  void OnDiscarded(beast::error_code ec, std::size_t bytes);

  void RunCall(McpCall call);
  void RunRoute(RouteCall call);
  // While a 2026-07-28 request runs, notices the client closing the connection: that closing
  // is the request's cancellation (nothing more may be sent for it). Legacy requests are
  // not watched: in their revisions a disconnect is not a cancellation.
  void WatchForHangUp(std::uint64_t call);
  void OnReadable(beast::error_code ec, std::uint64_t call);
  bool PeerHungUp();
  void OnServerMessage(std::string message);
  void OnResult(std::optional<McpResult> result);

  // Live changes: a listen's stream, or the session's standalone stream (GET /mcp).
  void OpenStandalone(McpCall call);
  // The stream stays open: watch for the client leaving (a read that fails).
  void StartListening();
  void WatchPeer();
  void OnPeerRead(beast::error_code ec, std::size_t bytes);
  // The server ended the listen: its final message (if any), then the end of the stream.
  void OnListenEnded(std::optional<std::string> final_message);
  // The client or the transport ended it: the session stops sending.
  void ReleaseListen();

  void StartStream();
  void Enqueue(Chunk chunk);
  void WriteNext();
  void OnChunkWritten(beast::error_code ec, std::size_t bytes);
  void EndStream();

  void DoneWithRequest();  // access log and metrics for the exchange just finished
  void Close(bool abrupt);

  ServerState& state_;
  const std::string remote_;
  const bool remote_is_loopback_;

  Phase phase_ = Phase::kWaitingForRequest;
  bool draining_ = false;
  bool input_left_unread_ = false;  // the request was refused before all of it was read
  std::size_t discarded_bytes_ = 0;
  std::size_t requests_served_ = 0;

  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::request<bhttp::string_body> request_;
  std::chrono::steady_clock::time_point request_started_;
  std::string credential_id_;  // for the access log
  std::vector<Header> response_headers_;  // the router's headers for this request's response
  int status_ = 0;
  std::size_t body_bytes_ = 0;

  // The response of the McpCall in progress.
  bool can_stream_ = false;
  std::vector<Header> call_headers_;
  bool result_arrived_ = false;
  std::optional<bhttp::response<bhttp::empty_body>> stream_head_;
  std::optional<bhttp::response_serializer<bhttp::empty_body>> stream_serializer_;
  std::deque<Chunk> chunks_;  // front is being written while writing_
  bool writing_ = false;
  std::size_t queued_bytes_ = 0;  // in chunks_

  // Live changes (see live_endpoint.cc).
  bool live_stream_ = false;   // this response is a listen's or the standalone stream: bounded queue
  bool standalone_ = false;    // the standalone stream (GET /mcp)
  bool listening_ = false;     // the stream stays open after the worker returned
  bool close_after_stream_ = false;  // a live stream's connection closes when it ends
  std::optional<std::optional<std::string>> early_end_;  // the listen ended before its OnResult
  std::shared_ptr<mcp::Session> listen_session_;
  std::string listen_id_;
  // The session of the 2026-07-28 request in progress (its own), cancelled if the
  // connection closes before the response is out; and which call the watch belongs to.
  std::shared_ptr<mcp::Session> cancel_on_close_;
  std::uint64_t calls_started_ = 0;
};

class PlainConnection : public Connection<PlainConnection>,
                        public std::enable_shared_from_this<PlainConnection> {
 public:
  PlainConnection(ServerState& state, net::ip::tcp::socket&& socket, std::string remote, bool remote_is_loopback);
  void Start();
  beast::tcp_stream& stream() { return stream_; }
  void EndOutput();  // TCP FIN: nothing more will be sent
  void DoClose(bool abrupt);

 private:
  beast::tcp_stream stream_;
};

class TlsConnection : public Connection<TlsConnection>, public std::enable_shared_from_this<TlsConnection> {
 public:
  TlsConnection(ServerState& state, net::ip::tcp::socket&& socket, net::ssl::context& tls, std::string remote,
                bool remote_is_loopback);
  void Start();
  beast::ssl_stream<beast::tcp_stream>& stream() { return stream_; }
  // Nothing: a TCP FIN under TLS, before close_notify, reads as a truncated stream;
  // DoClose says close_notify once the lingering is over.
  void EndOutput() {}
  void DoClose(bool abrupt);

 private:
  beast::ssl_stream<beast::tcp_stream> stream_;
};

}  // namespace transports::http
