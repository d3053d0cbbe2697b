// The store's search alone: rm::store::SearchMemories on a reader connection, for
// every search term of a peer_bench corpus, against a database that
// `peer_bench run --server reflect` filled (one user, its memories). No JSON-RPC,
// no transport, no metering: what the store itself costs per search.
//
//   search_bench --db FILE --corpus FILE [--rounds R] [--dump FILE]
//
// Prints the mean, p50 and p99 time of one SearchMemories call inside the read
// transaction: wall time, and this thread's CPU time (steadier on a busy machine). --dump writes every term's hits (title, score, snippet)
// so two builds can be compared for identical results.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "bench/peers/corpus.h"
#include "store/database.h"
#include "store/search_repository.h"
#include "store/users.h"

namespace {

using Clock = std::chrono::steady_clock;

double ThreadCpuMicros() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

// "mean .. p50 .. p90 .. p99 .." of `samples` (microseconds).
std::string Summary(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  double sum = 0;
  for (double v : samples) sum += v;
  const std::size_t n = samples.size();
  char text[160];
  std::snprintf(text, sizeof text, "mean %.1f us  p50 %.1f us  p90 %.1f us  p99 %.1f us",
                sum / static_cast<double>(n), samples[n / 2], samples[n * 9 / 10],
                samples[std::min(n - 1, n * 99 / 100)]);
  return text;
}

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "search_bench: %s\n", why.c_str());
  std::exit(1);
}

struct Options {
  std::string db;
  std::string corpus;
  std::string dump;
  int rounds = 5;
};

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) Die("missing value for " + flag);
    const std::string value = argv[++i];
    if (flag == "--db") o.db = value;
    else if (flag == "--corpus") o.corpus = value;
    else if (flag == "--dump") o.dump = value;
    else if (flag == "--rounds") o.rounds = std::max(1, std::atoi(value.c_str()));
    else Die("unknown flag " + flag);
  }
  if (o.db.empty() || o.corpus.empty()) {
    Die("usage: search_bench --db FILE --corpus FILE [--rounds R] [--dump FILE]");
  }
  return o;
}

// The user that holds the memories (the stdio server's only user).
rm::store::Viewer ViewerOf(rm::store::Database& db) {
  rm::store::Viewer viewer;
  rm::Status st = db.Read([&](rm::store::Connection& conn) -> rm::Status {
    rm::Result<std::vector<rm::store::User>> users = rm::store::ListUsers(conn);
    if (!users.ok()) return users.status();
    if (users->empty()) return rm::Status::NotFound("the database has no user");
    viewer.user_id = users->front().id;
    viewer.org_id = users->front().org_id;
    viewer.team_id = users->front().team_id;
    return rm::Status::Ok();
  });
  if (!st.ok()) Die("reading the user: " + st.ToString());
  return viewer;
}

}  // namespace

// One search's hits, as --dump writes them: `label` says whether it was timed.
void DumpPage(std::ostream& out, const char* label, const std::string& term, const rm::store::SearchPage& page) {
  out << label << " " << term << " hits " << page.hits.size() << " more " << page.more << "\n";
  char score[40];
  for (const rm::store::SearchHit& hit : page.hits) {
    std::snprintf(score, sizeof score, "%.17g", hit.score);
    out << "  " << hit.memory.title << " | " << score << " | " << hit.snippet << "\n";
  }
}

// More query shapes than the timed single words, for --dump only: a prefix, two
// words, OR, a phrase and a prefix phrase taken from a memory's content.
std::vector<std::string> DumpQueries(const peers::Corpus& corpus) {
  std::vector<std::string> queries;
  const std::size_t n = std::min<std::size_t>(corpus.terms.size(), 300);
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const std::string& a = corpus.terms[i];
    const std::string& b = corpus.terms[i + 1];
    queries.push_back(a.substr(0, 3) + "*");
    queries.push_back(a + " " + b);
    queries.push_back(a + " OR " + b);
    const std::string& content = corpus.memories[(i * 37) % corpus.memories.size()].content;
    const std::size_t space = content.find(' ');
    const std::size_t second = space == std::string::npos ? space : content.find(' ', space + 1);
    if (second != std::string::npos) {
      queries.push_back("\"" + content.substr(0, second) + "\"");
      queries.push_back("\"" + content.substr(0, second - 1) + "\"*");
    }
  }
  return queries;
}

int main(int argc, char** argv) {
  const Options options = Parse(argc, argv);
  std::ifstream in(options.corpus);
  if (!in) Die("cannot read " + options.corpus);
  const peers::Corpus corpus = peers::ReadCorpus(in);
  auto db = rm::store::Database::Open(options.db);
  if (!db.ok()) Die("open: " + db.status().ToString());
  const rm::store::Viewer viewer = ViewerOf(**db);

  std::vector<double> micros, cpu_micros;
  std::ofstream dump;
  if (!options.dump.empty()) dump.open(options.dump);
  std::size_t hits = 0;
  for (int round = 0; round < options.rounds; ++round) {
    for (const std::string& term : corpus.terms) {
      rm::store::SearchRequest request;
      request.text = term;
      request.limit = 10;
      rm::Status st = (*db)->Read([&](rm::store::Connection& conn) -> rm::Status {
        const auto start = Clock::now();
        const double cpu_start = ThreadCpuMicros();
        rm::Result<rm::store::SearchPage> page = rm::store::SearchMemories(conn, viewer, request);
        cpu_micros.push_back(ThreadCpuMicros() - cpu_start);
        micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
        if (!page.ok()) return page.status();
        hits += page->hits.size();
        if (round == 0 && dump.is_open()) DumpPage(dump, "term", term, *page);
        return rm::Status::Ok();
      });
      if (!st.ok()) Die("search '" + term + "': " + st.ToString());
    }
  }
  if (dump.is_open()) {
    for (const std::string& term : DumpQueries(corpus)) {
      rm::store::SearchRequest request;
      request.text = term;
      request.limit = 10;
      rm::Status st = (*db)->Read([&](rm::store::Connection& conn) -> rm::Status {
        rm::Result<rm::store::SearchPage> page = rm::store::SearchMemories(conn, viewer, request);
        if (!page.ok()) return page.status();
        DumpPage(dump, "query", term, *page);
        return rm::Status::Ok();
      });
      if (!st.ok()) Die("search '" + term + "': " + st.ToString());
    }
  }
  std::printf("searches %zu, %.2f hits each\n  wall: %s\n  cpu:  %s\n", micros.size(),
              static_cast<double>(hits) / static_cast<double>(micros.size()), Summary(micros).c_str(),
              Summary(cpu_micros).c_str());
  return 0;
}
