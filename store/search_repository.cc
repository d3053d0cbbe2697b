#include "store/search_repository.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "store/search_ranking.h"

namespace rm::store {
namespace {

// Parameters shared by every statement below, after the viewer's ?1..?4.
constexpr int kMatch = 5;
constexpr int kType = 6;
constexpr int kTags = 7;
constexpr int kCreatedAfter = 8;
constexpr int kCreatedBefore = 9;
// Statement-specific parameters start here.
constexpr int kFirstOwn = 10;

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
Result<std::optional<std::string>> VisibilityMatch(Connection& conn, const Viewer& viewer,
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
      if (!viewer.org_id) return std::optional<std::string>();
      pools = Quoted(org);
      break;
    case Scope::kTeam:
      if (!viewer.team_id) return std::optional<std::string>();
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
    if (tags.empty()) return std::optional<std::string>();  // "[]": no tag can match
    positive += " AND vis : (" + tags + ")";
  }
  // Dense facts are excluded through their rare opposite (see migration 5).
  std::string expression = "((" + positive + ") NOT vis : \"xtrash\")";
  if (filters.scope == Scope::kPersonal) expression = "(" + expression + " NOT vis : \"xshared\")";
  if (viewer.vendor) {
    expression = "(" + expression + " NOT vis : (\"xrestricted\" NOT " + Quoted(vendor) + "))";
  }
  return std::optional<std::string>(expression);
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

// Fixes the candidate window and BM25 statistics (the first page of a search).
// nullopt: nothing matches.
Result<std::optional<SearchWindow>> OpenWindow(Connection& conn, const Viewer& viewer,
                                               const std::string& match,
                                               const SearchRequest& request,
                                               const SearchTerms& terms) {
  // The MATCH already restricts to the caller's pools, vendor, type and tags (the
  // visibility tokens), so the window is found in the index alone, stopping after
  // K rows. Only the time filters need the memories row (then the join walks on
  // until K rows pass them).
  const bool time_filters = request.filters.created_after || request.filters.created_before;
  const std::string from_where =
      time_filters ? std::string(kFrom) + CandidateWhere(request.filters.scope)
                   : " FROM memories_fts WHERE memories_fts MATCH ?5";
  const auto bind = [&](Statement& s) {
    if (time_filters) BindCommon(s, viewer, match, request.filters);
    else s.Bind(kMatch, match);
  };
  Statement& newest = conn.Prepare("SELECT memories_fts.rowid, rm_corpus_stats(memories_fts)" +
                                   from_where + " ORDER BY memories_fts.rowid DESC LIMIT 1");
  bind(newest);
  Result<bool> row = newest.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<SearchWindow>();
  SearchWindow window;
  window.highest_rowid = newest.Int64(0);
  const std::string stats = newest.Text(1);
  newest.Reset();
  char* end = nullptr;
  window.rows = std::strtod(stats.c_str(), &end);
  window.average_length = std::strtod(end, nullptr);

  Statement& kth = conn.Prepare("SELECT memories_fts.rowid" + from_where +
                                " ORDER BY memories_fts.rowid DESC LIMIT 1 OFFSET ?10");
  bind(kth);
  kth.Bind(kFirstOwn, std::max(request.candidate_limit, 1) - 1);
  Result<std::int64_t> lowest = StepInt64(kth, 0);  // fewer than K matches: all of them
  if (!lowest.ok()) return lowest.status();
  window.lowest_rowid = *lowest;

  if (!terms.phrases.empty()) {
    Statement& range = conn.Prepare(
        "SELECT (SELECT min(rowid) FROM memories), (SELECT max(rowid) FROM memories)");
    Result<bool> r = range.Step();
    if (!r.ok()) return r.status();
    const std::int64_t min_rowid = range.Int64(0), max_rowid = range.Int64(1);
    range.Reset();
    for (const std::string& phrase : terms.phrases) {
      Result<double> n = PhraseRows(conn, phrase, request.candidate_limit, min_rowid, max_rowid);
      if (!n.ok()) return n.status();
      window.phrase_rows.push_back(*n);
    }
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

// One page of (rowid, score), best first, plus one more row if there is a next page.
Result<std::vector<Candidate>> RankPage(Connection& conn, const Viewer& viewer,
                                        const std::string& match, const SearchRequest& request,
                                        const SearchWindow& window, int phrases) {
  const std::string where = CandidateWhere(request.filters.scope);
  const int fetch = std::clamp(request.limit, 1, 1000) + 1;
  Statement* s = nullptr;
  if (phrases == 0) {
    // No search words: the newest visible memories, by rowid.
    s = &conn.Prepare("SELECT memories_fts.rowid, 0.0" + std::string(kFrom) + where +
                      " AND memories_fts.rowid <= ?10 AND (?11 IS NULL OR memories_fts.rowid < ?11)"
                      " ORDER BY memories_fts.rowid DESC LIMIT ?12");
    BindCommon(*s, viewer, match, request.filters);
    s->Bind(10, window.highest_rowid);
    if (request.after) s->Bind(11, request.after->rowid);
    s->Bind(12, fetch);
  } else {
    s = &conn.Prepare(
        "SELECT rowid, score FROM (SELECT memories_fts.rowid AS rowid, "
        "rm_bm25(memories_fts, ?10) AS score" +
        std::string(kFrom) + where +
        " AND memories_fts.rowid BETWEEN ?11 AND ?12) "
        "WHERE ?13 IS NULL OR score < ?13 OR (score = ?13 AND rowid < ?14) "
        "ORDER BY score DESC, rowid DESC LIMIT ?15");
    BindCommon(*s, viewer, match, request.filters);
    s->Bind(10, RankParams(window));
    s->Bind(11, window.lowest_rowid).Bind(12, window.highest_rowid);
    if (request.after) s->Bind(13, request.after->score).Bind(14, request.after->rowid);
    s->Bind(15, fetch);
  }
  std::vector<Candidate> page;
  while (true) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    page.push_back({s->Int64(0), s->Double(1)});
  }
  return page;
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

// Snippets of the page's rows, in one pass over the index: a separate
// "MATCH ... AND rowid = ?" per row would set the whole query up again each time
// (a fraction of a millisecond per row at a million memories). The snippet comes
// from the best column holding a search word: content, else title, else tags.
Result<std::map<std::int64_t, std::string>> Snippets(Connection& conn, const std::string& match,
                                                     const std::vector<Candidate>& rows, int phrases) {
  std::map<std::int64_t, std::string> snippets;
  if (rows.empty()) return snippets;
  std::int64_t lowest = rows.front().rowid, highest = rows.front().rowid;
  std::string wanted = ",";
  for (const Candidate& c : rows) {
    lowest = std::min(lowest, c.rowid);
    highest = std::max(highest, c.rowid);
    wanted += std::to_string(c.rowid) + ",";
  }
  const std::string args = kSnippetArgs;
  Statement& s = conn.Prepare(
      "SELECT rowid, CASE "
      "WHEN rm_hit_columns(memories_fts, ?2) & 2 OR rm_hit_columns(memories_fts, ?2) = 0 "
      "THEN snippet(memories_fts, 1, " + args + ") "
      "WHEN rm_hit_columns(memories_fts, ?2) & 1 THEN snippet(memories_fts, 0, " + args + ") "
      "ELSE snippet(memories_fts, 2, " + args + ") END "
      "FROM memories_fts WHERE memories_fts MATCH ?1 AND rowid BETWEEN ?3 AND ?4 "
      "AND instr(?5, ',' || rowid || ',') > 0");
  s.Bind(1, match).Bind(2, phrases).Bind(3, lowest).Bind(4, highest).Bind(5, wanted);
  while (true) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    snippets[s.Int64(0)] = s.Text(1);
  }
  return snippets;
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

  Result<std::optional<std::string>> visibility = VisibilityMatch(conn, viewer, request.filters);
  if (!visibility.ok()) return visibility.status();
  if (!*visibility) return page;  // a pool the caller is not in, or an empty tag list
  // The text phrases come first, so they are phrases 0..P-1 for rm_bm25.
  const std::string match = terms->expression.empty()
                                ? **visibility
                                : "(" + terms->expression + ") AND " + **visibility;

  if (request.window) {
    if (request.window->phrase_rows.size() != terms->phrases.size()) {
      return Status::InvalidArgument("cursor: it belongs to a different search; start again");
    }
    page.window = *request.window;
  } else {
    Result<std::optional<SearchWindow>> window = OpenWindow(conn, viewer, match, request, *terms);
    if (!window.ok()) return window.status();
    if (!*window) return page;
    page.window = **window;
  }

  Result<std::vector<Candidate>> ranked =
      RankPage(conn, viewer, match, request, page.window, page.phrase_count);
  if (!ranked.ok()) return ranked.status();
  const std::size_t limit = static_cast<std::size_t>(std::clamp(request.limit, 1, 1000));
  page.more = ranked->size() > limit;
  if (page.more) ranked->resize(limit);
  Result<std::map<std::int64_t, std::string>> snippets = Snippets(conn, match, *ranked, page.phrase_count);
  if (!snippets.ok()) return snippets.status();
  for (const Candidate& candidate : *ranked) {
    Result<MemoryRow> memory = MemoryAt(conn, candidate.rowid);
    if (!memory.ok()) return memory.status();
    page.hits.push_back({std::move(*memory), candidate.score, (*snippets)[candidate.rowid]});
  }
  return page;
}

}  // namespace rm::store
