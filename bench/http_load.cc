// http_load: a load driver for the Streamable HTTP transport. Opens N keep-alive
// connections, then has every connection send the same tools/call back to back for a fixed
// time, and prints requests per second and latency percentiles. Two modes:
//   session   (default) each connection opens its own MCP session first (initialize +
//             notifications/initialized, protocol 2025-11-25) and sends Mcp-Session-Id;
//   stateless protocol 2026-07-28: no handshake, no session; every request carries _meta
//             and the MCP-Protocol-Version, Mcp-Method and Mcp-Name headers.
// `--mode both` measures the two alternately (session first) for `--rounds` rounds in one
// run, so both see the same machine, and prints each phase and the medians.
//
//   http_load --url http://127.0.0.1:8765/mcp --key rm_live_...
//             [--connections 64] [--seconds 10] [--warmup 2] [--threads 1]
//             [--tool test_simple_text] [--arguments '{}']
//             [--mode session|stateless|both] [--rounds 1] [--server-pid PID]
//
// One Asio thread by default: on a small machine the driver should take as little CPU
// from the server as it can. Latency is measured from the request's write to the end of
// its response, per connection; throughput counts responses in the measured window.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace json = boost::json;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Target {
  std::string host;
  std::string port;
  std::string path;
};

// "http://host:port/path" (plain HTTP only: the driver measures the server, not TLS).
Target ParseUrl(const std::string& url) {
  const std::string prefix = "http://";
  if (url.rfind(prefix, 0) != 0) throw std::invalid_argument("--url must start with http://");
  const std::string rest = url.substr(prefix.size());
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  const auto colon = authority.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("--url needs a port");
  return {authority.substr(0, colon), authority.substr(colon + 1),
          slash == std::string::npos ? "/" : rest.substr(slash)};
}

struct Shared {
  Target target;
  std::string key;
  bool stateless = false;  // 2026-07-28: no session, mirrored headers
  std::string tool;        // the Mcp-Name of a stateless call
  std::string call_body;
  Clock::time_point measure_from;
  Clock::time_point measure_until;
  std::atomic<int> failed_connections{0};
  std::size_t calls = 0;  // every answered call, warm-up included (the driver has one thread by default)
};

// CPU time (user + system) the process `pid` has used, in microseconds; -1 if unknown.
double ProcessCpuMicros(int pid) {
  if (pid <= 0) return -1;
  std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!f) return -1;
  char buffer[2048];
  const std::size_t n = std::fread(buffer, 1, sizeof buffer - 1, f);
  std::fclose(f);
  buffer[n] = '\0';
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const char* p = std::strrchr(buffer, ')');
  if (!p) return -1;
  unsigned long utime = 0, stime = 0;
  // state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime
  if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) return -1;
  return static_cast<double>(utime + stime) * 1e6 / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// One client connection: initialize, initialized, then tools/call until time is up.
class LoadConnection : public std::enable_shared_from_this<LoadConnection> {
 public:
  LoadConnection(net::io_context& io, Shared& shared) : stream_(io), shared_(shared) {}

