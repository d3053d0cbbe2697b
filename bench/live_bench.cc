// live_bench: write-to-notification latency of live changes over Streamable HTTP.
// Opens N listeners (2026-07-28 subscriptions/listen, every memory: "memory://{id}"),
// each on its own connection and thread, spread over the given keys (a key holds at
// most 16 listeners), then one writer calls write_memory W times, one at a time, and
// waits until every listener has heard of each memory. Prints, over all (write,
// listener) pairs, the latency from sending the write to the listener reading the
// notification, and from the write's response to it.
//
//   live_bench --host 127.0.0.1 --port 8765 --keys rm_live_a,rm_live_b,... [--listeners 100] [--writes 300]
//
// Serve with --rate-limit 0: the writer's key would otherwise be rate limited.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

namespace {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

const char* kMeta =
    R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}})";

std::string Post(const std::string& host, const std::string& key, const std::string& body) {
  return "POST /mcp HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + key +
         "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
         "MCP-Protocol-Version: 2026-07-28\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

struct Heard {
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, std::vector<Clock::time_point>> at;  // memory id -> when each listener read it
  int acknowledged = 0;
};

void Listen(const std::string& host, const std::string& port, const std::string& key, int n, Heard& heard,
            std::atomic<bool>& stop) {
  net::io_context io;
  tcp::socket socket(io);
  net::connect(socket, tcp::resolver(io).resolve(host, port));
  const std::string body = R"({"jsonrpc":"2.0","id":)" + std::to_string(n) +
                           R"(,"method":"subscriptions/listen","params":{)" + kMeta +
                           R"(,"notifications":{"resourceSubscriptions":["memory://{id}"]}}})";
  net::write(socket, net::buffer(Post(host, key, body)));
  std::string pending;
  const std::string marker = R"("uri":"memory://)";
  char chunk[16384];
  while (!stop) {
    boost::system::error_code ec;
    const std::size_t got = socket.read_some(net::buffer(chunk), ec);
    if (ec) break;
    const auto now = Clock::now();
    pending.append(chunk, got);
    if (pending.find("acknowledged") != std::string::npos && pending.find("\"error\"") == std::string::npos) {
      std::lock_guard lock(heard.mutex);
      ++heard.acknowledged;
      heard.changed.notify_all();
      pending.erase(0, pending.find("acknowledged") + 12);
    }
    std::size_t pos;
    while ((pos = pending.find(marker)) != std::string::npos && pending.size() >= pos + marker.size() + 37) {
      const std::string id = pending.substr(pos + marker.size(), 36);
      pending.erase(0, pos + marker.size() + 36);
      std::lock_guard lock(heard.mutex);
      heard.at[id].push_back(now);
      heard.changed.notify_all();
    }
    if (pending.size() > 4096 && pending.find(marker) == std::string::npos) pending.erase(0, pending.size() - 64);
  }
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"live changes: write-to-notification latency over HTTP"};
  std::string host = "127.0.0.1", port = "8765", keys_text;
  int listeners = 100, writes = 300;
  app.add_option("--host", host);
  app.add_option("--port", port);
  app.add_option("--keys", keys_text, "comma-separated API keys of one user (16 listeners per key at most)")->required();
  app.add_option("--listeners", listeners);
  app.add_option("--writes", writes);
  CLI11_PARSE(app, argc, argv);
  std::vector<std::string> keys;
  std::stringstream split(keys_text);
  for (std::string k; std::getline(split, k, ',');) keys.push_back(k);
  if (static_cast<std::size_t>(listeners) > keys.size() * 16) {
    std::fprintf(stderr, "%d listeners need at least %d keys\n", listeners, (listeners + 15) / 16);
    return 2;
  }

  Heard heard;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < listeners; ++i) {
    threads.emplace_back(Listen, host, port, keys[static_cast<std::size_t>(i) / 16], i + 1, std::ref(heard), std::ref(stop));
  }
  {
    std::unique_lock lock(heard.mutex);
    if (!heard.changed.wait_for(lock, std::chrono::seconds(10), [&] { return heard.acknowledged == listeners; })) {
      std::fprintf(stderr, "only %d of %d listens were acknowledged\n", heard.acknowledged, listeners);
      std::_Exit(1);
    }
  }

  net::io_context io;
  beast::tcp_stream writer(io);
  writer.connect(tcp::resolver(io).resolve(host, port));
  beast::flat_buffer buffer;
  std::vector<double> from_send, from_response;
  int missing = 0;
  for (int w = 0; w < writes; ++w) {
    const std::string body = R"({"jsonrpc":"2.0","id":)" + std::to_string(w + 1) +
                             R"(,"method":"tools/call","params":{)" + kMeta +
                             R"(,"name":"write_memory","arguments":{"title":"live bench )" + std::to_string(w) +
                             R"(","content":"measuring write-to-notification latency"}}})";
    const auto sent = Clock::now();
    net::write(writer.socket(), net::buffer(Post(host, keys[0], body)));
    bhttp::response<bhttp::string_body> response;
    bhttp::read(writer, buffer, response);
    const auto answered = Clock::now();
    const std::string text = response.body();
    const std::string id_marker = R"(\"id\":\")";
    const auto at = text.find(id_marker);
    if (at == std::string::npos) {
      std::fprintf(stderr, "write %d failed: %s\n", w, text.substr(0, 300).c_str());
      std::_Exit(1);
    }
    const std::string id = text.substr(at + id_marker.size(), 36);
    std::unique_lock lock(heard.mutex);
    const bool all = heard.changed.wait_for(lock, std::chrono::seconds(2), [&] {
      return heard.at[id].size() >= static_cast<std::size_t>(listeners);
    });
    if (!all) ++missing;
    for (const auto& t : heard.at[id]) {
      from_send.push_back(std::chrono::duration<double, std::milli>(t - sent).count());
      from_response.push_back(std::chrono::duration<double, std::milli>(t - answered).count());
    }
    heard.at.erase(id);
  }
  std::printf("listeners %d, writes %d, notifications %zu, writes not heard by every listener within 2 s: %d\n",
              listeners, writes, from_send.size(), missing);
  std::printf("from sending the write:     p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", Percentile(from_send, 0.5),
              Percentile(from_send, 0.99), Percentile(from_send, 1.0));
  std::printf("from the write's response:  p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", Percentile(from_response, 0.5),
              Percentile(from_response, 0.99), Percentile(from_response, 1.0));
  stop = true;
  std::fflush(stdout);
  std::_Exit(missing == 0 ? 0 : 1);  // the listener threads are blocked in reads of open streams
}
