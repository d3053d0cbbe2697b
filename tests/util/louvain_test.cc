// Louvain: finds the clusters a graph obviously has, honours weights, and answers
// the same canonical numbering every time.
#include "util/louvain.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

namespace rm::util {
namespace {

// Joins every pair of `nodes` with an edge of `weight`.
void AddClique(WeightedGraph& graph, const std::vector<std::size_t>& nodes, double weight = 1) {
  for (std::size_t a = 0; a < nodes.size(); ++a) {
    for (std::size_t b = a + 1; b < nodes.size(); ++b) graph.AddEdge(nodes[a], nodes[b], weight);
  }
}

// Nodes 0-4 and 5-9 are cliques; one edge 4-5 bridges them.
WeightedGraph TwoCliquesWithBridge() {
  WeightedGraph graph(10);
  AddClique(graph, {0, 1, 2, 3, 4});
  AddClique(graph, {5, 6, 7, 8, 9});
  graph.AddEdge(4, 5, 1);
  return graph;
}

// Six 4-cliques (nodes 4c..4c+3) in a ring, each joined to the next by one edge.
WeightedGraph RingOfCliques() {
  WeightedGraph graph(24);
  for (std::size_t c = 0; c < 6; ++c) {
    AddClique(graph, {4 * c, 4 * c + 1, 4 * c + 2, 4 * c + 3});
    graph.AddEdge(4 * c + 3, (4 * c + 4) % 24, 1);
  }
  return graph;
}

std::vector<std::size_t> RingCliquePartition() {
  std::vector<std::size_t> partition(24);
  for (std::size_t i = 0; i < 24; ++i) partition[i] = i / 4;
  return partition;
}

// Triangles 0-1-2 and 3-4-5 with "rungs" 0-3, 1-4, 2-5 (a prism): the same edges,
// but which ones are heavy decides the grouping.
WeightedGraph Prism(double triangle_weight, double rung_weight) {
  WeightedGraph graph(6);
  AddClique(graph, {0, 1, 2}, triangle_weight);
  AddClique(graph, {3, 4, 5}, triangle_weight);
  for (std::size_t i = 0; i < 3; ++i) graph.AddEdge(i, i + 3, rung_weight);
  return graph;
}

TEST(Louvain, TwoCliquesJoinedByABridgeAreTwoCommunities) {
  EXPECT_EQ(LouvainCommunities(TwoCliquesWithBridge()),
            (std::vector<std::size_t>{0, 0, 0, 0, 0, 1, 1, 1, 1, 1}));
}

TEST(Louvain, RingOfSixCliquesIsSixCommunitiesMatchingTheCliques) {
  EXPECT_EQ(LouvainCommunities(RingOfCliques()), RingCliquePartition());
}

TEST(Louvain, TwoCliquesResultHasTheCliquePartitionsKnownModularity) {
  WeightedGraph graph = TwoCliquesWithBridge();
  // m = 21; each clique has 10 inner edges and degree sum 21: Q = 2(10/21 - 1/4).
  const double clique_q = 2 * (10.0 / 21 - 0.25);
  EXPECT_NEAR(Modularity(graph, {0, 0, 0, 0, 0, 1, 1, 1, 1, 1}), clique_q, 1e-12);
  const double louvain_q = Modularity(graph, LouvainCommunities(graph));
  EXPECT_NEAR(louvain_q, clique_q, 1e-12);
  EXPECT_GT(louvain_q, Modularity(graph, std::vector<std::size_t>(10, 0)));
  EXPECT_NEAR(Modularity(graph, std::vector<std::size_t>(10, 0)), 0.0, 1e-12);
}

TEST(Louvain, RingOfCliquesResultHasTheCliquePartitionsKnownModularity) {
  WeightedGraph graph = RingOfCliques();
  // m = 42; each clique has 6 inner edges and degree sum 14: Q = 6(6/42 - (14/84)^2).
  const double clique_q = 6 * (6.0 / 42 - (14.0 / 84) * (14.0 / 84));
  EXPECT_NEAR(Modularity(graph, RingCliquePartition()), clique_q, 1e-12);
  const double louvain_q = Modularity(graph, LouvainCommunities(graph));
  EXPECT_NEAR(louvain_q, clique_q, 1e-12);
  EXPECT_GT(louvain_q, Modularity(graph, std::vector<std::size_t>(24, 0)));
}

TEST(Louvain, MergesNeighbouringCliquesWhenThatRaisesModularity) {
  // Twelve triangles in a ring: here pairs of triangles beat single triangles
  // (modularity's resolution limit), which only the aggregation phase can find by
  // moving a whole triangle at once.
  WeightedGraph graph(36);
  for (std::size_t c = 0; c < 12; ++c) {
    AddClique(graph, {3 * c, 3 * c + 1, 3 * c + 2});
    graph.AddEdge(3 * c + 2, (3 * c + 3) % 36, 1);
  }
  std::vector<std::size_t> pairs(36);
  for (std::size_t i = 0; i < 36; ++i) pairs[i] = i / 6;
  EXPECT_EQ(LouvainCommunities(graph), pairs);
  // m = 48; a pair has 7 inner edges and degree sum 16.
  EXPECT_NEAR(Modularity(graph, pairs), 6 * (7.0 / 48 - (16.0 / 96) * (16.0 / 96)), 1e-12);
}

TEST(Louvain, IsolatedNodesAreEachTheirOwnCommunity) {
  WeightedGraph graph(5);
  graph.AddEdge(1, 2, 1);
  EXPECT_EQ(LouvainCommunities(graph), (std::vector<std::size_t>{0, 1, 1, 2, 3}));
}

TEST(Louvain, GraphWithoutEdgesKeepsEveryNodeAlone) {
  WeightedGraph graph(4);
  EXPECT_EQ(LouvainCommunities(graph), (std::vector<std::size_t>{0, 1, 2, 3}));
  EXPECT_EQ(Modularity(graph, {0, 0, 1, 1}), 0.0);
}

TEST(Louvain, ZeroWeightEdgesCountAsNoEdges) {
  WeightedGraph graph(3);
  graph.AddEdge(0, 1, 0);
  graph.AddEdge(1, 2, 0);
  EXPECT_EQ(LouvainCommunities(graph), (std::vector<std::size_t>{0, 1, 2}));
}

TEST(Louvain, EmptyGraphHasNoCommunities) {
  WeightedGraph graph(0);
  EXPECT_EQ(graph.size(), 0u);
  EXPECT_TRUE(LouvainCommunities(graph).empty());
  EXPECT_EQ(Modularity(graph, {}), 0.0);
}

TEST(Louvain, EdgeAddedTwiceEqualsOneEdgeOfDoubleWeight) {
  WeightedGraph twice(6);
  WeightedGraph doubled(6);
  for (WeightedGraph* graph : {&twice, &doubled}) {
    AddClique(*graph, {0, 1, 2});
    AddClique(*graph, {3, 4, 5});
  }
  for (std::size_t i = 0; i < 3; ++i) {
    twice.AddEdge(i, i + 3, 1.5);
    twice.AddEdge(i + 3, i, 1.5);  // either direction: the graph is undirected
    doubled.AddEdge(i, i + 3, 3);
  }
  EXPECT_DOUBLE_EQ(twice.total_weight(), doubled.total_weight());
  for (std::size_t i = 0; i < 6; ++i) EXPECT_DOUBLE_EQ(twice.degree(i), doubled.degree(i));
  EXPECT_EQ(LouvainCommunities(twice), LouvainCommunities(doubled));
  EXPECT_EQ(LouvainCommunities(doubled), (std::vector<std::size_t>{0, 1, 2, 0, 1, 2}));
  for (const std::vector<std::size_t>& partition :
       {std::vector<std::size_t>{0, 0, 0, 1, 1, 1}, std::vector<std::size_t>{0, 1, 2, 0, 1, 2}}) {
    EXPECT_NEAR(Modularity(twice, partition), Modularity(doubled, partition), 1e-12);
  }
}

TEST(Louvain, SelfLoopCountsOnceAsInnerWeightAndTwiceInDegree) {
  WeightedGraph graph(2);
  graph.AddEdge(0, 0, 1);
  graph.AddEdge(1, 1, 1);
  graph.AddEdge(0, 1, 0.1);
  EXPECT_DOUBLE_EQ(graph.degree(0), 2.1);
  EXPECT_DOUBLE_EQ(graph.total_weight(), 2.1);
  // Apart: each has inner weight 1 and degree share 1/2. Together: Q = 1 - 1 = 0.
  EXPECT_NEAR(Modularity(graph, {0, 1}), 2 * (1 / 2.1 - 0.25), 1e-12);
  EXPECT_NEAR(Modularity(graph, {0, 0}), 0.0, 1e-12);
  EXPECT_EQ(LouvainCommunities(graph), (std::vector<std::size_t>{0, 1}));
}

TEST(Louvain, HeavyTriangleEdgesKeepTrianglesTogether) {
  EXPECT_EQ(LouvainCommunities(Prism(10, 1)), (std::vector<std::size_t>{0, 0, 0, 1, 1, 1}));
}

TEST(Louvain, HeavyRungsOutweighTheTrianglesOnTheSameEdges) {
  EXPECT_EQ(LouvainCommunities(Prism(1, 10)), (std::vector<std::size_t>{0, 1, 2, 0, 1, 2}));
}

TEST(Louvain, SameGraphGivesTheSameResultEveryTime) {
  WeightedGraph graph = RingOfCliques();
  EXPECT_EQ(LouvainCommunities(graph), LouvainCommunities(graph));
}

TEST(Louvain, CommunitiesAreNumberedByTheirSmallestNode) {
  // The cliques interleave: {0,2,4,6,8} and {1,3,5,7,9}, with a bridge 8-9.
  WeightedGraph graph(10);
  AddClique(graph, {9, 7, 5, 3, 1});
  AddClique(graph, {8, 6, 4, 2, 0});
  graph.AddEdge(9, 8, 1);
  std::vector<std::size_t> community = LouvainCommunities(graph);
  EXPECT_EQ(community, (std::vector<std::size_t>{0, 1, 0, 1, 0, 1, 0, 1, 0, 1}));
}

TEST(Louvain, FindsPlantedGroupsInANoisyRandomGraph) {
  // 10 groups of 30 nodes: each node links to 8 random members of its group and
  // to 1 random node anywhere. A fixed LCG keeps the graph the same on every run.
  constexpr std::size_t kGroups = 10, kGroupSize = 30;
  std::uint64_t state = 12345;
  auto next = [&state](std::size_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>((state >> 33) % bound);
  };
  WeightedGraph graph(kGroups * kGroupSize);
  for (std::size_t i = 0; i < graph.size(); ++i) {
    const std::size_t group_start = i / kGroupSize * kGroupSize;
    for (int e = 0; e < 8; ++e) graph.AddEdge(i, group_start + next(kGroupSize), 1);
    graph.AddEdge(i, next(graph.size()), 1);
  }
  std::vector<std::size_t> planted(graph.size());
  for (std::size_t i = 0; i < graph.size(); ++i) planted[i] = i / kGroupSize;

  std::vector<std::size_t> community = LouvainCommunities(graph);
  EXPECT_EQ(community, planted);
  EXPECT_GE(Modularity(graph, community), Modularity(graph, planted) - 1e-12);
}

TEST(Louvain, RejectsUnknownNodesAndBadWeights) {
  WeightedGraph graph(2);
  EXPECT_THROW(graph.AddEdge(0, 2, 1), std::out_of_range);
  EXPECT_THROW(graph.AddEdge(0, 1, -1), std::invalid_argument);
  EXPECT_THROW(graph.AddEdge(0, 1, std::numeric_limits<double>::infinity()),
               std::invalid_argument);
  EXPECT_THROW(Modularity(graph, {0}), std::invalid_argument);
}

}  // namespace
}  // namespace rm::util
