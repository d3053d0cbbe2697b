// Declarations of the tools that read memories (usage: memory_read).
#include <boost/json/object.hpp>

#include "tools/memory_input.h"
#include "tools/memory_json.h"
#include "tools/tool_declarations.h"
#include "tools/tool_support.h"

namespace rm::tools {
namespace json = boost::json;
namespace {

json::object CursorInput() {
  return schema::String("next_cursor of the previous page; omit for the first page.", 1, 16384);
}

json::object NullableString() { return {{"type", json::array{"string", "null"}}}; }

json::object PageOutput(bool with_content = true, json::object extra = {}) {
  extra["memories"] = schema::ListOf(with_content ? MemorySchema() : MemorySummarySchema());
  extra["next_cursor"] = NullableString();
  return schema::Output(std::move(extra), {"memories", "next_cursor"});
}

json::object IdInput(std::string_view name, std::string_view description) {
  return schema::Input({{name, schema::String(description, 1, 128)}}, {name});
}

PageRequest PageOf(const json::object& args, int default_limit) {
  PageRequest page;
  page.limit = OptionalInt(args, "limit").value_or(default_limit);
  page.cursor = OptionalString(args, "cursor");
  page.scope = ScopeArg(args);
  return page;
}

}  // namespace

void AddReadTools(mcp::ToolRegistry& registry, std::shared_ptr<MemoryService> service) {
  registry.Add({
      .name = "get_memory_by_id",
      .title = "Get memory",
      .description = "Read one memory, with its full content, by id.",
      .input_schema = IdInput("id", "The memory's id."),
      .output_schema = schema::Output({{"memory", MemorySchema()}}, {"memory"}),
      .annotations = ReadOnly("Get memory"),
      .handler = [service](const json::object& args, mcp::CallContext& ctx) {
        return RunTool("get_memory_by_id", args, ctx, [&](const Caller& c, const MemoryService::Key& k) {
          return service->GetMemory(c, k, RequiredString(args, "id"));
        });
      },
  });

  registry.Add({
      .name = "get_memory_versions",
      .title = "Memory history",
      .description =
          "The earlier states of a memory: version n is how it was before its n-th update.",
      .input_schema = IdInput("id", "The memory's id."),
      .output_schema = schema::Output({{"memory", MemorySchema()},
                                       {"current_version", {{"type", "integer"}}},
                                       {"versions", schema::ListOf(VersionSchema())}},
                                      {"memory", "current_version", "versions"}),
      .annotations = ReadOnly("Memory history"),
      .handler = [service](const json::object& args, mcp::CallContext& ctx) {
        return RunTool("get_memory_versions", args, ctx, [&](const Caller& c, const MemoryService::Key& k) {
          return service->GetMemoryVersions(c, k, RequiredString(args, "id"));
        });
      },
  });

  registry.Add({
      .name = "read_memories",
      .title = "Read recent memories",
      .description = "The most recent memories, newest first, with their content.",
      .input_schema = schema::Input(
          {{"limit", schema::Integer("How many (1-50, default 10).", 1, 50)}, {"scope", schema::Scope()}}, {}),
      .output_schema = schema::Output({{"memories", schema::ListOf(MemorySchema())}}, {"memories"}),
      .annotations = ReadOnly("Read recent memories"),
      .handler = [service](const json::object& args, mcp::CallContext& ctx) {
        return RunTool("read_memories", args, ctx, [&](const Caller& c, const MemoryService::Key& k) {
          return service->ReadMemories(c, k, OptionalInt(args, "limit").value_or(10), ScopeArg(args));
        });
      },
  });

  registry.Add({
      .name = "get_latest_memory",
      .title = "Latest memory",
      .description = "The newest memory, or the newest with a given tag; memory is null if there is none.",
      .input_schema = schema::Input({{"tag", schema::String("Only memories with this tag.", 1, kMaxTagChars)}}, {}),
      .output_schema = schema::Output(
          {{"memory", {{"anyOf", {MemorySchema(), json::object{{"type", "null"}}}}}}}, {"memory"}),
      .annotations = ReadOnly("Latest memory"),
      .handler = [service](const json::object& args, mcp::CallContext& ctx) {
        return RunTool("get_latest_memory", args, ctx, [&](const Caller& c, const MemoryService::Key& k) {
          return service->GetLatestMemory(c, k, OptionalString(args, "tag"));
        });
      },
  });

  registry.Add({
      .name = "browse_memories",
      .title = "Browse memories",
      .description =
          "Page through memories, newest first, as summaries without content (use "
          "get_memory_by_id for one in full). Pass next_cursor back to continue.",
      .input_schema = schema::Input({{"limit", schema::Integer("Page size (1-200, default 50).", 1, 200)},
                                     {"cursor", CursorInput()},
                                     {"scope", schema::Scope()}},
                                    {}),
      .output_schema = PageOutput(/*with_content=*/false),
      .annotations = ReadOnly("Browse memories"),
      .handler = [service](const json::object& args, mcp::CallContext& ctx) {
        return RunTool("browse_memories", args, ctx, [&](const Caller& c, const MemoryService::Key& k) {
          return service->BrowseMemories(c, k, PageOf(args, 50));
        });
      },
  });

  registry.Add({
      .name = "get_memories_by_tag",
      .title = "Memories by tag",
      .description = "Memories having any of the given tags (case-insensitive), newest first.",
      .input_schema = schema::Input(
          {{"tags", [] {
              json::object s = schema::StringList("Tags; a memory with any of them matches.", kMaxTags, kMaxTagChars);
              s["minItems"] = 1;
              return s;
            }()},
           {"limit", schema::Integer("Page size (1-50, default 10).", 1, 50)},
           {"cursor", CursorInput()},
           {"scope", schema::Scope()}},
          {"tags"}),
      .output_schema = PageOutput(),
      .annotations = ReadOnly("Memories by tag"),
      .handler = [service](const json::object& args, mcp::CallContext& ctx) {
        return RunTool("get_memories_by_tag", args, ctx, [&](const Caller& c, const MemoryService::Key& k) {
          return service->GetMemoriesByTag(c, k, OptionalStrings(args, "tags").value_or(std::vector<std::string>{}),
                                           PageOf(args, 10));
        });
      },
  });

  registry.Add({
      .name = "read_thread",
      .title = "Read thread",
      .description = "A memory and its replies (given a reply, its whole thread).",
      .input_schema = IdInput("memory_id", "A memory of the thread (the parent or a reply)."),
      .output_schema = schema::Output({{"parent", MemorySchema()}, {"replies", schema::ListOf(MemorySchema())}},
                                      {"parent", "replies"}),
      .annotations = ReadOnly("Read thread"),
      .handler = [service](const json::object& args, mcp::CallContext& ctx) {
        return RunTool("read_thread", args, ctx, [&](const Caller& c, const MemoryService::Key& k) {
          return service->ReadThread(c, k, RequiredString(args, "memory_id"));
        });
      },
  });

  for (PoolKind pool : {PoolKind::kOrg, PoolKind::kTeam}) {
    const std::string name = pool == PoolKind::kOrg ? "org" : "team";
    registry.Add({
        .name = "read_" + name + "_memories",
        .title = pool == PoolKind::kOrg ? "Org memories" : "Team memories",
        .description = "Memories shared with your " + name + ", newest first.",
        .input_schema = schema::Input({{"limit", schema::Integer("Page size (1-50, default 10).", 1, 50)},
                                       {"cursor", CursorInput()}},
                                      {}),
        .output_schema = PageOutput(true, {{name + "_id", {{"type", "string"}}}}),
        .annotations = ReadOnly(pool == PoolKind::kOrg ? "Org memories" : "Team memories"),
        .handler = [service, pool, tool = "read_" + name + "_memories"](const json::object& args,
                                                                        mcp::CallContext& ctx) {
          return RunTool(tool, args, ctx, [&](const Caller& c, const MemoryService::Key& k) {
            return service->ReadPoolMemories(c, k, pool, OptionalInt(args, "limit").value_or(10),
                                             OptionalString(args, "cursor"));
          });
        },
    });
  }

  registry.Add({
      .name = "get_memory_briefing",
      .title = "Memory briefing",
      .description =
          "An overview to start with: how many memories, top tags, recent titles and open threads.",
      .input_schema = schema::Input(
          {{"format", schema::Enum("markdown (default) or json.", {"markdown", "json"})}}, {}),
      .output_schema = schema::Output(
          {{"format", {{"type", "string"}, {"enum", {"markdown", "json"}}}},
           {"briefing", {{"type", json::array{"string", "object"}}}}},
          {"format", "briefing"}),
      .annotations = ReadOnly("Memory briefing"),
      .handler = [service](const json::object& args, mcp::CallContext& ctx) {
        return RunTool("get_memory_briefing", args, ctx, [&](const Caller& c, const MemoryService::Key& k) {
          return service->GetBriefing(c, k, OptionalString(args, "format").value_or("markdown") == "markdown");
        });
      },
  });

  registry.Add({
      .name = "get_usage",
      .title = "Usage",
      .description = "This month's (or a given month's) operations and the plan's limits.",
      .input_schema = schema::Input({{"month", schema::String("YYYY-MM (default: this month, UTC).", 7, 7)}}, {}),
      .output_schema = schema::Output(
          {{"month", {{"type", "string"}}},
           {"plan", {{"type", "string"}}},
           {"operations", {{"type", "object"},
                           {"properties", {{"writes", {{"type", "integer"}}}, {"reads", {{"type", "integer"}}},
                                           {"queries", {{"type", "integer"}}}, {"total", {{"type", "integer"}}}}},
                           {"required", {"writes", "reads", "queries", "total"}}}},
           {"limits", {{"type", "object"},
                       {"properties", {{"memories", {{"type", json::array{"integer", "null"}}}},
                                       {"api_keys", {{"type", json::array{"integer", "null"}}}},
                                       {"memories_counted_per_org", {{"type", "boolean"}}}}},
                       {"required", {"memories", "api_keys"}}}},
           {"memories_stored", {{"type", "integer"}, {"description", "Owner keys only: what the memory quota counts."}}},
           {"note", {{"type", "string"}}}},
          {"month", "plan", "operations", "limits"}),
      .annotations = ReadOnly("Usage"),
      .handler = [service](const json::object& args, mcp::CallContext& ctx) {
        return RunTool("get_usage", args, ctx, [&](const Caller& c, const MemoryService::Key& k) {
          return service->GetUsage(c, k, OptionalString(args, "month"));
        });
      },
  });
}

}  // namespace rm::tools
