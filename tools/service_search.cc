// The memory service's searches (usage: query). See memory_service.h and
// store/search_repository.h for how ranking and pages work.
#include <algorithm>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "store/search_query.h"
#include "store/search_repository.h"
#include "tools/cursor.h"
#include "tools/memory_input.h"
#include "tools/memory_json.h"
#include "tools/service_call.h"

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

}  // namespace

MemoryService::Reply MemoryService::SearchMemories(const Caller& caller, const Key& key,
                                                   const SearchArgs& args) {
  Result<store::SearchRequest> prepared = MakeRequest(args, options_.search_candidate_limit);
  if (!prepared.ok()) return prepared.status();
  Result<const CursorCodec*> cursors = Cursors();
  if (!cursors.ok()) return cursors.status();
  const std::string search = SearchFingerprint(*prepared);
  return Execute(caller, key, UsageOperation::kQuery, [&](ServiceCall& call) -> Reply {
    store::SearchRequest request = *prepared;
    if (args.cursor) {  // opened here: it is bound to the viewer as this transaction sees it
      Result<SearchCursor> cursor = (*cursors)->DecodeSearch(*args.cursor, call.viewer, search);
      if (!cursor.ok()) return cursor.status();
      request.mode = cursor->mode;
      request.window = cursor->window;
      request.after = cursor->after;
    }
    Result<store::SearchPage> page = RunSearch(call, request, !args.cursor);
    if (!page.ok()) return page.status();
    json::array results;
    for (const store::SearchHit& hit : page->hits) {
      json::object item = MemorySummaryJson(hit.memory);
      item["snippet"] = hit.snippet;
      item["score"] = hit.score;
      results.push_back(std::move(item));
    }
    json::value next = nullptr;
    if (page->more && !page->hits.empty()) {
      next = (*cursors)->EncodeSearch(
          {request.mode, page->window, {page->hits.back().score, page->hits.back().memory.rowid}}, call.viewer,
          search);
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
  return Execute(caller, key, UsageOperation::kQuery, [&](ServiceCall& call) -> Reply {
    store::SearchRequest request = *prepared;
    Result<store::SearchPage> page = RunSearch(call, request, true);
    if (!page.ok()) return page.status();
    json::array results;
    for (const store::SearchHit& hit : page->hits) {
      results.push_back(json::object{{"id", hit.memory.id},
                                     {"title", hit.memory.title},
                                     {"url", UrlOf(hit.memory.id)}});
    }
    return json::value(json::object{{"results", std::move(results)}});
  });
}

}  // namespace rm::tools
