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

// The rowids of the memories the caller may see, oldest to newest: what a phrase's
// rows among them are spread over.
struct RowidRange {
  std::int64_t lowest = 0;
  std::int64_t highest = 0;
};

// How many rows match `phrase` (the search words AND the caller's visibility tokens,
// or the tokens alone): counted when fewer than `cap`,
// otherwise estimated from how densely the newest `cap` matches are packed into
// the rowid range (a common word: one walk of `cap` rows instead of the doclist).
// Most search words are rare: a first short walk counts them in one query. (A
// count over a longer walk would spare the rest for more words, but the count's
// own cost per row would then slow every common word.)
Result<double> PhraseRows(Connection& conn, const std::string& phrase, int cap, RowidRange range) {
  constexpr int kShortWalk = 64;
  Statement& few = conn.Prepare(
      "SELECT count(*) FROM (SELECT 1 FROM memories_fts WHERE memories_fts MATCH ? LIMIT ?)");
  few.Bind(1, phrase).Bind(2, kShortWalk);
  Result<std::int64_t> counted = StepInt64(few, 0);
  if (!counted.ok()) return counted.status();
  if (*counted < kShortWalk && *counted < cap) return static_cast<double>(*counted);

  Statement& nth = conn.Prepare(
      "SELECT rowid FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rowid DESC "
      "LIMIT 1 OFFSET ?");
  nth.Bind(1, phrase).Bind(2, cap - 1);
  Result<bool> row = nth.Step();
  if (!row.ok()) return row.status();
  if (*row) {
    const std::int64_t oldest = nth.Int64(0);
    nth.Reset();
    const double span = static_cast<double>(range.highest - range.lowest + 1);
    const double newest_span = static_cast<double>(std::max<std::int64_t>(range.highest - oldest + 1, 1));
    return std::min(span, cap * span / newest_span);
  }
  nth.Reset();
  Statement& count = conn.Prepare("SELECT count(*) FROM memories_fts WHERE memories_fts MATCH ?");
  count.Bind(1, phrase);
  Result<std::int64_t> n = StepInt64(count, 0);
  if (!n.ok()) return n.status();
  return static_cast<double>(*n);
}

// How dense the search words are among the memories the caller may see (the words
// AND the visibility tokens). For PLANNING a search's walks only — each plan yields
// the same candidates. Measured over the caller's own rows so that not even the plan,
// and with it the time a search takes, follows what other users or vendors wrote
// (issue 20): the walks' own cost still grows with the index, smoothly, but no plan
// switches on memories the caller cannot see.
struct VisibleDensity {
  std::vector<double> phrase_rows;  // rows the caller sees holding each phrase (counted, or estimated past a cap)
};

// At most how many rows can match: per group, its rarest phrase; summed over groups.
double MatchBound(const SearchTerms& terms, const VisibleDensity& density) {
  double bound = 0;
  for (const auto& group : terms.groups) {
    double rarest = std::numeric_limits<double>::infinity();
    for (int p : group) rarest = std::min(rarest, density.phrase_rows[static_cast<std::size_t>(p)]);
    bound += rarest;
  }
  return bound;
}

// How many matches are expected among the caller's `visible_rows` rows if its words were
// independent.
double ExpectedMatches(const SearchTerms& terms, const VisibleDensity& density, double visible_rows) {
  const double n = std::max(visible_rows, 1.0);
  double expected = 0;
  for (const auto& group : terms.groups) {
    double share = 1;
    for (int p : group) share *= density.phrase_rows[static_cast<std::size_t>(p)] / n;
    expected += share * n;
  }
  return expected;
}

// At most this many candidates have their memory read while they are scored.
constexpr double kRowsReadWhileScoring = 32;

