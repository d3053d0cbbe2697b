// The store benchmark: search_memories and write_memory through the memory
// service (one transaction per call, metering included — what a tool call costs
// without JSON-RPC and transport), on synthetic corpora of 10k, 100k and 1M
// memories (bench/corpus_generator.h).
//
//   store_bench [--dir DIR] [--sizes 10000,100000,1000000] [--queries N] [--writes N]
//               [--only TEXT] [--postgres URL] [--candidates K]
//
// --only runs just the search rows whose "query · caller" contains TEXT (e.g.
// "common + medium · heavy user (agent"), to profile one class under perf.
// --candidates K ranks at most K matches of a common query (the window, default 1,000:
// ServiceOptions::search_candidate_limit), to measure what a smaller window would save.
//
// Corpora are built once per size by direct bulk insert in one transaction and
// kept in DIR (default ./bench-data) for later runs. Prints markdown tables.
//
// --postgres URL runs the same on PostgreSQL: the corpus (one size only) is inserted
// into the database at URL, which must be empty the first time; DIR keeps what the
// benchmark needs to know of it (its users, its word counts) for later runs.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/corpus_generator.h"
#include "store/database.h"
#include "store/memory_repository.h"
#include "store/postgres/pg_database.h"
#include "store/search_repository.h"
#include "store/users.h"
#include "tools/memory_service.h"
#include "util/clock.h"

namespace {

using Clock = std::chrono::steady_clock;
using rm::bench::CorpusGenerator;
namespace fs = std::filesystem;

struct Options {
  std::string dir = "bench-data";
  std::vector<long> sizes = {10000, 100000, 1000000};
  int queries = 300;
  int writes = 2000;
  std::string only;  // "" = every search row
  std::string postgres;  // "" = SQLite files in `dir`
  int candidates = 1000;  // K
};

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "store_bench: %s\n", why.c_str());
  std::exit(1);
}

template <typename T>
T Check(rm::Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}

struct Corpus {
  std::string path;  // the SQLite file, or the PostgreSQL URL
  std::vector<std::string> user_ids;  // [0] is the heavy user
  std::vector<std::int64_t> df;       // documents per vocabulary rank
  long size = 0;
};

// The store holding a corpus, on its engine.
std::unique_ptr<rm::store::Store> OpenStore(const Options& options, const std::string& path) {
  if (options.postgres.empty()) return Check(rm::store::Database::Open(path), "open");
  rm::store::postgres::PgDatabaseOptions pg;
  pg.connections = 20;  // the 16 concurrent writers of BenchWrites, each on its own connection
  return Check(rm::store::postgres::PgDatabase::Open(path, pg), "open");
}

// How many memories the store holds.
long CountMemories(rm::store::Store& store) {
  long count = 0;
  rm::Status st = store.Read([&](rm::store::Connection& conn) -> rm::Status {
    rm::store::Statement& s = conn.Prepare("SELECT count(*) FROM memories");
    rm::Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (*row) count = static_cast<long>(s.Int64(0));
    return rm::Status::Ok();
  });
  if (!st.ok()) Die("count: " + st.ToString());
  return count;
}

