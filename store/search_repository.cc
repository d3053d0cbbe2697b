#include "store/search_repository.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "store/search_ranking.h"
#include "store/search_snippet.h"
#include "store/search_tokenizer.h"
#include "store/visibility_match.h"

namespace rm::store {
namespace {

// Parameters shared by every statement below, after the viewer's ?1..?4; a
// statement's own parameters start at ?10.
constexpr int kMatch = 5;
constexpr int kType = 6;
constexpr int kTags = 7;
constexpr int kCreatedAfter = 8;
constexpr int kCreatedBefore = 9;

// What every hit must satisfy in SQL, whatever the index says: the caller's
// pools for the scope, the vendor filter, not trashed, the filters. For the
// memory row aliased m.
std::string RowWhere(Scope scope) {
  return InPoolsSql(scope) + " AND " + VendorVisibleSql() +
         " AND m.deleted_at IS NULL"
         " AND (?6 IS NULL OR m.memory_type = ?6)"
         " AND (?7 IS NULL OR EXISTS (SELECT 1 FROM json_each(m.tags) AS t WHERE lower(t.value) IN "
         "(SELECT lower(value) FROM json_each(?7))))"
         " AND (?8 IS NULL OR m.created_at > ?8) AND (?9 IS NULL OR m.created_at < ?9)";
}

// A match that satisfies RowWhere.
std::string CandidateWhere(Scope scope) { return "memories_fts MATCH ?5 AND " + RowWhere(scope); }

// CROSS JOIN fixes the order: the index drives, each match looks its row up by
// rowid. (Left to the planner, a heavy user's user_id index could drive instead,
// running the whole MATCH once per memory of theirs: seconds, not milliseconds.)
const char* kFrom = " FROM memories_fts CROSS JOIN memories m ON m.rowid = memories_fts.rowid WHERE ";

// The viewer and the filters: what RowWhere reads.
void BindRowWhere(Statement& s, const Viewer& viewer, const SearchFilters& filters) {
  BindViewer(s, viewer);
  s.Bind(kType, filters.memory_type);
  if (!filters.tags_any_json.empty()) s.Bind(kTags, filters.tags_any_json);
  s.Bind(kCreatedAfter, filters.created_after);
  s.Bind(kCreatedBefore, filters.created_before);
}

// What CandidateWhere reads: RowWhere's and the MATCH.
void BindCommon(Statement& s, const Viewer& viewer, const std::string& match,
                const SearchFilters& filters) {
  BindRowWhere(s, viewer, filters);
  s.Bind(kMatch, match);
}

Result<std::int64_t> StepInt64(Statement& s, std::int64_t if_none) {
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  std::int64_t value = *row ? s.Int64(0) : if_none;
  s.Reset();
  return value;
}

// The rowids of the memories the caller may see, oldest to newest.
struct RowidRange {
  std::int64_t lowest = 0;
  std::int64_t highest = 0;
};

// Above every rowid: a walk "up to the newest memory" of all.
constexpr std::int64_t kNewestRowid = std::numeric_limits<std::int64_t>::max();

// Where the memories the caller may see start and end (`visible` is the visibility
// half of the MATCH): two one-row walks of the tokens.
Result<RowidRange> VisibleRange(Connection& conn, const std::string& visible) {
  Statement& oldest = conn.Prepare("SELECT rowid FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rowid LIMIT 1");
  oldest.Bind(1, visible);
  Result<std::int64_t> lowest = StepInt64(oldest, 0);
  if (!lowest.ok()) return lowest.status();
  Statement& newest =
      conn.Prepare("SELECT rowid FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rowid DESC LIMIT 1");
  newest.Bind(1, visible);
  Result<std::int64_t> highest = StepInt64(newest, 0);
  if (!highest.ok()) return highest.status();
  return RowidRange{*lowest, *highest};
}

struct Candidate {
  std::int64_t rowid = 0;
  MatchFeatures features;  // what its score is computed from (none without search words)
  double score = 0;        // set once every candidate is known (ScoreCandidates)
  int memory = -1;         // its row in `read_rows` when the walk read it (below)
};

// The candidates' rowids as a JSON array, in order, for json_each: looking many rows up
// in one statement (hit.key is the index in `candidates`).
std::string RowidsJson(const std::vector<const Candidate*>& candidates) {
  std::string rowids = "[";
  for (const Candidate* c : candidates) {
    if (rowids.size() > 1) rowids += ',';
    rowids += std::to_string(c->rowid);
  }
  return rowids + "]";
}

// Where a candidate is checked against the SQL visibility predicate (RowWhere).
enum class Check {
  kEachCandidate,  // while it is scored
  kPageHits,       // only if it makes the page (PageOfVisibleHits)
};

// The matches in [lowest, highest], oldest first, up to `limit` of them, with
// what their scores will be computed from. One forward walk of the index: FTS5
// walks its doclists forwards many times faster than backwards.
// With `read_rows`, each candidate's memory is read too (the join has its row at
// hand): for a handful of candidates, cheaper than looking the hits up afterwards.
// `checked` says whether each candidate is checked against RowWhere here (its
// memory row joined) or only the page's hits are, later (PageOfVisibleHits): when
// `match` holds the visibility tokens they already select what RowWhere allows,
// and reading a memory row per candidate was a third of a heavy user's search.
Result<std::vector<Candidate>> WalkMatches(Connection& conn, const Viewer& viewer, const std::string& match,
                                           const SearchRequest& request, int phrases, std::int64_t lowest,
                                           std::int64_t highest, std::int64_t limit, Check checked,
                                           std::vector<MemoryRow>* read_rows = nullptr) {
  const bool join = checked == Check::kEachCandidate || read_rows != nullptr;
  Statement& s = conn.Prepare(std::string("SELECT memories_fts.rowid, rm_match_features(memories_fts, ?10)") +
                              (read_rows != nullptr ? ", " RM_MEMORY_COLUMNS : "") +
                              (join ? kFrom + CandidateWhere(request.filters.scope)
                                    : std::string(" FROM memories_fts WHERE memories_fts MATCH ?5")) +
                              " AND memories_fts.rowid BETWEEN ?11 AND ?12 LIMIT ?13");
  BindCommon(s, viewer, match, request.filters);
  s.Bind(10, phrases).Bind(11, lowest).Bind(12, highest).Bind(13, limit);
  std::vector<Candidate> walked;
  while (true) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    Candidate c;
    c.rowid = s.Int64(0);
    if (!ParseMatchFeatures(s.Blob(1), phrases, c.features)) {
      s.Reset();
      return Status::Internal("search: rm_match_features gave a malformed row");
    }
    if (read_rows != nullptr) {
      c.memory = static_cast<int>(read_rows->size());
      read_rows->push_back(MemoryFromRow(s, 2));
    }
    walked.push_back(std::move(c));
  }
  return walked;
}

// Statements that only walk the index: the MATCH already holds the caller's
// pools, vendor, type and tags (the visibility tokens). Only the time filters
// need the memories row, and then the join.
std::string IndexOnlyFromWhere(const SearchRequest& request) {
  if (request.filters.created_after || request.filters.created_before) {
    return std::string(kFrom) + CandidateWhere(request.filters.scope);
  }
  return " FROM memories_fts WHERE memories_fts MATCH ?5";
}

void BindIndexOnly(Statement& s, const Viewer& viewer, const std::string& match, const SearchRequest& request) {
  if (request.filters.created_after || request.filters.created_before) {
    BindCommon(s, viewer, match, request.filters);
  } else {
    s.Bind(kMatch, match);
  }
}

// How many matches, counting no further than `cap` (a forward walk).
Result<std::int64_t> CountMatches(Connection& conn, const Viewer& viewer, const std::string& match,
                                  const SearchRequest& request, std::int64_t cap) {
  Statement& s = conn.Prepare("SELECT count(*) FROM (SELECT 1" + IndexOnlyFromWhere(request) + " LIMIT ?10)");
  BindIndexOnly(s, viewer, match, request);
  s.Bind(10, cap);
  return StepInt64(s, 0);
}

// The rowid of the n-th newest match at or below `highest` (n from 1): a
// backward walk of n rows. 0 when there are fewer than n.
Result<std::int64_t> NthNewestMatch(Connection& conn, const Viewer& viewer, const std::string& match,
                                    const SearchRequest& request, std::int64_t highest, std::int64_t n) {
  Statement& s = conn.Prepare("SELECT memories_fts.rowid" + IndexOnlyFromWhere(request) +
                              " AND memories_fts.rowid <= ?10 ORDER BY memories_fts.rowid DESC "
                              "LIMIT 1 OFFSET ?11");
  BindIndexOnly(s, viewer, match, request);
  s.Bind(10, highest).Bind(11, std::max<std::int64_t>(n, 1) - 1);
  return StepInt64(s, 0);
}

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

Result<std::optional<std::vector<Candidate>>> NewestByEstimate(
    Connection& conn, const Viewer& viewer, const std::string& match,
    const SearchRequest& request, int phrases, SearchWindow& window, RowidRange range, double expected,
    std::int64_t k, Check check) {
  const double span = static_cast<double>(range.highest - range.lowest + 1);
  const double depth = std::ceil(kEstimateMargin * static_cast<double>(k) * span / std::max(expected, 1.0));
  const std::int64_t guess =
      std::max<std::int64_t>(range.lowest, window.highest_rowid - static_cast<std::int64_t>(std::min(depth, span)));
  Result<std::vector<Candidate>> newest =
      WalkMatches(conn, viewer, match, request, phrases, guess, window.highest_rowid, kWalkLimit * k, check);
  if (!newest.ok()) return newest.status();
  const std::int64_t found = static_cast<std::int64_t>(newest->size());
  if (found == kWalkLimit * k) return std::optional<std::vector<Candidate>>();
  if (found >= k) {  // oldest first: the newest K are the last K
    newest->erase(newest->begin(), newest->end() - k);
    window.lowest_rowid = newest->front().rowid;
    return std::optional<std::vector<Candidate>>(std::move(*newest));
  }
  if (guess <= range.lowest) return std::optional<std::vector<Candidate>>(std::move(*newest));  // all of them
  Result<std::int64_t> lowest = NthNewestMatch(conn, viewer, match, request, guess - 1, k - found);
  if (!lowest.ok()) return lowest.status();
  Result<std::vector<Candidate>> older =
      WalkMatches(conn, viewer, match, request, phrases, *lowest, guess - 1, k - found, check);
  if (!older.ok()) return older.status();
  window.lowest_rowid = *lowest;  // 0 when there are fewer than K after all
  older->insert(older->end(), newest->begin(), newest->end());
  return std::optional<std::vector<Candidate>>(std::move(*older));
}

// Best first; ties by newest first. Deterministic, so every page sorts alike.
void SortByScore(std::vector<Candidate>& candidates) {
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.score != b.score ? a.score > b.score : a.rowid > b.rowid;
  });
}

