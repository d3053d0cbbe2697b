#include "transports/http/metrics.h"

#include <cstdio>

namespace transports::http {
namespace {

// Every request method of the MCP revisions we speak (client to server).
const std::vector<std::string>& KnownMethods() {
  static const std::vector<std::string> methods = {
      "initialize",         "ping",           "tools/list",
      "tools/call",         "resources/list", "resources/read",
      "resources/templates/list", "resources/subscribe", "resources/unsubscribe",
      "prompts/list",       "prompts/get",    "completion/complete",
      "logging/setLevel"};
  return methods;
}

std::string Number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", v);
  return buffer;
}

}  // namespace

Metrics::Metrics(const std::vector<std::string>& tool_names)
    : methods_(KnownMethods()), tools_(tool_names) {
  methods_.push_back("other");
  tools_.push_back("other");
  requests_by_method_ = std::make_unique<Counter[]>(methods_.size());
  calls_by_tool_ = std::make_unique<Counter[]>(tools_.size());
  for (std::size_t i = 0; i + 1 < methods_.size(); ++i) method_index_.emplace(methods_[i], i);
  for (std::size_t i = 0; i + 1 < tools_.size(); ++i) tool_index_.emplace(tools_[i], i);
}

void Metrics::CountResponse(int status, std::chrono::steady_clock::duration latency) {
  if (status >= 0 && status < static_cast<int>(responses_by_status_.size())) {
    responses_by_status_[status].fetch_add(1, std::memory_order_relaxed);
  }
  const double seconds = std::chrono::duration<double>(latency).count();
  std::size_t bucket = 0;
  while (bucket < kLatencyBuckets.size() && seconds > kLatencyBuckets[bucket]) ++bucket;
  latency_buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  latency_sum_micros_.fetch_add(
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(latency).count()),
      std::memory_order_relaxed);
}

void Metrics::CountRequest(std::string_view method, std::string_view tool) {
  auto m = method_index_.find(method);
  requests_by_method_[m == method_index_.end() ? methods_.size() - 1 : m->second].fetch_add(
      1, std::memory_order_relaxed);
  if (method != "tools/call") return;
  auto t = tool_index_.find(tool);
  calls_by_tool_[t == tool_index_.end() ? tools_.size() - 1 : t->second].fetch_add(
      1, std::memory_order_relaxed);
}

std::string Metrics::Render(std::size_t sessions) const {
  std::string out;
  auto line = [&out](const std::string& text) {
    out += text;
    out += '\n';
  };

  line("# HELP rm_http_responses_total HTTP responses sent, by status code.");
  line("# TYPE rm_http_responses_total counter");
  for (std::size_t code = 0; code < responses_by_status_.size(); ++code) {
    const auto n = responses_by_status_[code].load(std::memory_order_relaxed);
    if (n) line("rm_http_responses_total{code=\"" + std::to_string(code) + "\"} " + std::to_string(n));
  }

  line("# HELP rm_http_request_duration_seconds Time from a complete request to its complete response.");
  line("# TYPE rm_http_request_duration_seconds histogram");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < latency_buckets_.size(); ++i) {
    cumulative += latency_buckets_[i].load(std::memory_order_relaxed);
    const std::string le = i < kLatencyBuckets.size() ? Number(kLatencyBuckets[i]) : "+Inf";
    line("rm_http_request_duration_seconds_bucket{le=\"" + le + "\"} " + std::to_string(cumulative));
  }
  line("rm_http_request_duration_seconds_sum " +
       Number(static_cast<double>(latency_sum_micros_.load(std::memory_order_relaxed)) / 1e6));
  line("rm_http_request_duration_seconds_count " + std::to_string(cumulative));

  line("# HELP rm_mcp_requests_total JSON-RPC requests received, by MCP method.");
  line("# TYPE rm_mcp_requests_total counter");
  for (std::size_t i = 0; i < methods_.size(); ++i) {
    line("rm_mcp_requests_total{method=\"" + methods_[i] + "\"} " +
         std::to_string(requests_by_method_[i].load(std::memory_order_relaxed)));
  }
  line("# HELP rm_mcp_tool_calls_total tools/call requests received, by tool.");
  line("# TYPE rm_mcp_tool_calls_total counter");
  for (std::size_t i = 0; i < tools_.size(); ++i) {
    line("rm_mcp_tool_calls_total{tool=\"" + tools_[i] + "\"} " +
         std::to_string(calls_by_tool_[i].load(std::memory_order_relaxed)));
  }

  line("# HELP rm_mcp_sessions MCP sessions open.");
  line("# TYPE rm_mcp_sessions gauge");
  line("rm_mcp_sessions " + std::to_string(sessions));
  line("# HELP rm_http_connections HTTP connections open.");
  line("# TYPE rm_http_connections gauge");
  line("rm_http_connections " + std::to_string(connections_.load(std::memory_order_relaxed)));
  line("# HELP rm_http_connections_refused_total Connections closed at once because max_connections were open.");
  line("# TYPE rm_http_connections_refused_total counter");
  line("rm_http_connections_refused_total " + std::to_string(connections_refused_.load(std::memory_order_relaxed)));
  return out;
}

}  // namespace transports::http