  void Start(const tcp::resolver::results_type& endpoints) {
    stream_.async_connect(endpoints, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return self->Fail("connect", ec);
      if (self->shared_.stateless) return self->OnReady();  // nothing to open
      self->Send(self->InitializeBody(), &LoadConnection::OnInitialized);
    });
  }

  const std::vector<double>& latencies_us() const { return latencies_us_; }
  std::size_t errors() const { return errors_; }

 private:
  using Step = void (LoadConnection::*)();

  static std::string InitializeBody() {
    return json::serialize(json::object{
        {"jsonrpc", "2.0"},
        {"id", 1},
        {"method", "initialize"},
        {"params",
         {{"protocolVersion", "2025-11-25"},
          {"capabilities", json::object{}},
          {"clientInfo", {{"name", "http_load"}, {"version", "1"}}}}}});
  }

  void Send(std::string body, Step next) {
    request_ = {bhttp::verb::post, shared_.target.path, 11};
    request_.set(bhttp::field::host, shared_.target.host + ":" + shared_.target.port);
    request_.set(bhttp::field::content_type, "application/json");
    request_.set(bhttp::field::accept, "application/json, text/event-stream");
    request_.set(bhttp::field::authorization, "Bearer " + shared_.key);
    if (shared_.stateless) {
      request_.set("MCP-Protocol-Version", "2026-07-28");
      request_.set("Mcp-Method", "tools/call");
      request_.set("Mcp-Name", shared_.tool);
    } else if (!session_.empty()) {
      request_.set("Mcp-Session-Id", session_);
      request_.set("MCP-Protocol-Version", "2025-11-25");
    }
    request_.body() = std::move(body);
    request_.prepare_payload();
    sent_at_ = Clock::now();
    bhttp::async_write(stream_, request_, [self = shared_from_this(), next](beast::error_code ec, std::size_t) {
      if (ec) return self->Fail("write", ec);
      self->response_ = {};
      bhttp::async_read(self->stream_, self->buffer_, self->response_,
                        [self, next](beast::error_code read_ec, std::size_t) {
                          if (read_ec) return self->Fail("read", read_ec);
                          ((*self).*next)();
                        });
    });
  }

  void OnInitialized() {
    session_ = std::string(response_["Mcp-Session-Id"]);
    if (response_.result_int() != 200 || session_.empty()) {
      std::fprintf(stderr, "initialize failed: HTTP %u %s\n", response_.result_int(), response_.body().c_str());
      ++shared_.failed_connections;
      return;
    }
    Send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", &LoadConnection::OnReady);
  }

  void OnReady() { Send(shared_.call_body, &LoadConnection::OnCalled); }

  void OnCalled() {
    const auto now = Clock::now();
    const bool ok = response_.result_int() == 200 && response_.body().find("\"result\"") != std::string::npos;
    if (!ok && errors_++ == 0) {
      std::fprintf(stderr, "first failed call: HTTP %u %.300s\n", response_.result_int(), response_.body().c_str());
    }
    if (sent_at_ >= shared_.measure_from && now <= shared_.measure_until) {
      latencies_us_.push_back(std::chrono::duration<double, std::micro>(now - sent_at_).count());
    }
    ++shared_.calls;
    if (now < shared_.measure_until) Send(shared_.call_body, &LoadConnection::OnCalled);
  }

  void Fail(const char* what, beast::error_code ec) {
    std::fprintf(stderr, "connection %s failed: %s\n", what, ec.message().c_str());
    ++shared_.failed_connections;
  }

  beast::tcp_stream stream_;
  Shared& shared_;
  beast::flat_buffer buffer_;
  bhttp::request<bhttp::string_body> request_;
  bhttp::response<bhttp::string_body> response_;
  std::string session_;
  Clock::time_point sent_at_;
  std::vector<double> latencies_us_;
  std::size_t errors_ = 0;
};

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[index];
}

struct PhaseResult {
  double rps = 0;
  std::vector<double> latencies_us;  // sorted
  std::size_t errors = 0;
  int failed_connections = 0;
  double server_cpu_us_per_call = -1;  // with --server-pid
  // This driver's own CPU per call: on a machine the server shares with its driver, a mode
  // whose calls cost the driver more leaves the server less CPU, and its rate falls for that.
  double driver_cpu_us_per_call = -1;
};

// One measured phase: fresh connections (and, in session mode, fresh sessions).
PhaseResult RunPhase(const Target& target, const std::string& key, bool stateless, const std::string& tool,
                     const json::value& arguments, int connections, double seconds, double warmup, unsigned threads,
                     int server_pid) {
  Shared shared;
  shared.target = target;
  shared.key = key;
  shared.stateless = stateless;
  shared.tool = tool;
  json::object params{{"name", tool}, {"arguments", arguments}};
  if (stateless) {
    params["_meta"] = json::object{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                                   {"io.modelcontextprotocol/clientCapabilities", json::object{}},
                                   {"io.modelcontextprotocol/clientInfo", {{"name", "http_load"}, {"version", "1"}}}};
  }
  shared.call_body = json::serialize(
      json::object{{"jsonrpc", "2.0"}, {"id", 2}, {"method", "tools/call"}, {"params", std::move(params)}});
  const auto start = Clock::now();
  shared.measure_from = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warmup));
  shared.measure_until =
      shared.measure_from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));

  net::io_context io;
  tcp::resolver resolver(io);
  const auto endpoints = resolver.resolve(shared.target.host, shared.target.port);
  const double cpu_before = ProcessCpuMicros(server_pid);
  const double driver_cpu_before = ProcessCpuMicros(static_cast<int>(::getpid()));
  std::vector<std::shared_ptr<LoadConnection>> clients;
  for (int i = 0; i < connections; ++i) {
    clients.push_back(std::make_shared<LoadConnection>(io, shared));
    clients.back()->Start(endpoints);
  }
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  const double cpu_after = ProcessCpuMicros(server_pid);
  const double driver_cpu_after = ProcessCpuMicros(static_cast<int>(::getpid()));

  PhaseResult result;
  if (cpu_before >= 0 && cpu_after >= 0 && shared.calls > 0) {
    result.server_cpu_us_per_call = (cpu_after - cpu_before) / static_cast<double>(shared.calls);
  }
  if (shared.calls > 0) {
    result.driver_cpu_us_per_call = (driver_cpu_after - driver_cpu_before) / static_cast<double>(shared.calls);
  }
  for (const auto& c : clients) {
    result.latencies_us.insert(result.latencies_us.end(), c->latencies_us().begin(), c->latencies_us().end());
    result.errors += c->errors();
  }
  std::sort(result.latencies_us.begin(), result.latencies_us.end());
  result.rps = static_cast<double>(result.latencies_us.size()) / seconds;
  result.failed_connections = shared.failed_connections.load();
  return result;
}

