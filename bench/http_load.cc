// http_load: a load driver for the Streamable HTTP transport. Opens N keep-alive
// connections, gives each its own MCP session (initialize + notifications/initialized),
// then has every connection send the same tools/call back to back for a fixed time, and
// prints requests per second and latency percentiles.
//
//   http_load --url http://127.0.0.1:8765/mcp --key rm_live_...
//             [--connections 64] [--seconds 10] [--warmup 2] [--threads 1]
//             [--tool test_simple_text] [--arguments '{}']
//
// One Asio thread by default: on a small machine the driver should take as little CPU
// from the server as it can. Latency is measured from the request's write to the end of
// its response, per connection; throughput counts responses in the measured window.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

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
  std::string call_body;
  Clock::time_point measure_from;
  Clock::time_point measure_until;
  std::atomic<int> failed_connections{0};
};

// One client connection: initialize, initialized, then tools/call until time is up.
class LoadConnection : public std::enable_shared_from_this<LoadConnection> {
 public:
  LoadConnection(net::io_context& io, Shared& shared) : stream_(io), shared_(shared) {}

  void Start(const tcp::resolver::results_type& endpoints) {
    stream_.async_connect(endpoints, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return self->Fail("connect", ec);
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
    if (!session_.empty()) {
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Load driver for the Streamable HTTP transport (tools/call over keep-alive)"};
  std::string url = "http://127.0.0.1:8765/mcp";
  std::string key;
  std::string tool = "test_simple_text";
  std::string arguments = "{}";
  int connections = 64;
  double seconds = 10;
  double warmup = 2;
  unsigned threads = 1;
  app.add_option("--url", url, "The MCP endpoint");
  app.add_option("--key", key, "Bearer key")->required();
  app.add_option("--tool", tool, "Tool to call");
  app.add_option("--arguments", arguments, "The tool's arguments as a JSON object");
  app.add_option("--connections", connections, "Keep-alive connections, one session each");
  app.add_option("--seconds", seconds, "Measured time");
  app.add_option("--warmup", warmup, "Unmeasured time before");
  app.add_option("--threads", threads, "Driver threads");
  CLI11_PARSE(app, argc, argv);

  Shared shared;
  try {
    shared.target = ParseUrl(url);
    shared.call_body = json::serialize(json::object{
        {"jsonrpc", "2.0"},
        {"id", 2},
        {"method", "tools/call"},
        {"params", {{"name", tool}, {"arguments", json::parse(arguments)}}}});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "http_load: %s\n", e.what());
    return 2;
  }
  shared.key = key;
  const auto start = Clock::now();
  shared.measure_from = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warmup));
  shared.measure_until =
      shared.measure_from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));

  net::io_context io;
  tcp::resolver resolver(io);
  const auto endpoints = resolver.resolve(shared.target.host, shared.target.port);
  std::vector<std::shared_ptr<LoadConnection>> clients;
  for (int i = 0; i < connections; ++i) {
    clients.push_back(std::make_shared<LoadConnection>(io, shared));
    clients.back()->Start(endpoints);
  }
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();

  std::vector<double> all;
  std::size_t errors = 0;
  for (const auto& c : clients) {
    all.insert(all.end(), c->latencies_us().begin(), c->latencies_us().end());
    errors += c->errors();
  }
  std::sort(all.begin(), all.end());
  const double rps = static_cast<double>(all.size()) / seconds;
  std::printf("tool=%s connections=%d seconds=%.1f requests=%zu errors=%zu failed_connections=%d\n", tool.c_str(),
              connections, seconds, all.size(), errors, shared.failed_connections.load());
  std::printf("requests/s=%.0f p50=%.0fus p90=%.0fus p99=%.0fus max=%.0fus\n", rps, Percentile(all, 0.50),
              Percentile(all, 0.90), Percentile(all, 0.99), all.empty() ? 0.0 : all.back());
  return errors == 0 && shared.failed_connections == 0 ? 0 : 1;
}
