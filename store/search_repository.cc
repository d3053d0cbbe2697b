#include "store/search_repository.h"

#include <algorithm>

#include "store/search_candidates.h"
#include "store/search_exact_forms.h"
#include "store/search_postgres.h"
#include "store/search_ranking.h"
#include "store/search_snippet.h"
#include "store/search_walks.h"
#include "store/visibility_match.h"

namespace rm::store {
namespace {

using search::Candidate;
using search::SearchWalker;

// Best first; ties by newest first. Deterministic, so every page sorts alike.
void SortByScore(std::vector<Candidate>& candidates) {
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.score != b.score ? a.score > b.score : a.rowid > b.rowid;
  });
}

// Scores every candidate. The first page fixes the statistics — those of its
// candidates, i.e. of memories the caller may see — and later pages reuse them,
// so a hit scores alike on every page.
void ScoreCandidates(std::vector<Candidate>& candidates, SearchWindow& window, int phrases, bool first_page) {
  if (first_page) {
    std::vector<const MatchFeatures*> features;
    features.reserve(candidates.size());
    for (const Candidate& c : candidates) features.push_back(&c.features);
    Bm25Statistics statistics = StatisticsOf(features, phrases);
    window.rows = statistics.rows;
    window.average_length = statistics.average_length;
    window.phrase_rows = std::move(statistics.phrase_rows);
  }
  const Bm25Statistics statistics{window.rows, window.average_length, window.phrase_rows};
  for (Candidate& c : candidates) c.score = Bm25Score(c.features, statistics);
}

// A hit of the page and its memory.
struct VisibleHit {
  Candidate candidate;
  MemoryRow memory;
};

// The best `wanted` of the ranked candidates that the caller may see, with their
// memories, in rank order. The SQL check (RowWhere) is what makes search correct:
// candidates read while scoring passed it then; the others are checked here, the
// page's worth at a time. As the index tokens select the same memories, every one
// normally passes and a single statement does.
Result<std::vector<VisibleHit>> PageOfVisibleHits(SearchWalker& walker, const std::vector<Candidate>& ranked,
                                                  std::vector<MemoryRow>& read_rows, std::size_t wanted) {
  std::vector<VisibleHit> page;
  std::size_t next = 0;
  while (page.size() < wanted && next < ranked.size()) {
    std::vector<const Candidate*> batch;
    while (batch.size() < wanted - page.size() && next < ranked.size()) batch.push_back(&ranked[next++]);
    std::vector<const Candidate*> unread;
    for (const Candidate* c : batch) {
      if (c->memory < 0) unread.push_back(c);
    }
    Result<std::vector<std::pair<std::size_t, MemoryRow>>> looked_up =
        unread.empty() ? std::vector<std::pair<std::size_t, MemoryRow>>()
                       : walker.VisibleMemoriesAt(unread);
    if (!looked_up.ok()) return looked_up.status();
    auto found = looked_up->begin();  // in the order of `unread`, which is batch order
    std::size_t unread_index = 0;
    for (const Candidate* c : batch) {
      if (c->memory >= 0) {
        page.push_back({*c, std::move(read_rows[static_cast<std::size_t>(c->memory)])});
        continue;
      }
      if (found != looked_up->end() && found->first == unread_index) {
        page.push_back({*c, std::move(found->second)});
        ++found;
      }
      ++unread_index;
    }
  }
  return page;
}

// Without search words there is nothing to highlight: the start of the content.
}  // namespace

Result<SearchPage> SearchMemories(Connection& conn, const Viewer& viewer,
                                  const SearchRequest& request) {
  if (conn.engine() == Engine::kPostgres) return SearchMemoriesOnPostgres(conn, viewer, request);
  if (!SearchFunctionsInstalled()) {
    return Status::Internal("the search functions could not be installed in SQLite");
  }
  Result<SearchTerms> terms = BuildSearchTerms(request.text, request.mode);
  if (!terms.ok()) return terms.status();
  SearchPage page;
  page.phrase_count = static_cast<int>(terms->phrases.size());

  Result<std::optional<std::string>> visibility = VisibilityMatch(conn, viewer, request.filters);
  if (!visibility.ok()) return visibility.status();
  if (!*visibility) return page;  // a pool the caller is not in, or an empty tag list
  // The text phrases come first, so they are phrases 0..P-1 for rm_match_features.
  const std::string& tokens = **visibility;
  search::SearchWalker walker(conn, viewer, request,
                              terms->expression.empty() ? tokens : "(" + terms->expression + ") AND " + tokens,
                              tokens, page.phrase_count);
  std::vector<MemoryRow> read_rows;  // memories read while scoring (Candidate::memory)

  if (request.window) {
    const SearchWindow& w = *request.window;
    if (w.phrase_rows.size() != terms->phrases.size() ||
        std::any_of(w.rare_phrases.begin(), w.rare_phrases.end(),
                    [&](int p) { return p < 0 || p >= page.phrase_count; })) {
      return Status::InvalidArgument("cursor: it belongs to a different search; start again");
    }
    page.window = w;
  } else {
    // Walk up to the newest memory of all; the cursor will keep the newest candidate
    // instead (below), a rowid of the caller's own matches.
    page.window.highest_rowid = search::kNewestRowid;
  }

  const std::size_t limit = static_cast<std::size_t>(std::clamp(request.limit, 1, 1000));
  std::vector<Candidate> ranked;
  if (page.phrase_count == 0) {
    Result<std::vector<Candidate>> newest = walker.Newest(page.window.highest_rowid,
                                                          request.after ? request.after->rowid : 0,
                                                          static_cast<int>(limit) + 1);
    if (!newest.ok()) return newest.status();
    ranked = std::move(*newest);
  } else {
    Result<std::vector<Candidate>> found =
        search::FindCandidates(walker, request, *terms, page.window, !request.window, read_rows);
    if (!found.ok()) return found.status();
    ranked = std::move(*found);
    RM_RETURN_IF_ERROR(search::MarkExactForms(walker, *terms, ranked));
    ScoreCandidates(ranked, page.window, page.phrase_count, !request.window);
    SortByScore(ranked);
    if (request.after) {  // keyset: continue strictly after the previous page's last hit
      const SearchAfter after = *request.after;
      ranked.erase(ranked.begin(), std::find_if(ranked.begin(), ranked.end(), [&](const Candidate& c) {
                     return c.score < after.score || (c.score == after.score && c.rowid < after.rowid);
                   }));
    }
  }
  Result<std::vector<VisibleHit>> hits = PageOfVisibleHits(walker, ranked, read_rows, limit + 1);
  if (!hits.ok()) return hits.status();
  page.more = hits->size() > limit;
  if (page.more) hits->resize(limit);
  if (page.phrase_count == 0 && !request.window && !hits->empty()) {
    page.window.highest_rowid = hits->front().candidate.rowid;  // the caller's newest, not anybody's
  }
  for (VisibleHit& hit : *hits) {
    std::string snippet;
    if (page.phrase_count == 0) {
      snippet = LeadingText(hit.memory.content);
    } else {
      Result<std::string> s = MakeSnippet(*terms, {hit.memory.title, hit.memory.content, hit.memory.tags_json});
      if (!s.ok()) return s.status();
      snippet = std::move(*s);
    }
    page.hits.push_back({std::move(hit.memory), hit.candidate.score, std::move(snippet)});
  }
  return page;
}

}  // namespace rm::store
