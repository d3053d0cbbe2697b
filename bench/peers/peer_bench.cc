// The side-by-side benchmark's raw driver: the same memories written to, then the same
// searches sent to, a stdio MCP server, one request in flight, each timed from the
// request line written to the response line read.
//
//   peer_bench corpus --memories N --searches M [--seed S] [--out FILE]
//   peer_bench run --corpus FILE --server reflect|reference [--searches K] -- SERVER [ARGS...]
//
// `run` starts the server on an empty store, writes every memory of the corpus (each
// must be acknowledged as stored), checks the server holds them all and that a search
// for a memory's unique word finds exactly that memory, then runs the first K searches
// (each must find something: every term occurs in the corpus). It prints one JSON line
// per operation to stdout (read by report.mjs) and a readable summary to stderr.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "bench/peers/corpus.h"
#include "bench/peers/peer_dialect.h"
#include "bench/stdio_session.h"

namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

[[noreturn]] void Usage(const std::string& why) {
  std::fprintf(stderr,
               "peer_bench: %s\n"
               "usage: peer_bench corpus --memories N --searches M [--seed S] [--out FILE]\n"
               "       peer_bench run --corpus FILE --server reflect|reference [--searches K] -- SERVER [ARGS...]\n",
               why.c_str());
  std::exit(2);
}

struct Options {
  std::string command;
  std::size_t memories = 0;
  std::size_t searches = 0;
  bool searches_given = false;
  std::uint64_t seed = 1;
  std::string out;
  std::string corpus;
  std::string server_kind;
  std::vector<std::string> server;
};

std::size_t WholeNumber(const std::string& flag, const char* value) {
  char* end = nullptr;
  const unsigned long long n = std::strtoull(value, &end, 10);
  if (*value == '\0' || *end != '\0') Usage(flag + " needs a whole number, not '" + value + "'");
  return static_cast<std::size_t>(n);
}

Options Parse(int argc, char** argv) {
  if (argc < 2) Usage("no command");
  Options o;
  o.command = argv[1];
  int i = 2;
  for (; i < argc && std::string(argv[i]) != "--"; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) Usage("missing value for " + flag);
    const char* value = argv[++i];
    if (flag == "--memories") o.memories = WholeNumber(flag, value);
    else if (flag == "--searches") o.searches = WholeNumber(flag, value), o.searches_given = true;
    else if (flag == "--seed") o.seed = WholeNumber(flag, value);
    else if (flag == "--out") o.out = value;
    else if (flag == "--corpus") o.corpus = value;
    else if (flag == "--server") o.server_kind = value;
    else Usage("unknown flag " + flag);
  }
  for (++i; i < argc; ++i) o.server.emplace_back(argv[i]);
  if (o.command == "corpus") {
    if (o.memories == 0) Usage("corpus needs --memories (at least 1)");
  } else if (o.command == "run") {
    if (o.corpus.empty() || o.server_kind.empty()) Usage("run needs --corpus and --server");
    if (o.server.empty()) Usage("no server command after --");
  } else {
    Usage("unknown command " + o.command);
  }
  return o;
}

// Latencies of one operation, and what the searches found.
class Timings {
 public:
  void Add(Clock::duration d) { micros_.push_back(std::chrono::duration<double, std::micro>(d).count()); }
  void Start() { start_ = Clock::now(); }
  void Stop() { seconds_ = std::chrono::duration<double>(Clock::now() - start_).count(); }
  // What the call just added found.
  void AddHits(std::size_t hits) { hits_.resize(micros_.size()); hits_.back() = hits; }

  json::object Summary(const std::string& server, std::size_t memories, const char* op) const {
    json::object s{{"driver", "raw"},   {"server", server},          {"memories", memories},
                   {"op", op},          {"calls", micros_.size()},   {"seconds", seconds_},
                   {"per_second", static_cast<double>(micros_.size()) / seconds_},
                   {"p50_ms", Quantile(micros_, 0.50)}, {"p99_ms", Quantile(micros_, 0.99)},
                   {"max_ms", Quantile(micros_, 1.0)}};
    if (std::string(op) == "search") {
      std::size_t total = 0;
      for (std::size_t h : hits_) total += h;
      s["mean_hits"] = static_cast<double>(total) / static_cast<double>(micros_.size());
      // A search's cost follows its answer (each hit comes with a snippet) and more memories
      // mean fuller answers; so the same-size answers too, to compare across N: reflect-memory's
      // full page of 10.
      std::vector<double> full_page;
      for (std::size_t i = 0; i < hits_.size(); ++i) {
        if (hits_[i] == kFullPage) full_page.push_back(micros_[i]);
      }
      s["full_page_searches"] = full_page.size();
      if (!full_page.empty()) s["full_page_p50_ms"] = Quantile(full_page, 0.50);
    }
    return s;
  }