// The search words' density among the caller's rows, and the rowid range of those
// rows (the first page of a search), for planning. nullopt: nothing can match.
// `visible` is the visibility half of the MATCH.
Result<std::optional<VisibleDensity>> MeasureDensity(Connection& conn, const std::string& visible,
                                                     const SearchTerms& terms, int cap, RowidRange& range) {
  Statement& oldest = conn.Prepare("SELECT rowid FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rowid LIMIT 1");
  oldest.Bind(1, visible);
  Result<std::int64_t> lowest = StepInt64(oldest, 0);
  if (!lowest.ok()) return lowest.status();
  if (*lowest == 0) return std::optional<VisibleDensity>();  // the caller sees nothing
  Statement& newest =
      conn.Prepare("SELECT rowid FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rowid DESC LIMIT 1");
  newest.Bind(1, visible);
  Result<std::int64_t> highest = StepInt64(newest, 0);
  if (!highest.ok()) return highest.status();
  range = {*lowest, *highest};
  VisibleDensity density;
  for (const std::string& phrase : terms.phrases) {
    Result<double> n = PhraseRows(conn, "(" + phrase + ") AND " + visible, cap, range);
    if (!n.ok()) return n.status();
    density.phrase_rows.push_back(*n);
  }
  if (!terms.phrases.empty() && MatchBound(terms, density) == 0) return std::optional<VisibleDensity>();
  return std::optional<VisibleDensity>(density);
}

struct Candidate {
  std::int64_t rowid = 0;
  MatchFeatures features;  // what its score is computed from (none without search words)
  double score = 0;        // set once every candidate is known (ScoreCandidates)
  int memory = -1;         // its row in `read_rows` when the walk read it (below)
};

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
// guess from the densities already measured near the top of the index (the
// PhraseRows estimates) how deep the newest K reach, score forwards from there,
// and keep the newest K. The window is the one the backward walk would find.
// - The guess fell short (fewer than K above it): a backward walk finds only the
//   missing older matches.
// - The guess reached far too deep (the forward walk hit its limit, kWalkLimit x K,
//   before the top): nullopt, and the caller walks backwards after all.
// The guess reaches deep enough for this many times K matches, as the estimate
// goes. The estimates assume words and pools independent: for a common and a
// medium word the newest K came out at 0.6 of it, so 2 x K scored forwards cost
// less than 1.25 x K plus a backward walk for the missing rest; two common words
// go together more often than that, and their guess held up to 3.5 K matches,
// which scoring forwards still beats walking backwards (1M memories,
// docs/BENCHMARKS.md). Past kWalkLimit x K the guess was poor: walk backwards.
constexpr double kEstimateMargin = 2.0;
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

