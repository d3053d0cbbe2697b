// Sequential round-trip latency of a stdio MCP server: starts the server, initializes,
// then sends one request at a time and times each until its response line arrives.
//
//   stdio_roundtrip [--calls N] [--warmup N] [--tool NAME --args JSON] -- SERVER [ARGS...]
//
// Prints p50 / p90 / p99 / max and throughput for `ping` and, with --tool, for a
// `tools/call` of that tool. Every response is checked (right id, no error), so a
// figure is never taken from a server that answers with errors.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "bench/stdio_session.h"

namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

struct Options {
  int calls = 10000;
  int warmup = 500;
  std::string tool;
  std::string tool_args = "{}";
  std::vector<std::string> server;
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "stdio_roundtrip: %s\n"
               "usage: stdio_roundtrip [--calls N] [--warmup N] [--tool NAME --args JSON] -- SERVER [ARGS...]\n",
               why);
  std::exit(2);
}

Options Parse(int argc, char** argv) {
  Options o;
  int i = 1;
  for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) Usage(("missing value for " + flag).c_str());
    const char* value = argv[++i];
    if (flag == "--calls") o.calls = std::atoi(value);
    else if (flag == "--warmup") o.warmup = std::atoi(value);
    else if (flag == "--tool") o.tool = value;
    else if (flag == "--args") o.tool_args = value;
    else Usage(("unknown flag " + flag).c_str());
  }
  for (++i; i < argc; ++i) o.server.emplace_back(argv[i]);
  if (o.server.empty()) Usage("no server command after --");
  if (o.calls <= 0) Usage("--calls must be positive");
  return o;
}

void Measure(bench::StdioSession& session, const char* label, std::string_view method,
             const json::object& params, const Options& o) {
  for (int i = 0; i < o.warmup; ++i) session.Call(method, params);
  std::vector<double> micros;
  micros.reserve(o.calls);
  const auto start = Clock::now();
  for (int i = 0; i < o.calls; ++i) {
    const auto t0 = Clock::now();
    json::object response = session.Call(method, params);
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    if (method == "tools/call" && response.at("result").at("isError") == true) {
      std::fprintf(stderr, "stdio_roundtrip: the tool answered with an error: %s\n",
                   json::serialize(response.at("result")).c_str());
      std::exit(1);
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(micros.begin(), micros.end());
  const auto at = [&micros](double q) { return micros[static_cast<size_t>(q * (micros.size() - 1))]; };
  std::printf("%-28s calls=%d  p50=%.1f us  p90=%.1f us  p99=%.1f us  max=%.1f us  (%.0f calls/s)\n", label,
              o.calls, at(0.50), at(0.90), at(0.99), micros.back(), o.calls / seconds);
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = Parse(argc, argv);
  try {
    bench::StdioSession session(o.server, "stdio_roundtrip");
    Measure(session, "ping", "ping", {}, o);
    if (!o.tool.empty()) {
      json::object params{{"name", o.tool}, {"arguments", json::parse(o.tool_args)}};
      Measure(session, ("tools/call " + o.tool).c_str(), "tools/call", params, o);
    }
    session.Finish();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stdio_roundtrip: %s\n", e.what());
    return 1;
  }
  return 0;
}
