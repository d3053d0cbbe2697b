#include "store/search_repository.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "store/search_ranking.h"

namespace rm::store {
namespace {

// Parameters shared by every statement below, after the viewer's ?1..?4; a
// statement's own parameters start at ?10.
constexpr int kMatch = 5;
constexpr int kType = 6;
constexpr int kTags = 7;
constexpr int kCreatedAfter = 8;
constexpr int kCreatedBefore = 9;

// Snippets: matched words in **bold**, "…" where text was cut, about 24 tokens.
constexpr const char* kSnippetArgs = "'**', '**', '…', 24";

// What every candidate must satisfy in SQL, whatever the index says: the
// caller's pools for the scope, the vendor filter, not trashed, the filters.
std::string CandidateWhere(Scope scope) {
  return "memories_fts MATCH ?5 AND " + InPoolsSql(scope) + " AND " + VendorVisibleSql() +
         " AND m.deleted_at IS NULL"
         " AND (?6 IS NULL OR m.memory_type = ?6)"
         " AND (?7 IS NULL OR EXISTS (SELECT 1 FROM json_each(m.tags) AS t WHERE lower(t.value) IN "
         "(SELECT lower(value) FROM json_each(?7))))"
         " AND (?8 IS NULL OR m.created_at > ?8) AND (?9 IS NULL OR m.created_at < ?9)";
}

// CROSS JOIN fixes the order: the index drives, each match looks its row up by
// rowid. (Left to the planner, a heavy user's user_id index could drive instead,
// running the whole MATCH once per memory of theirs: seconds, not milliseconds.)
const char* kFrom = " FROM memories_fts CROSS JOIN memories m ON m.rowid = memories_fts.rowid WHERE ";

void BindCommon(Statement& s, const Viewer& viewer, const std::string& match,
                const SearchFilters& filters) {
  BindViewer(s, viewer);
  s.Bind(kMatch, match);
  s.Bind(kType, filters.memory_type);
  if (!filters.tags_any_json.empty()) s.Bind(kTags, filters.tags_any_json);
  s.Bind(kCreatedAfter, filters.created_after);
  s.Bind(kCreatedBefore, filters.created_before);
}

std::string Quoted(const std::string& token) { return "\"" + token + "\""; }

// The visibility half of the MATCH (see migration 5 for the tokens), or nullopt
// when the scope names a pool the caller is not in (nothing can match).
// Tokens are computed by the same SQL functions (hex, lower) as the index view.
struct VisibilityTokens {
  std::string expression;  // the whole visibility half of the MATCH
  std::string pools;       // vis : (the caller's pools), alone: to estimate how many rows it has
};
Result<std::optional<VisibilityTokens>> VisibilityMatch(Connection& conn, const Viewer& viewer,
                                                        const SearchFilters& filters) {
  Statement& s = conn.Prepare(
      "SELECT 'xu' || hex(?1), 'xo' || hex(?2), 'xt' || hex(?3), 'xv' || hex(?4), "
      "(SELECT group_concat('\"xg' || hex(lower(value)) || '\"', ' OR ') FROM json_each(?5))");
  BindViewer(s, viewer);
  s.Bind(5, filters.tags_any_json.empty() ? std::string("[]") : filters.tags_any_json);
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  const std::string user = s.Text(0), org = s.Text(1), team = s.Text(2), vendor = s.Text(3);
  const std::string tags = s.Text(4);
  s.Reset();

  std::string pools;
  switch (filters.scope) {
    case Scope::kPersonal: pools = Quoted(user); break;
    case Scope::kOrg:
      if (!viewer.org_id) return std::optional<VisibilityTokens>();
      pools = Quoted(org);
      break;
    case Scope::kTeam:
      if (!viewer.team_id) return std::optional<VisibilityTokens>();
      pools = Quoted(team);
      break;
    case Scope::kAll:
      pools = Quoted(user);
      if (viewer.org_id) pools += " OR " + Quoted(org);
      if (viewer.team_id) pools += " OR " + Quoted(team);
      break;
  }
  std::string positive = "vis : (" + pools + ")";
  if (filters.memory_type) positive += " AND vis : " + Quoted("xk" + *filters.memory_type);
  if (!filters.tags_any_json.empty()) {
    if (tags.empty()) return std::optional<VisibilityTokens>();  // "[]": no tag can match
    positive += " AND vis : (" + tags + ")";
  }
  // Dense facts are excluded through their rare opposite (see migration 5).
  std::string expression = "((" + positive + ") NOT vis : \"xtrash\")";
  if (filters.scope == Scope::kPersonal) expression = "(" + expression + " NOT vis : \"xshared\")";
  if (viewer.vendor) {
    expression = "(" + expression + " NOT vis : (\"xrestricted\" NOT " + Quoted(vendor) + "))";
  }
  return std::optional<VisibilityTokens>(VisibilityTokens{expression, "vis : (" + pools + ")"});
}

Result<std::int64_t> StepInt64(Statement& s, std::int64_t if_none) {
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  std::int64_t value = *row ? s.Int64(0) : if_none;
  s.Reset();
  return value;
}

// How many rows (of all users) hold `phrase`: counted when fewer than `cap`,
// otherwise estimated from how densely the newest `cap` matches are packed into
// the rowid range (a common word: one walk of `cap` rows instead of the doclist).
Result<double> PhraseRows(Connection& conn, const std::string& phrase, int cap,
                          std::int64_t min_rowid, std::int64_t max_rowid) {
  Statement& nth = conn.Prepare(
      "SELECT rowid FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rowid DESC "
      "LIMIT 1 OFFSET ?");
  nth.Bind(1, phrase).Bind(2, cap - 1);
  Result<bool> row = nth.Step();
  if (!row.ok()) return row.status();
  if (*row) {
    const std::int64_t oldest = nth.Int64(0);
    nth.Reset();
    const double span = static_cast<double>(max_rowid - min_rowid + 1);
    const double newest_span = static_cast<double>(std::max<std::int64_t>(max_rowid - oldest + 1, 1));
    return std::min(span, cap * span / newest_span);
  }
  nth.Reset();
  Statement& count = conn.Prepare("SELECT count(*) FROM memories_fts WHERE memories_fts MATCH ?");
  count.Bind(1, phrase);
  Result<std::int64_t> n = StepInt64(count, 0);
  if (!n.ok()) return n.status();
  return static_cast<double>(*n);
}

// BM25 statistics and the rowid range of the memories that exist now (the first
// page of a search). nullopt: nothing matches.
Result<std::optional<SearchWindow>> OpenWindow(Connection& conn, const std::string& match,
                                               const SearchTerms& terms, const std::string& pools,
                                               int cap, double& pool_rows) {
  // Any match carries the index's totals; if there is none, there is nothing to rank.
  Statement& first = conn.Prepare(
      "SELECT rm_corpus_stats(memories_fts) FROM memories_fts WHERE memories_fts MATCH ? LIMIT 1");
  first.Bind(1, match);
  Result<bool> row = first.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<SearchWindow>();
  SearchWindow window;
  const std::string stats = first.Text(0);
  first.Reset();
  char* end = nullptr;
  window.rows = std::strtod(stats.c_str(), &end);
  window.average_length = std::strtod(end, nullptr);

  Statement& range = conn.Prepare(
      "SELECT (SELECT min(rowid) FROM memories), (SELECT max(rowid) FROM memories)");
  Result<bool> r = range.Step();
  if (!r.ok()) return r.status();
  const std::int64_t min_rowid = range.Int64(0), max_rowid = range.Int64(1);
  range.Reset();
  window.highest_rowid = max_rowid;  // later pages ignore memories written after this one
  for (const std::string& phrase : terms.phrases) {
    Result<double> n = PhraseRows(conn, phrase, cap, min_rowid, max_rowid);
    if (!n.ok()) return n.status();
    window.phrase_rows.push_back(*n);
  }
  if (!terms.phrases.empty()) {
    Result<double> n = PhraseRows(conn, pools, cap, min_rowid, max_rowid);
    if (!n.ok()) return n.status();
    pool_rows = *n;
  }
  return std::optional<SearchWindow>(window);
}

std::string RankParams(const SearchWindow& window) {
  char number[40];
  std::string text = std::to_string(window.phrase_rows.size());
  for (double v : {window.rows, window.average_length}) {
    std::snprintf(number, sizeof number, " %.17g", v);
    text += number;
  }
  for (double v : window.phrase_rows) {
    std::snprintf(number, sizeof number, " %.17g", v);
    text += number;
  }
  return text;
}

struct Candidate {
  std::int64_t rowid;
  double score;
};

// Scores the matches in [lowest, highest], oldest first, up to `limit` of them.
// One forward walk of the index: FTS5 walks its doclists forwards many times
// faster than backwards.
Result<std::vector<Candidate>> ScoreMatches(Connection& conn, const Viewer& viewer,
                                            const std::string& match, const SearchRequest& request,
                                            const SearchWindow& window, std::int64_t lowest,
                                            std::int64_t limit) {
  Statement& s = conn.Prepare("SELECT memories_fts.rowid, rm_bm25(memories_fts, ?10)" +
                              std::string(kFrom) + CandidateWhere(request.filters.scope) +
                              " AND memories_fts.rowid BETWEEN ?11 AND ?12 LIMIT ?13");
  BindCommon(s, viewer, match, request.filters);
  s.Bind(10, RankParams(window)).Bind(11, lowest).Bind(12, window.highest_rowid).Bind(13, limit);
  std::vector<Candidate> scored;
  while (true) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    scored.push_back({s.Int64(0), s.Double(1)});
  }
  return scored;
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

// The rowid of the K-th newest match (the oldest row of the window): a backward
// walk of K rows.
Result<std::int64_t> KthNewestMatch(Connection& conn, const Viewer& viewer, const std::string& match,
                                    const SearchRequest& request, std::int64_t highest) {
  Statement& s = conn.Prepare("SELECT memories_fts.rowid" + IndexOnlyFromWhere(request) +
                              " AND memories_fts.rowid <= ?10 ORDER BY memories_fts.rowid DESC "
                              "LIMIT 1 OFFSET ?11");
  BindIndexOnly(s, viewer, match, request);
  s.Bind(10, highest).Bind(11, std::max(request.candidate_limit, 1) - 1);
  return StepInt64(s, 0);
}

// Best first; ties by newest first. Deterministic, so every page sorts alike.
void SortByScore(std::vector<Candidate>& candidates) {
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.score != b.score ? a.score > b.score : a.rowid > b.rowid;
  });
}