// Builds (or reuses) the corpus of `size` memories in `dir` (or at --postgres).
Corpus BuildCorpus(const Options& options, long size) {
  Corpus corpus;
  corpus.size = size;
  const bool postgres = !options.postgres.empty();
  corpus.path = postgres ? options.postgres
                         : (fs::path(options.dir) / ("corpus-" + std::to_string(size) + ".db")).string();
  const std::string meta =
      postgres ? (fs::path(options.dir) / ("postgres-corpus-" + std::to_string(size) + ".meta")).string()
               : corpus.path + ".meta";
  if ((postgres || fs::exists(corpus.path)) && fs::exists(meta)) {
    std::ifstream in(meta);
    std::size_t users = 0, words = 0;
    in >> users;
    corpus.user_ids.resize(users);
    for (auto& id : corpus.user_ids) in >> id;
    in >> words;
    corpus.df.resize(words);
    for (auto& n : corpus.df) in >> n;
    // (Later write benchmarks add to it: at least `size` memories is the corpus.)
    if (in && (!postgres || CountMemories(*OpenStore(options, corpus.path)) >= size)) return corpus;
    corpus.user_ids.clear();
  }
  if (!postgres) {
    fs::remove(corpus.path);
    fs::remove(corpus.path + "-wal");
    fs::remove(corpus.path + "-shm");
  }
  std::fprintf(stderr, "building %ld memories in %s ...\n", size, postgres ? "PostgreSQL" : corpus.path.c_str());
  const auto start = Clock::now();
  auto db = OpenStore(options, corpus.path);
  if (postgres && CountMemories(*db) != 0) Die("the database at --postgres holds memories: give an empty one");
  CorpusGenerator generator;
  rm::Status st = db->Write([&](rm::store::Connection& conn) -> rm::Status {
    for (int u = 0; u < generator.options().users; ++u) {
      rm::store::NewUser user{"user" + std::to_string(u) + "@bench.example", "admin", "user"};
      rm::Result<rm::store::User> made = rm::store::InsertUser(conn, user);
      if (!made.ok()) return made.status();
      corpus.user_ids.push_back(made->id);
    }
    return rm::Status::Ok();
  });
  if (!st.ok()) Die("users: " + st.ToString());
  // SQLite takes it all in one transaction. PostgreSQL in batches: each insert bumps its
  // pool's row in tag_cluster_pool_changes (a trigger), and a row updated hundreds of
  // thousands of times in one transaction makes every next update slower.
  const long batch = postgres ? 20000 : size;
  const auto base = std::chrono::system_clock::time_point(std::chrono::seconds(1735689600));  // 2025-01-01
  for (long first = 0; first < size && st.ok(); first += batch) {
    st = db->Write([&](rm::store::Connection& conn) -> rm::Status {
      for (long i = first; i < std::min(size, first + batch); ++i) {
        rm::bench::GeneratedMemory g = generator.Next();
        const std::string user_id = corpus.user_ids[static_cast<std::size_t>(g.user)];
        rm::store::MemoryRow row =
            rm::bench::ToMemoryRow(std::move(g), user_id, rm::FormatUtc(base + std::chrono::seconds(i)));
        RM_RETURN_IF_ERROR(rm::store::InsertMemory(conn, row));
        if (i % 100000 == 99999) std::fprintf(stderr, "  %ld\n", i + 1);
      }
      return rm::Status::Ok();
    });
  }
  if (!st.ok()) Die("bulk insert: " + st.ToString());
  if (postgres) {  // the planner's statistics, as autovacuum would gather them in a while
    st = db->Write([](rm::store::Connection& conn) { return conn.ExecScript("ANALYZE"); });
    if (!st.ok()) Die("analyze: " + st.ToString());
  }
  corpus.df = generator.document_frequency();
  std::ofstream out(meta);
  out << corpus.user_ids.size() << "\n";
  for (const auto& id : corpus.user_ids) out << id << "\n";
  out << corpus.df.size() << "\n";
  for (auto n : corpus.df) out << n << "\n";
  std::fprintf(stderr, "built in %.0f s\n", std::chrono::duration<double>(Clock::now() - start).count());
  return corpus;
}

// CPU time of this thread: what a search costs, whatever else the machine runs.
double ThreadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

struct Stats {
  double p50 = 0, p99 = 0, mean = 0;
};

Stats Summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  Stats s;
  if (ms.empty()) return s;
  s.p50 = ms[ms.size() / 2];
  s.p99 = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
  double sum = 0;
  for (double v : ms) sum += v;
  s.mean = sum / static_cast<double>(ms.size());
  return s;
}

// Up to 20 words whose share of documents is in [lo, hi].
std::vector<std::string> WordsWithShare(const Corpus& c, double lo, double hi) {
  std::vector<std::string> words;
  for (std::size_t rank = 0; rank < c.df.size() && words.size() < 20; ++rank) {
    const double share = static_cast<double>(c.df[rank]) / static_cast<double>(c.size);
    if (share >= lo && share <= hi) words.push_back(CorpusGenerator::Word(static_cast<int>(rank)));
  }
  return words;
}

double MeanShare(const Corpus& c, const std::vector<std::string>& words) {
  double sum = 0;
  int n = 0;
  for (std::size_t rank = 0; rank < c.df.size(); ++rank) {
    if (std::find(words.begin(), words.end(), CorpusGenerator::Word(static_cast<int>(rank))) != words.end()) {
      sum += static_cast<double>(c.df[rank]) / static_cast<double>(c.size);
      ++n;
    }
  }
  return n ? sum / n : 0;
}

// Reads the database file once, so the measurements start with it in the OS page
// cache (as on a server that has been running) rather than on disk.
void WarmFileCache(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buffer(1 << 20);
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
  }
}

