#include "store/search_postgres.h"

#include <algorithm>

#include "store/memory_filters.h"
#include "store/memory_records.h"
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

// The query's terms as to_tsquery text: groups OR'ed, the phrases of a group AND'ed,
// the tokens of a phrase adjacent (<->).
std::string TsQueryText(const SearchTerms& terms) {
  std::string query;
  for (const std::vector<int>& group : terms.groups) {
    std::string all;
    for (int index : group) {
      const SearchPhrase& phrase = terms.words.at(static_cast<std::size_t>(index));
      std::string words;
      for (std::size_t t = 0; t < phrase.tokens.size(); ++t) {
        if (t > 0) words += " <-> ";
        words += Lexeme(phrase.tokens[t], phrase.prefix && t + 1 == phrase.tokens.size());
      }
      if (words.empty()) continue;
      all += (all.empty() ? "(" : " & (") + words + ")";
    }
    if (all.empty()) continue;
    query += (query.empty() ? "(" : " | (") + all + ")";
  }
  return query;
}

}  // namespace

Result<SearchPage> SearchMemoriesOnPostgres(Connection& conn, const Viewer& viewer, const SearchRequest& request) {
  Result<SearchTerms> terms = BuildSearchTerms(request.text, request.mode);
  if (!terms.ok()) return terms.status();
  SearchPage page;
  page.phrase_count = static_cast<int>(terms->phrases.size());
  // The cursor carries a window on SQLite; here it only needs to name the same search.
  page.window.phrase_rows.assign(terms->phrases.size(), 0);
  if (request.window && request.window->phrase_rows.size() != terms->phrases.size()) {
    return Status::InvalidArgument("cursor: it belongs to a different search; start again");
  }
  const std::string query = TsQueryText(*terms);
  const bool ranked = page.phrase_count > 0 && !query.empty();

  // ?1-?4 the viewer, ?5-?8 the filters, ?9 the tsquery, ?10 ?11 the previous page's last
  // (score, rowid), ?12 the page size + 1. Scores are float8: they travel in the cursor as
  // text and come back equal, which keeps the keyset exact.
  const std::string score =
      ranked ? "ts_rank('{0.2, 0.2, 0.4, 1.0}', m.search_vector, to_tsquery('english', ?9))::float8" : "0::float8";
  std::string sql = "SELECT * FROM (SELECT " RM_MEMORY_COLUMNS ", " + score +
                    " AS score FROM memories m WHERE " + InPoolsSql(request.filters.scope) + " AND " +
                    VendorVisibleSql() + " AND " + FiltersSql(5);
  if (ranked) sql += " AND m.search_vector @@ to_tsquery('english', ?9)";
  sql += ") AS hit";
  if (request.after) {
    sql += ranked ? " WHERE (hit.score < CAST(?10 AS DOUBLE PRECISION) OR (hit.score = CAST(?10 AS DOUBLE PRECISION)"
                    " AND hit.rowid < CAST(?11 AS BIGINT)))"
                  : " WHERE hit.rowid < CAST(?11 AS BIGINT)";
  }
  sql += " ORDER BY hit.score DESC, hit.rowid DESC LIMIT ?12";

  Statement& s = conn.Prepare(sql);
  BindViewer(s, viewer);
  BindFilters(s, request.filters, 5);
  if (ranked) s.Bind(9, query);
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
