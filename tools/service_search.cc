// The memory service's searches (usage: query). See memory_service.h and
// store/search_repository.h for how ranking and pages work.
#include <algorithm>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "store/llm_keys.h"
#include "store/memory_repository.h"
#include "store/memory_vectors.h"
#include "store/search_query.h"
#include "store/search_repository.h"
#include "store/search_snippet.h"
#include "store/users.h"
#include "tools/cursor.h"
#include "tools/hybrid_ranking.h"
#include "tools/memory_input.h"
#include "tools/memory_json.h"
#include "tools/service_call.h"
#include "tools/vector_cache.h"

namespace rm::tools {
namespace json = boost::json;
using store::UsageOperation;

namespace {

constexpr std::size_t kMaxTermChars = 1000;

// Validated store request for `args` (cursor not yet applied). `term_field` names
// the text in errors ("term" for search_memories, "query" for ChatGPT's search).
Result<store::SearchRequest> MakeRequest(const SearchArgs& args, int candidate_limit,
                                         const std::string& term_field = "term") {
  std::optional<std::size_t> length = Utf8Length(args.term);
  if (!length) return Status::InvalidArgument(term_field + ": must be valid UTF-8 text");
  if (*length > kMaxTermChars) {
    return Status::InvalidArgument(term_field + ": must be at most 1000 characters");
  }
  store::SearchRequest request;
  request.text = args.term;
  request.limit = std::clamp(args.limit, 1, 50);
  request.candidate_limit = candidate_limit;
  request.filters.scope = args.scope;
  if (!args.tags.empty()) {
    Result<std::vector<std::string>> tags = NormalizeTags(args.tags);
    if (!tags.ok()) return tags.status();
    request.filters.tags_any_json = ToJsonText(*tags);
  }
  if (args.memory_type) {
    RM_RETURN_IF_ERROR(CheckMemoryType(*args.memory_type));
    request.filters.memory_type = args.memory_type;
  }
  if (args.created_after) {
    Result<std::string> t = NormalizeTimestamp(*args.created_after, "created_after");
    if (!t.ok()) return t.status();
    request.filters.created_after = *t;
  }
  if (args.created_before) {
    Result<std::string> t = NormalizeTimestamp(*args.created_before, "created_before");
    if (!t.ok()) return t.status();
    request.filters.created_before = *t;
  }
  return request;
}

// One pass of the search, announced first (the client sees it as progress).
Result<store::SearchPage> SearchPass(ServiceCall& call, const store::SearchRequest& request) {
  call.caller.hooks.Stage(request.mode == store::MatchMode::kAll ? "searching: every word must match"
                                                                 : "searching: any word may match");
  return store::SearchMemories(call.conn, call.viewer, request);
}

// A question or a sentence ("When did Caroline go to the support group?": this many topic
// words or more, stop words not counted) is searched with any word from the start, best
// coverage first (store/search_ranking.h): the memory that answers rarely repeats every
// word of it. Fewer words are keywords, and every one must match.
constexpr std::size_t kQuestionWords = 3;

// Runs the search; a first page that finds nothing with every word required
// tries again with any word (the result says which: "match": "all" | "any").
Result<store::SearchPage> RunSearch(ServiceCall& call, store::SearchRequest& request,
                                    bool first_page) {
  if (first_page && request.mode == store::MatchMode::kAll) {
    Result<store::SearchTerms> terms = store::BuildSearchTerms(request.text, store::MatchMode::kAll);
    if (!terms.ok()) return terms.status();
    if (terms->phrases.size() >= kQuestionWords) request.mode = store::MatchMode::kAny;
  }
  Result<store::SearchPage> page = SearchPass(call, request);
  if (!page.ok()) return page;
  if (first_page && request.mode == store::MatchMode::kAll && page->hits.empty() &&
      page->phrase_count >= 2) {
    request.mode = store::MatchMode::kAny;
    page = SearchPass(call, request);
  }
  return page;
}

// Which search a cursor belongs to: the term and every filter (not the page size,
// which may change between pages). Bound into the sealed cursor, not carried.
std::string SearchFingerprint(const store::SearchRequest& request) {
  json::object o{{"term", request.text},
                 {"scope", static_cast<int>(request.filters.scope)},
                 {"tags", request.filters.tags_any_json}};
  if (request.filters.memory_type) o["type"] = *request.filters.memory_type;
  if (request.filters.created_after) o["after"] = *request.filters.created_after;
  if (request.filters.created_before) o["before"] = *request.filters.created_before;
  return json::serialize(o);
}

// One page of a hybrid search (tools/hybrid_ranking.h): the top kListDepth of the
// full-text search and of exact cosine over the caller's visible vectors, fused,
// and the page at `position` of the fused list. Later pages rebuild the same lists
// (the full-text window and the rowid bound come from the first page) and move on by
// offset, so pages hold no duplicates and leave no gaps.
struct HybridPage {
  std::vector<store::SearchHit> hits;
  store::SearchWindow window;  // the full-text list's, for the cursor
  HybridPosition next;
  bool more = false;
};

Result<HybridPage> RunHybridSearch(ServiceCall& call, VectorCache& vector_cache, store::SearchRequest& request,
                                   const std::string& model,
                                   const std::vector<float>& query, const std::optional<SearchCursor>& cursor) {
  const int limit = request.limit;
  request.limit = static_cast<int>(kListDepth);
  Result<store::SearchPage> text = RunSearch(call, request, !cursor);  // request.mode may become kAny
  request.limit = limit;
  if (!text.ok()) return text.status();

  HybridPage page;
  page.window = text->window;
  page.next.newest_rowid = 0;
  if (cursor) {
    page.next.newest_rowid = cursor->hybrid->newest_rowid;
  } else {
    Result<std::int64_t> newest = store::NewestMemoryRowid(call.conn);
    if (!newest.ok()) return newest.status();
    page.next.newest_rowid = *newest;
  }
  call.caller.hooks.Stage("searching: by meaning");
  Result<std::vector<store::VisibleVector>> vectors =
      vector_cache.Visible(call.conn, call.viewer, request.filters, model, page.next.newest_rowid);
  if (!vectors.ok()) return vectors.status();
  const std::vector<VectorMatch> nearest = NearestByCosine(query, *vectors, kListDepth);

  std::vector<std::int64_t> text_list, vector_list;
  for (const store::SearchHit& hit : text->hits) text_list.push_back(hit.memory.rowid);
  for (const VectorMatch& m : nearest) vector_list.push_back((*vectors)[m.index].rowid);
  const std::vector<FusedRank> fused = FuseByReciprocalRank(text_list, vector_list);

  Result<store::SearchTerms> terms = store::BuildSearchTerms(request.text, request.mode);
  if (!terms.ok()) return terms.status();
  const std::size_t offset = cursor ? static_cast<std::size_t>(cursor->hybrid->offset) : 0;
  const std::size_t end = std::min(fused.size(), offset + static_cast<std::size_t>(limit));
  for (std::size_t i = offset; i < end; ++i) {
    const std::int64_t rowid = fused[i].rowid;
    auto in_text = std::find_if(text->hits.begin(), text->hits.end(),
                                [&](const store::SearchHit& h) { return h.memory.rowid == rowid; });
    if (in_text != text->hits.end()) {
      page.hits.push_back({std::move(in_text->memory), fused[i].score, std::move(in_text->snippet)});
      continue;
    }
    // Found by meaning only: read (and checked against the visibility predicate) again.
    auto in_vectors = std::find_if(vectors->begin(), vectors->end(),
                                   [&](const store::VisibleVector& v) { return v.rowid == rowid; });
    Result<std::optional<store::MemoryRow>> memory =
        store::FindVisibleMemory(call.conn, call.viewer, in_vectors->memory_id);
    if (!memory.ok()) return memory.status();
    if (!*memory) continue;
    Result<std::string> snippet =
        store::MakeSnippet(*terms, {(*memory)->title, (*memory)->content, (*memory)->tags_json});
    if (!snippet.ok()) return snippet.status();
    page.hits.push_back({std::move(**memory), fused[i].score, std::move(*snippet)});
  }
  page.more = end < fused.size();
  page.next.offset = static_cast<std::int64_t>(end);
  return page;
}

json::object SearchResultJson(store::SearchHit& hit) {
  json::object item = MemorySummaryJson(hit.memory);
  item["snippet"] = hit.snippet;
  item["score"] = hit.score;
  return item;
}

}  // namespace

std::optional<MemoryService::QueryVector> MemoryService::QueryVectorFor(const Caller& caller,
                                                                        const std::string& text) {
  if (!query_embedder_ || text.find_first_not_of(" \t\r\n") == std::string::npos) return std::nullopt;
  std::optional<store::LlmKeyRow> key;
  Status read = db_.Read([&](store::Connection& conn) -> Status {
    Result<store::User> user = store::FindUserById(conn, caller.user_id);
    if (!user.ok()) return user.status();
    Result<std::optional<store::LlmKeyRow>> found = store::FindEmbeddingKey(conn, user->id, user->org_id);
    if (!found.ok()) return found.status();
    key = std::move(*found);
    return Status::Ok();
  });
  if (!read.ok() || !key) return std::nullopt;  // an unknown user fails in Execute, as before
  std::optional<std::vector<float>> vector = query_embedder_->Embed(*key, text);
  if (!vector) return std::nullopt;
  return QueryVector{*key->embedding_model, std::move(*vector)};
}

MemoryService::Reply MemoryService::SearchMemories(const Caller& caller, const Key& key,
                                                   const SearchArgs& args) {
  Result<store::SearchRequest> prepared = MakeRequest(args, options_.search_candidate_limit);
  if (!prepared.ok()) return prepared.status();
  Result<const CursorCodec*> cursors = Cursors();
  if (!cursors.ok()) return cursors.status();
  const std::string search = SearchFingerprint(*prepared);
  // Before the transaction: a provider is never waited for with a snapshot open.
  const std::optional<QueryVector> semantic = QueryVectorFor(caller, prepared->text);
  return Execute(caller, key, UsageOperation::kQuery, [&](ServiceCall& call) -> Reply {
    store::SearchRequest request = *prepared;
    std::optional<SearchCursor> cursor;
    if (args.cursor) {  // opened here: it is bound to the viewer as this transaction sees it
      Result<SearchCursor> opened = (*cursors)->DecodeSearch(*args.cursor, call.viewer, search);
      if (!opened.ok()) return opened.status();
      cursor = std::move(*opened);
      request.mode = cursor->mode;
      request.window = cursor->window;
      if (!cursor->hybrid) request.after = cursor->after;
    }
    json::array results;
    json::value next = nullptr;
    if (cursor && cursor->hybrid && !semantic) {
      return Status::InvalidArgument(
          "cursor: the next pages of this search rank by meaning, and the embeddings provider does not answer "
          "now; search again without cursor (full text answers meanwhile)");
    }
    if (semantic && (!cursor || cursor->hybrid)) {
      Result<HybridPage> page = RunHybridSearch(call, *vectors_, request, semantic->model, semantic->vector, cursor);
      if (!page.ok()) return page.status();
      for (store::SearchHit& hit : page->hits) results.push_back(SearchResultJson(hit));
      if (page->more) {
        next = (*cursors)->EncodeSearch({request.mode, page->window, {}, page->next}, call.viewer, search);
      }
    } else {
      Result<store::SearchPage> page = RunSearch(call, request, !args.cursor);
      if (!page.ok()) return page.status();
      for (store::SearchHit& hit : page->hits) results.push_back(SearchResultJson(hit));
      if (page->more && !page->hits.empty()) {
        next = (*cursors)->EncodeSearch(
            {request.mode, page->window, {page->hits.back().score, page->hits.back().memory.rowid}, std::nullopt},
            call.viewer,
            search);
      }
    }
    return json::value(json::object{{"results", std::move(results)},
                        {"match", request.mode == store::MatchMode::kAll ? "all" : "any"},
                        {"next_cursor", std::move(next)}});
  });
}

MemoryService::Reply MemoryService::Search(const Caller& caller, const Key& key,
                                           const std::string& query) {
  SearchArgs args;
  args.term = query;
  Result<store::SearchRequest> prepared = MakeRequest(args, options_.search_candidate_limit, "query");
  if (!prepared.ok()) return prepared.status();
  const std::optional<QueryVector> semantic = QueryVectorFor(caller, prepared->text);
  return Execute(caller, key, UsageOperation::kQuery, [&](ServiceCall& call) -> Reply {
    store::SearchRequest request = *prepared;
    std::vector<store::SearchHit> hits;
    if (semantic) {
      Result<HybridPage> page = RunHybridSearch(call, *vectors_, request, semantic->model, semantic->vector, std::nullopt);
      if (!page.ok()) return page.status();
      hits = std::move(page->hits);
    } else {
      Result<store::SearchPage> page = RunSearch(call, request, true);
      if (!page.ok()) return page.status();
      hits = std::move(page->hits);
    }
    json::array results;
    for (const store::SearchHit& hit : hits) {
      results.push_back(json::object{{"id", hit.memory.id},
                                     {"title", hit.memory.title},
                                     {"url", UrlOf(hit.memory.id)}});
    }
    return json::value(json::object{{"results", std::move(results)}});
  });
}

}  // namespace rm::tools
