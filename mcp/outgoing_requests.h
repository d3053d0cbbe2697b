// OutgoingRequests: requests this server sends to its client (sampling/createMessage,
// elicitation/create, ...) while it handles one of the client's requests, and the wait
// for their answers. The client answers with a JSON-RPC response, which the Session
// hands to Deliver; Send, blocked on the handler's thread, then returns its result.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "mcp/call_context.h"
#include "util/status.h"

namespace mcp {

class OutgoingRequests {
 public:
  // Sends `method` through `sink` and waits for the client's answer: its result, or an error
  // when the client answers with one (FailedPrecondition), does not answer within `timeout`
  // (IoError; the client is then told with notifications/cancelled), or `cancelled` becomes
  // true meanwhile (FailedPrecondition).
  rm::Result<boost::json::value> Send(std::string_view method, boost::json::object params,
                                      std::chrono::milliseconds timeout, const OutboundSink& sink,
                                      const std::shared_ptr<const std::atomic<bool>>& cancelled);

  // Hands the client's response (an object with "result" or "error") to the request waiting
  // for `id`. A response nobody waits for (late, or unknown) is ignored.
  void Deliver(const boost::json::value& id, const boost::json::object& response);

 private:
  struct Waiter {
    bool answered = false;
    boost::json::object response;
  };

  std::mutex mutex_;
  std::condition_variable answered_;
  std::int64_t next_id_ = 1;
  // By serialized id: the client echoes the id exactly.
  std::unordered_map<std::string, std::shared_ptr<Waiter>> waiting_;
};

}  // namespace mcp