// The newest K matches up to window.highest_rowid (all, if there are fewer); `expected`
// is how many matches the first walks suggest there are.
Result<std::vector<Candidate>> NewestK(Connection& conn, const Viewer& viewer, const std::string& match,
                                       const SearchRequest& request, int phrases, SearchWindow& window,
                                       RowidRange range, double expected, std::int64_t k, Check check) {
  Result<std::optional<std::vector<Candidate>>> newest =
      NewestByEstimate(conn, viewer, match, request, phrases, window, range, expected, k, check);
  if (!newest.ok()) return newest.status();
  if (*newest) return std::move(**newest);
  Result<std::int64_t> lowest = NthNewestMatch(conn, viewer, match, request, window.highest_rowid, k);
  if (!lowest.ok()) return lowest.status();
  window.lowest_rowid = *lowest;  // 0 when there are fewer than K after all
  return WalkMatches(conn, viewer, match, request, phrases, window.lowest_rowid, window.highest_rowid, k, check);
}

// A search word that at most this many of the caller's memories hold (out of K
// candidates) is rare: every match holding it is ranked, however old.
std::int64_t RareRows(std::int64_t k) { return std::max<std::int64_t>(k / 4, 1); }

// The phrases of a search with more than K matches whose every match is ranked: those
// rare among the memories the caller may see, rarest first while they add up to at most
// K matches (ascending indexes). Counted through the caller's visibility tokens, so
// which words are rare follows the caller's own memories only. A search of one group
// (every word required) has none: each of its words is in all of its K+ matches.
Result<std::vector<int>> FindRarePhrases(Connection& conn, const Viewer& viewer, const SearchRequest& request,
                                         const SearchTerms& terms, const std::string& visible, std::int64_t k) {
  std::vector<int> rare;
  if (terms.groups.size() < 2) return rare;
  std::vector<std::pair<std::int64_t, int>> counted;  // (matches, phrase)
  for (std::size_t p = 0; p < terms.phrases.size(); ++p) {
    Result<std::int64_t> n =
        CountMatches(conn, viewer, "(" + terms.phrases[p] + ") AND " + visible, request, RareRows(k) + 1);
    if (!n.ok()) return n.status();
    if (*n <= RareRows(k)) counted.emplace_back(*n, static_cast<int>(p));
  }
  std::sort(counted.begin(), counted.end());
  std::int64_t total = 0;
  for (const auto& [n, p] : counted) {
    if (total + n > k) break;
    total += n;
    rare.push_back(p);
  }
  std::sort(rare.begin(), rare.end());
  return rare;
}