// At most how many rows can match (per group, its rarest phrase; summed over
// groups), and how many are expected in the caller's pools if words and pools
// were independent.
struct MatchEstimate {
  double bound = 0;
  double expected = 0;
};
MatchEstimate EstimateMatches(const SearchTerms& terms, const SearchWindow& window, double pool_rows) {
  MatchEstimate e;
  const double n = std::max(window.rows, 1.0);
  for (const auto& group : terms.groups) {
    double rarest = window.rows, share = pool_rows / n;
    for (int p : group) {
      const double rows = window.phrase_rows[static_cast<std::size_t>(p)];
      rarest = std::min(rarest, rows);
      share *= rows / n;
    }
    e.bound += rarest;
    e.expected += share * n;
  }
  return e;
}

// The candidates of this search, scored: all matches when there are at most K,
// else the newest K. Fixes the window's lowest rowid on the first page.
Result<std::vector<Candidate>> RankCandidates(Connection& conn, const Viewer& viewer,
                                              const std::string& match, const SearchRequest& request,
                                              const SearchTerms& terms, SearchWindow& window,
                                              bool first_page, double pool_rows) {
  const std::int64_t k = std::max(request.candidate_limit, 1);
  if (!first_page) return ScoreMatches(conn, viewer, match, request, window, window.lowest_rowid, k);
  // How to find out, cheapest, whether there are more than K matches:
  // - a rare word bounds them below K, or few are expected (a light user): score
  //   them all in one forward walk, and only if that finds more than K, fall back;
  // - many expected (a heavy user, common words): one backward walk of K rows,
  //   which also finds where the window starts;
  // - in between: a forward count (walking backwards through a few matches spread
  //   over the whole index costs much more).
  const MatchEstimate estimate = EstimateMatches(terms, window, pool_rows);
  const double kd = static_cast<double>(k);
  bool over_k = true;
  if (estimate.bound <= kd || estimate.expected <= kd / 2) {
    Result<std::vector<Candidate>> all = ScoreMatches(conn, viewer, match, request, window, 0, k + 1);
    if (!all.ok() || static_cast<std::int64_t>(all->size()) <= k) return all;
  } else if (estimate.expected <= 2 * kd) {
    Result<std::int64_t> n = CountMatches(conn, viewer, match, request, k + 1);
    if (!n.ok()) return n.status();
    over_k = *n > k;
  }
  if (over_k) {
    Result<std::int64_t> lowest = KthNewestMatch(conn, viewer, match, request, window.highest_rowid);
    if (!lowest.ok()) return lowest.status();
    window.lowest_rowid = *lowest;  // 0 when there are fewer than K after all
  }
  return ScoreMatches(conn, viewer, match, request, window, window.lowest_rowid, k);
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
    rows.push_back({s.Int64(0), 0.0});
  }
  return rows;
}

