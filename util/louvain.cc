#include "util/louvain.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <unordered_map>

namespace rm::util {

WeightedGraph::WeightedGraph(std::size_t nodes)
    : neighbors_(nodes), loop_weight_(nodes, 0.0), degree_(nodes, 0.0) {}

void WeightedGraph::AddEdge(std::size_t a, std::size_t b, double weight) {
  if (a >= size() || b >= size()) throw std::out_of_range("WeightedGraph::AddEdge: no such node");
  if (!std::isfinite(weight) || weight < 0) {
    throw std::invalid_argument("WeightedGraph::AddEdge: weight must be finite and non-negative");
  }
  if (a == b) {
    loop_weight_[a] += weight;
    degree_[a] += 2 * weight;  // a loop touches its node at both ends
  } else {
    neighbors_[a].emplace_back(b, weight);
    neighbors_[b].emplace_back(a, weight);
    degree_[a] += weight;
    degree_[b] += weight;
  }
  total_weight_ += weight;
}

namespace {

// A move must raise Q by more than this, so rounding noise cannot make two
// communities trade a node back and forth forever.
constexpr double kMinModularityGain = 1e-12;
// Safety bounds: Q rises with every move and every level, so these are only hit on
// pathological inputs, and they guarantee an end regardless.
constexpr int kMaxPassesPerLevel = 100;
constexpr int kMaxLevels = 32;

// Marks "not a neighbouring community" in the per-community weight scratch array;
// edge weights are never negative, so it cannot collide with a real sum.
constexpr double kNotNeighbor = -1.0;

// Renumbers ids (all < community.size()) to 0..k-1 in order of each community's
// smallest node, and returns k.
std::size_t Canonicalize(std::vector<std::size_t>& community) {
  constexpr std::size_t kUnassigned = SIZE_MAX;
  std::vector<std::size_t> new_id(community.size(), kUnassigned);
  std::size_t next = 0;
  for (std::size_t& c : community) {
    if (new_id[c] == kUnassigned) new_id[c] = next++;
    c = new_id[c];
  }
  return next;
}

// Phase 1, local moving: starting from singletons, move each node (in index order)
// to the neighbouring community that raises Q the most, until a whole pass moves
// nobody. Returns each node's community id (a node index, not yet canonical).
//
// Taking node i out of its community and putting it into community C changes Q by
// (k_i,C - tot_C * k_i / 2m) / m, where k_i,C is the weight of i's edges into C and
// tot_C the summed degree of C without i. So each candidate costs O(1) once the
// k_i,C are gathered, and a pass costs O(edges).
//
// Late passes move only a handful of nodes, yet a plain pass re-examines all of
// them (on a 100k-node random graph that tail is most of the run time). So a pass
// only revisits nodes whose neighbourhood changed since their last visit ("pruning",
// Ozaki et al. 2016). That is a heuristic (a far-away move also shifts tot_C), so
// when a pruned pass moves nobody, one full pass confirms it: the level ends only
// after a pass over every node found no improving move, as in classic Louvain.
std::vector<std::size_t> MoveNodes(const WeightedGraph& graph) {
  const std::size_t n = graph.size();
  const double m = graph.total_weight();
  const double min_gain = kMinModularityGain * m;  // in the units of `Gain` below

  std::vector<std::size_t> community(n);
  std::iota(community.begin(), community.end(), std::size_t{0});
  std::vector<double> total_degree(n);  // tot_C, indexed by community
  for (std::size_t i = 0; i < n; ++i) total_degree[i] = graph.degree(i);

  // Scratch, reset after each node: k_i,C per community, and which C were touched.
  std::vector<double> weight_to(n, kNotNeighbor);
  std::vector<std::size_t> touched;

  std::vector<char> unsettled(n, 1);  // worth visiting: a neighbour moved since our last look
  bool full_pass = true;
  for (int pass = 0; pass < kMaxPassesPerLevel; ++pass) {
    bool moved = false;
    for (std::size_t i = 0; i < n; ++i) {
      const double k_i = graph.degree(i);
      if (k_i == 0 || !unsettled[i]) continue;  // isolated nodes have nothing to gain
      unsettled[i] = 0;

      for (const auto& [j, w] : graph.neighbors(i)) {
        const std::size_t c = community[j];
        if (weight_to[c] == kNotNeighbor) {
          weight_to[c] = 0;
          touched.push_back(c);
        }
        weight_to[c] += w;
      }

      const std::size_t current = community[i];
      total_degree[current] -= k_i;  // evaluate every option with i taken out
      auto gain = [&](std::size_t c) {
        const double k_i_c = weight_to[c] == kNotNeighbor ? 0.0 : weight_to[c];
        return k_i_c - total_degree[c] * k_i / (2 * m);
      };

      // Best other community; on a tie (up to rounding) the lowest id wins.
      std::size_t best = current;
      double best_gain = 0;
      for (std::size_t c : touched) {
        if (c == current) continue;
        const double g = gain(c);
        if (best == current || g > best_gain + min_gain ||
            (g >= best_gain - min_gain && c < best)) {
          best = c;
          best_gain = g;
        }
      }
      // Move only for a real improvement over staying, so ties never churn.
      if (best != current && best_gain - gain(current) > min_gain) {
        community[i] = best;
        moved = true;
        for (const auto& [j, w] : graph.neighbors(i)) unsettled[j] = 1;
      }
      total_degree[community[i]] += k_i;

      for (std::size_t c : touched) weight_to[c] = kNotNeighbor;
      touched.clear();
    }
    if (moved) {
      full_pass = false;
    } else if (full_pass) {
      break;  // nobody anywhere can improve Q: a local optimum
    } else {
      std::fill(unsettled.begin(), unsettled.end(), 1);  // confirm with a full pass
      full_pass = true;
    }
  }
  return community;
}

// Phase 2: one node per community (ids 0..k-1). Edges between two communities are
// summed into one edge; edges inside a community become its self-loop, so the
// coarse graph has the same total weight and the same Q for the same grouping.
WeightedGraph Aggregate(const WeightedGraph& graph, const std::vector<std::size_t>& community,
                        std::size_t k) {
  std::vector<std::vector<std::size_t>> members(k);
  for (std::size_t i = 0; i < graph.size(); ++i) members[community[i]].push_back(i);

  WeightedGraph coarse(k);
  std::vector<double> weight_to(k, kNotNeighbor);
  std::vector<std::size_t> touched;
  for (std::size_t c = 0; c < k; ++c) {
    double loop = 0;
    for (std::size_t i : members[c]) {
      loop += graph.loop_weight(i);
      for (const auto& [j, w] : graph.neighbors(i)) {
        const std::size_t d = community[j];
        if (weight_to[d] == kNotNeighbor) {
          weight_to[d] = 0;
          touched.push_back(d);
        }
        weight_to[d] += w;
      }
    }
    for (std::size_t d : touched) {
      if (d == c) {
        loop += weight_to[d] / 2;  // each inner edge was seen from both of its ends
      } else if (d > c) {
        coarse.AddEdge(c, d, weight_to[d]);  // added once; d sees the same sum back
      }
      weight_to[d] = kNotNeighbor;
    }
    touched.clear();
    if (loop > 0) coarse.AddEdge(c, c, loop);
  }
  return coarse;
}

}  // namespace

std::vector<std::size_t> LouvainCommunities(const WeightedGraph& graph) {
  std::vector<std::size_t> result(graph.size());
  std::iota(result.begin(), result.end(), std::size_t{0});
  if (graph.total_weight() <= 0) return result;  // modularity is undefined; keep singletons

  WeightedGraph coarse(0);
  const WeightedGraph* level = &graph;
  for (int round = 0; round < kMaxLevels; ++round) {
    std::vector<std::size_t> community = MoveNodes(*level);
    const std::size_t k = Canonicalize(community);
    if (k == level->size()) break;  // nobody merged: this is a local optimum

    for (std::size_t& c : result) c = community[c];  // original node -> new super-node
    WeightedGraph next = Aggregate(*level, community, k);
    coarse = std::move(next);  // only now: `level` may point at the old `coarse`
    level = &coarse;
  }
  Canonicalize(result);
  return result;
}

double Modularity(const WeightedGraph& graph, const std::vector<std::size_t>& community) {
  if (community.size() != graph.size()) {
    throw std::invalid_argument("Modularity: need one community per node");
  }
  const double m = graph.total_weight();
  if (m <= 0) return 0;

  // Callers may use any ids; make them dense for the per-community sums.
  std::unordered_map<std::size_t, std::size_t> dense;
  std::vector<std::size_t> id(graph.size());
  for (std::size_t i = 0; i < graph.size(); ++i) {
    id[i] = dense.emplace(community[i], dense.size()).first->second;
  }

  std::vector<double> inside(dense.size(), 0.0);
  std::vector<double> total_degree(dense.size(), 0.0);
  for (std::size_t i = 0; i < graph.size(); ++i) {
    total_degree[id[i]] += graph.degree(i);
    inside[id[i]] += graph.loop_weight(i);
    for (const auto& [j, w] : graph.neighbors(i)) {
      if (id[j] == id[i]) inside[id[i]] += w / 2;  // seen again from j's side
    }
  }

  double q = 0;
  for (std::size_t c = 0; c < dense.size(); ++c) {
    const double share = total_degree[c] / (2 * m);
    q += inside[c] / m - share * share;
  }
  return q;
}

}  // namespace rm::util
