// A person's trash (the dashboard's "Trash" filter): the memories they wrote that are deleted
// but not yet gone, newest deletion first. Never the trash of anyone else, and never shown to
// an AI tool: MCP lists never include the trash (docs/TOOLS.md).
#pragma once

#include <string_view>
#include <vector>

#include "store/connection.h"
#include "store/memory_records.h"
#include "util/status.h"

namespace rm::store {

// Up to `limit` (1..1000) trashed memories whose author is `user_id`.
Result<std::vector<MemoryRow>> ListTrashOf(Connection& conn, std::string_view user_id, int limit);

}  // namespace rm::store