Result<MemoryRow> MemoryAt(Connection& conn, std::int64_t rowid) {
  Statement& s = conn.Prepare("SELECT " RM_MEMORY_COLUMNS " FROM memories m WHERE m.rowid = ?");
  s.Bind(1, rowid);
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal("a search candidate vanished inside its transaction");
  MemoryRow memory = MemoryFromRow(s);
  s.Reset();
  return memory;
}

// The snippet of one hit, from the best column holding a search word (content,
// else title, else tags). The MATCH is the search words alone: FTS5 only has to
// seek the words' doclists to this row.
Result<std::string> Snippet(Connection& conn, const std::string& terms, std::int64_t rowid, int phrases) {
  const std::string args = kSnippetArgs;
  Statement& s = conn.Prepare(
      "SELECT CASE "
      "WHEN rm_hit_columns(memories_fts, ?2) & 2 OR rm_hit_columns(memories_fts, ?2) = 0 "
      "THEN snippet(memories_fts, 1, " + args + ") "
      "WHEN rm_hit_columns(memories_fts, ?2) & 1 THEN snippet(memories_fts, 0, " + args + ") "
      "ELSE snippet(memories_fts, 2, " + args + ") END "
      "FROM memories_fts WHERE memories_fts MATCH ?1 AND rowid = ?3");
  s.Bind(1, terms).Bind(2, phrases).Bind(3, rowid);
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  std::string snippet = *row ? s.Text(0) : "";
  s.Reset();
  return snippet;
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
  Result<SearchTerms> terms = BuildSearchTerms(conn, request.text, request.mode);
  if (!terms.ok()) return terms.status();
  SearchPage page;
  page.phrase_count = static_cast<int>(terms->phrases.size());

  Result<std::optional<VisibilityTokens>> visibility = VisibilityMatch(conn, viewer, request.filters);
  if (!visibility.ok()) return visibility.status();
  if (!*visibility) return page;  // a pool the caller is not in, or an empty tag list
  // The text phrases come first, so they are phrases 0..P-1 for rm_bm25.
  const std::string& tokens = (*visibility)->expression;
  const std::string match =
      terms->expression.empty() ? tokens : "(" + terms->expression + ") AND " + tokens;
  double pool_rows = 0;

  if (request.window) {
    if (request.window->phrase_rows.size() != terms->phrases.size()) {
      return Status::InvalidArgument("cursor: it belongs to a different search; start again");
    }
    page.window = *request.window;
  } else {
    Result<std::optional<SearchWindow>> window =
        OpenWindow(conn, match, *terms, (*visibility)->pools, std::max(request.candidate_limit, 1), pool_rows);
    if (!window.ok()) return window.status();
    if (!*window) return page;
    page.window = **window;
  }

  const std::size_t limit = static_cast<std::size_t>(std::clamp(request.limit, 1, 1000));
  std::vector<Candidate> ranked;
  if (page.phrase_count == 0) {
    Result<std::vector<Candidate>> newest =
        NewestMatches(conn, viewer, match, request, page.window, static_cast<int>(limit) + 1);
    if (!newest.ok()) return newest.status();
    ranked = std::move(*newest);
  } else {
    Result<std::vector<Candidate>> scored =
        RankCandidates(conn, viewer, match, request, *terms, page.window, !request.window, pool_rows);
    if (!scored.ok()) return scored.status();
    ranked = std::move(*scored);
    SortByScore(ranked);
    if (request.after) {  // keyset: continue strictly after the previous page's last hit
      const SearchAfter after = *request.after;
      ranked.erase(ranked.begin(), std::find_if(ranked.begin(), ranked.end(), [&](const Candidate& c) {
                     return c.score < after.score || (c.score == after.score && c.rowid < after.rowid);
                   }));
    }
  }
  page.more = ranked.size() > limit;
  if (page.more) ranked.resize(limit);
  for (const Candidate& candidate : ranked) {
    Result<MemoryRow> memory = MemoryAt(conn, candidate.rowid);
    if (!memory.ok()) return memory.status();
    std::string snippet;
    if (page.phrase_count == 0) {
      snippet = LeadingText(memory->content);
    } else {
      Result<std::string> s = Snippet(conn, terms->expression, candidate.rowid, page.phrase_count);
      if (!s.ok()) return s.status();
      snippet = std::move(*s);
    }
    page.hits.push_back({std::move(*memory), candidate.score, std::move(snippet)});
  }
  return page;
}

}  // namespace rm::store
