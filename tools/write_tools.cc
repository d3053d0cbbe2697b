// Declarations of the tools that change memories (usage: memory_write).
#include <boost/json/object.hpp>

#include "tools/delete_confirmation.h"
#include "tools/memory_input.h"
#include "tools/memory_json.h"
#include "tools/tool_declarations.h"
#include "tools/tool_support.h"

namespace rm::tools {
namespace json = boost::json;
namespace {

// The fields write_memory and write_child_memory share.
json::object NewMemoryProperties() {
  return json::object{
      {"title", schema::String("A short, specific title (what this memory is about).", 1, kMaxTitleChars)},
      {"content", schema::String("The memory itself, in plain text or Markdown.", 0, kMaxContentChars)},
      {"tags", schema::StringList("Tags to find it again (at most 50, each up to 64 characters).",
                                  kMaxTags, kMaxTagChars)},
      {"memory_type", schema::Enum("semantic: a fact or preference (default); episodic: something "
                                   "that happened; procedural: how to do something.",
                                   {"semantic", "episodic", "procedural"})},
      {"allowed_vendors",
       schema::StringList("Which AI tools may see it: \"*\" for all (default), or vendor names "
                          "such as \"claude\", \"cursor\", \"chatgpt\". [] = only the owner's keys.",
                          kMaxVendors, 32)},
  };
}

NewMemory NewMemoryOf(const json::object& args) {
  NewMemory m;
  m.title = RequiredString(args, "title");
  m.content = RequiredString(args, "content");
  m.tags = OptionalStrings(args, "tags").value_or(std::vector<std::string>{});
  m.memory_type = OptionalString(args, "memory_type").value_or("semantic");
  m.allowed_vendors = OptionalStrings(args, "allowed_vendors").value_or(std::vector<std::string>{"*"});
  return m;
}

std::optional<PoolKind> PoolArg(const json::object& args, std::string_view name) {
  std::optional<std::string> scope = OptionalString(args, name);
  if (!scope) return std::nullopt;
  return *scope == "team" ? PoolKind::kTeam : PoolKind::kOrg;
}

json::object MemoryOutput(json::object extra = {}) {
  extra["memory"] = MemorySchema();
  return schema::Output(std::move(extra), {"memory"});
}

// share / unshare: the memory, and how many replies by others stayed where they were.
json::object SharingOutput() {
  return MemoryOutput({{"replies_left_in_place",
                        {{"type", "integer"},
                         {"description", "Replies by others that stay in the pool they were written in, "
                                         "counting only those you can see."}}}});
}

mcp::ToolAnnotations Writes(std::string title, bool destructive = false, bool idempotent = false) {
  mcp::ToolAnnotations a;
  a.title = std::move(title);
  a.destructive_hint = destructive;
  a.idempotent_hint = idempotent;
  return a;
}

}  // namespace

void AddWriteTools(mcp::ToolRegistry& registry, std::shared_ptr<MemoryService> service) {
  registry.Add({
      .name = "write_memory",
      .title = "Write memory",
      .description =
          "Save a new memory for the user: a fact, preference, decision or note worth "
          "remembering across AI tools. Optionally share it with the user's org or team.",
      .input_schema = [] {
        json::object p = NewMemoryProperties();
        p["share_scope"] = schema::Enum("Share with the user's org or team at once.", {"org", "team"});
        p["merge_similar"] = schema::Boolean(
            "If a near-identical memory of yours was written in the last 48 hours (same tool, same "
            "sharing), update it instead (a new version, undoable) and say merged_into. Default: the "
            "user's setting (off unless turned on).");
        return schema::Input(std::move(p), {"title", "content"});
      }(),
      .output_schema = MemoryOutput({{"merged_into", {{"type", "string"}}},
                                     {"previous_version", {{"type", "integer"}}}}),
      .annotations = Writes("Write memory"),
      .handler = [service](const json::object& args, mcp::CallContext& ctx) {
        return RunTool("write_memory", args, ctx, [&](const Caller& c, const MemoryService::Key& k) {
          return service->WriteMemory(c, k, NewMemoryOf(args), PoolArg(args, "share_scope"),
                                      OptionalBool(args, "merge_similar"));
        });
      },
  });

  registry.Add({
      .name = "write_child_memory",
      .title = "Reply to a memory",
      .description =
          "Add a reply to a memory (a thread of one level): follow-ups, updates or comments "
          "on it. The reply is shared wherever its parent is. A reply cannot be replied to; "
          "reply to its parent instead.",
      .input_schema = [] {
        json::object p = NewMemoryProperties();
        p["parent_memory_id"] = schema::String("The id of the memory to reply to.", 1, 128);
        return schema::Input(std::move(p), {"parent_memory_id", "title", "content"});
      }(),
      .output_schema = MemoryOutput(),
      .annotations = Writes("Reply to a memory"),
      .handler = [service](const json::object& args, mcp::CallContext& ctx) {
        return RunTool("write_child_memory", args, ctx, [&](const Caller& c, const MemoryService::Key& k) {
          return service->WriteChildMemory(c, k, RequiredString(args, "parent_memory_id"), NewMemoryOf(args));
        });
      },
  });

  registry.Add({
      .name = "update_memory",
      .title = "Update memory",
      .description =
          "Change a memory's title, content, tags, memory_type or allowed_vendors (give at "
          "least one). The previous state is kept as a version (see get_memory_versions).",
      .input_schema = [] {
        json::object p = NewMemoryProperties();
        p["id"] = schema::String("The id of the memory to change.", 1, 128);
        return schema::Input(std::move(p), {"id"});
      }(),
      .output_schema = MemoryOutput(
          {{"previous_version", {{"type", "integer"}, {"description", "The version number the previous state was saved as."}}}}),
      .annotations = Writes("Update memory"),
      .handler = [service](const json::object& args, mcp::CallContext& ctx) {
        return RunTool("update_memory", args, ctx, [&](const Caller& c, const MemoryService::Key& k) {
          MemoryEdit edit;
          edit.title = OptionalString(args, "title");
          edit.content = OptionalString(args, "content");
          edit.tags = OptionalStrings(args, "tags");
          edit.memory_type = OptionalString(args, "memory_type");
          edit.allowed_vendors = OptionalStrings(args, "allowed_vendors");
          return service->UpdateMemory(c, k, RequiredString(args, "id"), std::move(edit));
        });
      },
  });

  registry.Add({
      .name = "delete_memory",
      .title = "Delete memory",
      .description =
          "Move a memory (and its replies) to the trash; restore_memory brings it back. "
          "permanent: true removes it, its replies and their versions for good; when the client "
          "supports elicitation the user is asked to confirm that first.",
      .input_schema = schema::Input(
          {{"id", schema::String("The id of the memory to delete.", 1, 128)},
           {"permanent", schema::Boolean("Delete for good instead of moving to the trash (default false).")}},
          {"id"}),
      .output_schema = schema::Output(
          {{"id", {{"type", "string"}}},
           {"deleted", {{"type", "boolean"}}},
           {"permanent", {{"type", "boolean"}}},
           {"memories_affected", {{"type", "integer"}, {"description", "The memory and its replies, counting only those you can see."}}},
           {"confirmation",
            {{"type", "string"},
             {"enum", {"confirmed", "declined", "cancelled", "not_confirmed"}},
             {"description", "Set when the user was asked to confirm a permanent delete: what they "
                             "answered. Anything but confirmed deletes nothing (deleted: false)."}}}},
          {"id", "deleted", "permanent", "memories_affected"}),
      .annotations = Writes("Delete memory", /*destructive=*/true),
      // Asks the user first for a permanent delete when the client can (tools/delete_confirmation.h).
      .handler = [service](const json::object& args, mcp::CallContext& ctx) {
        return DeleteMemoryTool(*service, args, ctx);
      },
  });

  registry.Add({
      .name = "restore_memory",
      .title = "Restore memory",
      .description = "Bring a memory back from the trash, with the replies its delete trashed (a reply "
                     "deleted on its own before stays in the trash).",
      .input_schema = schema::Input({{"id", schema::String("The id of the trashed memory.", 1, 128)}}, {"id"}),
      .output_schema = MemoryOutput(
          {{"memories_affected", {{"type", "integer"}, {"description", "The memory and the replies restored with it, counting only those you can see."}}}}),
      .annotations = Writes("Restore memory", false, /*idempotent=*/true),
      .handler = [service](const json::object& args, mcp::CallContext& ctx) {
        return RunTool("restore_memory", args, ctx, [&](const Caller& c, const MemoryService::Key& k) {
          return service->RestoreMemory(c, k, RequiredString(args, "id"));
        });
      },
  });

  registry.Add({
      .name = "share_memory",
      .title = "Share memory",
      .description =
          "Share one of your memories (with your own replies to it) with your org (default) or your "
          "team; every member can then read it and update it. Sharing with one replaces the other. "
          "Replies by others stay in the pool they were written in.",
      .input_schema = schema::Input(
          {{"memory_id", schema::String("The id of your memory to share.", 1, 128)},
           {"scope", schema::Enum("Where to share it (default org).", {"org", "team"})}},
          {"memory_id"}),
      .output_schema = SharingOutput(),
      .annotations = Writes("Share memory", false, true),
      .handler = [service](const json::object& args, mcp::CallContext& ctx) {
        return RunTool("share_memory", args, ctx, [&](const Caller& c, const MemoryService::Key& k) {
          return service->ShareMemory(c, k, RequiredString(args, "memory_id"),
                                      PoolArg(args, "scope").value_or(PoolKind::kOrg));
        });
      },
  });

  registry.Add({
      .name = "unshare_memory",
      .title = "Unshare memory",
      .description =
          "Make a shared memory of yours (and your own replies to it) personal again; replies by "
          "others stay in the pool they were written in. scope says which sharing to undo; without "
          "it, whichever the memory has.",
      .input_schema = schema::Input(
          {{"memory_id", schema::String("The id of your shared memory.", 1, 128)},
           {"scope", schema::Enum("The sharing to undo.", {"org", "team"})}},
          {"memory_id"}),
      .output_schema = SharingOutput(),
      .annotations = Writes("Unshare memory", false, true),
      .handler = [service](const json::object& args, mcp::CallContext& ctx) {
        return RunTool("unshare_memory", args, ctx, [&](const Caller& c, const MemoryService::Key& k) {
          return service->UnshareMemory(c, k, RequiredString(args, "memory_id"), PoolArg(args, "scope"));
        });
      },
  });
}

}  // namespace rm::tools
