#include "store/search_postgres.h"

#include <algorithm>

#include "store/memory_filters.h"
#include "store/memory_records.h"
#include "store/search_rare_words.h"
#include "store/search_snippet.h"

namespace rm::store {
namespace {

// One operand of to_tsquery: a quoted lexeme ('it''s'), ':*' for a prefix.
std::string Lexeme(const std::string& token, bool prefix) {
  std::string out = "'";
  for (char c : token) {
    if (c == '\'') out += "''";
    else if (c == '\\') out += "\\\\";
    else out += c;
  }
  out += "'";
  if (prefix) out += ":*";
  return out;
}

// One phrase as to_tsquery text: its tokens adjacent ('a' <-> 'b'), the last one a
// prefix if it was typed so.
std::string PhraseQueryText(const SearchPhrase& phrase) {
  std::string words;
  for (std::size_t t = 0; t < phrase.tokens.size(); ++t) {
    if (t > 0) words += " <-> ";
    words += Lexeme(phrase.tokens[t], phrase.prefix && t + 1 == phrase.tokens.size());
  }
  return words;
}

// The query's terms as to_tsquery text: groups OR'ed, the phrases of a group AND'ed,
// the tokens of a phrase adjacent (<->).
std::string TsQueryText(const SearchTerms& terms) {
  std::string query;
  for (const std::vector<int>& group : terms.groups) {
    std::string all;
    for (int index : group) {
      const std::string words = PhraseQueryText(terms.words.at(static_cast<std::size_t>(index)));
      if (words.empty()) continue;
      all += (all.empty() ? "(" : " & (") + words + ")";
    }
    if (all.empty()) continue;
    query += (query.empty() ? "(" : " | (") + all + ")";
  }
  return query;
}

// The rows a search may rank: visible to the viewer (?1-?4), through its filters (?5-?8).
std::string RankableSql(const SearchRequest& request) {
  return InPoolsSql(request.filters.scope) + " AND " + VendorVisibleSql() + " AND " + FiltersSql(5);
}

Statement& PrepareForViewer(Connection& conn, const std::string& sql, const Viewer& viewer,
                            const SearchRequest& request) {
  Statement& s = conn.Prepare(sql);
  BindViewer(s, viewer);
  BindFilters(s, request.filters, 5);
  return s;
}

// A search's statements are planned for their own values. A plan cached for all values
// (PostgreSQL's generic plan, chosen after a statement's fifth run) cannot know that one
// caller holds half the table and another a thousandth of it, nor whether a word is in
// one memory or in most: the plan right for one is ruinous for the other.
//
// And a bitmap of hundreds of thousands of rows is priced as it costs. With the default
// cpu_index_tuple_cost (0.005) the planner ANDs the GIN bitmap of a word with the bitmap
// of every memory of a caller who holds half a million of them, or of a word held by
// 40 % of memories with the window's rowid range: 120-200 ms where the one small bitmap
// alone, its rows then filtered, takes 2-10 ms (docs/BENCHMARKS.md, PostgreSQL search).
// Measured here, building a bitmap costs about 0.3-0.5 us a row, ten times the default's
// share of a row's cost; 0.05 says so, for the statements of a search only.
Status PlanForTheseValues(Connection& conn) {
  return conn
      .Prepare("SELECT set_config('plan_cache_mode', 'force_custom_plan', true), "
               "set_config('cpu_index_tuple_cost', '0.05', true)")
      .Run();
}

// The first page's window (search_repository.h): which matches are ranked. With at most
// K matches, all of them. With more (a caller with many memories, common words), ranking
// every match would score most of the caller's memories, so — as on SQLite — the
// candidates are the newest K matches plus every match of a word rare among the caller's
// memories (store/search_rare_words.h), which may be of any age.
Result<SearchWindow> FirstPageWindow(Connection& conn, const Viewer& viewer, const SearchRequest& request,
                                     const SearchTerms& terms, const std::string& query) {
  SearchWindow window;
  window.phrase_rows.assign(terms.phrases.size(), 0);
  const int k = std::clamp(request.candidate_limit, 1, 100000);
  Statement& newest = PrepareForViewer(
      conn,
      "SELECT count(*), COALESCE(min(rowid), 0), COALESCE(max(rowid), 0) FROM (SELECT m.rowid FROM memories m "
      "WHERE " + RankableSql(request) + " AND m.search_vector @@ to_tsquery('english', ?9) "
      "ORDER BY m.rowid DESC LIMIT ?10) AS newest",
      viewer, request);
  newest.Bind(9, query).Bind(10, k);
  Result<bool> row = newest.Step();
  if (!row.ok()) return row.status();
  const std::int64_t matches = *row ? newest.Int64(0) : 0;
  window.highest_rowid = *row ? newest.Int64(2) : 0;
  window.lowest_rowid = matches < k ? 0 : newest.Int64(1);  // fewer than K: every match
  newest.Reset();
  if (matches < k) return window;

  // Counted among the caller's visible memories up to the window's newest match, as
  // SQLite counts them through the caller's visibility tokens.
  Result<std::vector<int>> rare = ChooseRarePhrases(terms, k, [&](int index, std::int64_t at_most) -> Result<std::int64_t> {
    Statement& holding = PrepareForViewer(
        conn,
        "SELECT count(*) FROM (SELECT 1 FROM memories m WHERE " + RankableSql(request) +
            " AND m.search_vector @@ to_tsquery('english', ?9) AND m.rowid <= CAST(?10 AS BIGINT) LIMIT ?11) AS held",
        viewer, request);
    holding.Bind(9, PhraseQueryText(terms.words.at(static_cast<std::size_t>(index))))
        .Bind(10, window.highest_rowid)
        .Bind(11, at_most);
    Result<bool> counted = holding.Step();
    if (!counted.ok()) return counted.status();
    const std::int64_t n = *counted ? holding.Int64(0) : 0;
    holding.Reset();
    return n;
  });
  if (!rare.ok()) return rare.status();
  window.rare_phrases = std::move(*rare);
  return window;
}

// The rare phrases of a window as one to_tsquery text ('a' | 'b' <-> 'c').
std::string RareQueryText(const SearchTerms& terms, const SearchWindow& window) {
  std::string query;
  for (int index : window.rare_phrases) {
    if (index < 0 || static_cast<std::size_t>(index) >= terms.words.size()) continue;
    const SearchPhrase& phrase = terms.words[static_cast<std::size_t>(index)];
    const std::string words = PhraseQueryText(phrase);
    if (words.empty()) continue;
    query += (query.empty() ? "(" : " | (") + words + ")";
  }
  return query;
}

}  // namespace

Result<SearchPage> SearchMemoriesOnPostgres(Connection& conn, const Viewer& viewer, const SearchRequest& request) {
  Result<SearchTerms> terms = BuildSearchTerms(request.text, request.mode);
  if (!terms.ok()) return terms.status();
  SearchPage page;
  page.phrase_count = static_cast<int>(terms->phrases.size());
  if (request.window && request.window->phrase_rows.size() != terms->phrases.size()) {
    return Status::InvalidArgument("cursor: it belongs to a different search; start again");
  }
  const std::string query = TsQueryText(*terms);
  const bool ranked = page.phrase_count > 0 && !query.empty();

  if (ranked) {
    RM_RETURN_IF_ERROR(PlanForTheseValues(conn));
    if (request.window) {
      page.window = *request.window;
    } else {
      Result<SearchWindow> window = FirstPageWindow(conn, viewer, request, *terms, query);
      if (!window.ok()) return window.status();
      page.window = std::move(*window);
    }
  } else {
    page.window.phrase_rows.assign(terms->phrases.size(), 0);
  }
  const std::string rare = ranked ? RareQueryText(*terms, page.window) : "";

  // ?1-?4 the viewer, ?5-?8 the filters, ?9 the tsquery, ?10 ?11 the previous page's last
  // (score, rowid), ?12 the page size + 1, ?13 ?14 the window's rowids, ?15 its rare words.
  // Scores are float8: they travel in the cursor as text and come back equal, which
  // keeps the keyset exact.
  const std::string score =
      ranked ? "ts_rank('{0.2, 0.2, 0.4, 1.0}', m.search_vector, to_tsquery('english', ?9))::float8" : "0::float8";
  std::string sql = "SELECT * FROM (SELECT " RM_MEMORY_COLUMNS ", " + score +
                    " AS score FROM memories m WHERE " + RankableSql(request);
  if (ranked) {
    sql += " AND m.search_vector @@ to_tsquery('english', ?9) AND m.rowid <= CAST(?13 AS BIGINT)";
    if (page.window.lowest_rowid > 0) {
      sql += rare.empty() ? " AND m.rowid >= CAST(?14 AS BIGINT)"
                          : " AND (m.rowid >= CAST(?14 AS BIGINT) OR m.search_vector @@ to_tsquery('english', ?15))";
    }
  }
  sql += ") AS hit";
  if (request.after) {
    sql += ranked ? " WHERE (hit.score < CAST(?10 AS DOUBLE PRECISION) OR (hit.score = CAST(?10 AS DOUBLE PRECISION)"
                    " AND hit.rowid < CAST(?11 AS BIGINT)))"
                  : " WHERE hit.rowid < CAST(?11 AS BIGINT)";
  }
  sql += " ORDER BY hit.score DESC, hit.rowid DESC LIMIT ?12";

  Statement& s = PrepareForViewer(conn, sql, viewer, request);
  if (ranked) {
    s.Bind(9, query).Bind(13, page.window.highest_rowid);
    if (page.window.lowest_rowid > 0) {
      s.Bind(14, page.window.lowest_rowid);
      if (!rare.empty()) s.Bind(15, rare);
    }
  }
  if (request.after) {
    s.Bind(10, request.after->score).Bind(11, request.after->rowid);
  }
  const int limit = std::clamp(request.limit, 1, 1000);
  s.Bind(12, limit + 1);
  const int score_column = kMemoryColumnCount;  // right after the memory's columns
  std::vector<std::pair<MemoryRow, double>> rows;
  Status read = s.ForEachRow([&](const Statement& row) {
    rows.emplace_back(MemoryFromRow(row), row.Double(score_column));
  });
  if (!read.ok()) return read;
  page.more = rows.size() > static_cast<std::size_t>(limit);
  if (page.more) rows.resize(static_cast<std::size_t>(limit));
  for (auto& [memory, hit_score] : rows) {
    std::string snippet;
    if (!ranked) {
      snippet = LeadingText(memory.content);
    } else {
      Result<std::string> made = MakeSnippet(*terms, {memory.title, memory.content, memory.tags_json});
      if (!made.ok()) return made.status();
      snippet = std::move(*made);
    }
    page.hits.push_back({std::move(memory), ranked ? hit_score : 0, std::move(snippet)});
  }
  return page;
}

}  // namespace rm::store
