#include "tools/hybrid_ranking.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace rm::tools {

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size() || a.empty()) return 0;
  double dot = 0, na = 0, nb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    dot += static_cast<double>(a[i]) * b[i];
    na += static_cast<double>(a[i]) * a[i];
    nb += static_cast<double>(b[i]) * b[i];
  }
  if (na == 0 || nb == 0) return 0;
  return dot / std::sqrt(na * nb);
}

std::vector<VectorMatch> NearestByCosine(const std::vector<float>& query,
                                         const std::vector<store::VisibleVector>& candidates, std::size_t depth) {
  std::vector<VectorMatch> matches;
  matches.reserve(candidates.size());
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (!candidates[i].vector || candidates[i].vector->size() != query.size()) continue;  // not comparable
    matches.push_back({i, Cosine(query, *candidates[i].vector)});
  }
  auto better = [&](const VectorMatch& a, const VectorMatch& b) {
    if (a.cosine != b.cosine) return a.cosine > b.cosine;
    return candidates[a.index].rowid > candidates[b.index].rowid;
  };
  const std::size_t keep = std::min(depth, matches.size());
  std::partial_sort(matches.begin(), matches.begin() + static_cast<std::ptrdiff_t>(keep), matches.end(), better);
  matches.resize(keep);
  return matches;
}

std::vector<FusedRank> FuseByReciprocalRank(const std::vector<std::int64_t>& text_list,
                                            const std::vector<std::int64_t>& vector_list, double k) {
  std::map<std::int64_t, double> scores;
  for (std::size_t i = 0; i < text_list.size(); ++i) scores[text_list[i]] += 1.0 / (k + static_cast<double>(i + 1));
  for (std::size_t i = 0; i < vector_list.size(); ++i) {
    scores[vector_list[i]] += 1.0 / (k + static_cast<double>(i + 1));
  }
  std::vector<FusedRank> fused;
  fused.reserve(scores.size());
  for (const auto& [rowid, score] : scores) fused.push_back({rowid, score});
  std::sort(fused.begin(), fused.end(), [](const FusedRank& a, const FusedRank& b) {
    return a.score != b.score ? a.score > b.score : a.rowid > b.rowid;
  });
  return fused;
}

}  // namespace rm::tools
