// What every page of web/ shares: the store, the server's options, and the memory service
// (the same instance the MCP tools use, so a change made on a page is one transaction, a
// version and a usage event exactly as through MCP, and reaches live MCP listeners).
#pragma once

#include <memory>

#include "store/database.h"
#include "tools/memory_service.h"
#include "web/web_options.h"

namespace rm::web {

struct WebContext {
  store::Store& db;
  const WebOptions& options;
  std::shared_ptr<tools::MemoryService> memories;  // null: the dashboard's memory pages are off
};

}  // namespace rm::web
