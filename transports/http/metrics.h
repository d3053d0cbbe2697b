// Metrics: what the HTTP server counts, rendered in the Prometheus text format.
//
// Counting is lock-free (atomics), so it costs nothing noticeable per request. Labels
// come only from fixed sets (status codes, MCP method names, the server's own tool names),
// never from raw client input, so a client cannot grow the label space.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace transports::http {

class Metrics {
 public:
  // `tool_names`: the server's tools; calls to any other name are counted as "other".
  explicit Metrics(const std::vector<std::string>& tool_names);

  void CountResponse(int status, std::chrono::steady_clock::duration latency);
  // One JSON-RPC request received (`tool` only for tools/call).
  void CountRequest(std::string_view method, std::string_view tool = {});
  void ConnectionOpened() { connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { connections_.fetch_sub(1, std::memory_order_relaxed); }
  void ConnectionRefused() { connections_refused_.fetch_add(1, std::memory_order_relaxed); }
  std::int64_t open_connections() const { return connections_.load(std::memory_order_relaxed); }

  // The exposition text; `sessions` is sampled by the caller.
  std::string Render(std::size_t sessions) const;

 private:
  using Counter = std::atomic<std::uint64_t>;
  static constexpr std::array<double, 14> kLatencyBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  std::array<Counter, 600> responses_by_status_{};
  std::array<Counter, kLatencyBuckets.size() + 1> latency_buckets_{};  // last: +Inf
  std::atomic<std::uint64_t> latency_sum_micros_{0};

  std::vector<std::string> methods_;  // known MCP request methods, then "other"
  std::unique_ptr<Counter[]> requests_by_method_;
  std::vector<std::string> tools_;  // the server's tools, then "other"
  std::unique_ptr<Counter[]> calls_by_tool_;
  std::unordered_map<std::string_view, std::size_t> method_index_;
  std::unordered_map<std::string_view, std::size_t> tool_index_;

  std::atomic<std::int64_t> connections_{0};
  Counter connections_refused_{0};
};

}  // namespace transports::http
