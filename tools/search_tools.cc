// Declarations of search_memories and of the two tools ChatGPT connectors need
// (search and fetch, with the exact result shapes ChatGPT reads).
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "tools/memory_input.h"
#include "tools/memory_json.h"
#include "tools/tool_declarations.h"
#include "tools/tool_support.h"

namespace rm::tools {
namespace json = boost::json;
namespace {

// ChatGPT reads exactly one text item holding the JSON; structuredContent carries the same.
mcp::ToolResult AsSingleTextItem(mcp::ToolResult result) {
  if (!result.is_error) {
    result.content = json::array{json::object{{"type", "text"}, {"text", json::serialize(result.structured)}}};
  }
  return result;
}

json::object SearchHitSchema() {
  json::object hit = MemorySummarySchema();
  json::object& properties = hit["properties"].as_object();
  properties["snippet"] = {{"type", "string"}, {"description", "Matched words in **bold**."}};
  properties["score"] = {{"type", "number"}, {"description", "BM25 relevance; higher is better."}};
  hit["required"].as_array().push_back("snippet");
  hit["required"].as_array().push_back("score");
  return hit;
}

}  // namespace

void AddSearchTools(mcp::ToolRegistry& registry, std::shared_ptr<MemoryService> service) {
  registry.Add({
      .name = "search_memories",
      .title = "Search memories",
      .description =
          "Full-text search, best matches first, with snippets. Words match their other forms "
          "(groups, grouped). Keywords must all match (if none does, any may); a question or "
          "sentence matches on any of its words, memories covering more of it first. "
          "\"exact phrase\", prefix* and a OR b work; everything else is plain text. "
          "Titles weigh more than tags, tags more than content. "
          "Filter by tags (any of), memory_type, scope and creation time.",
      .input_schema = schema::Input(
          {{"term", schema::String("What to look for.", 0, 1000)},
           {"tags", schema::StringList("Only memories with any of these tags.", kMaxTags, kMaxTagChars)},
           {"memory_type", schema::Enum("Only this type.", {"semantic", "episodic", "procedural"})},
           {"scope", schema::Enum("personal, org, team or all (default).", {"personal", "org", "team", "all"})},
           {"created_after", schema::String("Only memories created after this UTC date/time (2026-05-01 or 2026-05-01T14:30:00Z).", 10, 40)},
           {"created_before", schema::String("Only memories created before this UTC date/time.", 10, 40)},
           {"limit", schema::Integer("Page size (1-50, default 10).", 1, 50)},
           {"cursor", schema::String("next_cursor of the previous page.", 1, 16384)}},
          {"term"}),
      .output_schema = schema::Output(
          {{"results", {{"type", "array"}, {"items", SearchHitSchema()}}},
           {"match", {{"type", "string"}, {"enum", {"all", "any"}},
                      {"description", "all: every word matched; any: a question or sentence, or nothing matched every word, so any word did."}}},
           {"next_cursor", {{"type", json::array{"string", "null"}}}}},
          {"results", "match", "next_cursor"}),
      .annotations = ReadOnly("Search memories"),
      .handler = [service](const json::object& args, mcp::CallContext& ctx) {
        return RunTool("search_memories", args, ctx, [&](const Caller& c, const MemoryService::Key& k) {
          SearchArgs search;
          search.term = RequiredString(args, "term");
          search.tags = OptionalStrings(args, "tags").value_or(std::vector<std::string>{});
          search.memory_type = OptionalString(args, "memory_type");
          search.created_after = OptionalString(args, "created_after");
          search.created_before = OptionalString(args, "created_before");
          search.scope = ScopeArg(args);
          search.limit = OptionalInt(args, "limit").value_or(10);
          search.cursor = OptionalString(args, "cursor");
          return service->SearchMemories(c, k, search);
        });
      },
  });

  registry.Add({
      .name = "search",
      .title = "Search",
      .description =
          "Search the user's memories. Returns ids, titles and urls; read one with fetch.",
      .input_schema = schema::Input({{"query", schema::String("What to look for.", 0, 1000)}}, {"query"}),
      .output_schema = schema::Output(
          {{"results", {{"type", "array"},
                        {"items", {{"type", "object"},
                                   {"properties", {{"id", {{"type", "string"}}},
                                                   {"title", {{"type", "string"}}},
                                                   {"url", {{"type", "string"}}}}},
                                   {"required", {"id", "title", "url"}}}}}}},
          {"results"}),
      .annotations = ReadOnly("Search"),
      .handler = [service](const json::object& args, mcp::CallContext& ctx) {
        return AsSingleTextItem(RunTool("search", args, ctx, [&](const Caller& c, const MemoryService::Key& k) {
          return service->Search(c, k, RequiredString(args, "query"));
        }));
      },
  });

  registry.Add({
      .name = "fetch",
      .title = "Fetch",
      .description = "Read one memory in full by the id search returned.",
      .input_schema = schema::Input({{"id", schema::String("The memory's id.", 1, 128)}}, {"id"}),
      .output_schema = schema::Output({{"id", {{"type", "string"}}},
                                       {"title", {{"type", "string"}}},
                                       {"text", {{"type", "string"}}},
                                       {"url", {{"type", "string"}}},
                                       {"metadata", {{"type", "object"}}}},
                                      {"id", "title", "text", "url", "metadata"}),
      .annotations = ReadOnly("Fetch"),
      .handler = [service](const json::object& args, mcp::CallContext& ctx) {
        return AsSingleTextItem(RunTool("fetch", args, ctx, [&](const Caller& c, const MemoryService::Key& k) {
          return service->Fetch(c, k, RequiredString(args, "id"));
        }));
      },
  });
}

}  // namespace rm::tools
