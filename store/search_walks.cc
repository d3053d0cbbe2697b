#include "store/search_walks.h"

#include "store/memory_filters.h"

namespace rm::store::search {
namespace {

// Parameters shared by every statement below, after the viewer's ?1..?4: the MATCH,
// then the filters (store/memory_filters.h, ?6..?9); a statement's own parameters
// start at ?10.
constexpr int kMatch = 5;
constexpr int kFilters = 6;

// What every hit must satisfy in SQL, whatever the index says: the caller's
// pools for the scope, the vendor filter, not trashed, the filters. For the
// memory row aliased m.
std::string RowWhere(Scope scope) {
  return InPoolsSql(scope) + " AND " + VendorVisibleSql() + " AND " + FiltersSql(kFilters);
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
  BindFilters(s, filters, kFilters);
}

// What CandidateWhere reads: RowWhere's and the MATCH.
void BindCommon(Statement& s, const Viewer& viewer, const std::string& match, const SearchFilters& filters) {
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

}  // namespace

SearchWalker::SearchWalker(Connection& conn, const Viewer& viewer, const SearchRequest& request, std::string match,
                           std::string visible, int phrases)
    : conn_(conn),
      viewer_(viewer),
      request_(request),
      match_(std::move(match)),
      visible_(std::move(visible)),
      phrases_(phrases),
      // The time filters are not index tokens: only the SQL check applies them.
      check_(request.filters.created_after || request.filters.created_before ? Check::kEachCandidate
                                                                              : Check::kPageHits) {}

// When the MATCH holds the visibility tokens they already select what RowWhere allows,
// and reading a memory row per candidate was a third of a heavy user's search: so the
// memory row is joined only to check time filters or to read it.
Result<std::vector<Candidate>> SearchWalker::Walk(const std::string& match, std::int64_t lowest,
                                                  std::int64_t highest, std::int64_t limit,
                                                  std::vector<MemoryRow>* read_rows) {
  const bool join = check_ == Check::kEachCandidate || read_rows != nullptr;
  Statement& s = conn_.Prepare(std::string("SELECT memories_fts.rowid, rm_match_features(memories_fts, ?10)") +
                               (read_rows != nullptr ? ", " RM_MEMORY_COLUMNS : "") +
                               (join ? kFrom + CandidateWhere(request_.filters.scope)
                                     : std::string(" FROM memories_fts WHERE memories_fts MATCH ?5")) +
                               " AND memories_fts.rowid BETWEEN ?11 AND ?12 LIMIT ?13");
  BindCommon(s, viewer_, match, request_.filters);
  s.Bind(10, phrases_).Bind(11, lowest).Bind(12, highest).Bind(13, limit);
  std::vector<Candidate> walked;
  bool malformed = false;
  Status status = s.ForEachRow([&](const Statement& row) {
    Candidate c;
    c.rowid = row.Int64(0);
    malformed = malformed || !ParseMatchFeatures(row.Blob(1), phrases_, c.features);
    if (read_rows != nullptr) {
      c.memory = static_cast<int>(read_rows->size());
      read_rows->push_back(MemoryFromRow(row, 2));
    }
    walked.push_back(std::move(c));
  });
  if (!status.ok()) return status;
  if (malformed) return Status::Internal("search: rm_match_features gave a malformed row");
  return walked;
}

// Statements that only walk the index: the MATCH already holds the caller's pools,
// vendor, type and tags. Only the time filters need the memories row, and then the join.
namespace {

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

}  // namespace

Result<std::int64_t> SearchWalker::Count(const std::string& match, std::int64_t cap) {
  Statement& s = conn_.Prepare("SELECT count(*) FROM (SELECT 1" + IndexOnlyFromWhere(request_) + " LIMIT ?10) AS capped");
  BindIndexOnly(s, viewer_, match, request_);
  s.Bind(10, cap);
  return StepInt64(s, 0);
}

Result<std::int64_t> SearchWalker::NthNewest(std::int64_t highest, std::int64_t n) {
  Statement& s = conn_.Prepare("SELECT memories_fts.rowid" + IndexOnlyFromWhere(request_) +
                               " AND memories_fts.rowid <= ?10 ORDER BY memories_fts.rowid DESC "
                               "LIMIT 1 OFFSET ?11");
  BindIndexOnly(s, viewer_, match_, request_);
  s.Bind(10, highest).Bind(11, std::max<std::int64_t>(n, 1) - 1);
  return StepInt64(s, 0);
}

Result<RowidRange> SearchWalker::VisibleRange() {
  Statement& oldest = conn_.Prepare("SELECT rowid FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rowid LIMIT 1");
  oldest.Bind(1, visible_);
  Result<std::int64_t> lowest = StepInt64(oldest, 0);
  if (!lowest.ok()) return lowest.status();
  Statement& newest =
      conn_.Prepare("SELECT rowid FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rowid DESC LIMIT 1");
  newest.Bind(1, visible_);
  Result<std::int64_t> highest = StepInt64(newest, 0);
  if (!highest.ok()) return highest.status();
  return RowidRange{*lowest, *highest};
}

Result<std::vector<Candidate>> SearchWalker::Newest(std::int64_t highest, std::int64_t before, int limit) {
  Statement& s = conn_.Prepare("SELECT memories_fts.rowid" + std::string(kFrom) +
                               CandidateWhere(request_.filters.scope) +
                               " AND memories_fts.rowid <= ?10 AND (?11 IS NULL OR memories_fts.rowid < ?11)"
                               " ORDER BY memories_fts.rowid DESC LIMIT ?12");
  BindCommon(s, viewer_, match_, request_.filters);
  s.Bind(10, highest).Bind(12, limit);
  if (before != 0) s.Bind(11, before);
  return s.CollectRows<Candidate>([](const Statement& row) {
    Candidate c;
    c.rowid = row.Int64(0);
    return c;
  });
}

Result<std::vector<std::pair<std::size_t, MemoryRow>>> SearchWalker::VisibleMemoriesAt(
    const std::vector<const Candidate*>& candidates) {
  Statement& s = conn_.Prepare("SELECT hit.key, " RM_MEMORY_COLUMNS
                               " FROM json_each(?10) AS hit CROSS JOIN memories m ON m.rowid = hit.value WHERE " +
                               RowWhere(request_.filters.scope) + " ORDER BY hit.key");
  BindRowWhere(s, viewer_, request_.filters);
  s.Bind(10, RowidsJson(candidates));
  return s.CollectRows<std::pair<std::size_t, MemoryRow>>([](const Statement& row) {
    return std::pair{static_cast<std::size_t>(row.Int64(0)), MemoryFromRow(row, 1)};
  });
}

Result<std::vector<std::pair<std::size_t, std::string>>> SearchWalker::TextsOf(
    const std::vector<Candidate>& candidates) {
  std::vector<const Candidate*> all;
  for (const Candidate& c : candidates) all.push_back(&c);
  Statement& s = conn_.Prepare(
      "SELECT hit.key, coalesce(m.title, '') || ' ' || coalesce(m.content, '') || ' ' || coalesce(m.tags, '') "
      "FROM json_each(?1) AS hit CROSS JOIN memories m ON m.rowid = hit.value");
  s.Bind(1, RowidsJson(all));
  return s.CollectRows<std::pair<std::size_t, std::string>>([](const Statement& row) {
    return std::pair{static_cast<std::size_t>(row.Int64(0)), row.Text(1)};
  });
}

}  // namespace rm::store::search