// The candidates of this search: all visible matches when there are at most K,
// else the newest K. On the first page, `density` plans the walks and the window's
// lowest rowid is fixed; later pages walk the window the first page fixed.
Result<std::vector<Candidate>> FindCandidates(Connection& conn, const Viewer& viewer,
                                              const std::string& match, const SearchRequest& request,
                                              const SearchTerms& terms, SearchWindow& window,
                                              const std::optional<VisibleDensity>& density,
                                              const std::string& visible, RowidRange range,
                                              std::vector<MemoryRow>& read_rows) {
  const std::int64_t k = std::max(request.candidate_limit, 1);
  const double kd = static_cast<double>(k);
  const int phrases = static_cast<int>(terms.phrases.size());
  // The time filters are not index tokens: only the SQL check applies them.
  const bool time_filtered = request.filters.created_after || request.filters.created_before;
  const Check check = time_filtered ? Check::kEachCandidate : Check::kPageHits;
  if (!density) {
    // A later page: the window holds exactly window.rows candidates (its statistics
    // are theirs), all of the caller's, so the tokens select them.
    std::vector<MemoryRow>* read = window.rows <= std::min<double>(kRowsReadWhileScoring, kd) ? &read_rows : nullptr;
    return WalkMatches(conn, viewer, match, request, phrases, window.lowest_rowid, window.highest_rowid, k,
                       check, read);
  }
  const double bound = MatchBound(terms, *density);
  // Every walk goes through the visibility tokens: a walk of the words alone, checked
  // row by row in SQL, would be cheaper for words rare in the whole index, but whether
  // it is cheaper depends on other users' memories — and so would the time taken.
  // So few candidates that reading all their rows costs less than a lookup of the hits.
  std::vector<MemoryRow>* read = bound <= std::min<double>(kRowsReadWhileScoring, kd) ? &read_rows : nullptr;
  // How to find out, cheapest, whether there are more than K matches:
  // - the words bound them below K, or few are expected (a light user): walk
  //   them all forwards, and only if that finds more than K, fall back;
  // - many expected (a heavy user, common words): walk forwards from where the
  //   newest K are expected to start (NewestByEstimate);
  // - in between: a forward count (walking backwards through a few matches spread
  //   over the caller's rows costs much more).
  double expected = 0;
  if (bound > kd) {
    // Only now is the number of memories the caller may see worth a walk (at most
    // K rows of `visible`, the visibility half of the MATCH).
    Result<double> pool_rows = PhraseRows(conn, visible, static_cast<int>(k), range);
    if (!pool_rows.ok()) return pool_rows.status();
    expected = ExpectedMatches(terms, *density, *pool_rows);
  }
  bool over_k = true;
  if (bound <= kd || expected <= kd / 2) {
    Result<std::vector<Candidate>> all =
        WalkMatches(conn, viewer, match, request, phrases, 0, window.highest_rowid, k + 1, check, read);
    if (!all.ok() || static_cast<std::int64_t>(all->size()) <= k) return all;
    read_rows.clear();  // more than K: the newest K are walked again below, without reading rows
  } else if (expected > 2 * kd) {
    Result<std::optional<std::vector<Candidate>>> newest =
        NewestByEstimate(conn, viewer, match, request, phrases, window, range, expected, k, check);
    if (!newest.ok()) return newest.status();
    if (*newest) return std::move(**newest);
  } else {
    Result<std::int64_t> n = CountMatches(conn, viewer, match, request, k + 1);
    if (!n.ok()) return n.status();
    over_k = *n > k;
  }
  if (over_k) {
    Result<std::int64_t> lowest = NthNewestMatch(conn, viewer, match, request, window.highest_rowid, k);
    if (!lowest.ok()) return lowest.status();
    window.lowest_rowid = *lowest;  // 0 when there are fewer than K after all
  }
  return WalkMatches(conn, viewer, match, request, phrases, window.lowest_rowid, window.highest_rowid, k,
                     check);
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
  Statement& s = conn.Prepare(
      "SELECT coalesce(title, '') || ' ' || coalesce(content, '') || ' ' || coalesce(tags, '') FROM memories "
      "WHERE rowid = ?");
  for (Candidate& c : candidates) {
    s.Bind(1, c.rowid);
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    const std::string text = *row ? s.Text(0) : std::string();
    s.Reset();
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
  std::string rowids = "[";
  for (const Candidate* c : candidates) {
    if (rowids.size() > 1) rowids += ',';
    rowids += std::to_string(c->rowid);
  }
  rowids += ']';
  Statement& s = conn.Prepare("SELECT hit.key, " RM_MEMORY_COLUMNS
                              " FROM json_each(?10) AS hit CROSS JOIN memories m ON m.rowid = hit.value WHERE " +
                              RowWhere(request.filters.scope) + " ORDER BY hit.key");
  BindRowWhere(s, viewer, request.filters);
  s.Bind(10, rowids);
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
  RowidRange range;  // of the first page only; later pages rank within their window
  std::vector<MemoryRow> read_rows;  // memories read while scoring (Candidate::memory)

  std::optional<VisibleDensity> density;  // the first page's plan (see VisibleDensity)
  if (request.window) {
    if (request.window->phrase_rows.size() != terms->phrases.size()) {
      return Status::InvalidArgument("cursor: it belongs to a different search; start again");
    }
    page.window = *request.window;
  } else {
    Result<std::optional<VisibleDensity>> measured =
        MeasureDensity(conn, tokens, *terms,
                       std::max(request.candidate_limit, 1), range);
    if (!measured.ok()) return measured.status();
    if (!*measured) return page;
    density = std::move(*measured);
    // Walk up to the newest memory of all; the cursor will keep the newest candidate
    // instead (below), a rowid of the caller's own matches.
    page.window.highest_rowid = range.highest;
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
        FindCandidates(conn, viewer, match, request, *terms, page.window, density, tokens, range, read_rows);
    if (!found.ok()) return found.status();
    ranked = std::move(*found);
    if (!request.window && !ranked.empty()) {
      // The window is the candidates' own rowid span, whichever walks found them
      // (the plan rests on anybody's memories; the candidates are the caller's).
      // Later pages ignore memories written after this one: they are newer than
      // every candidate.
      auto [oldest, newest] = std::minmax_element(ranked.begin(), ranked.end(),
                                                  [](const Candidate& a, const Candidate& b) { return a.rowid < b.rowid; });
      page.window.lowest_rowid = oldest->rowid;
      page.window.highest_rowid = newest->rowid;
    }
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