void BenchSearch(const Options& options, const Corpus& corpus) {
  if (options.postgres.empty()) WarmFileCache(corpus.path);
  auto db = OpenStore(options, corpus.path);
  rm::tools::ServiceOptions service_options;
  service_options.search_candidate_limit = options.candidates;
  rm::tools::MemoryService service(*db, service_options);
  std::mt19937 rng(7);

  const auto rare = WordsWithShare(corpus, 0.00005, 0.0005);
  const auto medium = WordsWithShare(corpus, 0.005, 0.02);
  const auto common = WordsWithShare(corpus, 0.4, 0.7);
  struct Query {
    std::string name;
    std::vector<std::string> terms;
  };
  std::vector<Query> queries = {{"rare word", rare}, {"medium word", medium}, {"very common word", common}};
  Query common_medium{"two words: common + medium", {}};
  Query common_common{"two words: common + common", {}};
  // Three words or more are a question (tools/service_search.cc): any word may match,
  // and a word rare among the caller's memories has every match ranked.
  Query question{"question: common + medium + rare", {}};
  for (std::size_t i = 0; i < 20 && !common.empty() && !medium.empty(); ++i) {
    common_medium.terms.push_back(common[i % common.size()] + " " + medium[i % medium.size()]);
    common_common.terms.push_back(common[i % common.size()] + " " + common[(i + 1) % common.size()]);
    if (!rare.empty()) {
      question.terms.push_back("what about " + common[i % common.size()] + " " + medium[i % medium.size()] + " " +
                               rare[i % rare.size()] + "?");
    }
  }
  queries.push_back(common_medium);
  queries.push_back(common_common);
  queries.push_back(question);

  struct Who {
    std::string name;
    bool heavy;
    std::optional<std::string> vendor;
  };
  const std::vector<Who> callers = {{"heavy user (owner key)", true, std::nullopt},
                                    {"heavy user (agent key, claude)", true, "claude"},
                                    {"1 of 1,000 users (owner key)", false, std::nullopt}};
  std::printf("\n### search_memories, %ld memories on %s (heavy user: 50%%, K = %d)\n\n", corpus.size,
              options.postgres.empty() ? "SQLite" : "PostgreSQL", options.candidates);
  std::printf("| query | share of memories | caller | search p50 | p99 | search CPU p50 | CPU p99 | tool call p50 | p99 |\n"
              "|---|---|---|---|---|---|---|---|---|\n");
  for (const Query& q : queries) {
    if (q.terms.empty()) continue;
    const double share = q.terms.front().find(' ') == std::string::npos ? MeanShare(corpus, q.terms) : -1;
    for (const Who& who : callers) {
      if ((q.name + " · " + who.name).find(options.only) == std::string::npos) continue;
      std::vector<double> alone, cpu, call;
      for (int i = 0; i < options.queries + 20; ++i) {
        const std::string& user =
            who.heavy ? corpus.user_ids[0]
                      : corpus.user_ids[1 + std::uniform_int_distribution<std::size_t>(0, corpus.user_ids.size() - 2)(rng)];
        const std::string& term = q.terms[static_cast<std::size_t>(i) % q.terms.size()];
        // The search alone: the store's query in a read transaction on this thread.
        rm::store::SearchRequest request;
        request.text = term;
        request.limit = 10;
        request.candidate_limit = options.candidates;
        const double c0 = ThreadCpuMs();
        auto t0 = Clock::now();
        rm::Status st = db->Read([&](rm::store::Connection& conn) -> rm::Status {
          rm::Result<rm::store::User> u = rm::store::FindUserById(conn, user);
          if (!u.ok()) return u.status();
          rm::store::Viewer viewer{u->id, u->org_id, u->team_id, who.vendor};
          rm::Result<rm::store::SearchPage> page = rm::store::SearchMemories(conn, viewer, request);
          if (page.ok() && page->hits.empty() && page->phrase_count >= 2) {
            request.mode = rm::store::MatchMode::kAny;
            page = rm::store::SearchMemories(conn, viewer, request);
          }
          return page.status();
        });
        auto t1 = Clock::now();
        const double c1 = ThreadCpuMs();
        if (!st.ok()) Die("search: " + st.ToString());
        // The tool call: the memory service, one write transaction with metering.
        rm::tools::Caller caller{user, who.vendor, who.vendor.value_or("api")};
        rm::tools::SearchArgs args;
        args.term = term;
        args.limit = 10;
        auto t2 = Clock::now();
        auto reply = service.SearchMemories(caller, std::nullopt, args);
        auto t3 = Clock::now();
        if (!reply.ok()) Die("search: " + reply.status().ToString());
        if (i >= 20) {  // 20 warm-up queries
          alone.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
          cpu.push_back(c1 - c0);
          call.push_back(std::chrono::duration<double, std::milli>(t3 - t2).count());
        }
      }
      Stats a = Summarize(alone), u = Summarize(cpu), c = Summarize(call);
      char share_text[32];
      if (share >= 0) std::snprintf(share_text, sizeof share_text, "%.3g%%", share * 100);
      else std::snprintf(share_text, sizeof share_text, "-");
      std::printf("| %s | %s | %s | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms |\n", q.name.c_str(),
                  share_text, who.name.c_str(), a.p50, a.p99, u.p50, u.p99, c.p50, c.p99);
      std::fflush(stdout);
    }
  }
}

