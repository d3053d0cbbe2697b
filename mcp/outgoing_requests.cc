#include "mcp/outgoing_requests.h"

#include <algorithm>

#include <boost/json/serialize.hpp>

#include "mcp/json_rpc.h"

namespace mcp {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// How often a waiting handler looks at its cancellation flag.
constexpr auto kCancelPoll = 20ms;

}  // namespace

rm::Result<json::value> OutgoingRequests::Send(std::string_view method, json::object params,
                                               std::chrono::milliseconds timeout, const OutboundSink& sink,
                                               const std::shared_ptr<const std::atomic<bool>>& cancelled) {
  if (!sink) return rm::Status::FailedPrecondition("the transport cannot send requests to the client");
  auto waiter = std::make_shared<Waiter>();
  json::value id;
  std::string key;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    key = json::serialize(id);
    waiting_.emplace(key, waiter);
  }
  sink(json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}));

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto is_cancelled = [&cancelled] { return cancelled && cancelled->load(std::memory_order_acquire); };
  std::unique_lock lock(mutex_);
  while (!waiter->answered && !is_cancelled() && std::chrono::steady_clock::now() < deadline) {
    answered_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + kCancelPoll));
  }
  waiting_.erase(key);
  if (!waiter->answered) {
    lock.unlock();
    const bool timed_out = !is_cancelled();
    // Tell the client to stop working on a request nobody waits for any more.
    sink(json::serialize(jsonrpc::MakeNotification(
        "notifications/cancelled",
        json::object{{"requestId", id}, {"reason", timed_out ? "timeout" : "the server's request was cancelled"}})));
    if (timed_out) {
      return rm::Status::IoError("the client did not answer " + std::string(method) + " within " +
                                 std::to_string(timeout.count()) + " ms");
    }
    return rm::Status::FailedPrecondition("cancelled while waiting for the client to answer " + std::string(method));
  }
  if (const json::value* result = waiter->response.if_contains("result")) return *result;
  std::string why = "the client answered " + std::string(method) + " with an error";
  if (const json::value* error = waiter->response.if_contains("error"); error && error->is_object()) {
    why += ": " + json::serialize(*error);
  }
  return rm::Status::FailedPrecondition(why);
}

void OutgoingRequests::Deliver(const json::value& id, const json::object& response) {
  {
    std::lock_guard lock(mutex_);
    auto it = waiting_.find(json::serialize(id));
    if (it == waiting_.end()) return;
    it->second->answered = true;
    it->second->response = response;
  }
  answered_.notify_all();
}

}  // namespace mcp
