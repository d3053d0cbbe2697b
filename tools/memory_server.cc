#include "tools/memory_server.h"

#include "store/search_repository.h"
#include "tools/memory_resources.h"
#include "tools/tool_declarations.h"
#include "tools/tool_support.h"
#include "tools/topic_completion.h"

namespace rm::tools {
namespace {

constexpr int kRecallHits = 8;

// "recall": what do I know about X — the best matches, ready for the model.
mcp::Prompt RecallPrompt(std::shared_ptr<MemoryService> service) {
  mcp::Prompt prompt;
  prompt.name = "recall";
  prompt.title = "Recall";
  prompt.description = "What do I know about a topic? Finds the most relevant memories.";
  prompt.arguments = {{"topic", "Topic", "What to recall, e.g. \"the billing migration\".", true}};
  prompt.get = [service](const mcp::PromptArguments& args, mcp::CallContext& ctx)
      -> rm::Result<mcp::PromptResult> {
    Result<Caller> caller = CallerOf(ctx);
    if (!caller.ok()) return caller.status();
    const std::string topic = args.count("topic") ? args.at("topic") : "";
    std::string text = "What do I know about " + topic + "?\n\n";
    Status status = service->ReadAs(*caller, [&](store::Connection& conn, const store::Viewer& viewer) -> Status {
      store::SearchRequest request;
      request.text = topic;
      request.limit = kRecallHits;
      request.candidate_limit = service->options().search_candidate_limit;
      Result<store::SearchPage> page = store::SearchMemories(conn, viewer, request);
      if (page.ok() && page->hits.empty() && page->phrase_count >= 2) {
        request.mode = store::MatchMode::kAny;
        page = store::SearchMemories(conn, viewer, request);
      }
      if (!page.ok()) return page.status();
      if (page->hits.empty()) {
        text += "No memory matches this topic yet.";
        return Status::Ok();
      }
      text += "These memories match best (read one in full with get_memory_by_id):\n";
      for (const store::SearchHit& hit : page->hits) {
        text += "- " + hit.memory.title + " (id " + hit.memory.id + "): " + hit.snippet + "\n";
      }
      return Status::Ok();
    });
    if (!status.ok()) return status;
    mcp::PromptResult result;
    result.description = "Memories about " + topic;
    result.messages.push_back(mcp::PromptMessage::Text("user", text));
    return result;
  };
  prompt.complete = [service](const std::string& argument, const std::string& value,
                              const mcp::PromptArguments&, mcp::CallContext& ctx) -> mcp::Completion {
    Result<Caller> caller = CallerOf(ctx);
    if (argument != "topic" || !caller.ok()) return {};
    return CompleteTopic(*service, *caller, value);
  };
  return prompt;
}

}  // namespace

std::shared_ptr<MemoryService> RegisterMemoryServer(mcp::ServerDefinition& server, store::Store& db,
                                                    ServiceOptions options) {
  auto service = std::make_shared<MemoryService>(db, std::move(options));
  AddWriteTools(server.tools, service);
  AddReadTools(server.tools, service);
  AddSearchTools(server.tools, service);
  AddGraphTools(server.tools, service);
  server.resources = std::make_shared<MemoryResources>(service);
  server.prompts.Add(RecallPrompt(service));
  server.instructions = [service](mcp::CallContext& ctx) -> std::string {
    Result<Caller> caller = CallerOf(ctx);
    if (!caller.ok()) return "";
    Result<std::string> text = service->Instructions(*caller);
    return text.ok() ? *text : std::string();
  };
  return service;
}

}  // namespace rm::tools
