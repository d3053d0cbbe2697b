// Full-text search over the memories a viewer may see (SPEC §5 search_memories).
//
// How it stays fast at a million memories (docs/SCHEMA.md "Search";
// figures in docs/BENCHMARKS.md):
//  1. The MATCH carries the caller's visibility as index tokens (migration 5), so
//     FTS5 itself yields only memories the caller may see, filters included.
//  2. Which matches are ranked (the candidates): when a query has at most
//     `candidate_limit` (K) visible matches — the usual case — all of them, found
//     by one forward walk. With more (a heavy user, common words), ranking every
//     match of a word found in half the corpus means scoring half a million rows,
//     so the candidates are the newest K matches plus every match holding a word
//     rare among the caller's memories (at most 64 of them hold it): an old
//     memory holding a question's rare words still competes with the many new
//     ones holding its common words, and BM25 ranks by the rare words first.
//  3. Each walk after the first is planned from what the walks before found among
//     the memories the caller may see (the words AND the tokens) — never from the
//     whole index, so no plan, and no switch in the time a search takes, follows
//     memories the caller cannot see. The plan changes only the time taken, never
//     which candidates are found.
//  4. Walks go forwards wherever possible (FTS5 walks backwards far more slowly).
//     Where the newest K matches start is guessed from how densely the first walk
//     found them, then scored forwards; a backward walk only makes up for a guess
//     that missed.
//  5. Candidates are scored in C++ by BM25 with the statistics of the candidates
//     themselves (search_ranking.h): nothing a caller receives — hits, order,
//     scores, snippets, cursors — depends on memories it cannot see. Snippets are
//     made in C++ for the page's rows only (search_snippet.h).
// Every hit returned is still checked against the SQL visibility predicate (the
// tokens make search fast, the predicate makes it correct); candidates the tokens
// selected are checked when they make the page, the others while being scored.
//
// The pieces, one file each: search_query.h (what was typed → an FTS5 query),
// search_walks.h (every statement a search runs), search_candidates.h (which matches
// are ranked: the planner), search_ranking.h (BM25 and coverage), search_exact_forms.h
// (the word as typed first), search_snippet.h; this file puts a page together.
//
// Pages: the first page fixes the candidate window and the statistics; the
// cursor carries them, so later pages score rows exactly as the first did and
// (score, rowid) keysets give no duplicates and no gaps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/connection.h"
#include "store/memory_records.h"
#include "store/memory_visibility.h"
#include "store/search_query.h"
#include "util/status.h"

namespace rm::store {

struct SearchFilters {
  Scope scope = Scope::kAll;
  std::string tags_any_json;  // JSON array; a memory qualifies with any of them. "" = none
  std::optional<std::string> memory_type;
  std::optional<std::string> created_after;   // ISO-8601, exclusive
  std::optional<std::string> created_before;  // ISO-8601, exclusive
};

// Fixed by the first page of a search; later pages must pass it back unchanged.
// Everything in it comes from the caller's own candidates (memories it may see),
// never from the whole index: it travels to the caller inside the cursor.
struct SearchWindow {
  std::int64_t lowest_rowid = 0;   // candidates are rowids in [lowest, highest]
  std::int64_t highest_rowid = 0;  // the newest candidate of the first page
  double rows = 0;                 // BM25 N: how many candidates
  double average_length = 1;       // BM25 avgdl: their mean length
  std::vector<double> phrase_rows; // BM25 n_i: candidates holding phrase i
  std::vector<int> rare_phrases;   // phrases whose every match up to highest_rowid is a candidate too
};

struct SearchAfter {  // the last hit of the previous page
  double score = 0;
  std::int64_t rowid = 0;
};

struct SearchRequest {
  std::string text;  // what the user typed (see search_query.h)
  MatchMode mode = MatchMode::kAll;
  SearchFilters filters;
  int limit = 10;
  int candidate_limit = 1000;  // K, see above
  std::optional<SearchWindow> window;  // absent on the first page
  std::optional<SearchAfter> after;    // absent on the first page
};

struct SearchHit {
  MemoryRow memory;
  double score = 0;     // higher is better; 0 for a query without search words
  std::string snippet;  // matched words wrapped in ** **
};

struct SearchPage {
  std::vector<SearchHit> hits;
  int phrase_count = 0;  // search words the query held
  SearchWindow window;
  bool more = false;     // another page exists
};

Result<SearchPage> SearchMemories(Connection& conn, const Viewer& viewer,
                                  const SearchRequest& request);

}  // namespace rm::store
