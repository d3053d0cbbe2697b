// The topic-cluster benchmark (issue 18): for ONE user holding N tag-bearing
// memories, how long computing the clusters takes and how much memory it needs, and
// what get_topic_cluster, get_graph_around and get_memory_briefing cost once the
// clusters are cached (through the memory service: one transaction per call,
// metering included, no JSON-RPC or transport).
//
//   cluster_bench [--dir DIR] [--sizes 10000,100000,1000000] [--calls N]
//
// Tags are topical, as people's are: 300 topics of 8 tags; a memory takes 1-4 tags of
// one topic (topics Zipf-distributed) and, one time in ten, a tag of another topic.
// The corpus grows in one database from size to size (kept in DIR for later runs).
// Prints a markdown table.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "store/database.h"
#include "store/memory_repository.h"
#include "store/tag_clusters.h"
#include "store/users.h"
#include "tools/memory_json.h"
#include "tools/memory_service.h"
#include "tools/topic_clusters.h"
#include "util/clock.h"
#include "util/crypto.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr int kTopics = 300;
constexpr int kTagsPerTopic = 8;

struct Options {
  std::string dir = "bench-data";
  std::vector<long> sizes = {10000, 100000, 1000000};
  int calls = 300;
};

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "cluster_bench: %s\n", why.c_str());
  std::exit(1);
}

template <typename T>
T Check(rm::Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}

void Check(const rm::Status& s, const char* what) {
  if (!s.ok()) Die(std::string(what) + ": " + s.ToString());
}

std::string Tag(int topic, int i) { return "topic" + std::to_string(topic) + "-tag" + std::to_string(i); }

// Peak resident memory since the last ResetPeakMemory(), in MiB (Linux: VmHWM).
void ResetPeakMemory() { std::ofstream("/proc/self/clear_refs") << "5"; }
double PeakMemoryMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

struct Corpus {
  std::unique_ptr<rm::store::Database> db;
  std::string user_id;
  long size = 0;
  std::vector<std::string> sample_ids;  // every 100th memory
};

// Adds memories to the corpus until it holds `size`.
void Grow(Corpus& corpus, long size, std::mt19937_64& rng) {
  std::vector<double> weights;
  for (int t = 0; t < kTopics; ++t) weights.push_back(1.0 / (t + 1));
  std::discrete_distribution<int> topic_of(weights.begin(), weights.end());
  std::uniform_int_distribution<int> tag_in_topic(0, kTagsPerTopic - 1), tag_count(1, 4), one_in_ten(0, 9),
      any_topic(0, kTopics - 1);
  const auto base = std::chrono::system_clock::time_point(std::chrono::seconds(1735689600));  // 2025-01-01
  const auto start = Clock::now();
  Check(corpus.db->Write([&](rm::store::Connection& conn) -> rm::Status {
          for (long i = corpus.size; i < size; ++i) {
            const int topic = topic_of(rng);
            std::vector<std::string> tags;
            for (int n = tag_count(rng); n > 0; --n) {
              std::string tag = Tag(topic, tag_in_topic(rng));
              if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(std::move(tag));
            }
            if (one_in_ten(rng) == 0) tags.push_back(Tag(any_topic(rng), tag_in_topic(rng)));
            rm::store::MemoryRow row;
            row.id = rm::NewUuid();
            row.user_id = corpus.user_id;
            row.title = "note " + std::to_string(i) + " on topic " + std::to_string(topic);
            row.content = "memory number " + std::to_string(i) +
                          (i > 0 && i % 20 == 0 && !corpus.sample_ids.empty() ? " follows " + corpus.sample_ids.back() : "");
            row.tags_json = rm::tools::ToJsonText(tags);
            row.origin = "api";
            row.allowed_vendors_json = "[\"*\"]";
            row.memory_type = "semantic";
            row.created_at = rm::FormatUtc(base + std::chrono::seconds(i));
            row.updated_at = row.created_at;
            RM_RETURN_IF_ERROR(rm::store::InsertMemory(conn, row));
            if (i % 100 == 0) corpus.sample_ids.push_back(row.id);
          }
          return rm::Status::Ok();
        }),
        "insert");
  std::fprintf(stderr, "grew to %ld memories in %.1f s\n", size,
               std::chrono::duration<double>(Clock::now() - start).count());
  corpus.size = size;
}

struct Timing {
  double p50_ms = 0, p99_ms = 0;
};

