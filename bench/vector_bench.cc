// The semantic-search benchmark (issue 17): what the vector half of one hybrid search
// costs — exact cosine over every vector the caller may see — for ONE user holding N
// embedded memories. Per search: the visible vectors (tools::VectorCache::Visible: which
// ones, by the visibility predicate and the filters in SQL, and the float32 blobs of those
// the process does not hold) and scoring them (tools::NearestByCosine, top 50). Reading
// is measured twice: with an empty cache (every blob read: a process's first search, or
// vectors beyond the cache's bytes) and with a warm one (the usual search). p50 / p99.
//
//   vector_bench [--dir DIR] [--sizes 1000,10000,100000] [--dims 1536] [--searches N]
//
// Vectors are random unit vectors (the cost does not depend on their values). The
// corpus grows in one database from size to size (DIR/vector_bench.db, made afresh).
// Prints a markdown table.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "store/database.h"
#include "store/memory_repository.h"
#include "store/memory_vectors.h"
#include "store/users.h"
#include "tools/hybrid_ranking.h"
#include "tools/vector_cache.h"
#include "util/clock.h"
#include "util/crypto.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

struct Options {
  std::string dir = "bench-data";
  std::vector<long> sizes = {1000, 10000, 100000};
  int dims = 1536;
  int searches = 30;
};

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "vector_bench: %s\n", why.c_str());
  std::exit(1);
}

void Check(const rm::Status& s, const char* what) {
  if (!s.ok()) Die(std::string(what) + ": " + s.ToString());
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--dir") {
      o.dir = value();
    } else if (a == "--sizes") {
      o.sizes.clear();
      const std::string list = value();
      for (std::size_t at = 0; at < list.size();) {
        const std::size_t comma = std::min(list.find(',', at), list.size());
        o.sizes.push_back(std::stol(list.substr(at, comma - at)));
        at = comma + 1;
      }
    } else if (a == "--dims") {
      o.dims = std::stoi(value());
    } else if (a == "--searches") {
      o.searches = std::stoi(value());
    } else {
      Die("unknown argument " + a + " (see the comment at the top of bench/vector_bench.cc)");
    }
  }
  return o;
}

std::vector<float> UnitVector(std::mt19937& rng, int dims) {
  std::normal_distribution<float> normal;
  std::vector<float> v(static_cast<std::size_t>(dims));
  double norm = 0;
  for (float& x : v) {
    x = normal(rng);
    norm += static_cast<double>(x) * x;
  }
  for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
  return v;
}

double Percentile(std::vector<double> ms, double p) {
  std::sort(ms.begin(), ms.end());
  return ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * static_cast<double>(ms.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = Parse(argc, argv);
  fs::create_directories(options.dir);
  const std::string path = (fs::path(options.dir) / "vector_bench.db").string();
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);
  auto db = rm::store::Database::Open(path);
  if (!db.ok()) Die(db.status().ToString());
  rm::store::User user;
  Check((*db)->Write([&](rm::store::Connection& conn) -> rm::Status {
    auto made = rm::store::InsertUser(conn, {"bench@example.com", "admin"});
    if (!made.ok()) return made.status();
    user = *made;
    return rm::Status::Ok();
  }),
        "user");
  const rm::store::Viewer viewer{user.id, std::nullopt, std::nullopt, std::string("claude")};
  const std::string model = "bench-embedding";
  std::mt19937 rng(17);

  std::printf("| visible vectors | dims | read, empty cache p50 / p99 (ms) | read, warm cache p50 / p99 (ms) | "
              "score p50 / p99 (ms) | search, warm p50 / p99 (ms) |\n");
  std::printf("|---|---|---|---|---|---|\n");
  long have = 0;
  for (long size : options.sizes) {
    const auto grow_start = Clock::now();
    while (have < size) {
      const long chunk = std::min<long>(2000, size - have);
      Check((*db)->Write([&](rm::store::Connection& conn) -> rm::Status {
        for (long i = 0; i < chunk; ++i) {
          rm::store::MemoryRow row;
          row.id = rm::NewUuid();
          row.user_id = user.id;
          row.title = "note " + std::to_string(have + i);
          row.content = "memory number " + std::to_string(have + i);
          row.origin = "api";
          row.created_at = rm::NowUtc();
          row.updated_at = row.created_at;
          RM_RETURN_IF_ERROR(rm::store::InsertMemory(conn, row));
          RM_RETURN_IF_ERROR(rm::store::UpsertVector(
              conn, {row.id, model, "hash", row.updated_at, UnitVector(rng, options.dims)}));
        }
        return rm::Status::Ok();
      }),
            "insert");
      have += chunk;
    }
    std::fprintf(stderr, "grew to %ld embedded memories in %.1f s\n", size,
                 std::chrono::duration<double>(Clock::now() - grow_start).count());

    // The visible vectors through `cache`, in a read transaction; timed.
    auto read_visible = [&](rm::tools::VectorCache& cache, std::vector<double>& ms) {
      std::vector<rm::store::VisibleVector> vectors;
      const auto start = Clock::now();
      Check((*db)->Read([&](rm::store::Connection& conn) -> rm::Status {
        auto read = cache.Visible(conn, viewer, {}, model, INT64_MAX);
        if (!read.ok()) return read.status();
        vectors = std::move(*read);
        return rm::Status::Ok();
      }),
            "read");
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      if (vectors.size() != static_cast<std::size_t>(size)) Die("read the wrong vectors");
      return vectors;
    };
    std::vector<double> cold_ms, read_ms, score_ms, total_ms;
    for (int s = 0; s < options.searches; ++s) {
      rm::tools::VectorCache empty;
      read_visible(empty, cold_ms);
    }
    rm::tools::VectorCache warm;
    read_visible(warm, cold_ms);  // fills it
    for (int s = 0; s < options.searches; ++s) {
      const std::vector<float> query = UnitVector(rng, options.dims);
      const std::vector<rm::store::VisibleVector> vectors = read_visible(warm, read_ms);
      const auto read_done = Clock::now();
      const auto nearest = rm::tools::NearestByCosine(query, vectors, rm::tools::kListDepth);
      const double score = std::chrono::duration<double, std::milli>(Clock::now() - read_done).count();
      if (nearest.empty()) Die("scored nothing");
      score_ms.push_back(score);
      total_ms.push_back(read_ms.back() + score);
    }
    std::printf("| %ld | %d | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f |\n", size, options.dims,
                Percentile(cold_ms, 0.5), Percentile(cold_ms, 0.99), Percentile(read_ms, 0.5),
                Percentile(read_ms, 0.99), Percentile(score_ms, 0.5), Percentile(score_ms, 0.99),
                Percentile(total_ms, 0.5), Percentile(total_ms, 0.99));
    std::fflush(stdout);
  }
  return 0;
}
