#include "store/search_candidates.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <optional>
#include <utility>

#include "store/search_rare_words.h"
namespace rm::store::search {
namespace {

// The newest K candidates when many matches are expected (a heavy user, common
// words), without walking backwards through all K: FTS5 walks backwards slowly,
// and that walk to the K-th newest match cost about as much as the scoring. So:
// guess from how densely the first walk found the oldest matches packed into the
// caller's rowids (`expected` matches in all) how deep the newest K reach, score
// forwards from there, and keep the newest K. The window is the one the backward
// walk would find.
// - The guess fell short (fewer than K above it): a backward walk finds only the
//   missing older matches.
// - The guess reached far too deep (the forward walk hit its limit, kWalkLimit x K,
//   before the top): nullopt, and the caller walks backwards after all.
// The guess reaches deep enough for this many times K matches, as the estimate
// goes: matches are not spread evenly over time, and scoring up to 4 x K forwards
// still beats walking backwards (1M memories, docs/BENCHMARKS.md). Past
// kWalkLimit x K the guess was poor: walk backwards.
constexpr double kEstimateMargin = 1.25;
constexpr std::int64_t kWalkLimit = 4;

Result<std::optional<std::vector<Candidate>>> NewestByEstimate(SearchWalker& walker, SearchWindow& window,
                                                               RowidRange range, double expected, std::int64_t k) {
  const double span = static_cast<double>(range.highest - range.lowest + 1);
  const double depth = std::ceil(kEstimateMargin * static_cast<double>(k) * span / std::max(expected, 1.0));
  const std::int64_t guess =
      std::max<std::int64_t>(range.lowest, window.highest_rowid - static_cast<std::int64_t>(std::min(depth, span)));
  Result<std::vector<Candidate>> newest =
      walker.Walk(walker.match(), guess, window.highest_rowid, kWalkLimit * k);
  if (!newest.ok()) return newest.status();
  const std::int64_t found = static_cast<std::int64_t>(newest->size());
  if (found == kWalkLimit * k) return std::optional<std::vector<Candidate>>();
  if (found >= k) {  // oldest first: the newest K are the last K
    newest->erase(newest->begin(), newest->end() - k);
    window.lowest_rowid = newest->front().rowid;
    return std::optional<std::vector<Candidate>>(std::move(*newest));
  }
  if (guess <= range.lowest) return std::optional<std::vector<Candidate>>(std::move(*newest));  // all of them
  Result<std::int64_t> lowest = walker.NthNewest(guess - 1, k - found);
  if (!lowest.ok()) return lowest.status();
  Result<std::vector<Candidate>> older = walker.Walk(walker.match(), *lowest, guess - 1, k - found);
  if (!older.ok()) return older.status();
  window.lowest_rowid = *lowest;  // 0 when there are fewer than K after all
  older->insert(older->end(), newest->begin(), newest->end());
  return std::optional<std::vector<Candidate>>(std::move(*older));
}

// The newest K matches up to window.highest_rowid (all, if there are fewer); `expected`
// is how many matches the first walks suggest there are.
Result<std::vector<Candidate>> NewestK(SearchWalker& walker, SearchWindow& window, RowidRange range, double expected,
                                       std::int64_t k) {
  Result<std::optional<std::vector<Candidate>>> newest = NewestByEstimate(walker, window, range, expected, k);
  if (!newest.ok()) return newest.status();
  if (*newest) return std::move(**newest);
  Result<std::int64_t> lowest = walker.NthNewest(window.highest_rowid, k);
  if (!lowest.ok()) return lowest.status();
  window.lowest_rowid = *lowest;  // 0 when there are fewer than K after all
  return walker.Walk(walker.match(), window.lowest_rowid, window.highest_rowid, k);
}

// The phrases whose every match is ranked (store/search_rare_words.h), counted through
// the caller's visibility tokens, so which words are rare follows the caller's own
// memories only.
Result<std::vector<int>> FindRarePhrases(SearchWalker& walker, const SearchTerms& terms, std::int64_t k) {
  return ChooseRarePhrases(terms, k, [&](int p, std::int64_t at_most) {
    return walker.Count("(" + terms.phrases[static_cast<std::size_t>(p)] + ") AND " + walker.visible(), at_most);
  });
}

// Every match holding one of the window's rare phrases, up to its highest rowid.
Result<std::vector<Candidate>> WalkRareMatches(SearchWalker& walker, const SearchTerms& terms,
                                               const SearchWindow& window, std::int64_t k) {
  std::string any;
  for (int p : window.rare_phrases) {
    any += (any.empty() ? "(" : " OR (") + terms.phrases[static_cast<std::size_t>(p)] + ")";
  }
  // The text phrases stay first in the MATCH: rm_match_features reads phrases 0..P-1.
  return walker.Walk(walker.match() + " AND (" + any + ")", 0, window.highest_rowid, k);
}

// `newest` and `rare` as one set, oldest first (each is oldest first; they may share rows).
std::vector<Candidate> Union(std::vector<Candidate> newest, std::vector<Candidate> rare) {
  std::vector<Candidate> all;
  all.reserve(newest.size() + rare.size());
  auto a = newest.begin(), b = rare.begin();
  while (a != newest.end() || b != rare.end()) {
    if (b == rare.end() || (a != newest.end() && a->rowid < b->rowid)) {
      all.push_back(std::move(*a++));
    } else if (a == newest.end() || b->rowid < a->rowid) {
      all.push_back(std::move(*b++));
    } else {  // the same row: keep the one that may have read its memory
      all.push_back(std::move(*a++));
      ++b;
    }
  }
  return all;
}

// The first walk reads this many of the oldest matches: a rare word's are all found by
// it, and a common word's tell how densely its matches are spread.
constexpr std::int64_t kProbeRows = 128;

// The first page's matches to rank when there are at most K (all, oldest first), or the
// newest K of more; sets the window's rowid span. The walks are planned from the walks
// before them, i.e. from the caller's own matches only.
Result<std::vector<Candidate>> FirstPageMatches(SearchWalker& walker, SearchWindow& window, std::int64_t k) {
  const std::int64_t probe_rows = std::min(kProbeRows, k + 1);
  Result<std::vector<Candidate>> all = walker.Walk(walker.match(), 0, kNewestRowid, probe_rows);
  if (!all.ok()) return all.status();
  auto size = [&] { return static_cast<std::int64_t>(all->size()); };
  bool more = size() == probe_rows;  // the walk stopped at its limit: maybe more than K
  if (more) {
    Result<RowidRange> range = walker.VisibleRange();
    if (!range.ok()) return range.status();
    // How many matches there are, were they all spread as densely as the oldest found.
    auto expected = [&] {
      const double span = static_cast<double>(range->highest - range->lowest + 1);
      const auto walked = std::max<std::int64_t>(all->back().rowid - range->lowest + 1, 1);
      return static_cast<double>(size()) * span / static_cast<double>(walked);
    };
    if (probe_rows <= k && expected() <= static_cast<double>(k) / 2) {
      // Probably at most K: walk on forwards to find them all (or learn there are more).
      Result<std::vector<Candidate>> rest =
          walker.Walk(walker.match(), all->back().rowid + 1, kNewestRowid, k + 1 - probe_rows);
      if (!rest.ok()) return rest.status();
      all->insert(all->end(), std::make_move_iterator(rest->begin()), std::make_move_iterator(rest->end()));
      more = size() > k;
    }
    if (more) {
      window.highest_rowid = range->highest;
      Result<std::vector<Candidate>> newest = NewestK(walker, window, *range, expected(), k);
      if (!newest.ok()) return newest.status();
      all = std::move(newest);
    }
  }
  // The window is the candidates' own rowid span (later pages ignore memories written
  // after this one: they are newer than every candidate).
  window.lowest_rowid = all->empty() ? 0 : all->front().rowid;
  window.highest_rowid = all->empty() ? 0 : all->back().rowid;
  return all;
}

}  // namespace

Result<std::vector<Candidate>> FindCandidates(SearchWalker& walker, const SearchRequest& request,
                                              const SearchTerms& terms, SearchWindow& window, bool first_page,
                                              std::vector<MemoryRow>& read_rows) {
  const std::int64_t k = std::max(request.candidate_limit, 1);
  std::vector<Candidate> newest;
  if (first_page) {
    Result<std::vector<Candidate>> found = FirstPageMatches(walker, window, k);
    if (!found.ok()) return found.status();
    newest = std::move(*found);
    if (static_cast<std::int64_t>(newest.size()) == k) {  // maybe more than K: some may be older
      Result<std::vector<int>> rare = FindRarePhrases(walker, terms, k);
      if (!rare.ok()) return rare.status();
      window.rare_phrases = std::move(*rare);
    }
  } else {
    // The window holds exactly window.rows candidates (its statistics are theirs), all
    // of the caller's, so the tokens select them. So few that reading their memories
    // costs less than a lookup of the hits: read while walking.
    constexpr double kRowsReadWhileScoring = 32;
    std::vector<MemoryRow>* read = window.rows <= kRowsReadWhileScoring ? &read_rows : nullptr;
    Result<std::vector<Candidate>> walked =
        walker.Walk(walker.match(), window.lowest_rowid, window.highest_rowid, k, read);
    if (!walked.ok()) return walked.status();
    newest = std::move(*walked);
  }
  if (window.rare_phrases.empty()) return newest;
  Result<std::vector<Candidate>> rare = WalkRareMatches(walker, terms, window, k);
  if (!rare.ok()) return rare.status();
  return Union(std::move(newest), std::move(*rare));
}

}  // namespace rm::store::search