template <typename Fn>
Timing Time(int calls, Fn&& call) {
  std::vector<double> ms;
  for (int i = 0; i < calls; ++i) {
    const auto t0 = Clock::now();
    call(i);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  return {Percentile(ms, 0.5), Percentile(ms, 0.99)};
}

void RunSize(const Options& options, Corpus& corpus, long size, std::mt19937_64& rng) {
  Grow(corpus, size, rng);
  const rm::store::Viewer viewer{corpus.user_id, std::nullopt, std::nullopt, std::nullopt};

  // Computing: the tags read from the store, then the graph and Louvain.
  double read_s = 0, cluster_s = 0;
  std::size_t clusters = 0, tags = 0;
  ResetPeakMemory();
  const double before_mib = PeakMemoryMiB();
  Check(corpus.db->Read([&](rm::store::Connection& conn) -> rm::Status {
          const auto t0 = Clock::now();
          auto sets = rm::store::VisibleTagSets(conn, viewer, rm::store::Scope::kAll);
          if (!sets.ok()) return sets.status();
          const auto t1 = Clock::now();
          auto computed = rm::tools::ComputeTopicClusters(*sets);
          const auto t2 = Clock::now();
          read_s = std::chrono::duration<double>(t1 - t0).count();
          cluster_s = std::chrono::duration<double>(t2 - t1).count();
          clusters = computed.size();
          for (const auto& c : computed) tags += c.tags.size();
          return rm::Status::Ok();
        }),
        "compute");
  const double peak_mib = PeakMemoryMiB() - before_mib;

  // The tools, served from the cache.
  rm::tools::MemoryService service(*corpus.db);
  const rm::tools::Caller caller{corpus.user_id, std::nullopt, "api"};
  const auto warm = Clock::now();
  Check(service.GetTopicCluster(caller, std::nullopt, Tag(0, 0), 10, rm::store::Scope::kAll), "warm");
  service.topics().WaitForRefreshes();
  const double first_call_s = std::chrono::duration<double>(Clock::now() - warm).count();
  std::uniform_int_distribution<int> topic(0, 49), tag(0, kTagsPerTopic - 1);
  std::uniform_int_distribution<std::size_t> sample(0, corpus.sample_ids.size() - 1);
  const Timing cluster_call = Time(options.calls, [&](int) {
    Check(service.GetTopicCluster(caller, std::nullopt, Tag(topic(rng), tag(rng)), 10, rm::store::Scope::kAll),
          "get_topic_cluster");
  });
  const Timing graph_call = Time(options.calls, [&](int) {
    Check(service.GetGraphAround(caller, std::nullopt, corpus.sample_ids[sample(rng)], 2, 5), "get_graph_around");
  });
  const Timing briefing_call = Time(std::max(10, options.calls / 10), [&](int) {
    Check(service.GetBriefing(caller, std::nullopt, false), "get_memory_briefing");
  });
  std::printf("| %ld | %.2f s + %.2f s | %.0f MiB | %zu clusters of %zu tags | %.1f s | %.2f / %.2f | %.2f / %.2f | %.1f / %.1f |\n",
              size, read_s, cluster_s, peak_mib, clusters, tags, first_call_s, cluster_call.p50_ms,
              cluster_call.p99_ms, graph_call.p50_ms, graph_call.p99_ms, briefing_call.p50_ms, briefing_call.p99_ms);
  std::fflush(stdout);
}

std::vector<long> ParseSizes(const std::string& text) {
  std::vector<long> sizes;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) sizes.push_back(std::stol(part));
  std::sort(sizes.begin(), sizes.end());
  return sizes;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--dir") options.dir = value();
    else if (arg == "--sizes") options.sizes = ParseSizes(value());
    else if (arg == "--calls") options.calls = std::stoi(value());
    else Die("unknown argument " + arg + " (use --dir, --sizes, --calls)");
  }
  fs::create_directories(options.dir);
  const std::string path = (fs::path(options.dir) / "clusters.db").string();
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);
  Corpus corpus;
  corpus.db = Check(rm::store::Database::Open(path), "open");
  corpus.user_id = Check(rm::store::WriteValue<rm::store::User>(*corpus.db,
                                                                [](rm::store::Connection& c) {
                                                                  return rm::store::InsertUser(
                                                                      c, {"one@bench.example", "admin", "user"});
                                                                }),
                         "user")
                       .id;
  std::mt19937_64 rng(42);
  std::printf("| memories (one user) | compute: read tags + Louvain | peak memory of computing | result | first call (compute + store) | get_topic_cluster p50 / p99 ms | get_graph_around p50 / p99 ms | get_memory_briefing p50 / p99 ms |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (long size : options.sizes) RunSize(options, corpus, size, rng);
  return 0;
}