// Every match holding one of the window's rare phrases, up to its highest rowid.
Result<std::vector<Candidate>> WalkRareMatches(Connection& conn, const Viewer& viewer, const std::string& match,
                                               const SearchRequest& request, const SearchTerms& terms,
                                               const SearchWindow& window, std::int64_t k, Check check) {
  std::string any;
  for (int p : window.rare_phrases) {
    any += (any.empty() ? "(" : " OR (") + terms.phrases[static_cast<std::size_t>(p)] + ")";
  }
  // The text phrases stay first in the MATCH: rm_match_features reads phrases 0..P-1.
  return WalkMatches(conn, viewer, match + " AND (" + any + ")", request, static_cast<int>(terms.phrases.size()), 0,
                     window.highest_rowid, k, check);
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
Result<std::vector<Candidate>> FirstPageMatches(Connection& conn, const Viewer& viewer, const std::string& match,
                                                const SearchRequest& request, int phrases, SearchWindow& window,
                                                const std::string& visible, std::int64_t k, Check check) {
  const std::int64_t probe_rows = std::min(kProbeRows, k + 1);
  Result<std::vector<Candidate>> all =
      WalkMatches(conn, viewer, match, request, phrases, 0, kNewestRowid, probe_rows, check);
  if (!all.ok()) return all.status();
  auto size = [&] { return static_cast<std::int64_t>(all->size()); };
  bool more = size() == probe_rows;  // the walk stopped at its limit: maybe more than K
  if (more) {
    Result<RowidRange> range = VisibleRange(conn, visible);
    if (!range.ok()) return range.status();
    // How many matches there are, were they all spread as densely as the oldest found.
    auto expected = [&] {
      const double span = static_cast<double>(range->highest - range->lowest + 1);
      const auto walked = std::max<std::int64_t>(all->back().rowid - range->lowest + 1, 1);
      return static_cast<double>(size()) * span / static_cast<double>(walked);
    };
    if (probe_rows <= k && expected() <= static_cast<double>(k) / 2) {
      // Probably at most K: walk on forwards to find them all (or learn there are more).
      Result<std::vector<Candidate>> rest = WalkMatches(conn, viewer, match, request, phrases, all->back().rowid + 1,
                                                        kNewestRowid, k + 1 - probe_rows, check);
      if (!rest.ok()) return rest.status();
      all->insert(all->end(), std::make_move_iterator(rest->begin()), std::make_move_iterator(rest->end()));
      more = size() > k;
    }
    if (more) {
      window.highest_rowid = range->highest;
      Result<std::vector<Candidate>> newest =
          NewestK(conn, viewer, match, request, phrases, window, *range, expected(), k, check);
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

// The candidates of this search — which matches are ranked:
// - at most K matches: all of them (usually one forward walk);
// - more: the newest K, and every match holding a word rare among the caller's
//   memories (FindRarePhrases), so that an old memory holding the rare words of a
//   question competes with the many new ones holding its common words.
// The first page fixes the window (the newest K's rowid span and the rare phrases);
// later pages walk the same window and find the same candidates.
Result<std::vector<Candidate>> FindCandidates(Connection& conn, const Viewer& viewer, const std::string& match,
                                              const SearchRequest& request, const SearchTerms& terms,
                                              SearchWindow& window, bool first_page, const std::string& visible,
                                              std::vector<MemoryRow>& read_rows) {
  const std::int64_t k = std::max(request.candidate_limit, 1);
  const int phrases = static_cast<int>(terms.phrases.size());
  // The time filters are not index tokens: only the SQL check applies them.
  const bool time_filtered = request.filters.created_after || request.filters.created_before;
  const Check check = time_filtered ? Check::kEachCandidate : Check::kPageHits;
  std::vector<Candidate> newest;
  if (first_page) {
    Result<std::vector<Candidate>> found =
        FirstPageMatches(conn, viewer, match, request, phrases, window, visible, k, check);
    if (!found.ok()) return found.status();
    newest = std::move(*found);
    if (static_cast<std::int64_t>(newest.size()) == k) {  // maybe more than K: some may be older
      Result<std::vector<int>> rare = FindRarePhrases(conn, viewer, request, terms, visible, k);
      if (!rare.ok()) return rare.status();
      window.rare_phrases = std::move(*rare);
    }
  } else {
    // The window holds exactly window.rows candidates (its statistics are theirs), all
    // of the caller's, so the tokens select them. So few that reading their memories
    // costs less than a lookup of the hits: read while walking.
    constexpr double kRowsReadWhileScoring = 32;
    std::vector<MemoryRow>* read = window.rows <= kRowsReadWhileScoring ? &read_rows : nullptr;
    Result<std::vector<Candidate>> walked = WalkMatches(conn, viewer, match, request, phrases, window.lowest_rowid,
                                                        window.highest_rowid, k, check, read);
    if (!walked.ok()) return walked.status();
    newest = std::move(*walked);
  }
  if (window.rare_phrases.empty()) return newest;
  Result<std::vector<Candidate>> rare = WalkRareMatches(conn, viewer, match, request, terms, window, k, check);
  if (!rare.ok()) return rare.status();
  return Union(std::move(newest), std::move(*rare));
}

// Up to this many candidates are read to find which hold a search word in the form it was
// typed (MarkExactForms); a search with more ranks them by stems alone. The count is the
// window's, the same on every page, so every page scores alike.
constexpr std::size_t kExactFormsChecked = 200;

bool IsAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool IsWordByte(unsigned char c) { return std::isalnum(c) || c >= 0x80; }

// Whether `text` holds `word` (folded ASCII, words separated by single spaces) as whole
// words, ASCII case ignored: the tokenizer's verdict for ASCII, without running it (a
// search checks up to kExactFormsChecked rows, and tokenizing each doubled a small user's search).
bool HoldsAsciiWords(std::string_view text, std::string_view word) {
  for (std::size_t at = 0; at + word.size() <= text.size(); ++at) {
    std::size_t i = 0, t = at;
    while (i < word.size() && t < text.size()) {
      const unsigned char want = static_cast<unsigned char>(word[i]);
      const unsigned char got = static_cast<unsigned char>(std::tolower(static_cast<unsigned char>(text[t])));
      if (want == ' ') {  // between the words of a phrase: any run of non-word bytes
        if (IsWordByte(got)) break;
        while (t < text.size() && !IsWordByte(static_cast<unsigned char>(text[t]))) ++t;
        ++i;
        continue;
      }
      if (want != got) break;
      ++i;
      ++t;
    }
    if (i < word.size()) continue;
    const bool starts = at == 0 || !IsWordByte(static_cast<unsigned char>(text[at - 1]));
    const bool ends = t == text.size() || !IsWordByte(static_cast<unsigned char>(text[t]));
    if (starts && ends) return true;
  }
  return false;
}

// Sets each candidate's exact_share: of the phrases whose typed form differs from its
// stems ("running" / "run"), the share its title, content or tags hold as typed.
Status MarkExactForms(Connection& conn, const SearchTerms& terms, std::vector<Candidate>& candidates) {
  std::vector<std::string> exact;
  for (const SearchPhrase& w : terms.words) {
    if (!w.exact.empty()) exact.push_back(w.exact);
  }
  if (exact.empty() || candidates.size() > kExactFormsChecked) return Status::Ok();
  // One statement for all of them: a lookup per candidate cost 0.2 ms per search.
  std::vector<const Candidate*> all;
  for (const Candidate& c : candidates) all.push_back(&c);
  Statement& s = conn.Prepare(
      "SELECT hit.key, coalesce(m.title, '') || ' ' || coalesce(m.content, '') || ' ' || coalesce(m.tags, '') "
      "FROM json_each(?1) AS hit CROSS JOIN memories m ON m.rowid = hit.value");
  s.Bind(1, RowidsJson(all));
  while (true) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    Candidate& c = candidates[static_cast<std::size_t>(s.Int64(0))];
    const std::string text = s.Text(1);
    std::optional<std::string> folded;  // tokenized only when a word is not ASCII
    int held = 0;
    for (const std::string& e : exact) {
      if (IsAscii(e) && IsAscii(text)) {
        held += HoldsAsciiWords(text, e) ? 1 : 0;
        continue;
      }
      if (!folded) {
        Result<std::string> words = FoldedWords(text);
        if (!words.ok()) return words.status();
        folded = " " + *words + " ";
      }
      held += folded->find(" " + e + " ") != std::string::npos ? 1 : 0;
    }
    c.features.exact_share = static_cast<double>(held) / static_cast<double>(exact.size());
  }
  return Status::Ok();
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

// Without search words: the newest visible memories (by rowid), a page at a time.
Result<std::vector<Candidate>> NewestMatches(Connection& conn, const Viewer& viewer,
                                             const std::string& match, const SearchRequest& request,
                                             const SearchWindow& window, int fetch) {
  Statement& s = conn.Prepare("SELECT memories_fts.rowid" + std::string(kFrom) +
                              CandidateWhere(request.filters.scope) +
                              " AND memories_fts.rowid <= ?10 AND (?11 IS NULL OR memories_fts.rowid < ?11)"
                              " ORDER BY memories_fts.rowid DESC LIMIT ?12");
  BindCommon(s, viewer, match, request.filters);
  s.Bind(10, window.highest_rowid).Bind(12, fetch);
  if (request.after) s.Bind(11, request.after->rowid);
  std::vector<Candidate> rows;
  while (true) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    Candidate c;
    c.rowid = s.Int64(0);
    rows.push_back(std::move(c));
  }
  return rows;
}

// A hit of the page and its memory.
struct VisibleHit {
  Candidate candidate;
  MemoryRow memory;
};

// The memories of `candidates` that pass the SQL visibility check (RowWhere), by
// their index in `candidates`: one statement.
Result<std::vector<std::pair<std::size_t, MemoryRow>>> VisibleMemoriesAt(
    Connection& conn, const Viewer& viewer, const SearchRequest& request,
    const std::vector<const Candidate*>& candidates) {
  Statement& s = conn.Prepare("SELECT hit.key, " RM_MEMORY_COLUMNS
                              " FROM json_each(?10) AS hit CROSS JOIN memories m ON m.rowid = hit.value WHERE " +
                              RowWhere(request.filters.scope) + " ORDER BY hit.key");
  BindRowWhere(s, viewer, request.filters);
  s.Bind(10, RowidsJson(candidates));
  std::vector<std::pair<std::size_t, MemoryRow>> memories;
  while (true) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    memories.emplace_back(static_cast<std::size_t>(s.Int64(0)), MemoryFromRow(s, 1));
  }
  return memories;
}

// The best `wanted` of the ranked candidates that the caller may see, with their
// memories, in rank order. The SQL check (RowWhere) is what makes search correct:
// candidates read while scoring passed it then; the others are checked here, the
// page's worth at a time. As the index tokens select the same memories, every one
// normally passes and a single statement does.
Result<std::vector<VisibleHit>> PageOfVisibleHits(Connection& conn, const Viewer& viewer,
                                                  const SearchRequest& request, const std::vector<Candidate>& ranked,
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
                       : VisibleMemoriesAt(conn, viewer, request, unread);
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
std::string LeadingText(const std::string& content) {
  constexpr std::size_t kMax = 160;
  if (content.size() <= kMax) return content;
  std::size_t end = kMax;
  while (end > 0 && (static_cast<unsigned char>(content[end]) & 0xc0) == 0x80) --end;
  return content.substr(0, end) + "…";
}

}  // namespace

Result<SearchPage> SearchMemories(Connection& conn, const Viewer& viewer,
                                  const SearchRequest& request) {
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
  const std::string match =
      terms->expression.empty() ? tokens : "(" + terms->expression + ") AND " + tokens;
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
    page.window.highest_rowid = kNewestRowid;
  }

  const std::size_t limit = static_cast<std::size_t>(std::clamp(request.limit, 1, 1000));
  std::vector<Candidate> ranked;
  if (page.phrase_count == 0) {
    Result<std::vector<Candidate>> newest =
        NewestMatches(conn, viewer, match, request, page.window, static_cast<int>(limit) + 1);
    if (!newest.ok()) return newest.status();
    ranked = std::move(*newest);
  } else {
    Result<std::vector<Candidate>> found =
        FindCandidates(conn, viewer, match, request, *terms, page.window, !request.window, tokens, read_rows);
    if (!found.ok()) return found.status();
    ranked = std::move(*found);
    RM_RETURN_IF_ERROR(MarkExactForms(conn, *terms, ranked));
    ScoreCandidates(ranked, page.window, page.phrase_count, !request.window);
    SortByScore(ranked);
    if (request.after) {  // keyset: continue strictly after the previous page's last hit
      const SearchAfter after = *request.after;
      ranked.erase(ranked.begin(), std::find_if(ranked.begin(), ranked.end(), [&](const Candidate& c) {
                     return c.score < after.score || (c.score == after.score && c.rowid < after.rowid);
                   }));
    }
  }
  Result<std::vector<VisibleHit>> hits = PageOfVisibleHits(conn, viewer, request, ranked, read_rows, limit + 1);
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
