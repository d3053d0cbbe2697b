// FTS5 functions the search needs, registered on every SQLite connection this
// process opens (through sqlite3_auto_extension, installed before main()):
//
//   rm_bm25(memories_fts, params)      BM25 of the current row over the query's first
//                                      P phrases (the user's terms), with statistics
//                                      given by the caller so every page of a search
//                                      scores alike. params = "P N avgdl n_0 .. n_{P-1}"
//                                      (N rows, avgdl tokens per row, n_i rows that
//                                      contain phrase i; N = -1: the index's totals, as
//                                      rm_corpus_stats gives them). Column weights: title 8,
//                                      tags 3, content 1; the vis column scores nothing.
//   rm_corpus_stats(memories_fts)      "N avgdl" of the index, for the call above.
//
// (Query tokens and snippets use the index's tokenizer from C++: search_tokenizer.h.)
//
// Why a custom rank: FTS5's bm25() counts, on its first call, every row that holds
// each phrase of the query, visibility tokens included — at a million memories that
// alone costs tens of milliseconds for a common word. Here the counts come from the
// caller, which caps and estimates them (store/search_repository.cc).
#pragma once

struct sqlite3;
struct fts5_api;

namespace rm::store {

// Column order of memories_fts (migration 5).
enum SearchColumn { kTitleColumn = 0, kContentColumn = 1, kTagsColumn = 2, kVisColumn = 3 };

// True once the functions are set up for new connections. Installed by a static
// initializer in search_ranking.cc; calling this also makes sure that object file
// is linked into any program that searches.
bool SearchFunctionsInstalled();

// The FTS5 API of connection `db` (nullptr if SQLite was built without FTS5).
fts5_api* Fts5Api(sqlite3* db);

}  // namespace rm::store
