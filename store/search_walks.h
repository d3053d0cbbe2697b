// The statements of one search (store/search_repository.h): every walk of the FTS5
// index and every lookup of memory rows a search makes, and nothing else — which
// walks to make is decided by the planner (store/search_candidates.h), how to rank
// by store/search_ranking.h. Internal to the search; no other code includes this.
//
// Every walk's MATCH holds the caller's visibility tokens (store/visibility_match.h),
// so FTS5 yields only rows the caller may see, its filters included; the SQL
// visibility predicate (RowWhere) still decides what is returned (see Check).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "store/connection.h"
#include "store/memory_records.h"
#include "store/memory_visibility.h"
#include "store/search_ranking.h"
#include "store/search_repository.h"
#include "util/status.h"

namespace rm::store::search {

// A match the search may rank.
struct Candidate {
  std::int64_t rowid = 0;
  MatchFeatures features;  // what its score is computed from (none without search words)
  double score = 0;        // set once every candidate is known
  int memory = -1;         // its row in the walk's `read_rows` when the walk read it
};

// Where a candidate is checked against the SQL visibility predicate (RowWhere).
enum class Check {
  kEachCandidate,  // while it is walked (the memory row is joined)
  kPageHits,       // only if it makes the page (SearchWalker::VisibleMemoriesAt)
};

// The rowids of the memories the caller may see, oldest to newest.
struct RowidRange {
  std::int64_t lowest = 0;
  std::int64_t highest = 0;
};

// Above every rowid: a walk "up to the newest memory" of all.
inline constexpr std::int64_t kNewestRowid = std::numeric_limits<std::int64_t>::max();

// One search's statements: who searches, with which filters, over which MATCH.
// `match` is the search's whole MATCH (its words AND `visible`, the visibility
// tokens); `phrases` how many search words lead it (rm_match_features reads
// phrases 0..phrases-1 of any MATCH walked, so extra conditions go after them).
class SearchWalker {
 public:
  SearchWalker(Connection& conn, const Viewer& viewer, const SearchRequest& request, std::string match,
               std::string visible, int phrases);

  const std::string& match() const { return match_; }
  const std::string& visible() const { return visible_; }
  // Where the time filters, not index tokens, leave the check (see Check).
  Check check() const { return check_; }

  // The matches of `match` (the search's, or it AND more) with rowids in [lowest,
  // highest], oldest first, at most `limit`, with their features. One forward walk
  // (FTS5 walks forwards many times faster than backwards). With `read_rows`, each
  // one's memory is read too (cheaper than a lookup afterwards for a handful).
  Result<std::vector<Candidate>> Walk(const std::string& match, std::int64_t lowest, std::int64_t highest,
                                      std::int64_t limit, std::vector<MemoryRow>* read_rows = nullptr);

  // How many matches of `match`, counting no further than `cap` (a forward walk).
  Result<std::int64_t> Count(const std::string& match, std::int64_t cap);

  // The rowid of the n-th newest match of the search at or below `highest` (n from 1):
  // a backward walk of n rows. 0 when there are fewer than n.
  Result<std::int64_t> NthNewest(std::int64_t highest, std::int64_t n);

  // Where the memories the caller may see start and end: two one-row walks.
  Result<RowidRange> VisibleRange();

  // Without search words: the newest visible matches at or below `highest` and
  // below `before` (0: no bound), newest first, at most `limit`.
  Result<std::vector<Candidate>> Newest(std::int64_t highest, std::int64_t before, int limit);

  // The memories of `candidates` that pass RowWhere, by their index in `candidates`:
  // one statement.
  Result<std::vector<std::pair<std::size_t, MemoryRow>>> VisibleMemoriesAt(
      const std::vector<const Candidate*>& candidates);

  // Each candidate's title, content and tags as one text, by index: one statement.
  Result<std::vector<std::pair<std::size_t, std::string>>> TextsOf(const std::vector<Candidate>& candidates);

 private:
  Connection& conn_;
  const Viewer& viewer_;
  const SearchRequest& request_;
  std::string match_;
  std::string visible_;
  int phrases_;
  Check check_;
};

}  // namespace rm::store::search
