// Declarations of the tools that read the shape of a user's memories (usage:
// memory_read): get_topic_cluster and get_graph_around, with the arguments the
// original Reflect Memory gives them (SPEC §5), so prompts written for it work.
#include <boost/json/object.hpp>

#include "tools/memory_input.h"
#include "tools/memory_json.h"
#include "tools/tool_declarations.h"
#include "tools/tool_support.h"

namespace rm::tools {
namespace json = boost::json;
namespace {

json::object ClusterSchema() {
  return {{"type", "object"},
          {"properties",
           {{"name", {{"type", "string"}}},
            {"description", {{"type", "string"}}},
            {"tags", schema::ListOf({{"type", "string"}})},
            {"member_count", {{"type", "integer"}}},
            {"computed_at", {{"type", "string"}}},
            {"provisional",
             {{"type", "boolean"},
              {"description", "true: the topics are still being computed; this is the tag alone"}}}}},
          {"required", {"name", "description", "tags", "member_count", "computed_at"}}};
}

json::object TagNeighbourSchema() {
  json::object node = MemorySummarySchema();
  node["properties"].as_object()["shared_tags"] = schema::ListOf({{"type", "string"}});
  return node;
}

}  // namespace

void AddGraphTools(mcp::ToolRegistry& registry, std::shared_ptr<MemoryService> service) {
  registry.Add({
      .name = "get_topic_cluster",
      .title = "Topic cluster",
      .description =
          "The memories of the topic that a tag belongs to, newest first: tags used together "
          "form a topic (cluster), so this finds related memories tagged differently. Returns the "
          "cluster's name and tags too.",
      .input_schema = schema::Input(
          {{"tag", schema::String("A tag of the topic.", 1, kMaxTagChars)},
           {"limit", schema::Integer("How many memories (1-50, default 10).", 1, 50)},
           {"scope", schema::Scope()}},
          {"tag"}),
      .output_schema = schema::Output({{"cluster", ClusterSchema()}, {"memories", schema::ListOf(MemorySchema())}},
                                      {"cluster", "memories"}),
      .annotations = ReadOnly("Topic cluster"),
      .handler = [service](const json::object& args, mcp::CallContext& ctx) {
        return RunTool("get_topic_cluster", args, ctx, [&](const Caller& c, const MemoryService::Key& k) {
          return service->GetTopicCluster(c, k, RequiredString(args, "tag"), OptionalInt(args, "limit").value_or(10),
                                          ScopeArg(args));
        });
      },
  });

  registry.Add({
      .name = "get_graph_around",
      .title = "Graph around a memory",
      .description =
          "What surrounds a memory: its parent, replies and siblings, the memories sharing the most "
          "tags with it, and the memories it names or that name it (by id or memory:// URI).",
      .input_schema = schema::Input(
          {{"memory_id", schema::String("The memory's id.", 1, 128)},
           {"min_shared_tags", schema::Integer("Tags a memory must share to count as similar (1-10, default 2).", 1, 10)},
           {"top_tag_similar", schema::Integer("How many tag-similar memories (1-20, default 5).", 1, 20)}},
          {"memory_id"}),
      .output_schema = schema::Output(
          {{"memory", MemorySchema()},
           {"parent", {{"anyOf", {MemorySummarySchema(), json::object{{"type", "null"}}}}}},
           {"children", schema::ListOf(MemorySummarySchema())},
           {"siblings", schema::ListOf(MemorySummarySchema())},
           {"tag_similar", schema::ListOf(TagNeighbourSchema())},
           {"references", {{"type", "object"},
                           {"properties", {{"outgoing", schema::ListOf(MemorySummarySchema())},
                                           {"incoming", schema::ListOf(MemorySummarySchema())}}},
                           {"required", {"outgoing", "incoming"}}}}},
          {"memory", "parent", "children", "siblings", "tag_similar", "references"}),
      .annotations = ReadOnly("Graph around a memory"),
      .handler = [service](const json::object& args, mcp::CallContext& ctx) {
        return RunTool("get_graph_around", args, ctx, [&](const Caller& c, const MemoryService::Key& k) {
          return service->GetGraphAround(c, k, RequiredString(args, "memory_id"),
                                         OptionalInt(args, "min_shared_tags").value_or(2),
                                         OptionalInt(args, "top_tag_similar").value_or(5));
        });
      },
  });
}

}  // namespace rm::tools
