// Hybrid ranking (issue 17): the full-text list and the vector list of one search,
// fused by reciprocal rank fusion — score(d) = Σ 1 / (k + rank of d in a list),
// rank 1-based, k = 60 — over the top kListDepth of each list. RRF needs no
// calibration between BM25 scores and cosines, and a memory found by both lists
// rises above one found by either alone; one found only by meaning (a paraphrase
// sharing no word with the query) still enters the fused list.
//
// The vector list is exact cosine over the caller's visible vectors (read with the
// visibility predicate in SQL, store/memory_vectors.h; those a process read lately are
// kept, tools/vector_cache.h); docs/BENCHMARKS.md says up
// to what size that stays fast.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "store/memory_vectors.h"

namespace rm::tools {

inline constexpr std::size_t kListDepth = 50;  // of each list, fused
inline constexpr double kRrfK = 60;

// Cosine similarity; 0 when either vector is zero or their dimensions differ.
double Cosine(const std::vector<float>& a, const std::vector<float>& b);

struct VectorMatch {
  std::size_t index = 0;  // into the candidates given
  double cosine = 0;
};

// The `depth` candidates nearest `query`, best first (ties: the newer rowid first).
std::vector<VectorMatch> NearestByCosine(const std::vector<float>& query,
                                         const std::vector<store::VisibleVector>& candidates, std::size_t depth);

struct FusedRank {
  std::int64_t rowid = 0;
  double score = 0;  // the RRF score: higher is better
};

// Both lists (rowids, best first) fused, best first; ties by the newer rowid.
std::vector<FusedRank> FuseByReciprocalRank(const std::vector<std::int64_t>& text_list,
                                            const std::vector<std::int64_t>& vector_list, double k = kRrfK);

}  // namespace rm::tools
