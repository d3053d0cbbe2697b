// How search ranks (BM25), and the FTS5 function it needs, registered on every
// SQLite connection this process opens (through sqlite3_auto_extension,
// installed before main()):
//
//   rm_match_features(memories_fts, P)  what BM25 needs of the current row, as a
//                                      blob of 2 + P doubles: the row's length in
//                                      tokens (title, content, tags), then for each
//                                      of the query's first P phrases (the user's
//                                      terms) its column-weighted frequency, then how
//                                      many consecutive pairs of those phrases occur
//                                      within 3 tokens of each other. Column
//                                      weights: title 8, tags 3, content 1; the vis
//                                      column counts for nothing.
//
// (Query tokens and snippets use the index's tokenizer from C++: search_tokenizer.h.)
//
// Whose statistics: BM25's N, avgdl and n_i come from the search's own
// candidates — the caller's visible matches that are ranked (Bm25Statistics) —
// never from the whole index, whose counts include memories of other users and
// vendors: a score that moved when someone else wrote a word would tell the
// caller that they did (issue 20, item 1). Ranking happens in C++, after the
// candidates are known, which is also why FTS5's bm25() is not used (it counts
// whole doclists on its first call: tens of milliseconds for a common word).
#pragma once

#include <string_view>
#include <vector>

struct sqlite3;
struct fts5_api;

namespace rm::store {

// Column order of memories_fts (migration 5).
enum SearchColumn { kTitleColumn = 0, kContentColumn = 1, kTagsColumn = 2, kVisColumn = 3 };

// One candidate as rm_match_features reports it.
struct MatchFeatures {
  double length = 0;               // tokens in the scored columns
  std::vector<double> frequency;   // per phrase, column-weighted
  double near_pairs = 0;           // consecutive query phrases (p, p+1) found within 3 tokens
  double exact_share = 0;          // of the phrases with an exact form, the share it holds as typed
};

// Parses rm_match_features' blob; false if it is not 1 + phrases doubles.
bool ParseMatchFeatures(std::string_view blob, int phrases, MatchFeatures& out);

// BM25's statistics.
struct Bm25Statistics {
  double rows = 0;                  // N
  double average_length = 1;        // avgdl
  std::vector<double> phrase_rows;  // n_i: rows holding phrase i
};

// The statistics of a set of candidates: N = how many, avgdl their mean length,
// n_i how many hold phrase i.
Bm25Statistics StatisticsOf(const std::vector<const MatchFeatures*>& candidates, int phrases);

// BM25 (k1 1.2, b 0.75) of one candidate. IDF is ln(1 + (N - n + 0.5) / (n + 0.5)),
// positive even for a phrase every candidate holds (as when all words must match).
// Times 1 + (the IDF share of the query's phrases the candidate holds): covering more
// of the query counts, which matters when any word may match. Times 1 + 0.1 x
// exact_share: between two memories that match "running" by its stem, the one that
// says "running" ranks first. Times 1 + 0.5 x (the share of the query's consecutive
// phrase pairs found near each other): "support group" said together counts more.
double Bm25Score(const MatchFeatures& features, const Bm25Statistics& statistics);

// True once the functions are set up for new connections. Installed by a static
// initializer in search_ranking.cc; calling this also makes sure that object file
// is linked into any program that searches.
bool SearchFunctionsInstalled();

// The FTS5 API of connection `db` (nullptr if SQLite was built without FTS5).
fts5_api* Fts5Api(sqlite3* db);

}  // namespace rm::store
