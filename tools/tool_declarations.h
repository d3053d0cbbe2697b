// The memory tools of SPEC §5, one declaration each (schemas, annotations,
// handler), grouped by what they do. Every handler calls the MemoryService,
// which owns all the rules; the declarations only translate arguments.
#pragma once

#include <memory>

#include "mcp/tool.h"
#include "tools/memory_service.h"

namespace rm::tools {

// write_memory, write_child_memory, update_memory, delete_memory, restore_memory,
// share_memory, unshare_memory.
void AddWriteTools(mcp::ToolRegistry& registry, std::shared_ptr<MemoryService> service);

// get_memory_by_id, get_memory_versions, read_memories, get_latest_memory,
// browse_memories, get_memories_by_tag, read_thread, read_org_memories,
// read_team_memories, get_memory_briefing, get_usage.
void AddReadTools(mcp::ToolRegistry& registry, std::shared_ptr<MemoryService> service);

// search_memories, and ChatGPT's search and fetch.
void AddSearchTools(mcp::ToolRegistry& registry, std::shared_ptr<MemoryService> service);

// get_topic_cluster and get_graph_around.
void AddGraphTools(mcp::ToolRegistry& registry, std::shared_ptr<MemoryService> service);

}  // namespace rm::tools
