// Which matches a search ranks (its candidates), and the walks that find them:
// the planner of store/search_repository.h. It makes no statement itself (those are
// store/search_walks.h) and plans each walk only from what the walks before it found
// among the memories the caller may see. Internal to the search.
#pragma once

#include <vector>

#include "store/memory_records.h"
#include "store/search_query.h"
#include "store/search_repository.h"
#include "store/search_walks.h"
#include "util/status.h"

namespace rm::store::search {

// The candidates of a search, oldest first:
// - at most K (`candidate_limit`) matches: all of them (usually one forward walk);
// - more: the newest K, and every match holding a word rare among the caller's
//   memories (at most 64 of them, and K/4, hold it), so that an old memory holding the rare
//   words of a question competes with the many new ones holding its common words.
// The first page (`first_page`) fixes `window` — the newest K's rowid span and the rare
// phrases — and later pages pass it back to find the same candidates. Later pages
// with few candidates read their memories while walking (into `read_rows`).
Result<std::vector<Candidate>> FindCandidates(SearchWalker& walker, const SearchRequest& request,
                                              const SearchTerms& terms, SearchWindow& window, bool first_page,
                                              std::vector<MemoryRow>& read_rows);

}  // namespace rm::store::search