void BenchWrites(const Options& options, const Corpus& corpus) {
  auto db = OpenStore(options, corpus.path);
  auto* sqlite = dynamic_cast<rm::store::Database*>(db.get());  // group commit counters
  rm::tools::MemoryService service(*db);
  rm::bench::CorpusOptions copts;
  copts.seed = 4242;  // new memories, not copies of the corpus
  CorpusGenerator generator(copts);
  auto next = [&] {
    rm::bench::GeneratedMemory g = generator.Next();
    rm::tools::NewMemory m;
    m.title = g.title;
    m.content = g.content;
    m.tags = g.tags;
    m.allowed_vendors = g.allowed_vendors;
    m.memory_type = g.memory_type;
    return m;
  };
  rm::tools::Caller caller{corpus.user_ids[0], "claude", "claude"};
  std::vector<rm::tools::NewMemory> batch;
  for (int i = 0; i < options.writes; ++i) batch.push_back(next());

  std::vector<double> ms;
  const auto start = Clock::now();
  for (auto& m : batch) {
    const auto t0 = Clock::now();
    auto reply = service.WriteMemory(caller, std::nullopt, m, std::nullopt);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (!reply.ok()) Die("write: " + reply.status().ToString());
  }
  const double sequential_rate = options.writes / std::chrono::duration<double>(Clock::now() - start).count();
  Stats s = Summarize(ms);

  constexpr int kThreads = 16;
  std::vector<std::vector<rm::tools::NewMemory>> per_thread(kThreads);
  for (int i = 0; i < options.writes; ++i) per_thread[static_cast<std::size_t>(i % kThreads)].push_back(next());
  const auto before = sqlite ? sqlite->write_stats() : rm::store::Database::WriteStats{};
  const auto cstart = Clock::now();
  std::vector<std::thread> threads;
  for (auto& mine : per_thread) {
    threads.emplace_back([&, list = &mine] {
      for (auto& m : *list) {
        if (!service.WriteMemory(caller, std::nullopt, m, std::nullopt).ok()) Die("concurrent write failed");
      }
    });
  }
  for (auto& t : threads) t.join();
  const double concurrent_rate = options.writes / std::chrono::duration<double>(Clock::now() - cstart).count();
  const auto after = sqlite ? sqlite->write_stats() : rm::store::Database::WriteStats{};
  const double per_commit = static_cast<double>(after.writes - before.writes) /
                            static_cast<double>(std::max<std::uint64_t>(after.commits - before.commits, 1));
  char mode[96];
  if (sqlite) std::snprintf(mode, sizeof mode, "%d writers (group commit: %.1f writes per commit)", kThreads, per_commit);
  else std::snprintf(mode, sizeof mode, "%d writers (a transaction each)", kThreads);
  std::printf("\n### write_memory, into %ld memories on %s (agent key, metered)\n\n", corpus.size,
              options.postgres.empty() ? "SQLite" : "PostgreSQL");
  std::printf("| mode | p50 | p99 | writes/s |\n|---|---|---|---|\n");
  std::printf("| 1 writer, sequential | %.2f ms | %.2f ms | %.0f |\n", s.p50, s.p99, sequential_rate);
  std::printf("| %s | - | - | %.0f |\n", mode, concurrent_rate);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--dir") options.dir = value();
    else if (arg == "--queries") options.queries = std::atoi(value().c_str());
    else if (arg == "--writes") options.writes = std::atoi(value().c_str());
    else if (arg == "--only") options.only = value();
    else if (arg == "--postgres") options.postgres = value();
    else if (arg == "--candidates") options.candidates = std::atoi(value().c_str());
    else if (arg == "--sizes") {
      options.sizes.clear();
      std::stringstream list(value());
      for (std::string item; std::getline(list, item, ',');) options.sizes.push_back(std::atol(item.c_str()));
    } else {
      Die("unknown argument " + arg +
          "; usage: store_bench [--dir DIR] [--sizes 10000,100000,1000000] [--queries N] [--writes N] [--only TEXT]"
          " [--postgres URL] [--candidates K]");
    }
  }
  if (!options.postgres.empty() && options.sizes.size() != 1) Die("--postgres holds one corpus: give one --sizes");
  fs::create_directories(options.dir);
  for (long size : options.sizes) {
    Corpus corpus = BuildCorpus(options, size);
    BenchSearch(options, corpus);
    if (options.writes > 0) BenchWrites(options, corpus);
  }
  return 0;
}