 private:
  static constexpr std::size_t kFullPage = 10;  // search_memories' default limit

  // In milliseconds.
  static double Quantile(std::vector<double> micros, double q) {
    std::sort(micros.begin(), micros.end());
    return micros[static_cast<std::size_t>(q * static_cast<double>(micros.size() - 1))] / 1000;
  }

  std::vector<double> micros_;
  std::vector<std::size_t> hits_;  // per call, searches only
  Clock::time_point start_;
  double seconds_ = 0;
};

json::object TimedCall(bench::StdioSession& session, const peers::ToolCall& call, Timings& timings) {
  const auto t0 = Clock::now();
  json::object result = session.CallTool(call.tool, call.arguments);
  timings.Add(Clock::now() - t0);
  return result;
}

void Report(json::object summary) {
  std::cout << json::serialize(summary) << std::endl;
  std::fprintf(stderr, "  %-6s %-9s N=%-6zu calls=%-6zu %9.1f/s  p50 %8.3f ms  p99 %8.3f ms\n",
               summary.at("op").as_string().c_str(), summary.at("server").as_string().c_str(),
               summary.at("memories").to_number<std::size_t>(), summary.at("calls").to_number<std::size_t>(),
               summary.at("per_second").to_number<double>(), summary.at("p50_ms").to_number<double>(),
               summary.at("p99_ms").to_number<double>());
}

// A benchmark of a server that lost data or cannot find it is worthless: check first.
void CheckCorrect(bench::StdioSession& session, const peers::PeerDialect& dialect, const peers::Corpus& corpus) {
  const peers::ToolCall count = dialect.Count();
  const std::int64_t held = dialect.Counted(session.CallTool(count.tool, count.arguments));
  if (held != static_cast<std::int64_t>(corpus.memories.size())) {
    throw std::runtime_error("the server holds " + std::to_string(held) + " memories, not " +
                             std::to_string(corpus.memories.size()));
  }
  for (std::size_t index : corpus.checks) {
    const peers::Memory& m = corpus.memories.at(index);
    const peers::ToolCall search = dialect.Search(m.token);
    const std::vector<std::string> titles = dialect.HitTitles(session.CallTool(search.tool, search.arguments));
    if (titles != std::vector<std::string>{m.title}) {
      throw std::runtime_error("searching '" + m.token + "' found " + std::to_string(titles.size()) +
                               " results, not exactly '" + m.title + "'");
    }
  }
}

int Run(const Options& o) {
  std::ifstream file(o.corpus);
  if (!file) throw std::runtime_error("cannot read the corpus file " + o.corpus);
  const peers::Corpus corpus = peers::ReadCorpus(file);
  const peers::PeerDialect& dialect = peers::DialectNamed(o.server_kind);
  const std::size_t searches = o.searches_given ? std::min(o.searches, corpus.terms.size()) : corpus.terms.size();
  const std::size_t n = corpus.memories.size();

  bench::StdioSession session(o.server, "peer_bench");
  Timings writes;
  writes.Start();
  for (const peers::Memory& m : corpus.memories) dialect.CheckWritten(TimedCall(session, dialect.Write(m), writes), m);
  writes.Stop();

  CheckCorrect(session, dialect, corpus);

  Timings searched;
  searched.Start();
  for (std::size_t s = 0; s < searches; ++s) {
    const std::size_t hits = dialect.HitTitles(TimedCall(session, dialect.Search(corpus.terms[s]), searched)).size();
    if (hits == 0) throw std::runtime_error("nothing found for '" + corpus.terms[s] + "', a word of the corpus");
    searched.AddHits(hits);
  }
  searched.Stop();
  session.Finish();

  Report(writes.Summary(o.server_kind, n, "write"));
  if (searches > 0) Report(searched.Summary(o.server_kind, n, "search"));
  return 0;
}

int MakeCorpusFile(const Options& o) {
  const peers::Corpus corpus = peers::MakeCorpus(o.memories, o.searches, o.seed);
  if (o.out.empty()) {
    peers::WriteCorpus(corpus, std::cout);
    return 0;
  }
  std::ofstream out(o.out);
  peers::WriteCorpus(corpus, out);
  if (!out.flush()) throw std::runtime_error("cannot write " + o.out);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = Parse(argc, argv);
  try {
    return o.command == "corpus" ? MakeCorpusFile(o) : Run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "peer_bench: %s\n", e.what());
    return 1;
  }
}
