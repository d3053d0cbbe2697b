// Live changes on the protocol side (internal to mcp/; the Session owns one Listens).
//
// Modern era: subscriptions/listen is a request that stays open. It is acknowledged
// first (notifications/subscriptions/acknowledged, with the filter the server agreed
// to), then carries notifications/resources/updated and notifications/resources/
// list_changed, each tagged _meta["io.modelcontextprotocol/subscriptionId"] = the
// request's id, until the client ends it (notifications/cancelled on stdio, closing
// the stream over HTTP: nothing more is sent) or the server does (a result
// {resultType:"complete", _meta:{subscriptionId}}).
//
// Handshake era: resources/subscribe and resources/unsubscribe name URIs; updates and
// list_changed go to the session's standalone channel (stdio: stdout; HTTP: the GET
// stream, while one is open). The session registers one listener, at its first
// subscribe or when its GET stream opens.
//
// The ResourceProvider decides what a listener may know; this file only filters by
// what the client asked for and formats the messages.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "mcp/call_context.h"
#include "mcp/server_definition.h"

namespace mcp {

// How a transport learns that a listen it carries has ended: with the final message to
// send (the server ended it) or nothing (the client ended it, or the transport did).
using ListenEnded = std::function<void(std::optional<std::string> final_message)>;

class ListenChannel;

class Listens : public std::enable_shared_from_this<Listens> {
 public:
  // Build with std::make_shared: channels reach back through a weak pointer.
  explicit Listens(const ServerDefinition& server);
  ~Listens();  // closes every channel silently

  // A modern subscriptions/listen request. Returns the error response when it is refused;
  // nothing when it is open (the acknowledgement has been sent to `sink`).
  std::optional<boost::json::object> Open(const boost::json::value& id, const boost::json::object& params,
                                          CallContext& ctx, const OutboundSink& sink, ListenEnded ended);
  // The client ended the listen `key` (a serialized id): nothing more is sent. True if there was one.
  bool Cancel(const std::string& key);
  // Ends every open listen gracefully (final results) and the handshake-era stream.
  void EndAll();
  // Open modern listens.
  std::size_t open() const;

  // Handshake era: resources/subscribe and resources/unsubscribe (results, or jsonrpc::Error).
  boost::json::value Subscribe(const boost::json::object& params, CallContext& ctx, const OutboundSink& fallback);
  boost::json::value Unsubscribe(const boost::json::object& params);
  // The standalone stream (HTTP GET): the handshake-era notifications go to `sink` until
  // CloseStream. False if one is open already. `ended` is called if the server ends it
  // (the listener was dropped, or the session closes). Throws jsonrpc::Error if refused.
  bool OpenStream(OutboundSink sink, std::function<void()> ended, CallContext& ctx);
  void CloseStream();

 private:
  struct Entry {
    std::shared_ptr<ListenChannel> channel;
    ListenEnded ended;
    boost::json::value id;
  };
  // Ends listen `key` from the server side (graceful final result).
  void End(const std::string& key);
  // The handshake-era channel, registered on first use (throws jsonrpc::Error if refused).
  std::shared_ptr<ListenChannel> Legacy(CallContext& ctx, const OutboundSink& fallback);
  // The registry dropped the handshake-era channel.
  void DropLegacy(const std::shared_ptr<ListenChannel>& channel);

  const ServerDefinition& server_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> open_;
  std::shared_ptr<ListenChannel> legacy_;
  OutboundSink legacy_fallback_;
  OutboundSink stream_;
  std::function<void()> stream_ended_;
};

}  // namespace mcp