void Print(const char* mode, const std::string& tool, int connections, double seconds, const PhaseResult& r) {
  const auto& all = r.latencies_us;
  std::printf("mode=%s tool=%s connections=%d seconds=%.1f requests=%zu errors=%zu failed_connections=%d\n", mode,
              tool.c_str(), connections, seconds, all.size(), r.errors, r.failed_connections);
  std::printf("mode=%s requests/s=%.0f p50=%.0fus p90=%.0fus p99=%.0fus max=%.0fus\n", mode, r.rps,
              Percentile(all, 0.50), Percentile(all, 0.90), Percentile(all, 0.99), all.empty() ? 0.0 : all.back());
  if (r.server_cpu_us_per_call >= 0) {
    std::printf("mode=%s server_cpu_per_call=%.1fus (user + system, whole phase)\n", mode, r.server_cpu_us_per_call);
  }
  std::printf("mode=%s driver_cpu_per_call=%.1fus\n", mode, r.driver_cpu_us_per_call);
  std::fflush(stdout);
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Load driver for the Streamable HTTP transport (tools/call over keep-alive)"};
  std::string url = "http://127.0.0.1:8765/mcp";
  std::string key;
  std::string tool = "test_simple_text";
  std::string arguments = "{}";
  std::string mode = "session";
  int connections = 64;
  double seconds = 10;
  double warmup = 2;
  unsigned threads = 1;
  int rounds = 1;
  int server_pid = 0;
  app.add_option("--url", url, "The MCP endpoint");
  app.add_option("--key", key, "Bearer key")->required();
  app.add_option("--tool", tool, "Tool to call");
  app.add_option("--arguments", arguments, "The tool's arguments as a JSON object");
  app.add_option("--connections", connections, "Keep-alive connections (one session each in session mode)");
  app.add_option("--seconds", seconds, "Measured time");
  app.add_option("--warmup", warmup, "Unmeasured time before");
  app.add_option("--threads", threads, "Driver threads");
  app.add_option("--mode", mode, "session (2025-11-25), stateless (2026-07-28) or both, alternately")
      ->check(CLI::IsMember({"session", "stateless", "both"}));
  app.add_option("--rounds", rounds, "With --mode both: how many session + stateless pairs");
  app.add_option("--server-pid", server_pid,
                 "The server's process id (same machine): also report its CPU time per call, which other "
                 "load on a shared machine disturbs less than the rate");
  CLI11_PARSE(app, argc, argv);

  Target target;
  json::value args;
  try {
    target = ParseUrl(url);
    args = json::parse(arguments);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "http_load: %s\n", e.what());
    return 2;
  }
  std::vector<bool> phases;  // stateless?
  if (mode == "both") {
    for (int i = 0; i < std::max(rounds, 1); ++i) {
      phases.push_back(false);
      phases.push_back(true);
    }
  } else {
    phases.push_back(mode == "stateless");
  }
  bool ok = true;
  std::vector<double> session_rps, stateless_rps, session_cpu, stateless_cpu;
  for (bool stateless : phases) {
    const PhaseResult r =
        RunPhase(target, key, stateless, tool, args, connections, seconds, warmup, threads, server_pid);
    Print(stateless ? "stateless" : "session", tool, connections, seconds, r);
    (stateless ? stateless_rps : session_rps).push_back(r.rps);
    (stateless ? stateless_cpu : session_cpu).push_back(r.server_cpu_us_per_call);
    ok = ok && r.errors == 0 && r.failed_connections == 0;
  }
  if (mode == "both") {
    const double s = Median(session_rps), m = Median(stateless_rps);
    std::printf("median requests/s: session=%.0f stateless=%.0f stateless/session=%.3f\n", s, m, s > 0 ? m / s : 0.0);
    if (server_pid > 0) {
      const double sc = Median(session_cpu), mc = Median(stateless_cpu);
      std::printf("median server CPU per call: session=%.1fus stateless=%.1fus stateless/session=%.3f\n", sc, mc,
                  sc > 0 ? mc / sc : 0.0);
    }
  }
  return ok ? 0 : 1;
}
