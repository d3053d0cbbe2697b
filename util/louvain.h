// Louvain community detection: splits a weighted graph into groups of nodes that
// are linked more strongly among themselves than chance would predict (clusters of
// memories that keep referring to one another, say). "Stronger than chance" is
// Newman modularity Q; Louvain (Blondel et al. 2008) climbs Q greedily, first moving
// single nodes to a neighbour's community while that helps, then merging each
// community into one node and repeating on the smaller graph, so it finds coarse
// clusters in roughly linear time per pass. It is a heuristic: a good partition,
// not provably the best one. This version has no randomness (nodes are visited in
// index order, ties go to the lowest community), so equal input gives equal output.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace rm::util {

// An undirected weighted graph over nodes 0..n-1, kept as adjacency lists so it
// scales to millions of edges. Edges may be added in any order; adding the same
// edge twice adds its weights. A self-loop of weight w adds w to the node's loop
// weight and 2w to its degree (the usual modularity convention).
class WeightedGraph {
 public:
  explicit WeightedGraph(std::size_t nodes);

  // Throws std::out_of_range for a node >= size() and std::invalid_argument for a
  // negative or non-finite weight (modularity is not defined for those).
  void AddEdge(std::size_t a, std::size_t b, double weight);

  std::size_t size() const { return neighbors_.size(); }

  // Edges to other nodes, as (neighbor, weight); a repeated edge appears repeatedly.
  const std::vector<std::pair<std::size_t, double>>& neighbors(std::size_t node) const {
    return neighbors_[node];
  }
  double loop_weight(std::size_t node) const { return loop_weight_[node]; }
  // Sum of the weights of the node's edges, self-loops counted twice.
  double degree(std::size_t node) const { return degree_[node]; }
  // Sum of all edge weights, each edge (and self-loop) counted once: the "m" of modularity.
  double total_weight() const { return total_weight_; }

 private:
  std::vector<std::vector<std::pair<std::size_t, double>>> neighbors_;
  std::vector<double> loop_weight_;
  std::vector<double> degree_;
  double total_weight_ = 0;
};

// community[i] = the community of node i, numbered 0..k-1 in order of each
// community's smallest node (so node 0 is always in community 0 and the result is
// canonical). Isolated nodes are each their own community; a graph with no weight
// at all gives every node its own community.
std::vector<std::size_t> LouvainCommunities(const WeightedGraph& graph);

// Newman modularity Q = sum over communities c of (in_c / m - (tot_c / 2m)^2), where
// in_c is the weight of edges inside c, tot_c the summed degree of c's nodes and m
// the graph's total weight. Community ids may be any numbers; 0 for a weightless
// graph. Throws std::invalid_argument if `community` does not have one entry per node.
double Modularity(const WeightedGraph& graph, const std::vector<std::size_t>& community);

}  // namespace rm::util
